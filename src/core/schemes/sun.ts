// Sun disk label (the SMI label of SPARC Solaris and SunOS, also written by
// Linux fdisk and parted): sector 0, magic 0xDABE at byte 508, a checksum
// that makes the XOR of all 256 big-endian 16-bit words zero, 8 partitions
// given as a start cylinder and a sector count, with VTOC tags naming what
// each holds. Partition N is slot N - 1; slot 2 is by convention the whole
// disk (tag 5), listed as such.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { SunLabel } from '../generated/SunLabel';
import { parseFields } from '../content/fields';
import type { DiskLabel, LabelProblem, Partition } from '../model';
import { hexCode, labelPartition, xor16 } from './types';

const SUN_MAGIC = 0xdabe;
const VTOC_SANITY = 0x600ddeee;
const WHOLE_DISK_TAG = 5;
const PARTITIONS = 8;

/** sfdisk's names for the VTOC tags. */
const TAG_NAMES: Record<number, string> = {
  0x00: 'Unassigned',
  0x01: 'Boot',
  0x02: 'SunOS root',
  0x03: 'SunOS swap',
  0x04: 'SunOS usr',
  0x05: 'Whole disk',
  0x06: 'SunOS stand',
  0x07: 'SunOS var',
  0x08: 'SunOS home',
  0x09: 'SunOS alt sectors',
  0x0a: 'SunOS cachefs',
  0x0b: 'SunOS reserved',
  0x82: 'Linux swap',
  0x83: 'Linux native',
  0x8e: 'Linux LVM',
  0xfd: 'Linux raid autodetect',
};

/** Reads a Sun label from sector 0 when the magic is there (a bad checksum is reported, not a reason to ignore the label). */
export async function readSun(source: ByteSource, sectorSize: number): Promise<DiskLabel | null> {
  const bytes = await readIfPresent(source, 0, 512);
  if (!bytes || ((bytes[508]! << 8) | bytes[509]!) !== SUN_MAGIC) return null;
  const f = parseFields('sunLabel', SunLabel, bytes, 0);
  if (!f) return null;
  const heads = f.num('heads');
  const sectorsPerTrack = f.num('sectorsPerTrack');
  const computed = xor16(bytes, 0, 510, false);
  const stored = f.num('checksum');
  // Two bytes of magic alone are weak: with a wrong checksum the label must also have a geometry to be taken for one.
  if (computed !== stored && heads * sectorsPerTrack === 0) return null;
  const problems: LabelProblem[] = [];
  const sumField = f.field('checksum')!;
  if (computed !== stored) {
    problems.push({
      code: 'sun-label-checksum',
      severity: 'error',
      message: `The Sun disk label's checksum is 0x${stored.toString(16).toUpperCase().padStart(4, '0')} but its words give 0x${computed.toString(16).toUpperCase().padStart(4, '0')} (XOR of the 255 big-endian 16-bit words before it): Solaris and Linux ignore this label, so its partitions are not seen.`,
      offset: sumField.offset,
      length: sumField.length,
    });
  }
  const sectorsPerCylinder = BigInt(heads) * BigInt(sectorsPerTrack);
  if (sectorsPerCylinder === 0n) {
    const at = f.field('heads')!;
    problems.push({
      code: 'sun-label-invalid',
      severity: 'warning',
      message: `The Sun disk label gives ${heads} heads and ${sectorsPerTrack} sectors per track: partitions start at a cylinder, so every start reads as sector 0.`,
      offset: at.offset,
      length: 4,
    });
  }
  // The VTOC is used when it says so; an all-zero VTOC (old Linux labels) means untagged partitions.
  const version = f.num('vtocVersion');
  const sanity = f.num('vtocSanity');
  const declared = f.num('partitionCount');
  const vtocValid = version === 1 && sanity === VTOC_SANITY && declared <= PARTITIONS;
  const vtocEmpty = version === 0 && sanity === 0 && declared === 0;
  if (!vtocValid && !vtocEmpty) {
    const at = f.field('vtocSanity')!;
    problems.push({
      code: 'sun-label-invalid',
      severity: 'warning',
      message: `The Sun label's VTOC has version ${version}, sanity 0x${sanity.toString(16).toUpperCase()} and ${declared} partitions (expected version 1, sanity 0x600DDEEE, at most 8): the partition tags are not trusted.`,
      offset: at.offset,
      length: at.length,
    });
  }
  const count = vtocValid ? declared : PARTITIONS;
  const partitions: Partition[] = [];
  for (let slot = 0; slot < count; slot++) {
    const sectors = BigInt(f.num(`partitions.${slot}.sectorCount`));
    const tag = vtocValid || vtocEmpty ? f.num(`partitionInfos.${slot}.tag`) : 0;
    const flags = vtocValid || vtocEmpty ? f.num(`partitionInfos.${slot}.flags`) : 0;
    if (sectors === 0n) continue;
    // Start and size count 512-byte sectors whatever the disk's block size.
    const startBytes = BigInt(f.num(`partitions.${slot}.startCylinder`)) * sectorsPerCylinder * 512n;
    const p = labelPartition(
      'sun',
      slot,
      slot + 1,
      startBytes / BigInt(sectorSize),
      (sectors * 512n) / BigInt(sectorSize),
      sectorSize,
      { code: hexCode(tag), name: TAG_NAMES[tag] ?? null },
      '',
      flags,
    );
    if (tag === WHOLE_DISK_TAG) p.wholeDisk = true;
    partitions.push(p);
  }
  return {
    scheme: 'sun',
    offset: 0,
    length: 512,
    nodes: [f.node],
    partitions,
    checksum: { offset: sumField.offset, length: sumField.length, stored, computed, ok: computed === stored },
    problems,
  };
}
