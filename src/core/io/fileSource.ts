// Positional reads from a file or block device with a small LRU page cache.
// Only the pages a read touches are ever loaded: never the whole image.
import { promises as fsp } from 'node:fs';
import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';
import { TruncatedError } from '../errors';

/** Bytes per cache page; a GPT header plus a 16 KiB array fits in one or two. */
export const PAGE_SIZE = 64 * 1024;
/** Pages kept; bounds the cache at 4 MiB. */
export const PAGE_CACHE_PAGES = 64;

/** Reads a region (`base`, `size`) of an open file handle through a page cache. */
export class FileSource implements ByteSource {
  private readonly pages = new Map<number, Uint8Array>();
  /** Number of reads that went to the operating system (for tests and benchmarks). */
  diskReads = 0;

  constructor(
    private readonly handle: fsp.FileHandle,
    readonly name: string,
    readonly size: number,
    private readonly base = 0,
    readonly reportedSectorSize?: number,
    readonly readOnlyHint?: boolean,
  ) {}

  /** Opens `path` read-only; `size` and `base` select a region (a VMDK flat extent). */
  static async open(path: string, options: { size?: number; base?: number; reportedSectorSize?: number; readOnlyHint?: boolean } = {}): Promise<FileSource> {
    const handle = await fsp.open(path, 'r');
    try {
      const size = options.size ?? (await handle.stat()).size;
      return new FileSource(handle, path, size, options.base ?? 0, options.reportedSectorSize, options.readOnlyHint);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const pageIndex = Math.floor(at / PAGE_SIZE);
      const page = await this.page(pageIndex);
      const inPage = at - pageIndex * PAGE_SIZE;
      const take = Math.min(length - done, page.length - inPage);
      out.set(page.subarray(inPage, inPage + take), done);
      done += take;
    }
    return out;
  }

  private async page(index: number): Promise<Uint8Array> {
    const cached = this.pages.get(index);
    if (cached) {
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const start = index * PAGE_SIZE;
    const length = Math.min(PAGE_SIZE, this.size - start);
    const page = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      this.diskReads++;
      const { bytesRead } = await this.handle.read(page, filled, length - filled, this.base + start + filled);
      if (bytesRead === 0) throw new TruncatedError(start + filled, length - filled, 0); // the file shrank under us
      filled += bytesRead;
    }
    this.pages.set(index, page);
    if (this.pages.size > PAGE_CACHE_PAGES) this.pages.delete(this.pages.keys().next().value!);
    return page;
  }

  /** Forgets cached pages (after the file was written). */
  invalidate(): void {
    this.pages.clear();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
