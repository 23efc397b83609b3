// Where the bytes of an image live, for writing: a raw file, a block device or
// the flat extent files of a VMDK descriptor. An image offset maps to one extent
// file and an offset in it (descriptor extents count 512-byte sectors and may
// start at an offset inside their file).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openImage, parseVmdkDescriptor, vmdkDescriptorText } from '../io/openImage';
import type { ImageKind, OpenImageOptions } from '../io/openImage';
import { NotADiskImageError } from '../errors';
import { MAX_VMDK_DESCRIPTOR_BYTES } from '../limits';
import { ContainerWriteRefusedError } from './errors';
import type { WriteRefusedError } from './errors';
import { isContainerSource } from '../io/containerSource';
import type { ContainerMetadataSlot, ContainerMetadataWrite } from '../io/containerSource';
import { repairableCopyCommand } from '../io/containerDetect';
import { msg } from '../../shared/l10n';

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
  kind: ImageKind;
  sizeBytes: number;
  /** For a raw file or VMDK: every extent, in image order. For a container: only the ranges asked for, mapped through its tables. */
  extents: ImageExtent[];
  /**
   * A container's own metadata: the file ranges a repair may update (`slots`,
   * each with its writability) and the update the mapped writes need first
   * (`writes`, read now; empty when nothing was mapped or the format needs none).
   */
  metadata?: { slots: (ContainerMetadataSlot & { refusal: WriteRefusedError['why'] | null })[]; writes: ContainerMetadataWrite[] };
}

/**
 * Resolves `imagePath` the same way openImage reads it, with each extent's
 * writability. A container (qcow2, VHD, ...) is mapped only for `ranges` (image
 * offset, length): the file ranges that hold them, or ContainerWriteRefusedError
 * when one is not allocated, compressed, shared or in a parent.
 */
export async function resolveImageFiles(
  imagePath: string,
  options: OpenImageOptions = {},
  ranges: readonly { offset: number; length: number }[] = [],
): Promise<ImageFiles> {
  const image = path.resolve(imagePath);
  const opened = await openImage(image, options);
  const sizeBytes = opened.source.size;
  if (opened.kind === 'container') {
    try {
      const extents = await containerExtents(opened, ranges);
      if (!isContainerSource(opened.source)) throw new RangeError('a container image without a container source');
      const source = opened.source;
      const slots = await Promise.all(
        source.metadataSlots.map(async (slot) => ({ ...slot, refusal: (await isReadOnlyFile(slot.file)) ? ('read-only-file' as const) : null })),
      );
      const writes = extents.length > 0 ? await source.metadataWrites() : [];
      return { image, kind: 'container', sizeBytes, extents, metadata: { slots, writes } };
    } finally {
      await opened.source.close();
    }
  }
  await opened.source.close();
  if (opened.kind === 'block-device') {
    return { image, kind: 'block-device', sizeBytes, extents: [{ file: image, start: 0, size: sizeBytes, fileOffset: 0, refusal: 'block-device' }] };
  }
  if (opened.kind === 'raw') {
    return {
      image,
      kind: 'raw',
      sizeBytes,
      extents: [{ file: image, start: 0, size: sizeBytes, fileOffset: 0, refusal: (await isReadOnlyFile(image)) ? 'read-only-file' : null }],
    };
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
  if (start !== sizeBytes)
    throw new NotADiskImageError(msg('VMDK descriptor changed while it was read ({0} bytes of extents, {1} when opened)', start, sizeBytes));
  return { image, kind: 'vmdk', sizeBytes, extents };
}

async function containerExtents(opened: Awaited<ReturnType<typeof openImage>>, ranges: readonly { offset: number; length: number }[]): Promise<ImageExtent[]> {
  const source = opened.source;
  if (!isContainerSource(source)) throw new RangeError('a container image without a container source');
  const extents: ImageExtent[] = [];
  for (const range of mergeRanges(ranges)) {
    const mapped = await source.mapWrite(range.offset, range.length);
    if (!mapped.ok)
      throw new ContainerWriteRefusedError(source.container.format, mapped.reasonText, repairableCopyCommand(opened.dataFiles[0]!, source.container.format));
    for (const piece of mapped.pieces) {
      const refusal = (await isReadOnlyFile(piece.file)) ? 'read-only-file' : null;
      extents.push({ file: piece.file, start: piece.virtualOffset, size: piece.length, fileOffset: piece.fileOffset, refusal });
    }
  }
  return extents.sort((a, b) => a.start - b.start);
}

/** Sorted, non-overlapping, non-empty ranges covering the same bytes. */
function mergeRanges(ranges: readonly { offset: number; length: number }[]): { offset: number; length: number }[] {
  const merged: { offset: number; length: number }[] = [];
  for (const r of [...ranges].filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset)) {
    const last = merged[merged.length - 1];
    if (last && r.offset <= last.offset + last.length) last.length = Math.max(last.length, r.offset + r.length - last.offset);
    else merged.push({ ...r });
  }
  return merged;
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
export function mapRange(
  files: ImageFiles,
  offset: number,
  length: number,
): { extent: ImageExtent; fileOffset: number; imageOffset: number; length: number }[] {
  const pieces: { extent: ImageExtent; fileOffset: number; imageOffset: number; length: number }[] = [];
  let at = offset;
  const end = offset + length;
  // Extents are in image order; a container's cover only the ranges being written, with gaps between.
  while (at < end) {
    const extent = files.extents.find((e) => e.size > 0 && at >= e.start && at < e.start + e.size);
    if (!extent) break;
    const take = Math.min(end, extent.start + extent.size) - at;
    pieces.push({ extent, fileOffset: extent.fileOffset + (at - extent.start), imageOffset: at, length: take });
    at += take;
  }
  if (at !== end) throw new RangeError(`range ${offset}+${length} lies outside the image (${files.sizeBytes} bytes)`);
  return pieces;
}
