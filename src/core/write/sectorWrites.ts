// Turns fix plans into the sector writes that realise them: only whole sectors
// whose bytes change, verified against every patch's `before`, ordered backup
// structures first (UEFI 5.3.2: update the backup GPT before the primary).
import type { FixPlan, Patch } from '../patch';
import { ImageChangedError } from './errors';

/** Reads image bytes; the writer passes a direct read of the files. */
export type ReadBytes = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * The sector-aligned patches that take the image from its current bytes to the
 * bytes after every plan in order. Each plan's patches must find their `before`
 * (the first plan on disk, later ones on top of the earlier ones), otherwise
 * ImageChangedError. Runs of adjacent changed sectors become one patch.
 */
export async function sectorWrites(plans: readonly FixPlan[], sectorSize: number, sizeBytes: number, read: ReadBytes): Promise<Patch[]> {
  // Sectors any patch touches, as sorted spans of adjacent sectors.
  const sectors = new Set<number>();
  for (const plan of plans) {
    for (const patch of plan.patches) {
      if (patch.before.length !== patch.after.length) throw new RangeError(`fix ${plan.id}: a patch at ${patch.offset} changes the length`);
      if (!Number.isSafeInteger(patch.offset) || patch.offset < 0 || patch.offset + patch.after.length > sizeBytes) {
        throw new RangeError(`fix ${plan.id}: a patch at ${patch.offset} (+${patch.after.length}) lies outside the image (${sizeBytes} bytes)`);
      }
      if (patch.after.length === 0) continue;
      const first = Math.floor(patch.offset / sectorSize);
      const last = Math.floor((patch.offset + patch.after.length - 1) / sectorSize);
      for (let s = first; s <= last; s++) sectors.add(s);
    }
  }
  const sorted = [...sectors].sort((a, b) => a - b);
  const spans: { offset: number; old: Uint8Array; now: Uint8Array }[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const offset = sorted[i]! * sectorSize;
    // The last sector of an image whose size is not a multiple of the sector size is partial.
    const length = Math.min((sorted[j]! + 1) * sectorSize, sizeBytes) - offset;
    const old = await read(offset, length);
    spans.push({ offset, old, now: new Uint8Array(old) });
    i = j + 1;
  }
  const spanOf = (offset: number) => spans.find((s) => offset >= s.offset && offset < s.offset + s.now.length)!;

  for (const plan of plans) {
    for (const patch of plan.patches) {
      for (let i = 0; i < patch.after.length; ) {
        const span = spanOf(patch.offset + i);
        const at = patch.offset + i - span.offset;
        const take = Math.min(patch.after.length - i, span.now.length - at);
        for (let k = 0; k < take; k++) {
          if (span.now[at + k] !== patch.before[i + k]) throw new ImageChangedError(plan.id, patch.offset + i + k, patch.before[i + k]!, span.now[at + k]!);
        }
        span.now.set(patch.after.subarray(i, i + take), at);
        i += take;
      }
    }
  }

  // Keep only sectors whose bytes differ; merge adjacent ones into one write.
  const writes: Patch[] = [];
  for (const span of spans) {
    let runStart = -1;
    const flush = (end: number): void => {
      if (runStart < 0) return;
      writes.push({ offset: span.offset + runStart, before: span.old.slice(runStart, end), after: span.now.slice(runStart, end) });
      runStart = -1;
    };
    for (let at = 0; at < span.now.length; at += sectorSize) {
      const end = Math.min(at + sectorSize, span.now.length);
      if (sameBytes(span.old, span.now, at, end)) flush(at);
      else if (runStart < 0) runStart = at;
    }
    flush(span.now.length);
  }
  return writes;
}

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Write order: the backup half first, then the primary half, each ascending.
 * The backup GPT header and array sit at the end of the disk, the primary (and
 * the protective MBR) at the start, so "offset in the second half of the image"
 * is what "backup structure" means for every layout we write. Returns the two
 * groups; the writer fsyncs after each so the backup is durable before the
 * primary changes.
 */
export function orderWrites(writes: readonly Patch[], sizeBytes: number): { backup: Patch[]; primary: Patch[] } {
  const half = Math.floor(sizeBytes / 2);
  const ascending = [...writes].sort((a, b) => a.offset - b.offset);
  return { backup: ascending.filter((w) => w.offset >= half), primary: ascending.filter((w) => w.offset < half) };
}
