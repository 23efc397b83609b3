// The byte diff's native helper (dist/native/diskx-cmp) gives exactly the ranges
// `cmp -l` lists and the very result of the JavaScript path: differences at the
// helper's window boundaries and where its threads' windows meet, the first and
// last byte, runs across windows, different lengths, holes on one side only,
// truncation at maxRanges (also past the runs a window keeps), empty files; the
// CLI's --json output is the same either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { byteDiff } from '../../src/core/diff/byteDiff';
import type { ByteDiffOptions, ByteDiffResult, ByteRange } from '../../src/core/diff/byteDiff';
import { NATIVE_DIFF } from '../../src/core/diff/nativeDiff';
import { dataRanges } from '../../src/core/io/dataRanges';
import { tempDir } from '../builders/images';
import { prng, sparseFile, writeAt } from '../builders/oracles';
import { cmpOffsets, rangeOffsets } from '../builders/cmpOracle';
import { withNativeSetup } from './nativeSetup';

const dir = tempDir('diskx-native-diff-');
const KiB = 1024;
const MiB = 1024 * KiB;
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const helperBuilt = process.platform === 'linux' && fs.existsSync(NATIVE_DIFF.helper);
const skip = helperBuilt ? false : 'the native helper is not built here (no C compiler, or not Linux)';

test(
  'in CI on Linux the native helper is built (so its tests cannot silently skip)',
  { skip: process.env.CI !== 'true' || process.platform !== 'linux' },
  () => {
    assert.ok(helperBuilt, `${NATIVE_DIFF.helper} is missing: esbuild.mjs could not compile native/diskx-cmp.c`);
    assert.ok((fs.statSync(NATIVE_DIFF.helper).mode & 0o111) !== 0, 'the helper is executable');
  },
);

/** Runs byteDiff on two files with the helper set up as `setup` says; counts the helpers started. */
async function diffFiles(fileA: string, fileB: string, options: ByteDiffOptions, setup: Partial<typeof NATIVE_DIFF> = {}) {
  const progress: number[] = [];
  const { value, pids } = await withNativeSetup(fileA, fileB, setup, async (a, b) => {
    const result = await byteDiff(a, b, { ...options, onProgress: (done) => progress.push(done) });
    return { result, reads: a.diskReads + b.diskReads };
  });
  return { ...value, pids, progress };
}

/** Native (several window sizes and thread counts) == JavaScript == cmp -l. */
async function assertSame(fileA: string, fileB: string, options: ByteDiffOptions = {}, windows = [4 * KiB, 64 * KiB, 8 * MiB]): Promise<ByteDiffResult> {
  const js = await diffFiles(fileA, fileB, { ...options, native: false });
  assert.equal(js.pids.length, 0);
  for (const windowBytes of windows)
    for (const threads of [1, 2, 3]) {
      const native = await diffFiles(fileA, fileB, options, { windowBytes, threads });
      assert.equal(native.pids.length, 1, 'the helper ran');
      assert.equal(native.reads, 0, 'nothing was read through the JavaScript path');
      assert.deepEqual(native.result, js.result, `window ${windowBytes}, ${threads} threads`);
      assert.ok(native.progress.every((done, i) => i === 0 || done >= native.progress[i - 1]!));
      if (!js.result.truncated) assert.equal(native.progress.at(-1), js.result.comparedBytes);
    }
  return js.result;
}

function randomFile(file: string, size: number, seed: number): Buffer {
  const random = prng(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  fs.writeFileSync(file, bytes);
  return bytes;
}

test('differences at window boundaries, where threads meet, first and last byte, runs across windows: cmp -l, same as JS', { skip }, async () => {
  const size = 3 * MiB + 123;
  const a = path.join(dir, 'bounds-a.img');
  const b = path.join(dir, 'bounds-b.img');
  const bytes = randomFile(a, size, 7);
  const random = prng(8);
  const offsets = [0, 1, size - 1, size - 2];
  for (const w of [4 * KiB, 64 * KiB, MiB]) for (let k = 1; k * w < size; k += k < 4 ? 1 : 7) offsets.push(k * w - 1, k * w, k * w + 1);
  for (let i = 0; i < 300; i++) offsets.push(Math.floor(random() * size));
  for (const o of offsets) bytes[o] = bytes[o]! ^ 0x5a;
  // Runs over a 4 KiB / 64 KiB / 1 MiB boundary, and one a whole window long.
  for (const [start, length] of [
    [64 * KiB - 3, 9],
    [MiB - 4100, 8300],
    [2 * MiB - 4 * KiB, 64 * KiB + 1],
  ] as const)
    for (let i = start; i < start + length; i++) bytes[i] = bytes[i]! ^ 0xff;
  fs.writeFileSync(b, bytes);
  const result = await assertSame(a, b);
  assert.deepEqual(rangeOffsets(result.ranges), cmpOffsets(a, b));
  assert.equal(result.ranges[0]!.offset, 0);
  assert.equal(result.ranges.at(-1)!.offset + result.ranges.at(-1)!.length, size);
});

test('different lengths: the bytes both have, then the tail (either side)', { skip }, async () => {
  const a = path.join(dir, 'tail-a.img');
  const b = path.join(dir, 'tail-b.img');
  const shorter = Buffer.from(randomFile(a, MiB + 4097, 9).subarray(0, MiB - 5));
  for (const o of [70_000, MiB - 6]) shorter[o] = shorter[o]! ^ 1;
  fs.writeFileSync(b, shorter);
  const ab = await assertSame(a, b);
  assert.deepEqual(ab.tail, { offset: MiB - 5, length: 4097 + 5, in: 'a' });
  assert.deepEqual(rangeOffsets(ab.ranges), cmpOffsets(a, b));
  const ba = await assertSame(b, a);
  assert.deepEqual(ba.tail, { offset: MiB - 5, length: 4097 + 5, in: 'b' });
});

test('holes on one side only, on both, or neither: cmp -l, the JS path skipping the same holes', { skip }, async () => {
  const size = 24 * MiB;
  const a = sparseFile(path.join(dir, 'holes-a.img'), size);
  const b = sparseFile(path.join(dir, 'holes-b.img'), size);
  const random = prng(11);
  const island = (file: string, offset: number, length: number): void => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = 1 + Math.floor(random() * 255);
    writeAt(file, offset, bytes);
  };
  island(a, 2 * MiB - 10, 20); // only in A: B's hole reads as zeros
  island(b, 7 * MiB, 4096); // only in B
  const same = new Uint8Array(70_000).fill(0x5a);
  writeAt(a, 12 * MiB, same);
  writeAt(b, 12 * MiB, same);
  writeAt(a, 12 * MiB + 3, Uint8Array.of(0x5b)); // both, one byte apart
  writeAt(a, 0, Uint8Array.of(1));
  writeAt(b, size - 1, Uint8Array.of(2));
  const result = await assertSame(a, b, {}, [4 * KiB, 64 * KiB]);
  assert.deepEqual(rangeOffsets(result.ranges), cmpOffsets(a, b));
  if ((await dataRanges(a, size)) !== null && (await dataRanges(b, size)) !== null) assert.ok(result.skippedBytes > 10 * MiB, 'holes were skipped');
  const full = await assertSame(a, b, { skipHoles: false }, [64 * KiB]);
  assert.deepEqual(full.ranges, result.ranges);
  assert.equal(full.skippedBytes, 0);
});

