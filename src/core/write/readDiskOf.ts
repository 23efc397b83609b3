// The disk model of an image as it is now, read by the writer under its lock to
// check plans and journal entries against the partitions and tables.
import { openImage } from '../io/openImage';
import type { OpenImageOptions } from '../io/openImage';
import type { ByteSource } from '../io/byteSource';
import type { ByteSpan } from '../io/dataRanges';
import { readDisk } from '../diskModel';
import type { DiskModel } from '../model';
import { DiskxError } from '../errors';
import { PatchedSource } from '../io/patchedSource';
import type { Patch } from '../patch';
import type { ReadLog } from './parseMemo';
import { loggingReads, memoKey, recall, remember } from './parseMemo';

/**
 * The model at `sectorSize` (with `overlay` laid over the bytes, e.g. the image
 * as an undo would leave it), or null when it does not parse as a disk (the
 * caller then falls back to the standard areas). With `reads`, every byte range
 * the parser asked for is appended to it.
 */
export async function readDiskOf(
  image: string,
  sectorSize: number,
  open: OpenImageOptions | undefined,
  overlay: readonly Patch[] = [],
  reads?: ByteSpan[],
): Promise<DiskModel | null> {
  const opened = await openImage(image, open);
  try {
    const bytes = overlay.length > 0 ? new PatchedSource(opened.source, overlay) : opened.source;
    return await readDisk(reads ? recordingReads(bytes, reads) : bytes, { sectorSize });
  } catch (error) {
    if (error instanceof DiskxError) return null;
    throw error;
  } finally {
    await opened.source.close();
  }
}

/** A parse of the image as it is now, with the byte ranges it read (what readDiskAfter needs). */
export interface DiskNow {
  model: DiskModel | null;
  reads: ByteSpan[];
}

/**
 * The model of the image as it is now, noting what the parse read; the parse
 * remembered from last time when every byte it read is unchanged (parseMemo.ts).
 */
export async function readDiskNow(image: string, sectorSize: number, open: OpenImageOptions | undefined): Promise<DiskNow> {
  const opened = await openImage(image, open);
  try {
    const key = memoKey(image, sectorSize, open);
    const remembered = await recall(key, opened.source);
    if (remembered) return remembered;
    const log: ReadLog = { spans: [], pieces: [], total: 0 };
    let model: DiskModel | null;
    try {
      model = await readDisk(loggingReads(opened.source, log), { sectorSize });
    } catch (error) {
      if (!(error instanceof DiskxError)) throw error;
      model = null;
    }
    if (model) remember(key, opened.source, log, model);
    return { model, reads: log.spans };
  } finally {
    await opened.source.close();
  }
}

/**
 * The model of the image with `patches` laid over it: `now.model` itself when no
 * patch touches a byte that parse read (see patchesMissReads), else a new parse.
 * The writer and the undo both ask this about the image as their writes will leave it.
 */
export async function readDiskAfter(
  image: string,
  sectorSize: number,
  open: OpenImageOptions | undefined,
  now: DiskNow,
  patches: readonly Patch[],
): Promise<DiskModel | null> {
  return patchesMissReads(patches, now.reads) ? now.model : readDiskOf(image, sectorSize, open, patches);
}

/**
 * True when no patch touches a byte in `reads`. The parser is a function of the
 * bytes it reads (no clock, no randomness, no file system calls of its own), so
 * with such patches laid over the image it would read the very same bytes, in
 * the same order, and build the same model: no need to parse again.
 */
export function patchesMissReads(patches: readonly Patch[], reads: readonly ByteSpan[]): boolean {
  return patches.every((p) => reads.every((r) => p.offset + p.after.length <= r.offset || r.offset + r.length <= p.offset));
}

/** `source` with each read's range noted in `reads` (before the read, so a read that fails counts too). */
function recordingReads(source: ByteSource, reads: ByteSpan[]): ByteSource {
  return {
    name: source.name,
    size: source.size,
    ...(source.reportedSectorSize !== undefined ? { reportedSectorSize: source.reportedSectorSize } : {}),
    ...(source.readOnlyHint !== undefined ? { readOnlyHint: source.readOnlyHint } : {}),
    read(offset: number, length: number): Promise<Uint8Array> {
      reads.push({ offset, length });
      return source.read(offset, length);
    },
    close: () => source.close(),
  };
}
