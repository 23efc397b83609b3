// Direct (uncached) positional reads and writes on the files behind an image.
// Files are opened "r+": never created, truncated, extended or appended to; every
// write replaces bytes inside the existing size (replace-only).
import { promises as fsp } from 'node:fs';
import type { ImageExtent, ImageFiles } from './imageFiles';
import { mapRange } from './imageFiles';
import { WriteRefusedError } from './errors';
import { TruncatedError } from '../errors';

/** Open handles on every extent file, with counters of what was written. */
export class ImageWriter {
  /** Write calls made and bytes handed to the operating system (for reports and tests). */
  writeCalls = 0;
  bytesWritten = 0;
  /** Bytes of container metadata written (not counted in bytesWritten, which are the disk's). */
  metadataBytesWritten = 0;

  private constructor(
    readonly files: ImageFiles,
    private readonly handles: Map<string, fsp.FileHandle>,
  ) {}

  /** Opens every extent for writing; refuses devices and read-only files unless `allowDevice`. */
  static async open(files: ImageFiles, allowDevice: boolean): Promise<ImageWriter> {
    if (!allowDevice) {
      const refused = [...files.extents, ...(files.metadata?.slots ?? [])].find((e) => e.refusal !== null);
      if (refused) throw new WriteRefusedError(refused.file, refused.refusal!);
    }
    const handles = new Map<string, fsp.FileHandle>();
    try {
      for (const { file } of [...files.extents, ...(files.metadata?.slots ?? [])]) {
        if (!handles.has(file)) handles.set(file, await fsp.open(file, 'r+'));
      }
      // The files must still hold every extent (the image may have been truncated since it was opened).
      for (const extent of files.extents) {
        const size = (await handles.get(extent.file)!.stat()).size;
        if (files.kind !== 'block-device' && size < extent.fileOffset + extent.size)
          throw new TruncatedError(extent.fileOffset, extent.size, Math.max(0, size - extent.fileOffset));
      }
    } catch (error) {
      await Promise.all([...handles.values()].map((h) => h.close()));
      throw error;
    }
    return new ImageWriter(files, handles);
  }

  /** Reads image bytes [offset, offset + length) from the files, bypassing any cache of ours. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (const piece of mapRange(this.files, offset, length)) {
      const handle = this.handle(piece.extent);
      let done = 0;
      while (done < piece.length) {
        const { bytesRead } = await handle.read(out, piece.imageOffset - offset + done, piece.length - done, piece.fileOffset + done);
        if (bytesRead === 0) throw new TruncatedError(piece.imageOffset + done, piece.length - done, 0);
        done += bytesRead;
      }
    }
    return out;
  }

  /** Writes `bytes` at image `offset` (split across extent files as needed). */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    for (const piece of mapRange(this.files, offset, bytes.length)) {
      const handle = this.handle(piece.extent);
      let done = 0;
      while (done < piece.length) {
        this.writeCalls++;
        const { bytesWritten } = await handle.write(bytes, piece.imageOffset - offset + done, piece.length - done, piece.fileOffset + done);
        if (bytesWritten === 0) throw new Error(`write of ${piece.length - done} bytes at ${piece.fileOffset + done} in ${piece.extent.file} wrote nothing`);
        done += bytesWritten;
        this.bytesWritten += bytesWritten;
      }
    }
  }

  /** Reads container file bytes inside one of the container's metadata slots (a VHDX header), bypassing any cache. */
  async readMetadata(file: string, fileOffset: number, length: number): Promise<Uint8Array> {
    const handle = this.metadataHandle(file, fileOffset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, length - done, fileOffset + done);
      if (bytesRead === 0) throw new TruncatedError(fileOffset + done, length - done, 0);
      done += bytesRead;
    }
    return out;
  }

  /** Writes container metadata; only inside one of the container's metadata slots. */
  async writeMetadata(file: string, fileOffset: number, bytes: Uint8Array): Promise<void> {
    const handle = this.metadataHandle(file, fileOffset, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, fileOffset + done);
      if (bytesWritten === 0) throw new Error(`write of ${bytes.length - done} bytes at ${fileOffset + done} in ${file} wrote nothing`);
      done += bytesWritten;
      this.metadataBytesWritten += bytesWritten;
    }
  }

  private metadataHandle(file: string, fileOffset: number, length: number): fsp.FileHandle {
    const inSlot = this.files.metadata?.slots.some((s) => s.file === file && fileOffset >= s.fileOffset && fileOffset + length <= s.fileOffset + s.length);
    const handle = this.handles.get(file);
    if (!inSlot || !handle) throw new RangeError(`file bytes ${fileOffset}+${length} of ${file} are not container metadata diskx updates`);
    return handle;
  }

  /** fsync of every file written through this writer. */
  async sync(): Promise<void> {
    for (const handle of this.handles.values()) await handle.sync();
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.close()));
  }

  private handle(extent: ImageExtent): fsp.FileHandle {
    return this.handles.get(extent.file)!;
  }
}
