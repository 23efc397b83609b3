// A file system that starts at LBA 0 was made on the whole disk: no partition
// starts there, LBA 0 is where a partition table belongs. When the scan also
// finds volumes inside it, two readings conflict: those volumes are the
// partitions of a lost table and the whole-disk file system is the accident
// (`mkfs.vfat /dev/sdb` instead of `/dev/sdb1`: it overwrote the table's first
// sectors, and NTFS's backup boot sector the backup GPT header at the end), or
// the whole-disk file system is in use and the volumes inside it are files
// stored in it (a disk image on a USB stick). Whether it holds any file tells
// them apart: a file system made by mistake moments ago is empty. This module
// marks both sides of the conflict, with that evidence; propose.ts decides.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { MAX_WHOLE_DISK_DIRECTORY_BYTES, MAX_WHOLE_DISK_MFT_RECORDS } from '../limits';
import type { FoundVolume } from './foundVolume';

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** What a whole-disk file system holds: no file (made moments ago), files, or unknown (a type diskx cannot list). */
export type HoldsFiles = boolean | null;

/** Marks volumes nested in an earlier one and volumes that overlap another (in place; returns them in disk order). */
export function resolveNesting(volumes: FoundVolume[]): FoundVolume[] {
  const sorted = [...volumes].sort((a, b) => a.offset - b.offset || Number((b.lastLba ?? 0n) - (a.lastLba ?? 0n)));
  const kept: FoundVolume[] = [];
  for (const volume of sorted) {
    const outer = kept.find((k) => k.nestedIn === undefined && k.lastLba !== undefined && volume.firstLba > k.firstLba && volume.firstLba <= k.lastLba);
    if (outer) {
      // Inside a volume that claims these sectors: nested when it fits, else it overlaps.
      if (volume.lastLba === undefined || volume.lastLba <= outer.lastLba!) volume.nestedIn = outer.offset;
      else volume.overlaps = outer.offset;
    }
    kept.push(volume);
  }
  return kept;
}

/** The whole-disk volume at LBA 0 and the top-level volumes inside it (copies, nesting resolved among themselves), or null. */
export function wholeDiskConflict(volumes: FoundVolume[]): { outer: FoundVolume; inner: FoundVolume[] } | null {
  const outer = volumes.find((v) => v.firstLba === 0n && v.nestedIn === undefined && v.conflictsWith !== undefined);
  if (!outer) return null;
  const inside = volumes
    .filter((v) => v.nestedIn === outer.offset)
    .map((v): FoundVolume => {
      const copy: FoundVolume = { ...v, evidence: [...v.evidence] };
      delete copy.nestedIn;
      delete copy.overlaps;
      delete copy.conflictsWith;
      return copy;
    });
  return { outer, inner: resolveNesting(inside) };
}

/**
 * When a volume at LBA 0 has volumes inside it: marks it and the top-level
 * volumes inside it as conflicting (conflictsWith), records whether it holds
 * files (holdsFiles) and says so in both sides' evidence.
 */
export async function markWholeDiskConflicts(source: ByteSource, volumes: FoundVolume[]): Promise<void> {
  const outer = volumes.find((v) => v.firstLba === 0n && v.nestedIn === undefined && v.lastLba !== undefined);
  if (!outer) return;
  const inside = volumes.filter((v) => v.nestedIn === outer.offset);
  if (inside.length === 0) return;
  // The top level inside it: not inside another of the inner volumes.
  const top = inside.filter((v) => !inside.some((o) => o !== v && o.lastLba !== undefined && v.firstLba > o.firstLba && v.firstLba <= o.lastLba));
  const holdsFiles = await wholeDiskHoldsFiles(source, outer);
  const lbas = top.map((v) => String(v.firstLba)).join(', ');
  outer.conflictsWith = top.map((v) => v.offset);
  outer.holdsFiles = holdsFiles;
  outer.evidence.push(
    `starts at LBA 0, where a partition table belongs: a file system made on the whole disk; ${top.length} volume${top.length === 1 ? '' : 's'} inside it start${top.length === 1 ? 's' : ''} where partitions would (LBA ${lbas}): either the partitions of a lost table that this file system was made over, or files stored in it`,
    holdsFiles === false
      ? `it holds no file (${EMPTY_BECAUSE[outer.content.type] ?? 'nothing in it'}): a file system made moments ago, most likely over the lost partitions`
      : holdsFiles
        ? 'it holds files: it is in use, and the volumes inside it may be files stored in it'
        : `diskx cannot tell whether a ${outer.content.type} file system holds files`,
  );
  for (const v of top) {
    v.conflictsWith = [outer.offset];
    v.evidence.push(
      `inside the ${outer.content.type} file system that spans the disk from LBA 0 (conflicting candidates: a partition it was made over, or a file stored in it)`,
    );
  }
}

/** What says that a whole-disk file system of each type holds no file. */
const EMPTY_BECAUSE: Record<string, string> = {
  vfat: 'an empty root directory',
  ntfs: 'nothing in its root directory but the system files',
  ext2: 'no inode in use but the reserved ones and lost+found',
  ext3: 'no inode in use but the reserved ones and lost+found',
  ext4: 'no inode in use but the reserved ones and lost+found',
};

