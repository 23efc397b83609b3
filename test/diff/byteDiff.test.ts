// Byte diff: exactly the bytes `cmp -l` lists, on small images with several
// patterns and sizes, over every kind of source; the range cap, progress,
// cancellation, and bounded memory on a 4 GiB sparse pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { byteDiff } from '../../src/core/diff/byteDiff';
import type { ByteDiffResult } from '../../src/core/diff/byteDiff';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { FileSource } from '../../src/core/io/fileSource';
import { MemorySource } from '../../src/core/io/memorySource';
import type { ByteSource } from '../../src/core/io/byteSource';
import { tempDir } from '../builders/images';
import { prng, sparseFile, writeAt } from '../builders/oracles';
import { rangeOffsets } from '../builders/cmpOracle';

const dir = tempDir('diskx-diff-bytes-');
const MiB = 1024 * 1024;

/** What `cmp -l` says: 0-based offsets of differing bytes, and which file hit EOF first (if any). */
function cmpList(fileA: string, fileB: string): { offsets: number[]; eofOn: string | null } {
  const result = spawnSync('cmp', ['-l', fileA, fileB], { encoding: 'utf8', maxBuffer: 256 * MiB });
  assert.ok(result.status === 0 || result.status === 1, `cmp failed: ${result.stderr}`);
  const offsets = result.stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => Number(line.trim().split(/\s+/)[0]) - 1); // cmp counts bytes from 1
  const eof = /EOF on (\S+)/.exec(result.stderr);
  return { offsets, eofOn: eof ? eof[1]! : null };
}

function assertMaximalRuns(result: ByteDiffResult): void {
  for (let i = 0; i < result.ranges.length; i++) {
    const r = result.ranges[i]!;
    assert.ok(r.length > 0, 'no empty range');
    const next = result.ranges[i + 1];
    if (next) assert.ok(r.offset + r.length < next.offset, `ranges ${i} and ${i + 1} touch or overlap: they should be one`);
  }
  assert.equal(
    result.differingBytes,
    result.ranges.reduce((n, r) => n + r.length, 0),
  );
}

/** Writes a pair of files: B is A with `mutate` applied, then resized to sizeB. */
function pair(name: string, sizeA: number, sizeB: number, seed: number, mutate: (b: Buffer, random: () => number) => void): [string, string] {
  const random = prng(seed);
  const a = Buffer.alloc(sizeA);
  for (let i = 0; i < sizeA; i++) a[i] = Math.floor(random() * 256);
  const b = Buffer.alloc(sizeB);
  a.copy(b, 0, 0, Math.min(sizeA, sizeB));
  for (let i = sizeA; i < sizeB; i++) b[i] = Math.floor(random() * 256);
  mutate(b.subarray(0, Math.min(sizeA, sizeB)), random);
  const fileA = path.join(dir, `${name}-a.bin`);
  const fileB = path.join(dir, `${name}-b.bin`);
  fs.writeFileSync(fileA, a);
  fs.writeFileSync(fileB, b);
  return [fileA, fileB];
}

const flip = (b: Buffer, at: number): void => void (b[at] = b[at]! ^ 0x5a);

const PATTERNS: { name: string; sizeA: number; sizeB: number; mutate: (b: Buffer, random: () => number) => void }[] = [
  { name: 'identical', sizeA: MiB + 17, sizeB: MiB + 17, mutate: () => {} },
  {
    name: 'scattered',
    sizeA: 3 * MiB + 5,
    sizeB: 3 * MiB + 5,
    mutate: (b, random) => {
      for (let k = 0; k < 200; k++) flip(b, Math.floor(random() * b.length));
    },
  },
  {
    name: 'edges-and-boundaries',
    sizeA: 2 * MiB + 1000,
    sizeB: 2 * MiB + 1000,
    mutate: (b) => {
      for (const at of [0, 511, 512, 999, 1000, 4095, 4096, MiB - 1, MiB, 2 * MiB - 3, 2 * MiB - 2, 2 * MiB - 1, 2 * MiB, b.length - 1]) flip(b, at);
      for (let at = 65536 - 700; at < 65536 + 700; at++) flip(b, at); // a run across chunk and block boundaries
    },
  },
  {
    name: 'dense-random',
    sizeA: MiB,
    sizeB: MiB,
    mutate: (b, random) => {
      // A region rewritten with random bytes: about 1 in 256 bytes still equal by chance.
      for (let at = 100_000; at < 400_000; at++) b[at] = Math.floor(random() * 256);
    },
  },
  {
    name: 'b-longer',
    sizeA: MiB + 300,
    sizeB: MiB + 300 + 4096,
    mutate: (b) => {
      flip(b, 77);
      flip(b, b.length - 1);
    },
  },
  {
    name: 'a-longer',
    sizeA: 2 * MiB + 1,
    sizeB: MiB + 3,
    mutate: (b, random) => {
      for (let k = 0; k < 30; k++) flip(b, Math.floor(random() * b.length));
    },
  },
];

const SOURCES: { name: string; open: (file: string) => Promise<ByteSource> }[] = [
  { name: 'ScanFileSource', open: (file) => ScanFileSource.open(file) },
  { name: 'FileSource (page cache)', open: (file) => FileSource.open(file) },
  { name: 'MemorySource', open: async (file) => new MemorySource(fs.readFileSync(file), file) },
];

