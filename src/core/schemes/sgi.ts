// SGI disk volume header (IRIX "dvh", also written by Linux fdisk and
// parted): sector 0, magic 0x0BE5A941, 16 partitions (blocks, first block,
// type) and a directory of up to 15 files (sash, ...) kept in the volume
// header partition; the 32-bit big-endian words of the header sum to zero.
// Partition N is slot N - 1 (partition 9 is the volume header, 11 the whole
// volume), as sfdisk and the Linux kernel number them.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { SgiVolumeHeader } from '../generated/SgiVolumeHeader';
import { parseFields } from '../content/fields';
import type { DiskLabel, LabelProblem, Partition } from '../model';
import { asciiField, hexCode, labelPartition } from './types';

const SGI_MAGIC = 0x0be5a941;
const PARTITIONS = 16;
const DIRECTORY_ENTRIES = 15;
const VOLUME_HEADER_TYPE = 0;
const WHOLE_VOLUME_TYPE = 6;

/** sfdisk's names for the partition types. */
const TYPE_NAMES: Record<number, string> = {
  0x00: 'SGI volhdr',
  0x01: 'SGI trkrepl',
  0x02: 'SGI secrepl',
  0x03: 'SGI raw',
  0x04: 'SGI bsd',
  0x05: 'SGI sysv',
  0x06: 'SGI volume',
  0x07: 'SGI efs',
  0x08: 'SGI lvol',
  0x09: 'SGI rlvol',
  0x0a: 'SGI xfs',
  0x0b: 'SGI xfslog',
  0x0c: 'SGI xlv',
  0x0d: 'SGI xvm',
  0x82: 'Linux swap',
  0x83: 'Linux native',
  0x8e: 'Linux LVM',
  0xfd: 'Linux RAID',
};

const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Reads an SGI volume header from sector 0 when the magic is there (a bad checksum is reported, not a reason to ignore it). */
export async function readSgi(source: ByteSource, sectorSize: number): Promise<DiskLabel | null> {
  const bytes = await readIfPresent(source, 0, 512);
  if (!bytes || u32be(bytes, 0) !== SGI_MAGIC) return null;
  const f = parseFields('sgiVolumeHeader', SgiVolumeHeader, bytes, 0);
  if (!f) return null;
  const sumField = f.field('checksum')!;
  const stored = f.num('checksum');
  // The checksum word is the two's complement of the sum of the other 127 words.
  let sum = 0;
  for (let at = 0; at < 512; at += 4) if (at !== sumField.offset) sum = (sum + u32be(bytes, at)) >>> 0;
  const computed = (0x100000000 - sum) % 0x100000000;
  const problems: LabelProblem[] = [];
  if (computed !== stored) {
    problems.push({
      code: 'sgi-label-checksum',
      severity: 'error',
      message: `The SGI volume header's checksum is 0x${stored.toString(16).toUpperCase().padStart(8, '0')} but its other words need 0x${computed.toString(16).toUpperCase().padStart(8, '0')} to sum to zero: IRIX and Linux ignore this label, so its partitions are not seen.`,
      offset: sumField.offset,
      length: sumField.length,
    });
  }
  const partitions: Partition[] = [];
  let volumeHeader: Partition | null = null;
  for (let slot = 0; slot < PARTITIONS; slot++) {
    const blocks = BigInt(f.num(`partitions.${slot}.blockCount`));
    if (blocks === 0n) continue;
    const type = f.num(`partitions.${slot}.type`);
    // Blocks are 512 bytes.
    const p = labelPartition(
      'sgi',
      slot,
      slot + 1,
      (BigInt(f.num(`partitions.${slot}.firstBlock`)) * 512n) / BigInt(sectorSize),
      (blocks * 512n) / BigInt(sectorSize),
      sectorSize,
      { code: hexCode(type), name: TYPE_NAMES[type] ?? null },
      '',
      0,
    );
    if (type === WHOLE_VOLUME_TYPE) p.wholeDisk = true;
    if (type === VOLUME_HEADER_TYPE && !volumeHeader) volumeHeader = p;
    partitions.push(p);
  }
  for (const role of ['rootPartition', 'swapPartition'] as const) {
    const n = f.num(role);
    // 0xFFFF says "none" (parted writes it).
    if (n >= PARTITIONS && n !== 0xffff) {
      const at = f.field(role)!;
      problems.push({
        code: 'sgi-label-invalid',
        severity: 'warning',
        message: `The SGI volume header names partition ${n} as its ${role === 'rootPartition' ? 'root' : 'swap'} partition; there are only ${PARTITIONS} (0..15).`,
        offset: at.offset,
        length: at.length,
      });
    }
  }
  for (let i = 0; i < DIRECTORY_ENTRIES; i++) {
    const bytesLong = f.num(`volumeDirectory.${i}.bytes`);
    const name = asciiField(f.raw(`volumeDirectory.${i}.name`));
    if (!name && bytesLong === 0) continue;
    const block = BigInt(f.num(`volumeDirectory.${i}.block`));
    const end = block * 512n + BigInt(bytesLong);
    const header = volumeHeader;
    const inside = header && block * 512n >= header.firstLba * BigInt(sectorSize) && end <= (header.lastLba + 1n) * BigInt(sectorSize);
    if (!inside) {
      const at = f.field(`volumeDirectory.${i}`)!;
      problems.push({
        code: 'sgi-label-invalid',
        severity: 'warning',
        message: `The SGI volume directory lists "${name}" at block ${block} (${bytesLong} bytes), ${header ? 'outside the volume header partition' : 'but no partition is the volume header (type 0)'}.`,
        offset: at.offset,
        length: at.length,
      });
    }
  }
  return {
    scheme: 'sgi',
    offset: 0,
    length: 512,
    nodes: [f.node],
    partitions,
    checksum: { offset: sumField.offset, length: sumField.length, stored, computed, ok: computed === stored },
    problems,
  };
}
