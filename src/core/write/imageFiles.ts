// Where the bytes of an image live, for writing: a raw file, a block device or
// the flat extent files of a VMDK descriptor. An image offset maps to one extent
// file and an offset in it (descriptor extents count 512-byte sectors and may
// start at an offset inside their file).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openImage, parseVmdkDescriptor, vmdkDescriptorText } from '../io/openImage';
import type { OpenImageOptions } from '../io/openImage';
import { NotADiskImageError } from '../errors';
import { MAX_VMDK_DESCRIPTOR_BYTES } from '../limits';
import type { WriteRefusedError } from './errors';

/** One file holding image bytes [start, start + size) at `fileOffset`. */
export interface ImageExtent {
  file: string;
  start: number;
  size: number;
  fileOffset: number;
  /** Why writing it needs --allow-device, if it does. */
  refusal: WriteRefusedError['why'] | null;
}

/** The files behind an image, in image order. */
export interface ImageFiles {
  /** The path the user named, made absolute (the descriptor for a VMDK). */
  image: string;
  kind: 'raw' | 'vmdk' | 'block-device';
  sizeBytes: number;
  extents: ImageExtent[];
}

/** Resolves `imagePath` the same way openImage reads it, with each extent's writability. */
export async function resolveImageFiles(imagePath: string, options: OpenImageOptions = {}): Promise<ImageFiles> {
  const image = path.resolve(imagePath);
  const opened = await openImage(image, options);
  const sizeBytes = opened.source.size;
  await opened.source.close();
  if (opened.kind === 'block-device') {
    return { image, kind: 'block-device', sizeBytes, extents: [{ file: image, start: 0, size: sizeBytes, fileOffset: 0, refusal: 'block-device' }] };
  }
  if (opened.kind === 'raw') {
    return { image, kind: 'raw', sizeBytes, extents: [{ file: image, start: 0, size: sizeBytes, fileOffset: 0, refusal: (await isReadOnlyFile(image)) ? 'read-only-file' : null }] };
  }
  // openImage accepted the descriptor, so it is small text with FLAT/VMFS extents only.
  const text = vmdkDescriptorText((await fsp.readFile(image)).subarray(0, MAX_VMDK_DESCRIPTOR_BYTES)) ?? '';
  const extents: ImageExtent[] = [];
  let start = 0;
  for (const extent of parseVmdkDescriptor(text).extents) {
    const file = path.resolve(path.dirname(image), extent.file);
    const size = extent.sectors * 512;
    const refusal = extent.access !== 'RW' ? 'read-only-extent' : (await isReadOnlyFile(file)) ? 'read-only-file' : null;
    extents.push({ file, start, size, fileOffset: extent.offsetSectors * 512, refusal });
    start += size;
  }
  if (start !== sizeBytes) throw new NotADiskImageError(`VMDK descriptor changed while it was read (${start} bytes of extents, ${sizeBytes} when opened)`);
  return { image, kind: 'vmdk', sizeBytes, extents };
}

// Root may write any file, so access(W_OK) says yes even for mode 0444: a file
// with no write bit at all is treated as read-only by intent, as the user set it.
async function isReadOnlyFile(file: string): Promise<boolean> {
  const stat = await fsp.stat(file);
  if ((stat.mode & 0o222) === 0) return true;
  try {
    await fsp.access(file, 2 /* W_OK */);
    return false;
  } catch {
    return true;
  }
}

/** Image range [offset, offset + length) split into pieces per extent file. */
export function mapRange(files: ImageFiles, offset: number, length: number): { extent: ImageExtent; fileOffset: number; imageOffset: number; length: number }[] {
  const pieces: { extent: ImageExtent; fileOffset: number; imageOffset: number; length: number }[] = [];
  let at = offset;
  const end = offset + length;
  for (const extent of files.extents) {
    if (at >= end) break;
    const extentEnd = extent.start + extent.size;
    if (at >= extentEnd || extent.size === 0) continue;
    const take = Math.min(end, extentEnd) - at;
    pieces.push({ extent, fileOffset: extent.fileOffset + (at - extent.start), imageOffset: at, length: take });
    at += take;
  }
  if (at !== end) throw new RangeError(`range ${offset}+${length} lies outside the image (${files.sizeBytes} bytes)`);
  return pieces;
}

