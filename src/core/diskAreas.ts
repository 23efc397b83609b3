// Where a disk's data lives and where its partition tables may live, as byte
// ranges of the image. Partition data is what a repair must never touch: every
// fix is checked against partitionRanges (fixes/index.ts), the writer refuses
// plans that reach into it, and undo only replays journal entries that stay in
// the table areas (tableRanges) and out of the partitions.
import type { DiskModel, GptHeader } from './model';
import { MAX_ENTRY_ARRAY_BYTES, MIN_ENTRY_ARRAY_RESERVED_BYTES } from './limits';
import { msg, renderMessage } from '../shared/l10n';
import type { Message } from '../shared/l10n';

/** Bytes [start, end) of the image and what they are. */
export interface ByteRange {
  start: number;
  end: number;
  what: string;
  /** `what` as a msg() template (partitionRanges sets it), for the editor's language. */
  whatText?: Message;
}

// MBR types that are containers or placeholders, not data: the GPT's protective
// record and the extended partitions holding the EBR chain (their logical
// partitions are listed on their own).
const NOT_DATA_MBR_TYPES = new Set([0x00, 0xee, 0x05, 0x0f, 0x85]);

/** Partition data: used GPT entries of both arrays, MBR primaries (not 0xEE or extended) and logical partitions, clipped to the image. */
export function partitionRanges(disk: DiskModel): ByteRange[] {
  const ss = BigInt(disk.sectorSize);
  const size = BigInt(disk.sizeBytes);
  const out: ByteRange[] = [];
  const add = (first: bigint, last: bigint, whatText: Message): void => {
    if (last < first || first < 0n) return;
    const start = first * ss;
    const end = (last + 1n) * ss;
    if (start >= size) return;
    out.push({ start: Number(start), end: Number(end < size ? end : size), what: renderMessage(whatText), whatText });
  };
  for (const header of [disk.primary, disk.backup]) {
    for (const entry of header?.array?.slots ?? []) {
      if (entry.used)
        add(
          entry.firstLba,
          entry.lastLba,
          header!.role === 'primary'
            ? msg('partition {0} (LBAs {1}..{2}, primary array)', entry.number, entry.firstLba, entry.lastLba)
            : msg('partition {0} (LBAs {1}..{2}, backup array)', entry.number, entry.firstLba, entry.lastLba),
        );
    }
  }
  for (const record of disk.mbr?.records ?? []) {
    if (!NOT_DATA_MBR_TYPES.has(record.type) && record.sectors > 0)
      add(BigInt(record.firstLba), BigInt(record.firstLba) + BigInt(record.sectors) - 1n, msg('MBR partition {0}', record.index + 1));
  }
  for (const logical of disk.mbr?.logical ?? []) {
    if (logical.sectors > 0)
      add(BigInt(logical.firstLba), BigInt(logical.firstLba) + BigInt(logical.sectors) - 1n, msg('logical partition {0}', logical.number));
  }
  return out;
}

/** The first partition that bytes [offset, offset + length) reach into, or null. */
export function partitionOverlap(disk: DiskModel, offset: number, length: number, ranges = partitionRanges(disk)): ByteRange | null {
  return ranges.find((r) => offset < r.end && offset + length > r.start) ?? null;
}

/**
 * Where partition tables may live on this disk: the MBR, the standard GPT zones
 * at both ends (header plus a 16 KiB array), every header's own sector, the
 * sector its AlternateLBA names and its array, a backup-sized zone at the true
 * end (where relocate-backup puts it), everything outside each header's usable
 * range, and the EBRs.
 */
export function tableRanges(disk: DiskModel): ByteRange[] {
  const ss = disk.sectorSize;
  const sectors = Math.floor(disk.sizeBytes / ss);
  const out: ByteRange[] = [];
  const add = (firstLba: number, count: number, what: string): void => {
    const first = Math.max(0, firstLba);
    const last = Math.min(sectors, firstLba + count);
    if (last > first) out.push({ start: first * ss, end: last * ss, what });
  };
  add(0, 1, 'MBR');
  const standard = Math.ceil(MIN_ENTRY_ARRAY_RESERVED_BYTES / ss);
  add(1, 1 + standard, 'primary GPT zone');
  add(sectors - 1 - standard, 1 + standard, 'backup GPT zone');
  for (const h of [disk.primary, disk.backup].filter((x): x is GptHeader => x !== null)) {
    add(Number(h.lba), 1, `${h.role} header`);
    if (h.alternateLba < BigInt(sectors)) add(Number(h.alternateLba), 1, `${h.role} header's AlternateLBA`);
    const arrayBytes = h.numPartitionEntries * h.partitionEntrySize;
    if (arrayBytes > 0 && arrayBytes <= MAX_ENTRY_ARRAY_BYTES) {
      const arraySectors = Math.ceil(arrayBytes / ss);
      if (h.partitionEntryLba < BigInt(sectors)) add(Number(h.partitionEntryLba), arraySectors, `${h.role} array`);
      add(sectors - 1 - arraySectors, 1 + arraySectors, 'backup GPT at the end of the disk');
    }
    if (h.firstUsableLba > 0n && h.firstUsableLba < BigInt(sectors)) add(0, Number(h.firstUsableLba), `before ${h.role} FirstUsableLBA`);
    if (h.lastUsableLba >= 0n && h.lastUsableLba < BigInt(sectors)) add(Number(h.lastUsableLba) + 1, sectors, `after ${h.role} LastUsableLBA`);
  }
  for (const logical of disk.mbr?.logical ?? []) add(logical.ebrLba, 1, `EBR of logical partition ${logical.number}`);
  return out;
}

/** True when every byte of [offset, offset + length) lies in one of `ranges` (their union). */
export function coveredBy(ranges: readonly ByteRange[], offset: number, length: number): boolean {
  let at = offset;
  const end = offset + length;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (const r of sorted) {
    if (r.start > at) break;
    if (r.end > at) at = r.end;
    if (at >= end) return true;
  }
  return at >= end;
}

/** The MBR and the standard GPT zones of a disk of `sizeBytes`: the table areas when nothing can be parsed. */
export function standardTableRanges(sizeBytes: number, sectorSize: number): ByteRange[] {
  const sectors = Math.floor(sizeBytes / sectorSize);
  const standard = Math.ceil(MIN_ENTRY_ARRAY_RESERVED_BYTES / sectorSize);
  const out: ByteRange[] = [{ start: 0, end: Math.min(sectorSize, sizeBytes), what: 'MBR' }];
  if (sectors > 2 + standard) {
    out.push({ start: sectorSize, end: (2 + standard) * sectorSize, what: 'primary GPT zone' });
    out.push({ start: (sectors - 1 - standard) * sectorSize, end: sectors * sectorSize, what: 'backup GPT zone' });
  }
  return out;
}

/**
 * What identifies a disk's contents, wherever the file is: the GPT's DiskGUID
 * and the size (`gpt:GUID:SIZE`), else the MBR disk signature (`mbr:XXXXXXXX:SIZE`),
 * else the size. A copy of an image keeps it; another image does not.
 */
export function diskFingerprint(disk: DiskModel | null, sizeBytes: number): string {
  const guid = disk?.primary?.diskGuid ?? disk?.backup?.diskGuid;
  if (guid) return `gpt:${guid}:${sizeBytes}`;
  if (disk?.mbr?.bootSignatureOk) return `mbr:${disk.mbr.diskSignature.toString(16).toUpperCase().padStart(8, '0')}:${sizeBytes}`;
  return `size:${sizeBytes}`;
}
