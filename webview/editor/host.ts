// The editor's line to the host: messages out, request ids, the reads in flight,
// and the byte cache those reads fill.
import type { FromWebview } from '../../src/shared/protocol';
import { MAX_READ_LENGTH } from '../../src/shared/protocol';
import { ByteCache, CHUNK_SIZE } from '../byteCache';

export interface VsCodeApi {
  postMessage(message: FromWebview): void;
}

export class HostChannel {
  private nextRequestId = 1;
  /** Reads in flight: request id to chunk offset, to forget a chunk whose read failed. */
  private readonly pendingReads = new Map<number, number>();
  private cache: ByteCache | null = null;

  constructor(private readonly api: VsCodeApi) {}

  post(message: FromWebview): void {
    this.api.postMessage(message);
  }

  requestId(): number {
    return this.nextRequestId++;
  }

  /** A new byte cache (the bytes may have changed) primed with the image's first bytes. */
  freshCache(size: number, headData: Uint8Array): ByteCache {
    this.pendingReads.clear();
    const cache = new ByteCache(size, (offset, length) => {
      const requestId = this.requestId();
      this.pendingReads.set(requestId, offset);
      this.post({ type: 'readRange', requestId, offset, length: Math.min(length, MAX_READ_LENGTH) });
    });
    const head = headData instanceof Uint8Array ? headData : new Uint8Array(headData as ArrayLike<number>);
    for (let offset = 0; offset < head.length; offset += CHUNK_SIZE) {
      // Whole chunks only, unless it is the image's last (short) chunk.
      const end = Math.min(head.length, offset + CHUNK_SIZE);
      if (end - offset === CHUNK_SIZE || end === size) cache.put(offset, head.slice(offset, end));
    }
    this.cache = cache;
    return cache;
  }

  /** Bytes the host sent for a read. */
  bytesArrived(requestId: number, offset: number, data: Uint8Array | ArrayLike<number>): void {
    this.pendingReads.delete(requestId);
    this.cache?.put(offset, data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  /** A failed request: a failed read's chunk is forgotten so a later render retries it. */
  failed(requestId: number): void {
    const offset = this.pendingReads.get(requestId);
    this.pendingReads.delete(requestId);
    if (offset !== undefined) this.cache?.failed(offset);
  }
}
