// Byte sources for hostile-input tests: a sparse in-memory disk of any size
// (zeros except for the regions written into it) and a proxy that counts what
// the core reads, so tests can assert that reads and allocations stay bounded.
import type { ByteSource } from '../../src/core/io/byteSource';
import { assertInRange } from '../../src/core/io/byteSource';

/** A disk of `size` bytes that costs only its regions: reads return zeros elsewhere. */
export class SparseMemorySource implements ByteSource {
  constructor(
    readonly size: number,
    private readonly regions: { offset: number; bytes: Uint8Array }[],
    readonly name = 'sparse-memory',
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    const out = new Uint8Array(length);
    for (const region of this.regions) {
      const from = Math.max(offset, region.offset);
      const to = Math.min(offset + length, region.offset + region.bytes.length);
      if (from < to) out.set(region.bytes.subarray(from - region.offset, to - region.offset), from - offset);
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** Wraps a source and counts reads, bytes read, the largest read and the peak of arrayBuffers seen at read time. */
export class CountingSource implements ByteSource {
  reads = 0;
  bytesRead = 0;
  largestRead = 0;
  peakArrayBuffers = 0;
  readonly startArrayBuffers = process.memoryUsage().arrayBuffers;

  constructor(private readonly inner: ByteSource) {}

  get name(): string {
    return this.inner.name;
  }
  get size(): number {
    return this.inner.size;
  }
  get reportedSectorSize(): number | undefined {
    return this.inner.reportedSectorSize;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    this.bytesRead += length;
    this.largestRead = Math.max(this.largestRead, length);
    const bytes = await this.inner.read(offset, length);
    this.peakArrayBuffers = Math.max(this.peakArrayBuffers, process.memoryUsage().arrayBuffers);
    return bytes;
  }

  /** Growth of arrayBuffers over the start, at the worst read seen so far (or now). */
  get arrayBufferGrowth(): number {
    return Math.max(this.peakArrayBuffers, process.memoryUsage().arrayBuffers) - this.startArrayBuffers;
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}
