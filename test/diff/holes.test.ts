// The byte diff's fast paths: holes both images store are skipped unread (and
// the result is still exactly what `cmp -l` lists), the extent helper's output
// is parsed strictly, a missing helper falls back to reading every byte, and the
// diff run in a worker thread gives the in-process result with progress and cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { byteDiff } from '../../src/core/diff/byteDiff';
import { byteDiffInWorker } from '../../src/core/diff/workerDiff';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { DATA_RANGES_HELPER, dataRanges, mergeSpans, parseFilefrag } from '../../src/core/io/dataRanges';
import { MAX_DATA_EXTENTS } from '../../src/core/limits';
import { tempDir } from '../builders/images';
import { prng, sparseFile, writeAt } from '../builders/oracles';
import { cmpOffsets, rangeOffsets } from '../builders/cmpOracle';

const dir = tempDir('diskx-diff-holes-');
const MiB = 1024 * 1024;
const WORKER = path.resolve(__dirname, '..', '..', 'dist', 'byteDiffWorker.js');

async function diffFiles(fileA: string, fileB: string, options: Parameters<typeof byteDiff>[2] = {}) {
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    // The JavaScript path, whose reads are counted (the native helper's results: nativeDiff.test.ts).
    const result = await byteDiff(a, b, { chunkSize: 64 * 1024, native: false, ...options });
    return { result, reads: a.diskReads + b.diskReads };
  } finally {
    await a.close();
    await b.close();
  }
}

test('parseFilefrag: extents in blocks of the header size, unwritten extents are holes, merged and clipped', () => {
  const output = [
    'Filesystem type is: ef53',
    'File size of /tmp/x.img is 67108864 (16384 blocks of 4096 bytes)',
    ' ext:     logical_offset:        physical_offset: length:   expected: flags:',
    '   0:        0..       0:    1000..      1000:      1:            ',
    '   1:        1..       2:    1001..      1002:      2:            ',
    '   2:      256..     511:    2000..      2255:    256:       1003: unwritten',
    '   3:    16383..   16400:    3000..      3017:     18:       2256: last,eof',
    '/tmp/x.img: 4 extents found',
  ].join('\n');
  assert.deepEqual(parseFilefrag(output, 67108864), [
    { offset: 0, length: 3 * 4096 },
    { offset: 16383 * 4096, length: 4096 }, // clipped to the file's size
  ]);
});

test('parseFilefrag: output it does not know is null (the scan then reads every byte)', () => {
  assert.equal(parseFilefrag('', 100), null);
  assert.equal(parseFilefrag('filefrag: Operation not supported\n', 100), null);
  // No header with the block size.
  assert.equal(
    parseFilefrag(' ext:     logical_offset:        physical_offset: length:   expected: flags:\n   0:        0..       0:    1..  1:  1:\n', 100),
    null,
  );
  // A block size that is not a power of two.
  assert.equal(
    parseFilefrag(
      'File size of f is 100 (1 block of 1000 bytes)\n ext:     logical_offset:        physical_offset: length:   expected: flags:\n   0:        0..       0:    1..  1:  1:\n',
      100,
    ),
    null,
  );
  // Too many extents to hold: give up rather than grow without bound.
  const many = [
    'File size of f is 1099511627776 (268435456 blocks of 4096 bytes)',
    ' ext:     logical_offset:        physical_offset: length:   expected: flags:',
  ];
  for (let i = 0; i <= MAX_DATA_EXTENTS; i++) many.push(`   ${i}:   ${i * 2}..   ${i * 2}:   ${i}..   ${i}:   1:`);
  assert.equal(parseFilefrag(many.join('\n'), 1099511627776), null);
  // A file with no extents at all (all hole) is an empty list, not null; filefrag prints no table then.
  assert.deepEqual(parseFilefrag('Filesystem type is: ef53\nFile size of f is 4096 (1 block of 4096 bytes)\nf: 0 extents found\n', 4096), []);
  assert.equal(parseFilefrag('Filesystem type is: ef53\nFile size of f is 4096 (1 block of 4096 bytes)\n', 4096), null);
});

