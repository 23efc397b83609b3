// The volume at byte 0 of a disk, if any. Three cases:
//  - no partition table at all (no 0x55AA, or four empty records): a whole-disk
//    volume such as an XFS or ext4 made on the bare device, or an ISO image;
//  - LBA 0 carries 0x55AA but is a file system's boot sector, not an MBR (a FAT
//    or NTFS "superfloppy"): its "records" are boot code;
//  - a partition table exists and a volume was written over it (mkfs on the
//    whole device of a GPT disk); reported by the checks.
import type { ByteSource } from '../io/byteSource';
import type { Mbr } from '../model';
import type { VolumeContent } from './probe';
import { BOOT_SECTOR_PROBES, CONTENT_PROBES, TABLE_AREA_PROBES, probeAt } from './index';

export interface StartContent {
  content: VolumeContent | null;
  /** LBA 0 is the volume's boot sector, not a partition table: the scheme is `none`. */
  replacesMbr: boolean;
}

/** Probes byte 0 of the disk with the probes that fit what the partition-table readers found there. */
export async function readStartContent(source: ByteSource, sectorSize: number, mbr: Mbr | null, gpt: { intact: boolean } | null): Promise<StartContent> {
  const dosRecords = !!mbr && mbr.bootSignatureOk && mbr.kind !== 'empty';
  if (gpt) {
    // A protective MBR and an intact primary GPT leave no room for a volume written over them.
    if (gpt.intact && mbr?.bootSignatureOk && mbr.kind === 'protective') return { content: null, replacesMbr: false };
    // Only probes of the table area: a superblock further in (or at the end of
    // the disk) belongs to a partition, or to a hybrid ISO image, not to the disk.
    return { content: await probeAt(source, 0, source.size, TABLE_AREA_PROBES), replacesMbr: false };
  }
  if (!dosRecords) return { content: await probeAt(source, 0, source.size, CONTENT_PROBES), replacesMbr: false };
  const boot = await probeAt(source, 0, source.size, BOOT_SECTOR_PROBES);
  if (boot && !plausibleRecords(mbr!, Math.floor(source.size / sectorSize))) return { content: boot, replacesMbr: true };
  return { content: null, replacesMbr: false };
}

/**
 * Whether the four records read like a DOS partition table: status 0x00 or
 * 0x80, starting after LBA 0, inside the disk, not overlapping. A boot
 * sector's code bytes in that place almost never pass (the Linux kernel
 * rejects a table on the status bytes alone).
 */
export function plausibleRecords(mbr: Mbr, totalSectors: number): boolean {
  const used = mbr.records.filter((r) => r.type !== 0);
  if (used.length === 0) return false;
  for (const r of used) {
    if (r.status !== 0x00 && r.status !== 0x80) return false;
    if (r.firstLba === 0 || r.sectors === 0 || r.firstLba + r.sectors > totalSectors) return false;
  }
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      const a = used[i]!;
      const b = used[j]!;
      if (a.firstLba < b.firstLba + b.sectors && b.firstLba < a.firstLba + a.sectors) return false;
    }
  }
  return true;
}
