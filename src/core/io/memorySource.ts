import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';

/** A byte source over a buffer in memory (tests, small images). */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'memory',
  ) {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    return this.bytes.slice(offset, offset + length);
  }
  async close(): Promise<void> {}
}