for (const [index, pattern] of PATTERNS.entries()) {
  test(`agrees with cmp -l: ${pattern.name} (${pattern.sizeA} vs ${pattern.sizeB} bytes)`, async () => {
    const [fileA, fileB] = pair(pattern.name, pattern.sizeA, pattern.sizeB, 1000 + index, pattern.mutate);
    const expected = cmpList(fileA, fileB);
    if (pattern.name !== 'identical') assert.ok(expected.offsets.length > 0, 'the pattern makes differences');
    for (const source of SOURCES) {
      for (const chunkSize of [1000, 65536, undefined]) {
        const a = await source.open(fileA);
        const b = await source.open(fileB);
        try {
          const result = await byteDiff(a, b, { chunkSize, maxRanges: 1_000_000 });
          const label = `${source.name}, chunk ${chunkSize ?? 'default'}`;
          assert.deepEqual(rangeOffsets(result.ranges), expected.offsets, label);
          assertMaximalRuns(result);
          assert.equal(result.truncated, false);
          assert.equal(result.comparedBytes, Math.min(pattern.sizeA, pattern.sizeB));
          assert.equal(result.scannedBytes, result.comparedBytes);
          if (pattern.sizeA === pattern.sizeB) {
            assert.equal(result.tail, null);
            assert.equal(expected.eofOn, null);
          } else {
            const longer = pattern.sizeA > pattern.sizeB ? 'a' : 'b';
            assert.deepEqual(
              result.tail,
              { offset: Math.min(pattern.sizeA, pattern.sizeB), length: Math.abs(pattern.sizeA - pattern.sizeB), in: longer },
              label,
            );
            assert.equal(expected.eofOn, longer === 'a' ? fileB : fileA, 'cmp hit EOF on the shorter file');
          }
          assert.equal(result.identical, expected.offsets.length === 0 && expected.eofOn === null);
        } finally {
          await a.close();
          await b.close();
        }
      }
    }
  });
}

test('the range cap stops the scan with truncated: true at the first range beyond it', async () => {
  const [fileA, fileB] = pair('capped', MiB, MiB, 7, (b) => {
    for (let k = 0; k < 10; k++) flip(b, 1000 + k * 50_000);
  });
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    const result = await byteDiff(a, b, { maxRanges: 5, chunkSize: 65536 });
    assert.deepEqual(
      result.ranges,
      [0, 1, 2, 3, 4].map((k) => ({ offset: 1000 + k * 50_000, length: 1 })),
    );
    assert.equal(result.truncated, true);
    assert.equal(result.scannedBytes, 1000 + 5 * 50_000);
    assert.equal(result.identical, false);
    const all = await byteDiff(a, b, { maxRanges: 10 });
    assert.equal(all.truncated, false);
    assert.equal(all.ranges.length, 10);
  } finally {
    await a.close();
    await b.close();
  }
});

test('progress: monotonic, from 0 to the compared size', async () => {
  const [fileA, fileB] = pair('progress', 5 * 65536 + 11, 5 * 65536 + 11, 9, (b) => flip(b, 3));
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  const calls: [number, number][] = [];
  try {
    await byteDiff(a, b, { chunkSize: 65536, onProgress: (done, total) => calls.push([done, total]) });
  } finally {
    await a.close();
    await b.close();
  }
  assert.deepEqual(
    calls.map((c) => c[0]),
    [0, 65536, 131072, 196608, 262144, 327680, 327691],
  );
  assert.ok(calls.every((c) => c[1] === 327691));
});

test('cancellation: aborting mid-scan rejects with AbortError and stops reading', async () => {
  const [fileA, fileB] = pair('cancel', 4 * MiB, 4 * MiB, 11, () => {});
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  const controller = new AbortController();
  const seen: number[] = [];
  try {
    await assert.rejects(
      byteDiff(a, b, {
        chunkSize: 65536,
        readAhead: 2,
        signal: controller.signal,
        onProgress: (done) => {
          seen.push(done);
          if (done >= 3 * 65536) controller.abort();
        },
      }),
      (error: Error) => error.name === 'AbortError',
    );
    assert.deepEqual(seen, [0, 65536, 131072, 196608]);
    // Chunks 0..2 compared, 3 and 4 already in flight when it aborted; none started after (of 64).
    assert.equal(a.diskReads, 5);
    // Already aborted: rejects before reading anything.
    const before = a.diskReads;
    await assert.rejects(byteDiff(a, b, { signal: AbortSignal.abort() }), (error: Error) => error.name === 'AbortError');
    assert.equal(a.diskReads, before);
  } finally {
    await a.close();
    await b.close();
  }
});

test('bounded memory: 4 GiB sparse pair with a few differences, RSS grows less than 64 MiB', async () => {
  const size = 4 * 1024 * MiB;
  const fileA = sparseFile(path.join(dir, 'big-a.img'), size);
  const fileB = sparseFile(path.join(dir, 'big-b.img'), size);
  const edits = [
    { offset: 512, bytes: Buffer.from('EFI PART') },
    { offset: 2 * MiB - 2, bytes: Buffer.from([1, 2, 3, 4]) }, // across a chunk boundary
    { offset: 3_000_000_001, bytes: Buffer.from([0xff]) },
    { offset: size - 1, bytes: Buffer.from([0x55]) },
  ];
  for (const edit of edits) writeAt(fileB, edit.offset, edit.bytes);
  writeAt(fileA, 1_000_000, Buffer.from([7, 7])); // A differs where B is a hole
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    // Every byte read (holes not skipped), so the buffers really stream 2 x 4 GiB.
    const result = await byteDiff(a, b, { skipHoles: false, onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(result.skippedBytes, 0);
    assert.deepEqual(result.ranges, [
      { offset: 512, length: 8 },
      { offset: 1_000_000, length: 2 },
      { offset: 2 * MiB - 2, length: 4 },
      { offset: 3_000_000_001, length: 1 },
      { offset: size - 1, length: 1 },
    ]);
    assert.equal(result.comparedBytes, size);
    assert.equal(result.truncated, false);
  } finally {
    await a.close();
    await b.close();
  }
  const growth = peak - before;
  assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
});
