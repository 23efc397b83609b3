// The pieces of the dry-run text that the CLI tests do not reach with the seed:
// a large patch is cut after MAX_CHANGED_ROWS changed rows, unchanged rows
// collapse, offsets and LBA lists read as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CHANGED_ROWS, hexDiff, lbaRuns, offsetText, writeLbas } from '../../src/cli/fixFormat';

test('hexDiff: a 4096-byte patch shows its first changed rows and counts the rest', () => {
  const before = new Uint8Array(4096);
  const after = new Uint8Array(4096).fill(0xab);
  const out = hexDiff({ offset: 4096 * 7, before, after }, '');
  assert.equal(out.length, MAX_CHANGED_ROWS * 2 + 1);
  assert.equal(out[0], `0x7000  - ${'00 '.repeat(15)}00`);
  assert.equal(out[1], `        + ${'ab '.repeat(15)}ab`);
  assert.equal(out.at(-1), `... ${4096 / 16 - MAX_CHANGED_ROWS} more changed rows of 16 bytes not shown (diskx fix --json has every byte)`);
});

test('hexDiff: unchanged rows collapse; rows follow absolute 16-byte boundaries; 4- and 8-byte patches show their value', () => {
  const before = new Uint8Array(64);
  const after = new Uint8Array(64);
  after[0x121 - 0x108] = 1; // byte 0x121: only the row 0x120..0x12F changes (the patch spans 0x108..0x147)
  const out = hexDiff({ offset: 0x108, before, after }, '  ');
  assert.deepEqual(out, [
    '  0x108  = 24 unchanged bytes',
    `  0x120  - ${'00 '.repeat(15)}00`,
    `         + 00 01 ${'00 '.repeat(13)}00`,
    '  0x130  = 24 unchanged bytes',
  ]);
  const crc = hexDiff({ offset: 0x210, before: new Uint8Array([0xd7, 0xd1, 0x90, 0xb2]), after: new Uint8Array([0x3d, 0xf3, 0x61, 0xe9]) }, '');
  assert.deepEqual(crc, ['0x210  - d7 d1 90 b2', '       + 3d f3 61 e9', '       as little-endian u32: 0xB290D1D7 -> 0xE961F33D']);
});

test('offsetText, writeLbas and lbaRuns', () => {
  assert.equal(offsetText(0x580, 512), '0x580 (LBA 2 +0x180)');
  assert.equal(offsetText(0x600, 512), '0x600 (LBA 3)');
  assert.equal(offsetText(0x1000, 4096), '0x1000 (LBA 1)');
  const lbas = writeLbas(
    [
      { offset: 100 * 512, length: 1024 },
      { offset: 512, length: 1536 },
    ],
    512,
  );
  assert.deepEqual(lbas, [100, 101, 1, 2, 3]);
  assert.equal(lbaRuns(lbas), '100..101, 1..3');
  assert.equal(lbaRuns([]), 'none');
});
