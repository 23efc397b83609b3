// The streaming search: patterns across chunk boundaries (every alignment),
// wildcards, both GUID byte orders, backward search, result limits, aborting,
// and holes of sparse files skipped (the extents filefrag lists) with the same results as a
// full read. Cross-checked against a naive scan of the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MemorySource } from '../../src/core/io/memorySource';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { dataMapFor, WholeDataMap } from '../../src/core/io/dataRegions';
import { findAll, parsePattern, patternText } from '../../src/core/find/index';
import type { SearchPattern } from '../../src/core/find/index';
import { EditValueError } from '../../src/core/edit/errors';
import { parseGuid } from '../../src/core/guid';
import { tempDir } from '../builders/images';
import { prng } from '../builders/oracles';

function naive(bytes: Uint8Array, patterns: SearchPattern[]): { offset: number; pattern: number }[] {
  const out: { offset: number; pattern: number }[] = [];
  for (let at = 0; at < bytes.length; at++) {
    patterns.forEach((p, index) => {
      if (at + p.bytes.length > bytes.length) return;
      for (let k = 0; k < p.bytes.length; k++) if (p.mask[k] && bytes[at + k] !== p.bytes[k]) return;
      out.push({ offset: at, pattern: index });
    });
  }
  return out;
}

test('patterns: hex with ?? wildcards, text, UTF-16LE, GUID in both byte orders, integers; hostile ones refused', () => {
  const hex = parsePattern('45 46 ?? 20', 'hex');
  assert.equal(patternText(hex[0]!), '45 46 ?? 20');
  assert.deepEqual([...hex[0]!.mask], [0xff, 0xff, 0, 0xff]);
  assert.equal(patternText(parsePattern('454649', 'hex')[0]!), '45 46 49');
  assert.equal(patternText(parsePattern('EFI', 'text')[0]!), '45 46 49');
  assert.equal(patternText(parsePattern('ab', 'utf16')[0]!), '61 00 62 00');
  const guid = parsePattern('C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'guid');
  assert.equal(guid.length, 2);
  assert.deepEqual(guid[0]!.bytes, parseGuid('C12A7328-F81F-11D2-BA4B-00A0C93EC93B'));
  assert.equal(patternText(guid[1]!), 'c1 2a 73 28 f8 1f 11 d2 ba 4b 00 a0 c9 3e c9 3b');
  assert.equal(patternText(parsePattern('0x12345678', 'u32')[0]!), '78 56 34 12');
  for (const [text, mode, pattern] of [
    ['4', 'hex', /not a hex pattern/],
    ['zz', 'hex', /not a hex pattern/],
    ['?? ??', 'hex', /only \?\? wildcards/],
    ['', 'text', /empty/],
    ['x'.repeat(5000), 'text', /more than the 4096 accepted/],
    ['not-a-guid', 'guid', /not a GUID/],
    ['70000', 'u16', /does not fit a u16/],
  ] as const) {
    assert.throws(
      () => parsePattern(text, mode),
      (e: unknown) => e instanceof EditValueError && pattern.test(e.message),
      `${mode} ${text.slice(0, 10)}`,
    );
  }
});

test('a match across a chunk boundary is found once, at every alignment, forward and backward', async () => {
  const chunk = 4096;
  const pattern = parsePattern('45 46 49 20 50 41 52 54', 'hex');
  for (let shift = -9; shift <= 2; shift++) {
    const bytes = new Uint8Array(3 * chunk);
    const at = chunk + shift;
    bytes.set(pattern[0]!.bytes, at);
    bytes.set(pattern[0]!.bytes, 2 * chunk - 4);
    const forward = await findAll(new MemorySource(bytes), pattern, { chunkSize: chunk });
    assert.deepEqual(
      forward.matches.map((m) => m.offset),
      [at, 2 * chunk - 4],
      `shift ${shift}`,
    );
    const backward = await findAll(new MemorySource(bytes), pattern, { chunkSize: chunk, direction: 'backward' });
    assert.deepEqual(
      backward.matches.map((m) => m.offset),
      [2 * chunk - 4, at],
    );
  }
});

test('random data with wildcards and overlapping matches: the same offsets as a naive scan', async () => {
  const rand = prng(1616);
  const bytes = Uint8Array.from({ length: 50_000 }, () => (rand() < 0.5 ? 0x41 : Math.floor(rand() * 4) + 0x41));
  for (const text of ['41 41', '41 ?? 43', '?? 42 42 ??', '44 41 44 41 44']) {
    const patterns = parsePattern(text, 'hex');
    const found = await findAll(new MemorySource(bytes), patterns, { chunkSize: 4096 });
    const want = naive(bytes, patterns);
    assert.deepEqual(found.matches, want.slice(0, 10_000), text);
    assert.equal(found.truncated, want.length > 10_000);
  }
  const two = parsePattern('C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'guid');
  const g = new Uint8Array(9000);
  g.set(two[1]!.bytes, 100);
  g.set(two[0]!.bytes, 4090);
  assert.deepEqual((await findAll(new MemorySource(g), two, { chunkSize: 4096 })).matches, [
    { offset: 100, pattern: 1 },
    { offset: 4090, pattern: 0 },
  ]);
});

test('from, maxResults, progress and abort', async () => {
  const bytes = new Uint8Array(40_000).fill(0x55);
  const p = parsePattern('55 55', 'hex');
  const limited = await findAll(new MemorySource(bytes), p, { maxResults: 3, from: 100 });
  assert.deepEqual(
    limited.matches.map((m) => m.offset),
    [100, 101, 102],
  );
  assert.equal(limited.truncated, true);
  const back = await findAll(new MemorySource(bytes), p, { maxResults: 2, from: 100, direction: 'backward' });
  assert.deepEqual(
    back.matches.map((m) => m.offset),
    [99, 98],
    'backward: starts before from, nearest first',
  );
  const seen: number[] = [];
  await findAll(new MemorySource(bytes), parsePattern('01', 'hex'), { chunkSize: 4096, onProgress: (done, total) => seen.push(done / total) });
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]!));
  const controller = new AbortController();
  controller.abort(new Error('cancelled'));
  await assert.rejects(findAll(new MemorySource(bytes), p, { signal: controller.signal }), /cancelled/);
});

