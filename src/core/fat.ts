// FAT volumes inside the partitions of an ESXi boot disk: the boot sector (BPB)
// and the root directory, parsed with formats/fat.ksy over bounded windows. The
// point is the root directory: Windows creates `System Volume Information` and
// `$RECYCLE.BIN` in every FAT volume it mounts, a telltale that Windows had the
// disk online (the compacted ESXi disk this project started from was compacted that way). Every BPB value is
// checked before it drives a read; a bad one makes the volume unreadable (with a
// reason), never an exception.
import type { ByteSource } from './io/byteSource';
import { Fat as FatParser } from './generated/Fat';
import type { EsxiLayout, FatDirEntry, FatType, FatVolume, Partition } from './model';
import type { Field, StructNode } from './structure';
import { findField, parseStruct } from './structure';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from './partitionTypes';
import { MAX_FAT_ROOT_CLUSTERS, MAX_FAT_ROOT_DIR_BYTES, MAX_FAT_VOLUMES } from './limits';

/** Partition types that hold a FAT file system on an ESXi disk. */
export const FAT_PARTITION_TYPES: readonly string[] = [TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA];

/** Root-directory folders Windows creates on a FAT volume it mounts. */
export const WINDOWS_FOLDERS: readonly string[] = ['System Volume Information', '$RECYCLE.BIN'];

/** BPB values after validation, in bytes where it helps. */
interface FatGeometry {
  fatType: FatType;
  bytesPerSector: number;
  clusterBytes: number;
  /** Byte offset of the first FAT within the volume. */
  fatOffset: number;
  fatBytes: number;
  /** FAT12/16: byte offset and size of the fixed root directory within the volume. */
  rootOffset: number;
  rootBytes: number;
  /** Byte offset of cluster 2 within the volume. */
  dataOffset: number;
  clusterCount: number;
  rootCluster: number;
  bpbLabel: string | null;
}

/**
 * Reads the FAT volumes of an ESXi disk's FAT-type partitions (at most MAX_FAT_VOLUMES):
 * boot sector and root directory each. Other disks get none.
 */
export async function readFatVolumes(source: ByteSource, sectorSize: number, partitions: Partition[], esxi: EsxiLayout | null): Promise<FatVolume[]> {
  if (!esxi) return [];
  const candidates = partitions.filter((p) => p.typeGuid !== null && FAT_PARTITION_TYPES.includes(p.typeGuid)).slice(0, MAX_FAT_VOLUMES);
  const volumes: FatVolume[] = [];
  for (const partition of candidates) {
    const role = esxi.placements.find((pl) => pl.currentSlot === partition.slot)?.role ?? (partition.name || null);
    volumes.push(await readFatVolume(source, sectorSize, partition, role));
  }
  return volumes;
}

async function readFatVolume(source: ByteSource, sectorSize: number, partition: Partition, role: string | null): Promise<FatVolume> {
  const volume: FatVolume = {
    partitionNumber: partition.number,
    partitionSlot: partition.slot,
    role,
    offset: 0,
    fatType: null,
    label: null,
    bootSector: null,
    rootEntries: [],
    windowsFolders: [],
    problems: [],
  };
  const start = BigInt(sectorSize) * partition.firstLba;
  const end = BigInt(sectorSize) * (partition.lastLba + 1n);
  if (partition.lastLba < partition.firstLba || end > BigInt(source.size)) {
    volume.problems.push('the partition does not lie inside the image');
    return volume;
  }
  volume.offset = Number(start);
  const bounds = { start: Number(start), end: Number(end) };
  if (bounds.end - bounds.start < 512) {
    volume.problems.push('the partition is smaller than a boot sector');
    return volume;
  }
  try {
    const bytes = await source.read(bounds.start, 512);
    if (bytes.every((b) => b === 0)) {
      volume.problems.push('no FAT file system: the first sector is all zero');
      return volume;
    }
    const node = parseStruct(`fat@${partition.number}`, FatParser, bytes, bounds.start, [0, 0]);
    volume.bootSector = node;
    const geometry = validateBpb(node, bounds.end - bounds.start);
    if (typeof geometry === 'string') {
      volume.problems.push(`no FAT file system: ${geometry}`);
      return volume;
    }
    volume.fatType = geometry.fatType;
    const root =
      geometry.fatType === 'FAT32'
        ? await readRootChain(source, bounds.start, geometry, volume.problems)
        : await readFixedRoot(source, bounds.start, geometry, volume.problems);
    const { entries, label } = decodeDirectory(root.bytes, root.absolute);
    volume.rootEntries = entries;
    volume.label = label ?? geometry.bpbLabel;
    volume.windowsFolders = entries.filter(
      (e) => e.isDirectory && WINDOWS_FOLDERS.some((name) => name.toUpperCase() === e.name.toUpperCase() || name.toUpperCase() === e.shortName.toUpperCase()),
    );
  } catch (error) {
    // Reads are bounded above, so this is an I/O error or a parser surprise: the volume is unreadable, the disk is not.
    volume.problems.push(`could not read the volume: ${error instanceof Error ? error.message : String(error)}`);
  }
  return volume;
}

