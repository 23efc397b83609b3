// Opens whatever the user names: a raw image, a VMDK descriptor (resolved to its
// flat extents) or a block device (read-only, size from sysfs).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ByteSource } from './byteSource';
import { FileSource } from './fileSource';
import { ConcatSource } from './concatSource';
import { NotADiskImageError, UnsupportedImageError } from '../errors';
import { MAX_VMDK_DESCRIPTOR_BYTES, MAX_VMDK_EXTENTS } from '../limits';

/** How an opened image was resolved. */
export interface OpenedImage {
  source: ByteSource;
  /** 'raw' file, 'vmdk' descriptor with flat extents, or 'block-device'. */
  kind: 'raw' | 'vmdk' | 'block-device';
  /** Files that hold the bytes (the flat extents of a VMDK, else the path itself). */
  dataFiles: string[];
}

const SPARSE_VMDK_MAGIC = 'KDMV'; // hosted sparse extent header ("VMDK" little-endian)
const COWD_MAGIC = 'COWD'; // ESX 2.x sparse
const SPARSE_CREATE_TYPES = new Set(['monolithicsparse', 'twogbmaxextentsparse', 'streamoptimized', 'vmfssparse', 'sesparse', 'vsansparse', 'vmfsthin']);

/** Opens `imagePath` for reading. Throws NotADiskImageError / UnsupportedImageError with a clear message. */
export async function openImage(imagePath: string): Promise<OpenedImage> {
  const stat = await fsp.stat(imagePath);
  if (stat.isDirectory()) throw new NotADiskImageError('is a directory, not a disk image');
  if (stat.isBlockDevice()) return { source: await openBlockDevice(imagePath, stat.rdev), kind: 'block-device', dataFiles: [imagePath] };
  if (!stat.isFile()) throw new NotADiskImageError('is not a regular file or block device');
  if (stat.size === 0) throw new NotADiskImageError('is empty (0 bytes)');

  const head = await readHead(imagePath, Math.min(stat.size, MAX_VMDK_DESCRIPTOR_BYTES));
  const magic = Buffer.from(head.subarray(0, 4)).toString('latin1');
  if (magic === SPARSE_VMDK_MAGIC || magic === COWD_MAGIC) {
    const kind = magic === COWD_MAGIC ? 'vmfsSparse (COWD)' : sparseKindFromEmbeddedDescriptor(head) ?? 'monolithicSparse';
    throw unsupportedVmdk(kind);
  }
  if (stat.size <= MAX_VMDK_DESCRIPTOR_BYTES && looksLikeVmdkDescriptor(head)) {
    const text = Buffer.from(head).toString('utf8');
    return openVmdkDescriptor(imagePath, text);
  }
  const source = await FileSource.open(imagePath, { size: stat.size, readOnlyHint: !(await isWritable(imagePath)) });
  return { source, kind: 'raw', dataFiles: [imagePath] };
}

async function readHead(file: string, length: number): Promise<Uint8Array> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function isWritable(file: string): Promise<boolean> {
  try {
    await fsp.access(file, 2 /* W_OK */);
    return true;
  } catch {
    return false;
  }
}

/** True for a text VMDK descriptor ("# Disk DescriptorFile" with a createType line). */
export function looksLikeVmdkDescriptor(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 4096)).toString('latin1');
  if (text.includes('\0')) return false;
  return /^\s*#\s*Disk DescriptorFile/im.test(text) || (/^\s*createType\s*=/im.test(text) && /^\s*version\s*=/im.test(text));
}

function sparseKindFromEmbeddedDescriptor(head: Uint8Array): string | null {
  const text = Buffer.from(head).toString('latin1');
  const match = /createType\s*=\s*"([^"]+)"/.exec(text);
  return match ? match[1]! : null;
}

function unsupportedVmdk(kind: string): UnsupportedImageError {
  return new UnsupportedImageError(
    `is a ${kind} VMDK, which stores its sectors in grains, not as a raw disk; convert it first: qemu-img convert -O raw INPUT.vmdk OUTPUT.img`,
    kind,
  );
}

/** One extent line of a VMDK descriptor: `RW 4194304 FLAT "disk-flat.vmdk" 0`. */
export interface VmdkExtent {
  access: string;
  sectors: number;
  type: string;
  file: string;
  offsetSectors: number;
}