test('sparse file: the listed extents skip the holes and finds the same matches as reading every byte, also next to a hole', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'sparse.img');
  const size = 256 * 1024 * 1024;
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, size);
  // "EFI PART" at a hole's edge (its first bytes in data, the rest in the hole), in the middle, and at the end.
  const sig = Buffer.from('EFI PART');
  fs.writeSync(fd, sig.subarray(0, 3), 0, 3, 64 * 1024 * 1024 - 3);
  fs.writeSync(fd, sig.subarray(0, 3), 0, 3, 32 * 1024 * 1024 - 3); // the block after it stays a hole
  fs.writeSync(fd, Buffer.from([0x50, 0x41, 0x52, 0x54]), 0, 4, 64 * 1024 * 1024 + 1);
  fs.writeSync(fd, sig, 0, 8, 100 * 1024 * 1024 + 12345);
  fs.writeSync(fd, sig, 0, 8, size - 8);
  fs.closeSync(fd);
  const pattern = parsePattern('EFI PART', 'text');
  const source = await ScanFileSource.open(file);
  try {
    const map = await dataMapFor(file, size);
    assert.equal(map.method, 'extents', 'filefrag lists the extents on Linux');
    const skipping = await findAll(source, pattern, { dataMap: map });
    const full = await findAll(source, pattern, { dataMap: new WholeDataMap(size) });
    assert.deepEqual(
      skipping.matches.map((m) => m.offset),
      [100 * 1024 * 1024 + 12345, size - 8],
    );
    assert.deepEqual(skipping.matches, full.matches);
    assert.ok(skipping.bytesRead < 1024 * 1024, `read ${skipping.bytesRead} bytes of ${size}`);
    assert.ok(full.bytesRead >= size, 'without holes every byte is read');
    // A pattern that begins in data and runs on into the hole's zeros.
    const edge = parsePattern('45 46 49 00', 'hex');
    const edgeSkipping = await findAll(source, edge, { dataMap: await dataMapFor(file, size) });
    assert.deepEqual(
      edgeSkipping.matches.map((m) => m.offset),
      [32 * 1024 * 1024 - 3, 64 * 1024 * 1024 - 3],
      'the first runs into a hole at 32 MiB',
    );
    // All zeros could match inside a hole: no skipping then (and the limit stops it).
    const map3 = await dataMapFor(file, size);
    const zeros = await findAll(source, parsePattern('00 00', 'hex'), { dataMap: map3, maxResults: 5 });
    assert.equal(zeros.holes, 'none');
    assert.deepEqual(
      zeros.matches.map((m) => m.offset),
      [0, 1, 2, 3, 4],
    );
  } finally {
    await source.close();
  }
});
