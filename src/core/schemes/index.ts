// Which of the other partition schemes a disk without a GPT uses, and the BSD
// labels nested in MBR slices. Read-only facts; schemeChecks.ts turns their
// problems into findings.
import type { ByteSource } from '../io/byteSource';
import type { DiskLabel, Mbr, Partition } from '../model';
import { readApm } from './apm';
import { BSD_SLICE_TYPES, readBsd } from './bsd';
import { readSgi } from './sgi';
import { readSun } from './sun';

/**
 * The label a disk without a GPT is partitioned with, or null. Sun and SGI
 * labels own sector 0 (the Sun checksum sits where 0x55AA would), so they
 * come before the MBR; an Apple map or a whole-disk BSD label only counts
 * when there is no DOS partition table (`dosMbr`).
 */
export async function readDiskLabel(source: ByteSource, sectorSize: number, dosMbr: boolean): Promise<DiskLabel | null> {
  const sector0 = (await readSun(source, sectorSize)) ?? (await readSgi(source, sectorSize));
  if (sector0 || dosMbr) return sector0;
  return (await readApm(source, sectorSize)) ?? (await readBsd(source, sectorSize, 0));
}

/** Reads the BSD disklabel of every MBR slice of type 0xA5, 0xA6 or 0xA9 and hangs its partitions under the slice (`children`). */
export async function readNestedLabels(source: ByteSource, sectorSize: number, partitions: Partition[]): Promise<DiskLabel[]> {
  const labels: DiskLabel[] = [];
  for (const slice of partitions) {
    if (slice.mbrType === null || !BSD_SLICE_TYPES.includes(slice.mbrType) || slice.lastLba < slice.firstLba) continue;
    const base = slice.firstLba * BigInt(sectorSize);
    if (base >= BigInt(source.size)) continue;
    const label = await readBsd(source, sectorSize, Number(base), slice);
    if (!label) continue;
    slice.children = label.partitions;
    labels.push(label);
  }
  return labels;
}

/** The LBAs partitions of this label may use (after the label itself), for the free-space gaps. */
export function labelUsableRange(label: DiskLabel, sectorSize: number, lastLba: bigint): { firstLba: bigint; lastLba: bigint } {
  return { firstLba: BigInt(Math.ceil((label.offset + label.length) / sectorSize)), lastLba };
}

/** Whether the MBR is a DOS partition table (as diskModel decides the `mbr` scheme). */
export function isDosMbr(mbr: Mbr | null): boolean {
  return !!mbr && mbr.bootSignatureOk && mbr.kind !== 'empty';
}
