// A read that fails while the scan reads the image front to back ends the scan
// with one line saying where and why (a ScanReadError, which the CLI prints as
// `diskx: IMAGE: ...` and exit 2), never a hang or an "internal error": the
// reader thread's file shrinking under it (truncated once the scan has planned
// its reads) or failing to read at all, and a byte source that fails with EIO on
// the asynchronous and the synchronous paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { FileSource } from '../../src/core/io/fileSource';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { MemorySource } from '../../src/core/io/memorySource';
import { scanImage } from '../../src/core/scan/scanner';
import { sweepInWorker } from '../../src/core/scan/sweepWorker';
import { describeError, DiskxError, ScanReadError } from '../../src/core/errors';
import type { ByteSource } from '../../src/core/io/byteSource';
import { SCAN_CHUNK_BYTES, SCAN_SYNC_CHUNK_BYTES } from '../../src/core/limits';

const dir = tempDir('diskx-read-error-');
const MiB = 1024 * 1024;

/** Checks that `error` is the scan's one-line read error at `offset` whose reason matches `reason`. */
function assertReadError(error: unknown, offset: number, reason: RegExp): true {
  assert.ok(error instanceof ScanReadError, `a ScanReadError, not ${String(error)}`);
  assert.ok(error instanceof DiskxError, 'the CLI prints it as one line, exit 2');
  const line = describeError(error);
  assert.equal(line, error.message);
  assert.doesNotMatch(line, /\n|internal error|DISKX_DEBUG/);
  assert.ok(line.startsWith(`the scan could not read the image at byte ${offset} (0x${offset.toString(16)}): `), line);
  assert.match(line.slice(line.indexOf('): ') + 3), reason);
  return true;
}

/** A file of `bytes` bytes of data (no holes, so every byte is read). */
function dataFile(name: string, bytes: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.alloc(bytes, 0x5a));
  return file;
}

test('the reader thread: the file truncated after the scan planned its reads ends the scan with one line, no hang', async () => {
  const file = dataFile('shrinks.img', 16 * MiB);
  const source = await FileSource.open(file);
  const bulk = await ScanFileSource.open(file);
  assert.equal(typeof bulk.fileRegion, 'function', 'a file is read by the reader thread');
  let truncated = false;
  try {
    await assert.rejects(
      scanImage(source, bulk, {
        sectorSize: 512,
        // The first progress report comes once the reads are planned and before the reader starts.
        onProgress: () => {
          if (truncated) return;
          truncated = true;
          fs.truncateSync(file, MiB);
        },
      }),
      (error) => assertReadError(error, MiB, /^the file ends there: it shrank during the scan \(1048576 bytes now\)$/),
    );
    assert.ok(truncated);
  } finally {
    await bulk.close();
    await source.close();
  }
});

test('the reader thread: a read the operating system refuses (EISDIR) ends the sweep with its reason', async () => {
  await assert.rejects(
    sweepInWorker(dir, 0, [{ offset: 0, length: MiB }], () => undefined, undefined, undefined),
    (error) => assertReadError(error, 0, /^EISDIR: illegal operation on a directory, read$/),
  );
});

/** A source over `bytes` whose reads from `failAt` on fail with EIO; with `sync`, also through readIntoSync. */
function failingSource(bytes: Uint8Array, failAt: number, sync: boolean): ByteSource {
  const memory = new MemorySource(bytes, 'failing');
  const eio = (): Error => Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
  const source: ByteSource & { readIntoSync?: (offset: number, target: Uint8Array) => void } = {
    name: 'failing',
    size: bytes.length,
    read: async (offset, length) => {
      if (offset + length > failAt) throw eio();
      return memory.read(offset, length);
    },
    close: async () => {},
  };
  if (sync)
    source.readIntoSync = (offset, target) => {
      if (offset + target.length > failAt) throw eio();
      target.set(bytes.subarray(offset, offset + target.length));
    };
  return source;
}

for (const sync of [false, true]) {
  test(`a byte source that fails with EIO mid-scan (${sync ? 'synchronous' : 'asynchronous'} reads): one line with the offset`, async () => {
    const bytes = new Uint8Array(24 * MiB).fill(0x5a);
    const failAt = 10 * MiB + 4096;
    const bulk = failingSource(bytes, failAt, sync);
    // The first chunk that reaches past failAt fails (1 MiB chunks on the sync path, 4 MiB on the async one).
    const chunk = sync ? SCAN_SYNC_CHUNK_BYTES : SCAN_CHUNK_BYTES;
    await assert.rejects(scanImage(new MemorySource(bytes), bulk, { sectorSize: 512 }), (error) =>
      assertReadError(error, Math.floor(failAt / chunk) * chunk, /^input\/output error while reading$/),
    );
  });
}