test('mergeSpans: sorts, merges overlapping and touching spans, drops empty ones', () => {
  assert.deepEqual(
    mergeSpans([
      { offset: 10, length: 5 },
      { offset: 0, length: 10 },
      { offset: 30, length: 0 },
      { offset: 12, length: 10 },
      { offset: 40, length: 1 },
    ]),
    [
      { offset: 0, length: 22 },
      { offset: 40, length: 1 },
    ],
  );
});

test('sparse images with data islands (holes on one side, both, or neither): exactly the bytes cmp -l lists, holes skipped', async (t) => {
  const size = 48 * MiB;
  const random = prng(19);
  const fileA = sparseFile(path.join(dir, 'islands-a.img'), size);
  const fileB = sparseFile(path.join(dir, 'islands-b.img'), size);
  const island = (file: string, offset: number, length: number): void => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
    writeAt(file, offset, bytes);
  };
  // Data only in A (B's hole reads as zeros), only in B, in both with differences
  // around 64 KiB chunk and 1 MiB boundaries, and the first and last byte.
  island(fileA, 3 * MiB - 10, 20);
  island(fileB, 9 * MiB, 4096);
  for (const offset of [20 * MiB - 3, 20 * MiB + 64 * 1024 - 1]) {
    const bytes = new Uint8Array(8).fill(0x11);
    writeAt(fileA, offset, bytes);
    bytes[3] = 0x22;
    writeAt(fileB, offset, bytes);
  }
  writeAt(fileA, 0, Uint8Array.of(1));
  writeAt(fileB, size - 1, Uint8Array.of(2));
  // Equal data in both: no range, but read.
  const same = new Uint8Array(70_000).fill(0x5a);
  writeAt(fileA, 30 * MiB, same);
  writeAt(fileB, 30 * MiB, same);

  const expected = cmpOffsets(fileA, fileB);
  assert.ok(expected.length > 20, 'the images differ in many bytes');
  const fast = await diffFiles(fileA, fileB);
  const full = await diffFiles(fileA, fileB, { skipHoles: false });
  assert.deepEqual(rangeOffsets(fast.result.ranges), expected);
  assert.deepEqual(fast.result.ranges, full.result.ranges);
  assert.equal(full.result.skippedBytes, 0);
  assert.equal(fast.result.scannedBytes, size);

  const mapA = await dataRanges(fileA, size);
  const mapB = await dataRanges(fileB, size);
  if (mapA === null || mapB === null) {
    t.skip('this file system cannot say where the holes are (no FIEMAP through filefrag)');
    assert.equal(fast.result.skippedBytes, 0);
    return;
  }
  // Where the platform tells, most of the 48 MiB is never read.
  assert.ok(fast.result.skippedBytes > 30 * MiB, `skipped ${fast.result.skippedBytes}`);
  assert.ok(fast.reads < full.reads / 3, `reads ${fast.reads} vs ${full.reads}`);
});

test('without the extent helper the scan reads every byte and gives the same ranges', async () => {
  const size = 8 * MiB;
  const fileA = sparseFile(path.join(dir, 'nohelper-a.img'), size);
  const fileB = sparseFile(path.join(dir, 'nohelper-b.img'), size);
  writeAt(fileB, 5 * MiB + 1, Uint8Array.of(9, 9));
  const saved = DATA_RANGES_HELPER.command;
  DATA_RANGES_HELPER.command = path.join(dir, 'no-such-helper');
  try {
    assert.equal(await dataRanges(fileA, size), null);
    const { result, reads } = await diffFiles(fileA, fileB);
    assert.deepEqual(result.ranges, [{ offset: 5 * MiB + 1, length: 2 }]);
    assert.equal(result.skippedBytes, 0);
    assert.ok(reads >= (2 * size) / (64 * 1024), `read everything: ${reads} reads`);
  } finally {
    DATA_RANGES_HELPER.command = saved;
  }
});