test('maxRanges: the same first ranges, truncated and scannedBytes as JS, also past the 4096 runs a window keeps', { skip }, async () => {
  const size = 2 * MiB;
  const a = path.join(dir, 'many-a.img');
  const b = path.join(dir, 'many-b.img');
  const bytes = randomFile(a, size, 13);
  // 12000 one-byte runs in the first 24000 bytes beyond 300 KiB (one 64 KiB window holds 32768 bytes of them).
  for (let i = 300 * KiB; i < 300 * KiB + 24_000; i += 2) bytes[i] = bytes[i]! ^ 0x80;
  bytes[size - 1] = bytes[size - 1]! ^ 1;
  fs.writeFileSync(b, bytes);
  for (const maxRanges of [1, 2, 4095, 4096, 4097, 11_999, 12_000, 12_001, 12_002]) {
    const result = await assertSame(a, b, { maxRanges }, [64 * KiB, MiB]);
    assert.equal(result.truncated, maxRanges < 12_001, `maxRanges ${maxRanges}`);
    assert.equal(result.ranges.length, Math.min(maxRanges, 12_001));
  }
});

test('empty files and a file shorter than a page: identical, tails, same as JS', { skip }, async () => {
  const empty = path.join(dir, 'empty.img');
  const small = path.join(dir, 'small.img');
  const other = path.join(dir, 'small-b.img');
  fs.writeFileSync(empty, '');
  fs.writeFileSync(small, Buffer.from('diskx native helper'));
  fs.writeFileSync(other, Buffer.from('diskx nativE helper!'));
  const both = await diffFiles(empty, empty, {});
  assert.equal(both.result.identical, true);
  assert.equal(both.pids.length, 0, 'nothing to compare: no helper');
  assert.deepEqual((await diffFiles(empty, small, {})).result.tail, { offset: 0, length: 19, in: 'b' });
  const result = await assertSame(small, other, {}, [4 * KiB]);
  assert.deepEqual(result.ranges, [{ offset: 11, length: 1 }]);
  assert.deepEqual(result.tail, { offset: 19, length: 1, in: 'b' });
});

test(
  'diskx diff --bytes (the report, --json, --max-ranges): the same output and exit code with the helper (DISKX_NATIVE_DIFF=1) and without (=0)',
  { skip },
  () => {
    const size = 5 * MiB;
    const a = sparseFile(path.join(dir, 'cli-a.img'), size);
    const b = sparseFile(path.join(dir, 'cli-b.img'), size + 1000);
    writeAt(a, 0, Uint8Array.of(0xeb, 0x3c, 0x90));
    writeAt(a, 3 * MiB, new Uint8Array(5000).fill(7));
    writeAt(b, 3 * MiB + 100, new Uint8Array(100).fill(7));
    writeAt(b, size - 1, Uint8Array.of(1));
    const run = (mode: string, ...flags: string[]) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DISKX_NATIVE_DIFF: mode };
      delete env.NODE_EXTRA_CA_CERTS;
      return spawnSync(process.execPath, [CLI, 'diff', a, b, '--bytes', ...flags], { encoding: 'utf8', env });
    };
    for (const flags of [['--json', '--max-ranges', '3'], ['--json'], []]) {
      const native = run('1', ...flags);
      const js = run('0', ...flags);
      assert.equal(native.status, 1, native.stderr);
      assert.equal(js.status, 1, js.stderr);
      assert.equal(native.stdout, js.stdout, flags.join(' '));
      assert.equal(native.stderr, js.stderr);
    }
    const native = run('1', '--json', '--max-ranges', '3');
    const bytes = (JSON.parse(native.stdout) as { bytes: { ranges: ByteRange[] } }).bytes;
    assert.equal(bytes.ranges.length, 3);
  },
);
