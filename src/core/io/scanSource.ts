// A byte source for whole-image scans: large positional reads straight into a
// caller's buffer, no page cache, no allocation per read. FileSource's 64 KiB
// LRU pages suit the parser's scattered small reads; a byte diff over gigabytes
// reads every byte once, where those pages only cost copies and syscalls.
import fs, { promises as fsp } from 'node:fs';
import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';
import type { OpenedImage } from './openImage';
import { TruncatedError } from '../errors';
import type { ByteSpan } from './dataRanges';
import { dataRanges } from './dataRanges';

/** A source that can fill a caller's buffer (the fast path of byteDiff). */
export interface BulkReadable {
  /** Reads exactly `target.length` bytes at `offset` into `target`. */
  readInto(offset: number, target: Uint8Array): Promise<void>;
}

/** True when `source` offers readInto. */
export function isBulkReadable(source: ByteSource): source is ByteSource & BulkReadable {
  return typeof (source as Partial<BulkReadable>).readInto === 'function';
}

/** A source that can also fill a caller's buffer synchronously (the partition scan's fast path). */
export interface SyncReadable {
  /** Reads exactly `target.length` bytes at `offset` into `target`, blocking. */
  readIntoSync(offset: number, target: Uint8Array): void;
}

/** True when `source` offers readIntoSync. */
export function isSyncReadable(source: ByteSource): source is ByteSource & SyncReadable {
  return typeof (source as Partial<SyncReadable>).readIntoSync === 'function';
}

/** A file (or a region of one: `base`, `size`) read with large unbuffered positional reads. */
export class ScanFileSource implements ByteSource, BulkReadable, SyncReadable {
  /** Reads that went to the operating system (tests, benchmarks). */
  diskReads = 0;

  private constructor(
    private readonly handle: fsp.FileHandle,
    readonly name: string,
    readonly size: number,
    private readonly base: number,
    private readonly regularFile: boolean,
    /** The file's blocks cover its whole length (st_blocks x 512 >= st_size): it has no hole worth asking about. */
    private readonly fullyAllocated: boolean,
  ) {}

  /** Opens `path` read-only; `size` and `base` select a region. */
  static async open(path: string, options: { size?: number; base?: number } = {}): Promise<ScanFileSource> {
    const handle = await fsp.open(path, 'r');
    try {
      const stat = await handle.stat();
      const size = options.size ?? stat.size;
      const fullyAllocated = stat.isFile() && stat.blocks * 512 >= stat.size;
      return new ScanFileSource(handle, path, size, options.base ?? 0, stat.isFile(), fullyAllocated);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    assertInRange(offset, target.length, this.size);
    let filled = 0;
    while (filled < target.length) {
      this.diskReads++;
      const { bytesRead } = await this.handle.read(target, filled, target.length - filled, this.base + offset + filled);
      if (bytesRead === 0) throw new TruncatedError(offset + filled, target.length - filled, 0); // the file shrank under us
      filled += bytesRead;
    }
  }

  /** The open descriptor of a regular file and where this region starts in it (the byte diff's native helper maps it). */
  nativeFile(): { fd: number; base: number } | null {
    return this.regularFile ? { fd: this.handle.fd, base: this.base } : null;
  }

  /** The file and the byte where this region starts (the partition scan's reader thread opens it itself). */
  fileRegion(): { path: string; base: number } {
    return { path: this.name, base: this.base };
  }

  readIntoSync(offset: number, target: Uint8Array): void {
    assertInRange(offset, target.length, this.size);
    let filled = 0;
    while (filled < target.length) {
      this.diskReads++;
      const bytesRead = fs.readSync(this.handle.fd, target, filled, target.length - filled, this.base + offset + filled);
      if (bytesRead === 0) throw new TruncatedError(offset + filled, target.length - filled, 0); // the file shrank under us
      filled += bytesRead;
    }
  }

  /** Where this region of the file may hold data (holes read as zeros), or null when the platform cannot tell. */
  async dataRanges(): Promise<ByteSpan[] | null> {
    if (!this.regularFile) return null;
    // A fully allocated file holds no hole (or one smaller than its metadata blocks, which reading
    // through costs nothing): all data, without spawning the helper.
    if (this.fullyAllocated) return this.size > 0 ? [{ offset: 0, length: this.size }] : [];
    const spans = await dataRanges(this.name, this.base + this.size);
    if (!spans) return null;
    const end = this.base + this.size;
    return spans
      .filter((s) => s.offset + s.length > this.base && s.offset < end)
      .map((s) => {
        const start = Math.max(s.offset, this.base);
        return { offset: start - this.base, length: Math.min(end, s.offset + s.length) - start };
      });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readInto(offset, out);
    return out;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * The best source to scan an opened image with: a raw file or block device is
 * reopened as a ScanFileSource (same bytes, same size); a VMDK's extents stay
 * behind its own source. The caller closes what this returns when it differs
 * from `opened.source`.
 */
export async function scanSourceFor(opened: OpenedImage): Promise<ByteSource> {
  if ((opened.kind === 'raw' || opened.kind === 'block-device') && opened.dataFiles.length === 1) {
    return ScanFileSource.open(opened.dataFiles[0]!, { size: opened.source.size });
  }
  return opened.source;
}
