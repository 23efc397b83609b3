// Opens whatever the user names: a raw image, a VMDK descriptor (resolved to its
// flat extents) or a block device (read-only, size from sysfs).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ByteSource } from './byteSource';
import { FileSource } from './fileSource';
import { ConcatSource } from './concatSource';
import { NotADiskImageError, UnsupportedImageError } from '../errors';
import { MAX_VMDK_DESCRIPTOR_BYTES, MAX_VMDK_EXTENTS } from '../limits';
import { DETECT_HEAD_BYTES, DETECT_TAIL_BYTES, detectContainer } from './containerDetect';
import { isReadOnlyFile, openContainer } from './containerOpen';
import { VmdkDiskSource } from './vmdkDiskSource';
import type { ContainerInfo } from './containerSource';
import { msg } from '../../shared/l10n';

/** How the user allowed an image to be opened. */
export interface OpenImageOptions {
  /**
   * Read VMDK extents that lie outside the descriptor's folder (an absolute path,
   * `..`, or a symlink leading out). Off by default: a descriptor is small text
   * anyone can hand over, and an extent it names is a file we may later write.
   * The CLI's --allow-outside-extents, the editor's diskx.allowOutsideExtents.
   */
  allowOutsideExtents?: boolean;
}

/** 'raw' file, 'vmdk' descriptor with flat extents, 'block-device', or a 'container' file (qcow2, VHD, ...). */
export type ImageKind = 'raw' | 'vmdk' | 'block-device' | 'container';

/** How an opened image was resolved. */
export interface OpenedImage {
  /** The virtual disk's bytes (for a container, through its tables). */
  source: ByteSource;
  kind: ImageKind;
  /** Files that hold the bytes (the flat extents of a VMDK, a container and its parents, else the path itself). */
  dataFiles: string[];
  /** What stores the disk: `format` raw, vmdk-flat, qcow2, vhd-fixed, ... and its sizes. */
  container: ContainerInfo;
}

const COWD_MAGIC = 'COWD'; // ESX 2.x sparse
/** Descriptor types whose extents are hosted sparse (KDMV) files: read through VmdkDiskSource. */
const HOSTED_SPARSE_CREATE_TYPES = new Set(['monolithicsparse', 'twogbmaxextentsparse', 'streamoptimized']);
/** ESXi's own sparse kinds (delta disks on VMFS, vSAN): named and refused. */
const SPARSE_CREATE_TYPES = new Set(['vmfssparse', 'sesparse', 'vsansparse', 'vmfsthin']);

/** Opens `imagePath` for reading. Throws NotADiskImageError / UnsupportedImageError with a clear message. */
export async function openImage(imagePath: string, options: OpenImageOptions = {}): Promise<OpenedImage> {
  const stat = await fsp.stat(imagePath);
  if (stat.isDirectory()) throw new NotADiskImageError(msg('is a directory, not a disk image'));
  if (stat.isBlockDevice()) {
    const source = await openBlockDevice(imagePath, stat.rdev);
    return { source, kind: 'block-device', dataFiles: [imagePath], container: { format: 'raw', virtualSize: source.size, files: [imagePath] } };
  }
  if (!stat.isFile()) throw new NotADiskImageError(msg('is not a regular file or block device'));
  if (stat.size === 0) throw new NotADiskImageError(msg('is empty (0 bytes)'));

  const head = await readAt(imagePath, 0, Math.min(stat.size, Math.max(MAX_VMDK_DESCRIPTOR_BYTES, DETECT_HEAD_BYTES)));
  const magic = Buffer.from(head.subarray(0, 4)).toString('latin1');
  if (magic === COWD_MAGIC) throw unsupportedVmdk('vmfsSparse (COWD)');
  const tail = await readAt(imagePath, Math.max(0, stat.size - DETECT_TAIL_BYTES), Math.min(stat.size, DETECT_TAIL_BYTES));
  const detected = detectContainer(head, tail);
  if (detected) {
    const source = await openContainer(imagePath, detected);
    return { source, kind: 'container', dataFiles: source.container.files, container: source.container };
  }
  const descriptor = vmdkDescriptorText(head);
  if (descriptor !== null) {
    if (stat.size > MAX_VMDK_DESCRIPTOR_BYTES) {
      throw new NotADiskImageError(
        msg(
          'is a VMDK descriptor of {0} bytes, larger than the {1} bytes diskx reads as a descriptor (real ones are a few hundred bytes)',
          stat.size,
          MAX_VMDK_DESCRIPTOR_BYTES,
        ),
      );
    }
    return openVmdkDescriptor(imagePath, descriptor, options);
  }
  const source = await FileSource.open(imagePath, { size: stat.size, readOnlyHint: !(await isWritable(imagePath)) });
  return { source, kind: 'raw', dataFiles: [imagePath], container: { format: 'raw', virtualSize: stat.size, files: [imagePath] } };
}

