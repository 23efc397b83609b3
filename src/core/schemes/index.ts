// Which of the other partition schemes a disk without a GPT uses, and the BSD
// labels nested in MBR slices. Read-only facts; schemeChecks.ts turns their
// problems into findings.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import type { DiskLabel, Mbr, Partition } from '../model';
import { readApm } from './apm';
import { BSD_SLICE_TYPES, readBsd } from './bsd';
import type { KernelNumbering } from './bsd';
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

/** MBR types whose nested tables Linux and libblkid read but diskx does not (Minix, UnixWare): they take numbers too. */
const OTHER_NESTED_TYPES = [0x81, 0x63];
/** Solaris x86 (0x82 is Linux swap as well, 0xBF the newer type): nested only with the VTOC's v_sanity 0x600DDEEE at byte 524 of the slice (12 into its second 512-byte sector). */
const SOLARIS_TYPES = [0x82, 0xbf];
const SOLARIS_SANITY = 0x600ddeee;

/**
 * Reads the BSD disklabel of every MBR slice of type 0xA5, 0xA6 or 0xA9 and
 * hangs its partitions under the slice (`children`), each with the number
 * Linux gives it: the kernel and libblkid number nested partitions from 5,
 * after the logical ones, going through the primary slots in order.
 */
export async function readNestedLabels(source: ByteSource, sectorSize: number, partitions: Partition[]): Promise<DiskLabel[]> {
  const labels: DiskLabel[] = [];
  if (!partitions.some((p) => p.mbrType !== null && BSD_SLICE_TYPES.includes(p.mbrType))) return labels;
  const numbering: KernelNumbering = { next: Math.max(4, ...partitions.map((p) => p.number)) + 1 };
  const primaries = partitions.filter((p) => p.number <= 4).sort((a, b) => a.number - b.number);
  const logicals = partitions.filter((p) => p.number > 4);
  for (const slice of [...primaries, ...logicals]) {
    if (slice.mbrType === null) continue;
    if (slice.number > 4 || OTHER_NESTED_TYPES.includes(slice.mbrType) || (numbering.next !== null && (await hasSolarisVtoc(source, sectorSize, slice))))
      numbering.next = null;
    if (!BSD_SLICE_TYPES.includes(slice.mbrType) || slice.lastLba < slice.firstLba) continue;
    const base = slice.firstLba * BigInt(sectorSize);
    if (base >= BigInt(source.size)) continue;
    const label = await readBsd(source, sectorSize, Number(base), slice, numbering);
    if (!label) continue;
    slice.children = label.partitions;
    labels.push(label);
  }
  return labels;
}

async function hasSolarisVtoc(source: ByteSource, sectorSize: number, slice: Partition): Promise<boolean> {
  if (slice.mbrType === null || !SOLARIS_TYPES.includes(slice.mbrType)) return false;
  const at = slice.firstLba * BigInt(sectorSize) + 512n + 12n;
  if (at + 4n > BigInt(source.size)) return false;
  const b = await readIfPresent(source, Number(at), 4);
  return !!b && b.length === 4 && (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 === SOLARIS_SANITY;
}

/** The LBAs partitions of this label may use (after the label itself), for the free-space gaps. */
export function labelUsableRange(label: DiskLabel, sectorSize: number, lastLba: bigint): { firstLba: bigint; lastLba: bigint } {
  return { firstLba: BigInt(Math.ceil((label.offset + label.length) / sectorSize)), lastLba };
}

/** Whether the MBR is a DOS partition table (as diskModel decides the `mbr` scheme). */
export function isDosMbr(mbr: Mbr | null): boolean {
  return !!mbr && mbr.bootSignatureOk && mbr.kind !== 'empty';
}
