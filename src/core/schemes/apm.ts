// Apple Partition Map: the driver descriptor record in block 0 ("ER", the
// block size of every map field) and the map from block 1, one entry per
// block ("PM"), each repeating how many blocks the map takes. Every entry is
// a partition, Apple_Free and the map itself included, numbered from 1 in map
// order, as the Linux kernel and libblkid number them.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { Apm } from '../generated/Apm';
import { parseFields } from '../content/fields';
import type { DiskLabel, LabelProblem, Partition } from '../model';
import type { StructNode } from '../structure';
import { MAX_APM_MAP_ENTRIES } from '../limits';
import { asciiField, labelPartition } from './types';

const DDM_SIGNATURE = 0x4552; // "ER"
const ENTRY_SIGNATURE = 0x504d; // "PM"
const OLD_ENTRY_SIGNATURE = 0x5453; // "TS", the format before the Macintosh II
/** The map entry fields the spec reads (the rest of each block is unused). */
const ENTRY_BYTES = 136;
const BLOCK_SIZES = [512, 1024, 2048, 4096];

/** What the common map entry types hold. */
const TYPE_NAMES: Record<string, string> = {
  Apple_partition_map: 'partition map',
  Apple_Free: 'free space',
  Apple_HFS: 'HFS / HFS+',
  Apple_HFSX: 'HFSX',
  Apple_UNIX_SVR2: 'Unix file system (A/UX, Linux)',
  Apple_Driver: 'device driver',
  Apple_Driver43: 'SCSI Manager 4.3 driver',
  Apple_Driver_ATA: 'ATA driver',
  Apple_Driver_ATAPI: 'ATAPI driver',
  Apple_FWDriver: 'FireWire driver',
  Apple_Patches: 'patch partition',
  Apple_Bootstrap: 'NewWorld bootstrap',
  Apple_Boot: 'boot partition',
  Apple_Void: 'void (padding)',
  Apple_Scratch: 'scratch',
  Apple_PRODOS: 'ProDOS',
  Apple_MFS: 'MFS',
  Linux_LVM: 'Linux LVM',
  Linux_RAID: 'Linux RAID',
};

