// The editor's line to the host: messages out, the requests in flight (ids from
// the protocol's PendingRequests), and the byte cache the reads fill.
import { PendingRequests } from '../../src/shared/protocol/common';
import type { FromWebview } from '../../src/shared/protocol/editor';
import { MAX_READ_LENGTH } from '../../src/shared/protocol/editor';
import { ByteCache, CHUNK_SIZE } from '../byteCache';

export interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** What a request in flight was about: a chunk read (to forget the chunk when it fails) or a CRC. */
type Request = { kind: 'read'; offset: number } | { kind: 'crc' };

export class HostChannel {
  private readonly requests = new PendingRequests<Request>();
  private cache: ByteCache | null = null;

  constructor(private readonly api: VsCodeApi) {}

  post(message: FromWebview): void {
    this.api.postMessage(message);
  }

  /** Asks the host for the CRC-32 of a range; returns the request's id (its reply carries it). */
  requestCrc(offset: number, length: number): number {
    const requestId = this.requests.issue({ kind: 'crc' });
    this.post({ type: 'crcRange', requestId, offset, length });
    return requestId;
  }

  /** A CRC reply arrived: its request is settled. */
  crcArrived(requestId: number): void {
    this.requests.settle(requestId);
  }

  /** A new byte cache (the bytes may have changed) primed with the image's first bytes. */
  freshCache(size: number, headData: Uint8Array): ByteCache {
    this.requests.clear();
    const cache = new ByteCache(size, (offset, length) => {
      const requestId = this.requests.issue({ kind: 'read', offset });
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
    this.requests.settle(requestId);
    this.cache?.put(offset, data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  /** A failed request: a failed read's chunk is forgotten so a later render retries it. */
  failed(requestId: number): void {
    const request = this.requests.settle(requestId);
    if (request?.kind === 'read') this.cache?.failed(request.offset);
  }
}
