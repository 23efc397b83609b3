// The reader thread's hand-over: while the worker starts, the main thread reads
// the first chunks itself, then the worker reads the rest. Whichever way the
// race goes, every chunk must reach the search exactly once, in order, with the
// file's own bytes (a chunk read twice or skipped at the hand-over would hide a
// volume or report one twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { sweepInWorker } from '../../src/core/scan/sweepWorker';
import { SCAN_SYNC_CHUNK_BYTES } from '../../src/core/limits';

const dir = tempDir('diskx-sweep-worker-');

test('the sweep hands every chunk to the search once, in order, with its bytes (main thread first, then the reader)', async () => {
  const chunks = 24;
  const tail = 1536; // a last, short chunk
  const file = path.join(dir, 'chunks.img');
  const bytes = Buffer.alloc(chunks * SCAN_SYNC_CHUNK_BYTES + tail);
  for (let at = 0; at < bytes.length; at += 512) bytes.writeUInt32LE(at / 512, at); // every block says where it is
  fs.writeFileSync(file, bytes);
  const base = 4096; // a region starting inside the file
  const spans = [
    { offset: 0, length: 5 * SCAN_SYNC_CHUNK_BYTES + 512 },
    { offset: 8 * SCAN_SYNC_CHUNK_BYTES, length: bytes.length - base - 8 * SCAN_SYNC_CHUNK_BYTES },
  ];
  const expected: number[] = [];
  for (const span of spans) for (let at = span.offset; at < span.offset + span.length; at += SCAN_SYNC_CHUNK_BYTES) expected.push(at);
  // Several sweeps: the point of the hand-over differs from run to run.
  for (let run = 0; run < 6; run++) {
    const seen: number[] = [];
    const total = await sweepInWorker(
      file,
      base,
      spans,
      (chunk, offset) => {
        seen.push(offset);
        const span = spans.find((s) => offset >= s.offset && offset < s.offset + s.length)!;
        assert.equal(chunk.length, Math.min(SCAN_SYNC_CHUNK_BYTES, span.offset + span.length - offset));
        assert.ok(Buffer.from(chunk).equals(bytes.subarray(base + offset, base + offset + chunk.length)), `the bytes at ${offset}`);
      },
      undefined,
      undefined,
    );
    assert.deepEqual(seen, expected);
    assert.equal(total, spans[0]!.length + spans[1]!.length);
  }
});