const num = (fields: Field[], path: string): number => Number(findField(fields, path)?.value ?? 0);

/** Checks the BPB (Microsoft FAT spec 3.1-3.5); returns the geometry or why it is not a FAT volume. */
function validateBpb(node: StructNode, volumeBytes: number): FatGeometry | string {
  const f = node.fields;
  const bytesPerSector = num(f, 'bootSector.bytesPerSector');
  const sectorsPerCluster = num(f, 'bootSector.sectorsPerCluster');
  const reservedSectors = num(f, 'bootSector.reservedSectors');
  const numFats = num(f, 'bootSector.numFats');
  const rootEntryCount = num(f, 'bootSector.rootEntryCount');
  const totalSectors = num(f, 'bootSector.totalSectors16') || num(f, 'bootSector.totalSectors32');
  const fat16Size = num(f, 'bootSector.sectorsPerFat16');
  const fatSectors = fat16Size || num(f, 'bootSector.fat32.sectorsPerFat32');
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return `bytes per sector is ${bytesPerSector}, not 512, 1024, 2048 or 4096`;
  if (sectorsPerCluster === 0 || sectorsPerCluster > 128 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0)
    return `sectors per cluster is ${sectorsPerCluster}, not a power of two up to 128`;
  if (reservedSectors === 0) return 'no reserved sectors (the boot sector itself is one)';
  if (numFats === 0 || numFats > 4) return `${numFats} FATs`;
  if (totalSectors === 0) return 'total sectors is 0';
  if (fatSectors === 0) return 'sectors per FAT is 0';
  if (totalSectors * bytesPerSector > volumeBytes)
    return `the volume claims ${totalSectors} sectors of ${bytesPerSector} bytes, more than the partition's ${volumeBytes} bytes`;
  const rootSectors = Math.ceil((rootEntryCount * 32) / bytesPerSector);
  const firstDataSector = reservedSectors + numFats * fatSectors + rootSectors;
  if (firstDataSector >= totalSectors) return `FATs and root directory (${firstDataSector} sectors) fill the whole volume (${totalSectors} sectors)`;
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  const clusterBytes = sectorsPerCluster * bytesPerSector;
  const fat32 = fat16Size === 0; // the BPB layout decides, as the Linux driver does; the cluster count decides FAT12 vs FAT16
  const fatType: FatType = fat32 ? 'FAT32' : clusterCount < 4085 ? 'FAT12' : 'FAT16';
  const rootCluster = fat32 ? num(f, 'bootSector.fat32.rootCluster') : 0;
  if (fat32) {
    if (rootEntryCount !== 0) return `FAT32 layout (sectors per FAT 16 is 0) but root entry count is ${rootEntryCount}`;
    if (rootCluster < 2 || rootCluster >= clusterCount + 2) return `root cluster ${rootCluster} is outside clusters 2..${clusterCount + 1}`;
  } else {
    if (rootEntryCount === 0) return 'root entry count is 0 on a FAT12/16 layout';
    if (clusterCount >= 65525) return `${clusterCount} clusters is FAT32 by count, but the BPB has the FAT12/16 layout`;
  }
  const labelField = findField(f, fat32 ? 'bootSector.fat32.volumeLabel' : 'bootSector.fat16.volumeLabel');
  const signature = num(f, fat32 ? 'bootSector.fat32.bootSignature' : 'bootSector.fat16.bootSignature');
  const bpbLabel = signature === 0x29 && labelField ? cleanLabel(labelField.raw) : null;
  return {
    fatType,
    bytesPerSector,
    clusterBytes,
    fatOffset: reservedSectors * bytesPerSector,
    fatBytes: fatSectors * bytesPerSector,
    rootOffset: (reservedSectors + numFats * fatSectors) * bytesPerSector,
    rootBytes: rootEntryCount * 32,
    dataOffset: firstDataSector * bytesPerSector,
    clusterCount,
    rootCluster,
    bpbLabel,
  };
}

interface RootWindow {
  bytes: Uint8Array;
  /** Absolute offset of each directory entry of `bytes` (the chain's clusters need not be adjacent). */
  absolute: (index: number) => number;
}

