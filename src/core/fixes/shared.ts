// Helpers shared by the fixes: where the current bytes of a place are, how to
// derive a header for a new position, and how to turn "old bytes -> new bytes"
// into the smallest patches that still line up with the Kaitai fields.
import type { DiskModel, GptHeader, RawRegion } from '../model';
import type { FixId } from '../findings';
import type { FixResult, Patch } from '../patch';
import type { Field } from '../structure';
import { parseStruct } from '../structure';
import { GptHeader as GptHeaderParser } from '../generated/GptHeader';
import { resealGptHeader } from '../gptEncode';
import { GPT_HEADER } from '../layout';
import { numberRuns } from '../numberRuns';
import { msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** A plan-less answer: the fix does not apply, and why (a msg() template: the CLI prints its English, the editor translates it). */
export function notApplicable(id: FixId, reason: Message): FixResult {
  return { ok: false, id, reason: renderMessage(reason), reasonText: reason };
}

/** A header whose fields, header CRC and array CRC are all right: safe to copy from. */
export function isHealthy(header: GptHeader | null): header is GptHeader {
  return !!header && header.invalid.length === 0 && header.headerCrcOk && header.arrayCrcOk === true && !!header.array;
}

/** What is wrong with a header, in a few words (for descriptions and reasons). */
export function healthSummary(header: GptHeader | null, role: 'primary' | 'backup'): string {
  return renderMessage(healthMessage(header, role));
}

/** healthSummary as a message (the field reasons inside are the reader's English). */
export function healthMessage(header: GptHeader | null, role: 'primary' | 'backup'): Message {
  const primary = role === 'primary';
  if (!header) return primary ? msg('no primary header was found') : msg('no backup header was found');
  const problems: (string | Message)[] = [];
  for (const p of header.invalid) problems.push(p.reason);
  if (header.invalid.length === 0 && !header.headerCrcOk) problems.push(msg('its HeaderCRC32 is wrong'));
  if (header.arrayCrcOk === false) problems.push(msg('its entry array CRC is wrong'));
  if (problems.length === 0) return primary ? msg('the primary header is healthy') : msg('the backup header is healthy');
  const list = msgJoin(problems, '; ');
  return primary ? msg('the primary header at LBA {0}: {1}', header.lba, list) : msg('the backup header at LBA {0}: {1}', header.lba, list);
}

/** Sectors the header's entry array occupies (NumberOfPartitionEntries x SizeOfPartitionEntry, rounded up). */
export function arraySectorsOf(header: GptHeader, sectorSize: number): number {
  return Math.ceil((header.numPartitionEntries * header.partitionEntrySize) / sectorSize);
}

/** Absolute byte offset of `lba`; LBAs we write are bounded by the image size, which is a safe integer. */
export function lbaOffset(lba: bigint, sectorSize: number): number {
  return Number(lba) * sectorSize;
}

/** Fields of a header to change when copying it to a new position or updating it. */
export interface HeaderChanges {
  myLba?: bigint;
  alternateLba?: bigint;
  lastUsableLba?: bigint;
  partitionEntryLba?: bigint;
  partitionEntryArrayCrc32?: number;
}

/**
 * A copy of header block `block` with `changes` applied and HeaderCRC32 recomputed
 * over HeaderSize bytes with the field zeroed (UEFI 5.3.2). Everything else
 * (signature, revision, HeaderSize, DiskGUID, usable range, entry geometry, the
 * rest of the block) is copied byte for byte, as gdisk's recovery menu does.
 * The array CRC must be set before the header CRC, since the header CRC covers it.
 */
export function deriveHeader(block: Uint8Array, changes: HeaderChanges): Uint8Array {
  const copy = block.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  if (changes.myLba !== undefined) view.setBigUint64(GPT_HEADER.myLba.offset, changes.myLba, true);
  if (changes.alternateLba !== undefined) view.setBigUint64(GPT_HEADER.alternateLba.offset, changes.alternateLba, true);
  if (changes.lastUsableLba !== undefined) view.setBigUint64(GPT_HEADER.lastUsableLba.offset, changes.lastUsableLba, true);
  if (changes.partitionEntryLba !== undefined) view.setBigUint64(GPT_HEADER.partitionEntryLba.offset, changes.partitionEntryLba, true);
  if (changes.partitionEntryArrayCrc32 !== undefined) view.setUint32(GPT_HEADER.partitionEntryArrayCrc32.offset, changes.partitionEntryArrayCrc32, true);
  resealGptHeader(copy);
  return copy;
}

/** The 4-byte little-endian value at `at`. */
export function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

/** 0x1234ABCD */
export function hex32(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Every region of the image whose bytes the model holds. */
export function knownRegions(disk: DiskModel): RawRegion[] {
  const regions: RawRegion[] = [];
  if (disk.mbr) regions.push({ offset: 0, bytes: disk.mbr.bytes });
  for (const header of [disk.primary, disk.backup]) {
    if (!header) continue;
    regions.push({ offset: header.offset, bytes: header.bytes });
    if (header.array) regions.push({ offset: header.array.offset, bytes: header.array.bytes });
  }
  if (disk.gptAreas?.primary) regions.push(disk.gptAreas.primary);
  if (disk.gptAreas?.backup) regions.push(disk.gptAreas.backup);
  return regions;
}

/** A copy of the current bytes at [offset, offset+length), or null when the model did not read them. */
export function currentBytes(disk: DiskModel, offset: number, length: number): Uint8Array | null {
  for (const region of knownRegions(disk)) {
    if (offset >= region.offset && offset + length <= region.offset + region.bytes.length) {
      return region.bytes.slice(offset - region.offset, offset - region.offset + length);
    }
  }
  return null;
}

/** A half-open byte range [start, end) relative to some region. */
export type Segment = readonly [number, number];

/** Leaf fields of a GPT header block as segments, from our Kaitai spec (so patches line up with named fields). */
export function headerSegments(block: Uint8Array, sectorSize: number): Segment[] {
  const node = parseStruct('header', GptHeaderParser, block, 0, [sectorSize]);
  const out: Segment[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.children && f.children.length > 0) walk(f.children);
      else out.push([f.offset, f.offset + f.length]);
    }
  };
  walk(node.fields);
  return out;
}

