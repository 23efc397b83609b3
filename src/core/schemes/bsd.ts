// BSD disklabel: the whole disk's label (sector 1 on x86, 64 or 128 bytes
// into sector 0 elsewhere; parted writes it at 64), or one inside an MBR
// slice of type 0xA5 (FreeBSD), 0xA6 (OpenBSD) or 0xA9 (NetBSD). Both
// magics are 0x82564557; d_checksum makes the XOR of the label's 16-bit
// words zero. Partitions a, b, c, ... are slots 0, 1, 2; those of type
// "unused" are not listed (the raw partition c usually is one), as libblkid
// and the kernel do.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { BsdDisklabel } from '../generated/BsdDisklabel';
import { parseFields } from '../content/fields';
import type { DiskLabel, LabelProblem, Partition } from '../model';
import { MAX_BSD_PARTITIONS } from '../limits';
import { hexCode, labelPartition, xor16 } from './types';

const BSD_MAGIC = 0x82564557;
/** Where the label may start, from the start of the disk or slice: x86 (sector 1), then Alpha and others (64), then sparc64 (128). */
const LABEL_OFFSETS = [512, 64, 128];
const HEADER_BYTES = 148;
const PARTITION_BYTES = 16;
const MAGIC2_OFFSET = 132;
const CHECKSUM_OFFSET = 136;
const COUNT_OFFSET = 138;
/** MBR types of the BSD slices whose label we read. */
export const BSD_SLICE_TYPES = [0xa5, 0xa6, 0xa9];
const FREEBSD_SLICE = 0xa5;
/** How many of a nested label's slots Linux and libblkid number (BSD_MAXPARTITIONS, OPENBSD_MAXPARTITIONS). */
const KERNEL_BSD_SLOTS = 16;

/** The next number Linux and libblkid give a nested BSD partition; null when it cannot be known. */
export interface KernelNumbering {
  next: number | null;
}

/** util-linux's names for p_fstype (8 is MS-DOS except on Alpha, where it is ext2). */
const FS_TYPE_NAMES: Record<number, string> = {
  0: 'unused',
  1: 'swap',
  2: 'Version 6',
  3: 'Version 7',
  4: 'System V',
  5: '4.1BSD',
  6: 'Eighth Edition',
  7: '4.2BSD',
  8: 'MS-DOS',
  9: '4.4LFS',
  10: 'unknown',
  11: 'HPFS',
  12: 'ISO-9660',
  13: 'boot',
  14: 'ADOS',
  15: 'HFS',
  16: 'AdvFS',
};

const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/**
 * Reads a BSD disklabel that starts `base` bytes into the disk (0 for the
 * whole disk's, the slice's first byte for a nested one); `parent` is the
 * MBR slice holding it, `numbering` the counter of its partitions' kernel
 * numbers (advanced past the ones this label takes). Null when no location
 * holds the magic.
 */
export async function readBsd(
  source: ByteSource,
  sectorSize: number,
  base: number,
  parent?: Partition,
  numbering: KernelNumbering = { next: null },
): Promise<DiskLabel | null> {
  for (const at of LABEL_OFFSETS) {
    const offset = base + at;
    const bytes = await readIfPresent(source, offset, Math.min(HEADER_BYTES + MAX_BSD_PARTITIONS * PARTITION_BYTES, source.size - offset));
    if (!bytes || bytes.length < HEADER_BYTES || u32le(bytes, 0) !== BSD_MAGIC) continue;
    const sector = at < 512 ? ((await readIfPresent(source, base, 512)) ?? new Uint8Array(512)) : bytes;
    const label = parseLabel(bytes, sector, offset, sectorSize, base, parent, numbering);
    if (label) return label;
  }
  return null;
}

