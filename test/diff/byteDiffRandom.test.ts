// The fast path against `cmp -l` on seeded random cases: differences placed on
// and around chunk and block boundaries (of the default 1 MiB chunk and of small
// chunks), the first and the last byte, images of different lengths, and sparse
// images whose data islands sit on one side only (holes skipped where the file
// system tells). Every case must list exactly cmp's bytes, in maximal runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { byteDiff, DEFAULT_CHUNK_SIZE } from '../../src/core/diff/byteDiff';
import type { ByteRange } from '../../src/core/diff/byteDiff';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { tempDir } from '../builders/images';
import { prng, sparseFile, writeAt } from '../builders/oracles';
import { rangeOffsets } from '../builders/cmpOracle';

const dir = tempDir('diskx-diff-random-');
const MiB = 1024 * 1024;

function cmpList(fileA: string, fileB: string): { offsets: number[]; eofOn: string | null } {
  const result = spawnSync('cmp', ['-l', fileA, fileB], { encoding: 'utf8', maxBuffer: 64 * MiB });
  assert.ok(result.status === 0 || result.status === 1, `cmp failed: ${result.stderr}`);
  const offsets = result.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => Number(line.trim().split(/\s+/)[0]) - 1);
  const eof = /EOF on (\S+)/.exec(result.stderr);
  return { offsets, eofOn: eof ? eof[1]! : null };
}

function assertMaximal(ranges: ByteRange[]): void {
  for (let i = 0; i + 1 < ranges.length; i++) assert.ok(ranges[i]!.offset + ranges[i]!.length < ranges[i + 1]!.offset, `ranges ${i} and ${i + 1} touch`);
}

async function diff(fileA: string, fileB: string, chunkSize?: number) {
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    return await byteDiff(a, b, { ...(chunkSize ? { chunkSize } : {}), maxRanges: 1_000_000 });
  } finally {
    await a.close();
    await b.close();
  }
}

/** Offsets on and next to multiples of `step` below `size`: step*k + d for d in -2..2. */
function aroundBoundaries(step: number, size: number, random: () => number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const k = 1 + Math.floor(random() * Math.max(1, Math.floor(size / step) - 1));
    const at = k * step + Math.floor(random() * 5) - 2;
    if (at >= 0 && at < size) out.push(at);
  }
  return out;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`seed ${seed}: random differences at chunk and block boundaries, first and last byte, different lengths: cmp -l's bytes`, async () => {
    const random = prng(0x19_00 + seed);
    const sizeA = DEFAULT_CHUNK_SIZE * 2 + Math.floor(random() * DEFAULT_CHUNK_SIZE);
    // Half the seeds compare images of different lengths (either one longer).
    const sizeB = seed % 2 === 0 ? sizeA : seed % 3 === 0 ? sizeA - 1 - Math.floor(random() * 70_000) : sizeA + 1 + Math.floor(random() * 70_000);
    const a = Buffer.alloc(sizeA);
    for (let i = 0; i < sizeA; i++) a[i] = Math.floor(random() * 256);
    const b = Buffer.alloc(sizeB);
    a.copy(b, 0, 0, Math.min(sizeA, sizeB));
    for (let i = sizeA; i < sizeB; i++) b[i] = Math.floor(random() * 256);
    const common = Math.min(sizeA, sizeB);
    const flipAt = (at: number, length = 1): void => {
      for (let i = at; i < Math.min(common, at + length); i++) b[i] = b[i]! ^ (1 + Math.floor(random() * 255));
    };
    flipAt(0);
    flipAt(common - 1);
    for (const at of aroundBoundaries(DEFAULT_CHUNK_SIZE, common, random, 6)) flipAt(at, 1 + Math.floor(random() * 3));
    for (const at of aroundBoundaries(65536, common, random, 10)) flipAt(at);
    for (const at of aroundBoundaries(512, common, random, 20)) flipAt(at, 1 + Math.floor(random() * 600)); // runs across blocks
    for (let i = 0; i < 30; i++) flipAt(Math.floor(random() * common));
    const fileA = path.join(dir, `s${seed}-a.bin`);
    const fileB = path.join(dir, `s${seed}-b.bin`);
    fs.writeFileSync(fileA, a);
    fs.writeFileSync(fileB, b);

    const expected = cmpList(fileA, fileB);
    for (const chunkSize of [undefined, 65536, 4096 + 3]) {
      const result = await diff(fileA, fileB, chunkSize);
      const label = `chunk ${chunkSize ?? 'default'}`;
      assert.deepEqual(rangeOffsets(result.ranges), expected.offsets, label);
      assertMaximal(result.ranges);
      assert.equal(result.comparedBytes, common);
      assert.deepEqual(result.tail, sizeA === sizeB ? null : { offset: common, length: Math.abs(sizeA - sizeB), in: sizeA > sizeB ? 'a' : 'b' }, label);
      assert.equal(expected.eofOn, sizeA === sizeB ? null : sizeA > sizeB ? fileB : fileA);
    }
  });
}

for (const seed of [7, 8, 9]) {
  test(`seed ${seed}: sparse images with random data islands on one side only or both, across chunk boundaries: cmp -l's bytes`, async () => {
    const random = prng(0x19_00 + seed);
    const size = 24 * MiB + Math.floor(random() * MiB);
    const fileA = sparseFile(path.join(dir, `h${seed}-a.img`), size);
    const fileB = sparseFile(path.join(dir, `h${seed}-b.img`), size);
    const island = (file: string, offset: number, length: number): void => {
      const bytes = new Uint8Array(Math.min(length, size - offset));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      writeAt(file, offset, bytes);
    };
    for (let i = 0; i < 12; i++) {
      const at = aroundBoundaries(MiB, size, random, 1)[0] ?? Math.floor(random() * size);
      const side = random();
      // An island only in A, only in B (the other side is a hole: zeros), or in both (random: differing).
      if (side < 0.4) island(fileA, at, 1 + Math.floor(random() * 9000));
      else if (side < 0.8) island(fileB, at, 1 + Math.floor(random() * 9000));
      else {
        island(fileA, at, 300);
        island(fileB, at, 300);
      }
    }
    island(fileA, 0, 1);
    island(fileB, size - 1, 1);
    const expected = cmpList(fileA, fileB);
    assert.ok(expected.offsets.length > 0);
    for (const chunkSize of [undefined, 65536]) {
      const result = await diff(fileA, fileB, chunkSize);
      assert.deepEqual(rangeOffsets(result.ranges), expected.offsets, `chunk ${chunkSize ?? 'default'}`);
      assertMaximal(result.ranges);
      assert.equal(result.scannedBytes, size);
    }
  });
}