/** Whole entries as segments: a moved entry is one patch per entry, which reads well in a dry run. */
export function entrySegments(arrayBytes: number, entrySize: number): Segment[] {
  const out: Segment[] = [];
  for (let at = 0; at < arrayBytes; at += entrySize) out.push([at, Math.min(at + entrySize, arrayBytes)]);
  return out;
}

/**
 * Patches that turn `before` into `after` at absolute `offset`, only where they
 * differ: segments (field or entry ranges) that changed, adjacent ones merged,
 * then split at sector boundaries so each patch lies in one sector. Bytes outside
 * every segment are compared one by one so no change is ever dropped.
 */
export function diffPatches(offset: number, before: Uint8Array, after: Uint8Array, segments: Segment[], sectorSize: number): Patch[] {
  if (before.length !== after.length) throw new RangeError(`diffPatches: ${before.length} bytes before, ${after.length} after`);
  const covered = new Uint8Array(before.length);
  const all: Segment[] = [];
  for (const [s, e] of segments) {
    const start = Math.max(0, s);
    const end = Math.min(before.length, e);
    if (end <= start) continue;
    all.push([start, end]);
    covered.fill(1, start, end);
  }
  for (let i = 0; i < before.length; i++) if (!covered[i]) all.push([i, i + 1]);
  all.sort((a, b) => a[0] - b[0]);

  const runs: [number, number][] = [];
  for (const [start, end] of all) {
    let changed = false;
    for (let i = start; i < end && !changed; i++) changed = before[i] !== after[i];
    if (!changed) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] >= start) last[1] = Math.max(last[1], end);
    else runs.push([start, end]);
  }
  const patches: Patch[] = [];
  for (const [start, end] of runs) {
    let at = start;
    while (at < end) {
      const sectorEnd = (Math.floor((offset + at) / sectorSize) + 1) * sectorSize - offset;
      const stop = Math.min(end, sectorEnd);
      patches.push({ offset: offset + at, before: before.slice(at, stop), after: after.slice(at, stop) });
      at = stop;
    }
  }
  return patches;
}

/** Distinct sectors a list of patches writes. */
export function sectorsTouched(patches: Patch[], sectorSize: number): number[] {
  const sectors = new Set<number>();
  for (const p of patches) {
    for (let s = Math.floor(p.offset / sectorSize); s <= Math.floor((p.offset + p.after.length - 1) / sectorSize); s++) sectors.add(s);
  }
  return [...sectors].sort((a, b) => a - b);
}

/** "Writes 1,024 bytes in 6 sectors (LBAs 1..3, ...)." */
export function writeSummary(patches: Patch[], sectorSize: number): string {
  return renderMessage(writeSummaryMessage(patches, sectorSize));
}

/** writeSummary as a message. */
export function writeSummaryMessage(patches: Patch[], sectorSize: number): Message {
  const bytes = patches.reduce((n, p) => n + p.after.length, 0);
  const sectors = sectorsTouched(patches, sectorSize);
  return sectors.length === 1
    ? msg('Writes {0} bytes in 1 {1}-byte sector (LBA {2}).', bytes, sectorSize, numberRuns(sectors))
    : msg('Writes {0} bytes in {1} {2}-byte sectors (LBAs {3}).', bytes, sectors.length, sectorSize, numberRuns(sectors));
}

/** Copies `body` into a region of `length` bytes that currently holds `current` (the tail keeps its bytes). */
export function overlay(current: Uint8Array, body: Uint8Array, at = 0): Uint8Array {
  const out = current.slice();
  out.set(body, at);
  return out;
}
