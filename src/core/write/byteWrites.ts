// Turns fix plans into the byte runs that realise them. Only bytes that some
// patch covers are ever written: the bytes around a patch in the same sector
// are left to whoever owns them (never rewritten from an earlier read, which
// would silently revert another program's change). Runs are ordered backup
// structures first (UEFI 5.3.2: update the backup GPT before the primary).
import type { FixPlan, Patch } from '../patch';
import { ImageChangedError } from './errors';

/** Reads image bytes; the writer passes a direct read of the files. */
export type ReadBytes = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Unchanged bytes inside one patched range that split it into two writes. Shorter
 * unchanged stretches are rewritten with the value just verified, which saves a
 * write call and changes nothing.
 */
export const RUN_SPLIT_GAP = 32;

/**
 * The byte runs that take the image from its current bytes to the bytes after
 * every plan in order: `before` is what the image holds now (read through
 * `read`), `after` what it will hold. Each plan's patches must find their
 * `before` (the first plan on disk, later ones on top of the earlier ones),
 * otherwise ImageChangedError. Every run lies inside the union of the patches'
 * ranges and starts and ends with a changed byte; runs with nothing to change
 * are dropped.
 */
export async function byteWrites(plans: readonly FixPlan[], sizeBytes: number, read: ReadBytes): Promise<Patch[]> {
  const ranges: { start: number; end: number }[] = [];
  for (const plan of plans) {
    for (const patch of plan.patches) {
      if (patch.before.length !== patch.after.length) throw new RangeError(`fix ${plan.id}: a patch at ${patch.offset} changes the length`);
      if (!Number.isSafeInteger(patch.offset) || patch.offset < 0 || patch.offset + patch.after.length > sizeBytes) {
        throw new RangeError(`fix ${plan.id}: a patch at ${patch.offset} (+${patch.after.length}) lies outside the image (${sizeBytes} bytes)`);
      }
      if (patch.after.length > 0) ranges.push({ start: patch.offset, end: patch.offset + patch.after.length });
    }
  }
  // Union of the patched ranges: overlapping or touching ranges become one span.
  ranges.sort((a, b) => a.start - b.start);
  const spans: { offset: number; old: Uint8Array; now: Uint8Array }[] = [];
  for (let i = 0; i < ranges.length;) {
    const start = ranges[i]!.start;
    let end = ranges[i]!.end;
    let j = i + 1;
    while (j < ranges.length && ranges[j]!.start <= end) end = Math.max(end, ranges[j++]!.end);
    const old = await read(start, end - start);
    spans.push({ offset: start, old, now: new Uint8Array(old) });
    i = j;
  }
  const spanOf = (offset: number) => spans.find((s) => offset >= s.offset && offset < s.offset + s.now.length)!;

  for (const plan of plans) {
    for (const patch of plan.patches) {
      if (patch.after.length === 0) continue;
      // A patch lies inside one span: spans are unions of the patches.
      const span = spanOf(patch.offset);
      const at = patch.offset - span.offset;
      for (let k = 0; k < patch.after.length; k++) {
        if (span.now[at + k] !== patch.before[k]) throw new ImageChangedError(plan.id, patch.offset + k, patch.before[k]!, span.now[at + k]!);
      }
      span.now.set(patch.after, at);
    }
  }

  const writes: Patch[] = [];
  for (const span of spans) {
    for (const [from, to] of changedRuns(span.old, span.now)) {
      writes.push({ offset: span.offset + from, before: span.old.slice(from, to), after: span.now.slice(from, to) });
    }
  }
  return writes;
}

/** [from, to) runs where `a` and `b` differ; runs closer than RUN_SPLIT_GAP are joined. */
export function changedRuns(a: Uint8Array, b: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  let i = 0;
  while (i < a.length) {
    if (a[i] === b[i]) {
      i++;
      continue;
    }
    let end = i + 1;
    let lastChanged = i;
    while (end < a.length && end - lastChanged <= RUN_SPLIT_GAP) {
      if (a[end] !== b[end]) lastChanged = end;
      end++;
    }
    runs.push([i, lastChanged + 1]);
    i = lastChanged + 1;
  }
  return runs;
}

/** Sectors (LBAs) that the byte runs touch, ascending, each once. */
export function touchedSectors(runs: readonly { offset: number; length: number }[], sectorSize: number): number[] {
  const sectors = new Set<number>();
  for (const run of runs) {
    if (run.length === 0) continue;
    for (let s = Math.floor(run.offset / sectorSize); s <= Math.floor((run.offset + run.length - 1) / sectorSize); s++) sectors.add(s);
  }
  return [...sectors].sort((a, b) => a - b);
}

/**
 * Write order: the backup half first, then the primary half, each ascending.
 * The backup GPT header and array sit at the end of the disk, the primary (and
 * the protective MBR) at the start, so "offset in the second half of the image"
 * is what "backup structure" means for every layout we write. Returns the two
 * groups; the writer fsyncs after each so the backup is durable before the
 * primary changes.
 */
export function orderWrites<T extends { offset: number }>(writes: readonly T[], sizeBytes: number): { backup: T[]; primary: T[] } {
  const half = Math.floor(sizeBytes / 2);
  const ascending = [...writes].sort((a, b) => a.offset - b.offset);
  return { backup: ascending.filter((w) => w.offset >= half), primary: ascending.filter((w) => w.offset < half) };
}