function parseLabel(
  bytes: Uint8Array,
  sector: Uint8Array,
  offset: number,
  sectorSize: number,
  base: number,
  parent: Partition | undefined,
  numbering: KernelNumbering,
): DiskLabel | null {
  const declared = u16le(bytes, COUNT_OFFSET);
  const fits = Math.floor((bytes.length - HEADER_BYTES) / PARTITION_BYTES);
  const count = Math.min(declared, MAX_BSD_PARTITIONS, fits);
  const end = HEADER_BYTES + count * PARTITION_BYTES;
  const stored = u16le(bytes, CHECKSUM_OFFSET);
  const computed = xor16(bytes, 0, end, true) ^ stored;
  const magic2Ok = u32le(bytes, MAGIC2_OFFSET) === BSD_MAGIC;
  // One 4-byte magic alone is weak evidence: the second one or the checksum must agree.
  if (!magic2Ok && computed !== stored) return null;
  const f = parseFields('bsdDisklabel', BsdDisklabel, bytes.subarray(0, end), offset, [count]);
  if (!f) return null;
  const problems: LabelProblem[] = [];
  const where = parent ? `in MBR slice ${parent.number}` : 'of the disk';
  const sumField = f.field('checksum')!;
  if (computed !== stored) {
    // parted 3.5 checksums a label it writes 64 bytes into sector 0 from the sector's first byte instead of the label's.
    const inSector = offset - base;
    const sumAt = inSector + CHECKSUM_OFFSET;
    const fromSector = inSector > 0 && inSector < 512 ? xor16(sector, 0, end, true) ^ (sumAt + 2 <= end ? xor16(sector, sumAt, sumAt + 2, true) : 0) : -1;
    const note =
      fromSector === stored
        ? ` It is the XOR of the same length from the start of the sector instead of the label, as parted 3.5 computes it for labels at byte ${offset - base}.`
        : '';
    problems.push({
      code: 'bsd-label-checksum',
      severity: 'error',
      message: `The BSD disklabel ${where} has d_checksum 0x${stored.toString(16).toUpperCase().padStart(4, '0')} but its words give 0x${computed.toString(16).toUpperCase().padStart(4, '0')} (XOR of its 16-bit words through partition ${count}): BSD kernels and newer libblkid refuse this label.${note}`,
      offset: sumField.offset,
      length: sumField.length,
    });
  }
  if (!magic2Ok) {
    const at = f.field('magic2')!;
    problems.push({
      code: 'bsd-label-invalid',
      severity: 'error',
      message: `The BSD disklabel ${where} lacks its second magic 0x82564557 (d_magic2 at byte ${at.offset}).`,
      offset: at.offset,
      length: at.length,
    });
  }
  if (declared > count) {
    const at = f.field('partitionCount')!;
    problems.push({
      code: 'bsd-label-invalid',
      severity: 'error',
      message: `The BSD disklabel ${where} claims ${declared} partitions (d_npartitions); only ${count} fit its sector and are read (MAX_BSD_PARTITIONS ${MAX_BSD_PARTITIONS}).`,
      offset: at.offset,
      length: at.length,
    });
  }
  // FreeBSD 10 and later count offsets from the slice; partition c starting at 0 says so (as libblkid decides).
  const relative = !!parent && parent.mbrType === FREEBSD_SLICE && count >= 3 && f.num('partitions.2.offset') === 0;
  const shift = relative ? BigInt(base / sectorSize) : 0n;
  const partitions: Partition[] = [];
  for (let slot = 0; slot < count; slot++) {
    const fsType = f.num(`partitions.${slot}.fsType`);
    if (fsType === 0) continue;
    const sectors = BigInt(f.num(`partitions.${slot}.size`));
    const firstLba = BigInt(f.num(`partitions.${slot}.offset`)) + shift;
    // The slice itself listed again (NetBSD's raw partition typed): not a partition of its own.
    if (parent && firstLba === parent.firstLba && firstLba + sectors - 1n === parent.lastLba) continue;
    // Linux and libblkid number the first 16 slots that are typed and inside the slice, empty ones too.
    const inside = !!parent && firstLba >= parent.firstLba && firstLba + sectors - 1n <= parent.lastLba;
    const kernelNumber = inside && slot < KERNEL_BSD_SLOTS && numbering.next !== null ? numbering.next++ : null;
    if (sectors === 0n) continue;
    const letter = String.fromCharCode(0x61 + slot);
    const partition = labelPartition(
      'bsd',
      slot,
      slot + 1,
      firstLba,
      sectors,
      sectorSize,
      { code: hexCode(fsType), name: FS_TYPE_NAMES[fsType] ?? null },
      letter,
      0,
    );
    if (kernelNumber !== null) partition.kernelNumber = kernelNumber;
    partitions.push(partition);
  }
  return {
    scheme: 'bsd',
    offset,
    length: end,
    nodes: [f.node],
    partitions,
    checksum: { offset: sumField.offset, length: sumField.length, stored, computed, ok: computed === stored },
    problems,
    ...(parent ? { parentNumber: parent.number } : {}),
  };
}