/** Whether the whole-disk file system `volume` (at byte 0) holds files; null for a type diskx cannot list. */
async function wholeDiskHoldsFiles(source: ByteSource, volume: FoundVolume): Promise<HoldsFiles> {
  const boot = await readIfPresent(source, volume.offset, 512);
  if (!boot) return null;
  try {
    if (volume.content.type === 'vfat') return await fatHoldsFiles(source, volume.offset, boot);
    if (volume.content.type === 'ntfs') return await ntfsHoldsFiles(source, volume.offset, boot);
    if (/^ext[234]$/.test(volume.content.type)) return await extHoldsFiles(source, volume.offset);
  } catch {
    return null;
  }
  return null;
}

/** FAT: any root directory entry but the volume label, a long-name part or a deleted entry is a file or directory. */
async function fatHoldsFiles(source: ByteSource, start: number, boot: Uint8Array): Promise<HoldsFiles> {
  const bps = u16(boot, 11);
  const spc = boot[13]!;
  const reserved = u16(boot, 14);
  const fats = boot[16]!;
  const rootEntries = u16(boot, 17);
  const fatSize16 = u16(boot, 22);
  if (bps < 512 || spc === 0 || fats === 0) return null;
  let at: number;
  let length: number;
  if (fatSize16 !== 0) {
    at = start + (reserved + fats * fatSize16) * bps;
    length = rootEntries * 32;
  } else {
    const dataStart = reserved + fats * u32(boot, 36);
    at = start + (dataStart + (u32(boot, 44) - 2) * spc) * bps;
    length = spc * bps;
  }
  const dir = await readIfPresent(source, at, Math.min(length, MAX_WHOLE_DISK_DIRECTORY_BYTES));
  if (!dir) return null;
  for (let i = 0; i + 32 <= dir.length; i += 32) {
    const first = dir[i]!;
    if (first === 0x00) return false;
    const attributes = dir[i + 11]!;
    if (first === 0xe5 || attributes === 0x0f || (attributes & 0x08) !== 0) continue;
    return true;
  }
  // The first directory cluster is full of entries: certainly not a file system made moments ago.
  return dir.length > 0;
}

/**
 * NTFS: a file or directory in the root whose name is not a system one ($MFT,
 * $Extend, System Volume Information...), read from the $MFT's first records
 * (their $FILE_NAME attributes name the parent directory; the root is record 5).
 */
async function ntfsHoldsFiles(source: ByteSource, start: number, boot: Uint8Array): Promise<HoldsFiles> {
  const bps = u16(boot, 11);
  const spc = boot[13]!;
  const clusterBytes = spc <= 128 ? spc * bps : 2 ** (256 - spc);
  const perRecord = boot[0x40]! > 0x7f ? 2 ** (256 - boot[0x40]!) : boot[0x40]! * clusterBytes;
  if (bps < 512 || perRecord < 512 || perRecord > 4096) return null;
  const mft = start + (u32(boot, 0x30) + u32(boot, 0x34) * 2 ** 32) * clusterBytes;
  const records = await readIfPresent(source, mft, MAX_WHOLE_DISK_MFT_RECORDS * perRecord);
  if (!records) return null;
  for (let n = 16; n < MAX_WHOLE_DISK_MFT_RECORDS; n++) {
    const record = records.slice(n * perRecord, (n + 1) * perRecord);
    if (u32(record, 0) !== 0x454c4946 || (u16(record, 0x16) & 1) === 0) continue; // "FILE", in use
    applyFixups(record, bps);
    for (const name of rootNames(record)) if (!name.startsWith('$') && name !== 'System Volume Information') return true;
  }
  return false;
}

/** Puts back the last two bytes of each sector of an MFT record (the update sequence array). */
function applyFixups(record: Uint8Array, sectorBytes: number): void {
  const at = u16(record, 4);
  const count = u16(record, 6);
  for (let i = 1; i < count && i * sectorBytes <= record.length && at + 2 * i + 1 < record.length; i++) {
    record[i * sectorBytes - 2] = record[at + 2 * i]!;
    record[i * sectorBytes - 1] = record[at + 2 * i + 1]!;
  }
}

/** The names of `record`'s $FILE_NAME attributes whose parent is the root directory (record 5). */
function rootNames(record: Uint8Array): string[] {
  const names: string[] = [];
  let at = u16(record, 0x14);
  for (let guard = 0; guard < 64 && at + 24 <= record.length; guard++) {
    const type = u32(record, at);
    const length = u32(record, at + 4);
    if (type === 0xffffffff || length < 24 || at + length > record.length) break;
    if (type === 0x30 && record[at + 8] === 0) {
      const content = at + u16(record, at + 0x14);
      const parent = u32(record, content) + u16(record, content + 4) * 2 ** 32;
      const chars = record[content + 0x40]!;
      if (parent === 5 && content + 0x42 + chars * 2 <= record.length)
        names.push(Buffer.from(record.subarray(content + 0x42, content + 0x42 + chars * 2)).toString('utf16le'));
    }
    at += length;
  }
  return names;
}

/** ext2/3/4: more inodes in use than the reserved ones and lost+found (the superblock's counts). */
async function extHoldsFiles(source: ByteSource, start: number): Promise<HoldsFiles> {
  const sb = await readIfPresent(source, start + 1024, 1024);
  if (!sb || u16(sb, 0x38) !== 0xef53) return null;
  const inodes = u32(sb, 0x00);
  const free = u32(sb, 0x10);
  const firstInode = u32(sb, 0x4c) >= 1 ? u32(sb, 0x54) : 11;
  if (free > inodes) return null;
  return inodes - free > firstInode;
}
