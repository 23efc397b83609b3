// The webview's small cache of image bytes: fixed-size chunks fetched from the
// host on demand (never more than the rows on screen plus a little), evicted
// least recently used. Pure: the transport is injected.

export const CHUNK_SIZE = 4096;
export const MAX_CHUNKS = 256; // 1 MiB

export type RequestChunk = (offset: number, length: number) => void;

export class ByteCache {
  private readonly chunks = new Map<number, Uint8Array>();
  private readonly pending = new Set<number>();

  constructor(
    private readonly size: number,
    private readonly request: RequestChunk,
    private readonly maxChunks = MAX_CHUNKS,
  ) {}

  /** The byte at `offset`, or undefined while its chunk is on its way (it is then requested). */
  byte(offset: number): number | undefined {
    const chunk = this.chunk(Math.floor(offset / CHUNK_SIZE));
    return chunk?.[offset % CHUNK_SIZE];
  }

  /** Bytes [offset, offset+length) if all are cached; requests the missing chunks and returns null otherwise. */
  range(offset: number, length: number): Uint8Array | null {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    let complete = true;
    for (let index = Math.floor(offset / CHUNK_SIZE); index * CHUNK_SIZE < end; index++) {
      const chunk = this.chunk(index);
      if (!chunk) {
        complete = false;
        continue;
      }
      const base = index * CHUNK_SIZE;
      const from = Math.max(offset, base);
      const to = Math.min(end, base + chunk.length);
      out.set(chunk.subarray(from - base, to - base), from - offset);
    }
    return complete ? out : null;
  }

  /** True when every chunk of the range is cached. */
  has(offset: number, length: number): boolean {
    const end = Math.min(this.size, offset + length);
    for (let index = Math.floor(offset / CHUNK_SIZE); index * CHUNK_SIZE < end; index++) if (!this.chunks.has(index)) return false;
    return true;
  }

  /** Requests the chunks of a range without waiting (prefetch). */
  want(offset: number, length: number): void {
    const end = Math.min(this.size, offset + length);
    for (let index = Math.floor(Math.max(0, offset) / CHUNK_SIZE); index * CHUNK_SIZE < end; index++) this.chunk(index);
  }

  /** Stores bytes the host sent (whole chunks, as requested). */
  put(offset: number, data: Uint8Array): void {
    const index = Math.floor(offset / CHUNK_SIZE);
    this.pending.delete(index);
    this.chunks.delete(index);
    this.chunks.set(index, data);
    while (this.chunks.size > this.maxChunks) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
    }
  }

  /** Shows bytes typed over the cached ones at once (the host's update then replaces the whole cache). */
  overwrite(offset: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const chunk = this.chunks.get(Math.floor((offset + i) / CHUNK_SIZE));
      if (chunk) chunk[(offset + i) % CHUNK_SIZE] = data[i]!;
    }
  }

  /** Forgets a failed request so it can be retried. */
  failed(offset: number): void {
    this.pending.delete(Math.floor(offset / CHUNK_SIZE));
  }

  get cachedChunks(): number {
    return this.chunks.size;
  }

  private chunk(index: number): Uint8Array | undefined {
    const hit = this.chunks.get(index);
    if (hit) {
      // refresh LRU order
      this.chunks.delete(index);
      this.chunks.set(index, hit);
      return hit;
    }
    const offset = index * CHUNK_SIZE;
    if (!this.pending.has(index) && offset < this.size) {
      this.pending.add(index);
      this.request(offset, Math.min(CHUNK_SIZE, this.size - offset));
    }
    return undefined;
  }
}