const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/** Reads an APM when block 0 has the driver descriptor and block 1 a map entry; null otherwise. */
export async function readApm(source: ByteSource, sectorSize: number): Promise<DiskLabel | null> {
  const block0 = await readIfPresent(source, 0, 512);
  if (!block0 || u16be(block0, 0) !== DDM_SIGNATURE) return null;
  const ddm = parseFields('driverDescriptor', Apm, block0, 0, [0]);
  if (!ddm) return null;
  const problems: LabelProblem[] = [];
  let blockSize = ddm.num('driverDescriptor.blockSize');
  if (!BLOCK_SIZES.includes(blockSize)) {
    const at = ddm.field('driverDescriptor.blockSize')!;
    // A map at block 1 of 512 bytes is the usual case: look there before giving up.
    problems.push({
      code: 'apm-driver-descriptor-invalid',
      severity: 'warning',
      message: `The Apple driver descriptor gives a block size of ${blockSize} bytes (sbBlkSize, not 512, 1024, 2048 or 4096); the map is read in 512-byte blocks.`,
      offset: at.offset,
      length: at.length,
    });
    blockSize = 512;
  }
  const first = await readEntry(source, blockSize, 1);
  if (!first) return null;
  const blockCount = ddm.num('driverDescriptor.blockCount');
  // Hybrid ISOs (xorriso, isohybrid) put an x86 short jump (EB xx) and 0xFFFF where sbBlkCount is, so that
  // the same sector boots a PC: not a block count.
  const x86Jump = block0[4] === 0xeb && block0[6] === 0xff && block0[7] === 0xff;
  if (blockCount * blockSize > source.size && !x86Jump) {
    const at = ddm.field('driverDescriptor.blockCount')!;
    problems.push({
      code: 'apm-driver-descriptor-invalid',
      severity: 'warning',
      message: `The Apple driver descriptor counts ${blockCount} blocks of ${blockSize} bytes (${blockCount * blockSize} bytes) but the disk has ${source.size} bytes: the disk was copied to a smaller one or truncated.`,
      offset: at.offset,
      length: at.length,
    });
  }
  const mapBlocks = first.num('entry.mapBlockCount');
  let count = mapBlocks;
  if (mapBlocks > MAX_APM_MAP_ENTRIES || mapBlocks === 0) {
    const at = first.field('entry.mapBlockCount')!;
    count = mapBlocks === 0 ? 1 : MAX_APM_MAP_ENTRIES;
    problems.push({
      code: 'apm-map-invalid',
      severity: 'error',
      message:
        mapBlocks === 0
          ? 'The first Apple map entry says the map takes 0 blocks (pmMapBlkCnt); only that entry is read.'
          : `The first Apple map entry says the map takes ${mapBlocks} blocks (pmMapBlkCnt); only the first ${MAX_APM_MAP_ENTRIES} entries are read (MAX_APM_MAP_ENTRIES).`,
      offset: at.offset,
      length: at.length,
    });
  }
  const nodes: StructNode[] = [ddm.node];
  const partitions: Partition[] = [];
  let mismatchReported = false;
  for (let index = 0; index < count; index++) {
    const block = index + 1;
    const entry = index === 0 ? first : await readEntry(source, blockSize, block);
    if (!entry) {
      problems.push({
        code: 'apm-map-invalid',
        severity: 'error',
        message: `Apple map entry ${block} (block ${block}, byte ${block * blockSize}) ${block * blockSize + ENTRY_BYTES > source.size ? 'lies past the end of the disk' : 'has no "PM" signature'} although the map counts ${mapBlocks} entries: the map ends early and the partitions after it are not listed.`,
        offset: Math.min(block * blockSize, Math.max(0, source.size - 2)),
        length: 2,
      });
      break;
    }
    entry.node.name = `entry${block}`;
    nodes.push(entry.node);
    const ownCount = entry.num('entry.mapBlockCount');
    if (ownCount !== mapBlocks && !mismatchReported) {
      mismatchReported = true;
      const at = entry.field('entry.mapBlockCount')!;
      problems.push({
        code: 'apm-map-invalid',
        severity: 'error',
        message: `Apple map entry ${block} says the map takes ${ownCount} blocks, the first entry ${mapBlocks}: the map was edited inconsistently.`,
        offset: at.offset,
        length: at.length,
      });
    }
    const startBytes = BigInt(entry.num('entry.startBlock')) * BigInt(blockSize);
    const lengthBytes = BigInt(entry.num('entry.blockCount')) * BigInt(blockSize);
    const type = asciiField(entry.raw('entry.type'));
    const partition = labelPartition(
      'apm',
      index,
      block,
      startBytes / BigInt(sectorSize),
      lengthBytes / BigInt(sectorSize),
      sectorSize,
      { code: type, name: TYPE_NAMES[type] ?? (type || null) },
      asciiField(entry.raw('entry.name')),
      entry.num('entry.status'),
    );
    partitions.push(partition);
  }
  const last = nodes[nodes.length - 1]!;
  return { scheme: 'apm', offset: 0, length: last.offset + last.length, nodes, partitions, checksum: null, problems };
}

async function readEntry(source: ByteSource, blockSize: number, block: number): Promise<ReturnType<typeof parseFields>> {
  const offset = block * blockSize;
  const bytes = await readIfPresent(source, offset, ENTRY_BYTES);
  if (!bytes) return null;
  const signature = u16be(bytes, 0);
  if (signature !== ENTRY_SIGNATURE && signature !== OLD_ENTRY_SIGNATURE) return null;
  return parseFields('entry', Apm, bytes, offset, [1]);
}