async function readFixedRoot(source: ByteSource, volumeStart: number, g: FatGeometry, problems: string[]): Promise<RootWindow> {
  let length = g.rootBytes;
  if (length > MAX_FAT_ROOT_DIR_BYTES) {
    problems.push(`root directory has ${g.rootBytes / 32} entries; read the first ${MAX_FAT_ROOT_DIR_BYTES / 32} (MAX_FAT_ROOT_DIR_BYTES)`);
    length = MAX_FAT_ROOT_DIR_BYTES;
  }
  const offset = volumeStart + g.rootOffset;
  const bytes = await source.read(offset, length); // validateBpb put the root inside the volume
  return { bytes, absolute: (index) => offset + index * 32 };
}

// FAT32: the root is a cluster chain. Follows it through the first FAT, one
// 4-byte entry per cluster, stopping at the end marker of the directory, the end
// of the chain, a loop, a cluster outside the volume or the limits.
async function readRootChain(source: ByteSource, volumeStart: number, g: FatGeometry, problems: string[]): Promise<RootWindow> {
  const chunks: Uint8Array[] = [];
  const clusterOffsets: number[] = [];
  const visited = new Set<number>();
  let cluster = g.rootCluster;
  while (true) {
    if (visited.has(cluster)) {
      problems.push(`root directory cluster chain loops back to cluster ${cluster}`);
      break;
    }
    if (visited.size >= MAX_FAT_ROOT_CLUSTERS || (visited.size + 1) * g.clusterBytes > MAX_FAT_ROOT_DIR_BYTES) {
      problems.push(`root directory longer than ${visited.size} clusters; stopped there (MAX_FAT_ROOT_CLUSTERS, MAX_FAT_ROOT_DIR_BYTES)`);
      break;
    }
    visited.add(cluster);
    const offset = volumeStart + g.dataOffset + (cluster - 2) * g.clusterBytes;
    const bytes = await source.read(offset, g.clusterBytes);
    chunks.push(bytes);
    clusterOffsets.push(offset);
    if (endMarkerIndex(bytes) < bytes.length / 32) break; // the directory ends in this cluster
    const entryOffset = g.fatOffset + cluster * 4;
    if (entryOffset + 4 > g.fatOffset + g.fatBytes) {
      problems.push(`cluster ${cluster} has no entry in the ${g.fatBytes}-byte FAT`);
      break;
    }
    const entry = await source.read(volumeStart + entryOffset, 4);
    const next = (entry[0]! | (entry[1]! << 8) | (entry[2]! << 16) | (entry[3]! << 24)) & 0x0fffffff;
    if (next >= 0x0ffffff8) break; // end of chain
    if (next < 2 || next >= g.clusterCount + 2) {
      problems.push(
        `root directory chain: cluster ${cluster} links to ${next === 0x0ffffff7 ? 'a bad-cluster mark' : `cluster ${next}`}, outside clusters 2..${g.clusterCount + 1}`,
      );
      break;
    }
    cluster = next;
  }
  const bytes = new Uint8Array(chunks.length * g.clusterBytes);
  chunks.forEach((chunk, i) => bytes.set(chunk, i * g.clusterBytes));
  const perCluster = g.clusterBytes / 32;
  return { bytes, absolute: (index) => clusterOffsets[Math.floor(index / perCluster)]! + (index % perCluster) * 32 };
}

/** Index of the first entry whose first byte is 0 (end of directory), or the entry count. */
function endMarkerIndex(bytes: Uint8Array): number {
  const count = Math.floor(bytes.length / 32);
  for (let i = 0; i < count; i++) if (bytes[i * 32] === 0) return i;
  return count;
}

interface LongNameRun {
  firstIndex: number;
  checksum: number;
  nextOrder: number;
  parts: string[];
}