async function readAt(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
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
  return vmdkDescriptorText(head) !== null;
}

/**
 * The descriptor text when `head` is one: text, optionally followed by NUL
 * bytes only (qemu-img convert pads its descriptors with zeros to 512 bytes).
 * A NUL inside the text, or anything but NULs after it, means binary: null.
 */
export function vmdkDescriptorText(head: Uint8Array): string | null {
  let end = head.indexOf(0);
  if (end < 0) end = head.length;
  else if (head.subarray(end).some((b) => b !== 0)) return null;
  const probe = Buffer.from(head.subarray(0, Math.min(end, 4096))).toString('latin1');
  if (!(/^\s*#\s*Disk DescriptorFile/im.test(probe) || (/^\s*createType\s*=/im.test(probe) && /^\s*version\s*=/im.test(probe)))) return null;
  return Buffer.from(head.subarray(0, end)).toString('utf8');
}

function unsupportedVmdk(kind: string): UnsupportedImageError {
  return new UnsupportedImageError(
    msg('is a {0} VMDK, which stores its sectors in grains, not as a raw disk; convert it first: qemu-img convert -O raw INPUT.vmdk OUTPUT.img', kind),
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
    if (extents.length >= MAX_VMDK_EXTENTS) throw new NotADiskImageError(msg('VMDK descriptor lists more than {0} extents', MAX_VMDK_EXTENTS));
    extents.push({ access: match[1]!, sectors: Number(match[2]), type: match[3]!.toUpperCase(), file: match[4] ?? '', offsetSectors: Number(match[5] ?? 0) });
  }
  return { createType, extents };
}

async function openVmdkDescriptor(descriptorPath: string, text: string, options: OpenImageOptions): Promise<OpenedImage> {
  const { createType, extents } = parseVmdkDescriptor(text);
  if ((createType && HOSTED_SPARSE_CREATE_TYPES.has(createType.toLowerCase())) || extents.some((e) => e.type === 'SPARSE')) {
    const checkExtent = async (named: string, file: string): Promise<void> => {
      if (!options.allowOutsideExtents) await assertExtentInFolder(descriptorPath, named, file);
    };
    const source = await VmdkDiskSource.openDescriptor(descriptorPath, text, extents, checkExtent, isReadOnlyFile);
    return { source, kind: 'container', dataFiles: source.container.files, container: source.container };
  }
  if (createType && SPARSE_CREATE_TYPES.has(createType.toLowerCase())) throw unsupportedVmdk(createType);
  const sparse = extents.find((e) => e.type !== 'FLAT' && e.type !== 'VMFS' && e.type !== 'ZERO');
  if (sparse) throw unsupportedVmdk(`${createType ?? 'unknown'} (extent type ${sparse.type})`);
  if (extents.length === 0) throw new NotADiskImageError(msg('is a VMDK descriptor with no extents'));
  const parts: { source: ByteSource; size: number }[] = [];
  const dataFiles: string[] = [];
  const descriptorStat = await fsp.stat(descriptorPath);
  try {
    for (const extent of extents) {
      const size = extent.sectors * 512; // VMDK descriptors always count 512-byte sectors
      if (!Number.isSafeInteger(size)) throw new NotADiskImageError(msg('VMDK extent of {0} sectors is too large', extent.sectors));
      if (extent.type === 'ZERO') throw unsupportedVmdk(`${createType ?? 'unknown'} (ZERO extent)`);
      const file = path.resolve(path.dirname(descriptorPath), extent.file);
      let stat;
      try {
        stat = await fsp.stat(file);
      } catch {
        throw new NotADiskImageError(msg('VMDK descriptor names extent "{0}", which does not exist', extent.file));
      }
      if (!options.allowOutsideExtents) await assertExtentInFolder(descriptorPath, extent.file, file);
      // A descriptor read as its own extent would be taken for a raw disk of text.
      if (stat.ino === descriptorStat.ino && stat.dev === descriptorStat.dev) {
        throw new NotADiskImageError(msg('VMDK descriptor names itself as its extent "{0}"', extent.file));
      }
      // A directory opens fine on Linux and only fails (EISDIR, untyped) at the first read.
      if (!stat.isFile() && !stat.isBlockDevice()) {
        throw new NotADiskImageError(msg('VMDK extent "{0}" is not a regular file or block device', extent.file));
      }
      const base = extent.offsetSectors * 512;
      if (!Number.isSafeInteger(base + size))
        throw new NotADiskImageError(msg('VMDK extent "{0}" at offset {1} sectors is too large', extent.file, extent.offsetSectors));
      if (stat.size < base + size) {
        throw new NotADiskImageError(msg('VMDK extent "{0}" holds {1} bytes, the descriptor says {2}', extent.file, stat.size, base + size));
      }
      parts.push({ source: await FileSource.open(file, { size, base, readOnlyHint: extent.access !== 'RW' || !(await isWritable(file)) }), size });
      dataFiles.push(file);
    }
  } catch (error) {
    await Promise.all(parts.map((p) => p.source.close()));
    throw error;
  }
  const source =
    parts.length === 1
      ? parts[0]!.source
      : new ConcatSource(
          descriptorPath,
          parts.map((p) => p.source),
        );
  return { source, kind: 'vmdk', dataFiles, container: { format: 'vmdk-flat', virtualSize: source.size, files: [descriptorPath, ...dataFiles] } };
}

/** Message fragment naming how to read extents outside the descriptor's folder anyway. */
export const OUTSIDE_EXTENTS_HINT = 'pass --allow-outside-extents (editor: the diskx.allowOutsideExtents setting) to read it anyway';

/**
 * Refuses an extent that is not inside the descriptor's folder (subfolders are
 * fine), after resolving symlinks on both sides, so neither `../x`, `/dev/sda`
 * nor a symlink planted in the folder reaches another file.
 */
async function assertExtentInFolder(descriptorPath: string, named: string, file: string): Promise<void> {
  const folder = await fsp.realpath(path.dirname(path.resolve(descriptorPath)));
  const target = await fsp.realpath(file);
  const relative = path.relative(folder, target);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new NotADiskImageError(
      msg('VMDK extent "{0}" lies outside the descriptor\'s folder ({1}); diskx reads extents only inside it; {2}', named, target, OUTSIDE_EXTENTS_HINT),
    );
  }
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
    throw new NotADiskImageError(msg('is a block device whose size cannot be read from sysfs'));
  }
  for (const candidate of [`${sys}/queue/logical_block_size`, `${sys}/../queue/logical_block_size`]) {
    try {
      logical = Number((await fsp.readFile(candidate, 'utf8')).trim());
      break;
    } catch {
      /* a partition has no queue/ of its own; try its parent */
    }
  }
  if (!Number.isSafeInteger(size) || size <= 0) throw new NotADiskImageError(msg('is a block device of size 0 (no medium?)'));
  return FileSource.open(devicePath, { size, reportedSectorSize: logical, readOnlyHint: true });
}