test('a fully allocated file is all data without asking the extent helper (no child process per ordinary image)', async () => {
  const file = path.join(dir, 'allocated.img');
  fs.writeFileSync(file, Buffer.alloc(3 * MiB + 5, 0x33));
  const saved = DATA_RANGES_HELPER.command;
  DATA_RANGES_HELPER.command = path.join(dir, 'no-such-helper'); // asking it would give null
  try {
    const whole = await ScanFileSource.open(file);
    const region = await ScanFileSource.open(file, { base: MiB, size: MiB });
    try {
      assert.deepEqual(await whole.dataRanges(), [{ offset: 0, length: 3 * MiB + 5 }]);
      assert.deepEqual(await region.dataRanges(), [{ offset: 0, length: MiB }]);
    } finally {
      await whole.close();
      await region.close();
    }
    // Beside a sparse image (for which the helper is asked, and missing): everything is read.
    const sparse = sparseFile(path.join(dir, 'beside-allocated.img'), 3 * MiB + 5);
    const { result, reads } = await diffFiles(file, sparse);
    assert.deepEqual(result.ranges, [{ offset: 0, length: 3 * MiB + 5 }]);
    assert.equal(result.skippedBytes, 0);
    assert.ok(reads >= (2 * (3 * MiB)) / (64 * 1024), `read everything: ${reads} reads`);
  } finally {
    DATA_RANGES_HELPER.command = saved;
  }
});

test('two all-hole images of 1 TiB compare identical without reading their bytes (where holes can be told)', async (t) => {
  const size = 1024 * 1024 * MiB;
  const fileA = sparseFile(path.join(dir, 'tib-a.img'), size);
  const fileB = sparseFile(path.join(dir, 'tib-b.img'), size);
  if ((await dataRanges(fileA, size)) === null) {
    t.skip('this file system cannot say where the holes are');
    return;
  }
  const { result, reads } = await diffFiles(fileA, fileB);
  assert.equal(result.identical, true);
  assert.equal(result.skippedBytes, size);
  assert.equal(reads, 0);
});

test('in a worker thread: the same ranges as in process, progress to the end, cancel rejects, errors are one line', async (t) => {
  if (!fs.existsSync(WORKER)) {
    t.skip('dist/byteDiffWorker.js is not built (npm test builds it)');
    return;
  }
  const size = 6 * MiB;
  const fileA = path.join(dir, 'worker-a.img');
  const fileB = path.join(dir, 'worker-b.img');
  const bytes = new Uint8Array(size);
  const random = prng(7);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  fs.writeFileSync(fileA, bytes);
  bytes[0] ^= 1;
  bytes[1024 * 1024] ^= 1;
  bytes[size - 1] ^= 1;
  fs.writeFileSync(fileB, bytes);

  const inProcess = await diffFiles(fileA, fileB);
  const progress: number[] = [];
  const result = await byteDiffInWorker(WORKER, fileA, fileB, { maxRanges: 100, onProgress: (done) => progress.push(done) });
  assert.deepEqual(result.ranges, inProcess.result.ranges);
  assert.deepEqual(rangeOffsets(result.ranges), cmpOffsets(fileA, fileB));
  assert.equal(progress.at(-1), size);

  const controller = new AbortController();
  const reason = new Error('user cancelled');
  controller.abort(reason);
  await assert.rejects(byteDiffInWorker(WORKER, fileA, fileB, { maxRanges: 100, signal: controller.signal }), (error) => error === reason);

  // Cancelled while running: the 1 TiB hole pair with holes not skipped would take minutes.
  const bigA = sparseFile(path.join(dir, 'worker-big-a.img'), 1024 * 1024 * MiB);
  const bigB = sparseFile(path.join(dir, 'worker-big-b.img'), 1024 * 1024 * MiB);
  const running = new AbortController();
  let seen = 0;
  const cancelled = byteDiffInWorker(WORKER, bigA, bigB, {
    maxRanges: 100,
    skipHoles: false,
    signal: running.signal,
    onProgress: (done) => {
      seen = done;
      if (done > 0) running.abort(reason);
    },
  });
  await assert.rejects(cancelled, (error) => error === reason);
  assert.ok(seen > 0 && seen < 1024 * 1024 * MiB);

  await assert.rejects(
    byteDiffInWorker(WORKER, path.join(dir, 'missing.img'), fileB, { maxRanges: 100 }),
    (error: Error) => !error.message.includes('\n') && /no such file/i.test(error.message),
  );
});