/** Parses a VMDK descriptor's createType and extent lines. */
export function parseVmdkDescriptor(text: string): { createType: string | null; extents: VmdkExtent[] } {
  const createType = /^\s*createType\s*=\s*"([^"]*)"/im.exec(text)?.[1] ?? null;
  const extents: VmdkExtent[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/.exec(line);
    if (!match) continue;
    if (extents.length >= MAX_VMDK_EXTENTS) throw new NotADiskImageError(`VMDK descriptor lists more than ${MAX_VMDK_EXTENTS} extents`);
    extents.push({ access: match[1]!, sectors: Number(match[2]), type: match[3]!.toUpperCase(), file: match[4] ?? '', offsetSectors: Number(match[5] ?? 0) });
  }
  return { createType, extents };
}

async function openVmdkDescriptor(descriptorPath: string, text: string): Promise<OpenedImage> {
  const { createType, extents } = parseVmdkDescriptor(text);
  if (createType && SPARSE_CREATE_TYPES.has(createType.toLowerCase())) throw unsupportedVmdk(createType);
  const sparse = extents.find((e) => e.type !== 'FLAT' && e.type !== 'VMFS' && e.type !== 'ZERO');
  if (sparse) throw unsupportedVmdk(`${createType ?? 'unknown'} (extent type ${sparse.type})`);
  if (extents.length === 0) throw new NotADiskImageError('is a VMDK descriptor with no extents');
  const parts: { source: ByteSource; size: number }[] = [];
  const dataFiles: string[] = [];
  const descriptorStat = await fsp.stat(descriptorPath);
  try {
    for (const extent of extents) {
      const size = extent.sectors * 512; // VMDK descriptors always count 512-byte sectors
      if (!Number.isSafeInteger(size)) throw new NotADiskImageError(`VMDK extent of ${extent.sectors} sectors is too large`);
      if (extent.type === 'ZERO') throw unsupportedVmdk(`${createType ?? 'unknown'} (ZERO extent)`);
      const file = path.resolve(path.dirname(descriptorPath), extent.file);
      let stat;
      try {
        stat = await fsp.stat(file);
      } catch {
        throw new NotADiskImageError(`VMDK descriptor names extent "${extent.file}", which does not exist`);
      }
      // A descriptor read as its own extent would be taken for a raw disk of text.
      if (stat.ino === descriptorStat.ino && stat.dev === descriptorStat.dev) {
        throw new NotADiskImageError(`VMDK descriptor names itself as its extent "${extent.file}"`);
      }
      // A directory opens fine on Linux and only fails (EISDIR, untyped) at the first read.
      if (!stat.isFile() && !stat.isBlockDevice()) {
        throw new NotADiskImageError(`VMDK extent "${extent.file}" is not a regular file or block device`);
      }
      const base = extent.offsetSectors * 512;
      if (!Number.isSafeInteger(base + size)) throw new NotADiskImageError(`VMDK extent "${extent.file}" at offset ${extent.offsetSectors} sectors is too large`);
      if (stat.size < base + size) {
        throw new NotADiskImageError(`VMDK extent "${extent.file}" holds ${stat.size} bytes, the descriptor says ${base + size}`);
      }
      parts.push({ source: await FileSource.open(file, { size, base, readOnlyHint: extent.access !== 'RW' || !(await isWritable(file)) }), size });
      dataFiles.push(file);
    }
  } catch (error) {
    await Promise.all(parts.map((p) => p.source.close()));
    throw error;
  }
  const source = parts.length === 1 ? parts[0]!.source : new ConcatSource(descriptorPath, parts.map((p) => p.source));
  return { source, kind: 'vmdk', dataFiles };
}

async function openBlockDevice(devicePath: string, rdev: number): Promise<ByteSource> {
  // Linux: major/minor from rdev (glibc encoding), size in 512-byte units in sysfs.
  const major = ((rdev >> 8) & 0xfff) | ((rdev >>> 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >> 12) & ~0xff);
  const sys = `/sys/dev/block/${major}:${minor}`;
  let size: number;
  let logical: number | undefined;
  try {
    size = Number((await fsp.readFile(`${sys}/size`, 'utf8')).trim()) * 512;
  } catch {
    throw new NotADiskImageError('is a block device whose size cannot be read from sysfs');
  }
  for (const candidate of [`${sys}/queue/logical_block_size`, `${sys}/../queue/logical_block_size`]) {
    try {
      logical = Number((await fsp.readFile(candidate, 'utf8')).trim());
      break;
    } catch {
      /* a partition has no queue/ of its own; try its parent */
    }
  }
  if (!Number.isSafeInteger(size) || size <= 0) throw new NotADiskImageError('is a block device of size 0 (no medium?)');
  return FileSource.open(devicePath, { size, reportedSectorSize: logical, readOnlyHint: true });
}
