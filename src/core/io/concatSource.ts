import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';

/** Several sources read as one (the extents of a split flat VMDK). */
export class ConcatSource implements ByteSource {
  readonly size: number;
  readonly readOnlyHint: boolean;
  private readonly starts: number[] = [];

  constructor(
    readonly name: string,
    private readonly parts: ByteSource[],
  ) {
    let at = 0;
    for (const part of parts) {
      this.starts.push(at);
      at += part.size;
    }
    this.size = at;
    this.readOnlyHint = parts.some((p) => p.readOnlyHint);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    const out = new Uint8Array(length);
    let done = 0;
    let index = this.starts.findLastIndex((start) => start <= offset);
    while (done < length) {
      const part = this.parts[index]!;
      const inPart = offset + done - this.starts[index]!;
      const take = Math.min(length - done, part.size - inPart);
      out.set(await part.read(inPart, take), done);
      done += take;
      index++;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.close()));
  }
}