// Decodes the entries before the end marker, joining long-name parts (VFAT: parts
// in reverse order, the last one flagged 0x40, each carrying the checksum of the
// short name they belong to) to their short entry. Field offsets come from the
// spec (dirEntryLayout); the entries themselves are read straight from the bytes:
// a root may hold MAX_FAT_ROOT_DIR_BYTES / 32 = 8192 entries, and a debug-mode
// parse with a field tree per entry took seconds for that many.
function decodeDirectory(bytes: Uint8Array, absolute: (index: number) => number): { entries: FatDirEntry[]; label: string | null } {
  const count = endMarkerIndex(bytes);
  const layout = dirEntryLayout();
  const entries: FatDirEntry[] = [];
  let label: string | null = null;
  let run: LongNameRun | null = null;
  for (let index = 0; index < count; index++) {
    const entry = bytes.subarray(index * 32, index * 32 + 32);
    const name = entry.subarray(layout.name.start, layout.name.end);
    const attributes = entry[layout.attributes.start]!;
    if (name[0] === 0xe5) {
      run = null; // deleted
      continue;
    }
    if ((attributes & 0x3f) === 0x0f) {
      const order = name[0]!;
      const checksum = entry[layout.checksum.start]!;
      const text = decodeLongNamePart(
        name.subarray(1),
        entry.subarray(layout.name2.start, layout.name2.end),
        entry.subarray(layout.name3.start, layout.name3.end),
      );
      if (order & 0x40) run = { firstIndex: index, checksum, nextOrder: (order & 0x1f) - 1, parts: [text] };
      else if (run && run.nextOrder > 0 && (order & 0x1f) === run.nextOrder && checksum === run.checksum) {
        run.nextOrder--;
        run.parts.push(text);
      } else run = null;
      continue;
    }
    const pending: LongNameRun | null = run;
    run = null;
    if (attributes & 0x08 && !(attributes & 0x10)) {
      label ??= cleanLabel(name);
      continue;
    }
    const shortName = decodeShortName(name);
    const long = pending && pending.nextOrder === 0 && pending.checksum === shortNameChecksum(name) ? pending.parts.reverse().join('') : null;
    const first = long !== null && pending ? pending.firstIndex : index;
    const offset = absolute(first);
    const shortEnd = absolute(index) + 32;
    // A long name split across two clusters of a FAT32 root is not one byte range: point at the short entry then.
    const contiguous = shortEnd - offset === (index - first + 1) * 32;
    entries.push({
      name: long ?? shortName,
      shortName,
      attributes,
      isDirectory: (attributes & 0x10) !== 0,
      offset: contiguous ? offset : absolute(index),
      length: contiguous ? shortEnd - offset : 32,
    });
  }
  return { entries, label };
}

type ByteRange = { start: number; end: number };
type DirEntryLayout = Record<'name' | 'attributes' | 'checksum' | 'name2' | 'name3', ByteRange>;
let cachedDirEntryLayout: DirEntryLayout | null = null;

/** Where each field of a 32-byte directory entry sits, taken once from formats/fat.ksy (a short and a long-name entry). */
function dirEntryLayout(): DirEntryLayout {
  if (cachedDirEntryLayout) return cachedDirEntryLayout;
  const sample = new Uint8Array(64);
  sample[32 + 11] = 0x0f; // entry 1: a long-name part
  const node = parseStruct('fatDirEntries', FatParser, sample, 0, [1, 2]);
  const range = (path: string): ByteRange => {
    const field = findField(node.fields, path)!;
    return { start: field.offset % 32, end: (field.offset % 32) + field.length };
  };
  cachedDirEntryLayout = {
    name: range('entries.0.name'),
    attributes: range('entries.0.attributes'),
    checksum: range('entries.1.longNamePart.checksum'),
    name2: range('entries.1.longNamePart.name2'),
    name3: range('entries.1.longNamePart.name3'),
  };
  return cachedDirEntryLayout;
}

function decodeLongNamePart(...pieces: Uint8Array[]): string {
  const units: number[] = [];
  for (const piece of pieces) {
    for (let i = 0; i + 1 < piece.length; i += 2) {
      const unit = piece[i]! | (piece[i + 1]! << 8);
      if (unit === 0x0000) return String.fromCharCode(...units);
      if (unit !== 0xffff) units.push(unit);
    }
  }
  return String.fromCharCode(...units);
}

/** "SYSTEM~1   " -> "SYSTEM~1", "$RECYCLEBIN" -> "$RECYCLE.BIN"; a leading 0x05 stands for 0xE5. */
function decodeShortName(raw: Uint8Array): string {
  const bytes = Uint8Array.from(raw);
  if (bytes[0] === 0x05) bytes[0] = 0xe5;
  const text = Buffer.from(bytes).toString('latin1');
  const base = text.slice(0, 8).trimEnd();
  const ext = text.slice(8, 11).trimEnd();
  return ext ? `${base}.${ext}` : base;
}

/** The checksum a long name's parts carry of their 8.3 name (Microsoft FAT spec 7). */
function shortNameChecksum(raw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + raw[i]!) & 0xff;
  return sum;
}

function cleanLabel(raw: Uint8Array): string | null {
  const text = Buffer.from(raw).toString('latin1').replace(/\0/g, ' ').trimEnd();
  return text === '' || text === 'NO NAME' ? null : text;
}
