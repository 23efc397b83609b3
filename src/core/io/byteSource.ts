// The one interface every read goes through: a size and positional reads.
import { TruncatedError } from '../errors';

/** Something with a size that can be read at any offset (a file, a device, memory). */
export interface ByteSource {
  /** What the source is, for messages (a path, "memory"). */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** Logical block size the source reports itself (block devices), if any. */
  readonly reportedSectorSize?: number;
  /** True when the source can never be written through this program (devices, read-only files). */
  readonly readOnlyHint?: boolean;
  /** Reads exactly `length` bytes at `offset`; throws TruncatedError past the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file handle, if any. */
  close(): Promise<void>;
}

/** Throws TruncatedError unless [offset, offset+length) lies inside a source of `size` bytes. */
export function assertInRange(offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new TruncatedError(offset, length, Math.max(0, size - Math.max(0, offset)));
  }
}

/** Reads the range if it lies inside the source, or returns null. */
export async function readIfPresent(source: ByteSource, offset: number, length: number): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > source.size) return null;
  return source.read(offset, length);
}
