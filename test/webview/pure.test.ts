// The webview's pure modules in plain Node: go-to parsing, the data inspector,
// virtual scroll math, the byte cache and the span index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNode, parseGoto, resolveGoto } from '../../webview/gotoTarget';
import { guidAt, inspect, utf16le } from '../../webview/inspector';
import { crc32 } from '../../src/shared/crc32';
import {
  MAX_SCROLL_HEIGHT,
  contentHeight,
  isScaled,
  maxFirstRow,
  renderedRows,
  revealRow,
  rowForScrollTop,
  scrollTopForRow,
} from '../../webview/virtualScroll';
import { ByteCache, CHUNK_SIZE } from '../../webview/byteCache';
import { firstSpanFrom, spanAt } from '../../webview/spanIndex';
import type { FieldSpan, TreeNode } from '../../src/shared/protocol/editor';
import { crc32 as coreCrc32 } from '../../src/core/crc32';
import { parseGuid } from '../../src/core/guid';

test('go-to parses offsets in hex and decimal, LBAs, end and names', () => {
  assert.deepEqual(parseGoto('0x200'), { kind: 'offset', offset: 512 });
  assert.deepEqual(parseGoto(' 512 '), { kind: 'offset', offset: 512 });
  assert.deepEqual(parseGoto('0X1_0000'), { kind: 'offset', offset: 0x10000 });
  assert.deepEqual(parseGoto('lba:34'), { kind: 'lba', lba: 34 });
  assert.deepEqual(parseGoto('LBA 34'), { kind: 'lba', lba: 34 });
  assert.deepEqual(parseGoto('34s'), { kind: 'lba', lba: 34 });
  assert.deepEqual(parseGoto('0x22s'), { kind: 'lba', lba: 34 });
  assert.deepEqual(parseGoto('end'), { kind: 'end' });
  assert.deepEqual(parseGoto('HeaderCRC32'), { kind: 'name', text: 'HeaderCRC32' });
  assert.deepEqual(parseGoto('bootbanks'), { kind: 'name', text: 'bootbanks' });
  assert.equal(parseGoto('').kind, 'invalid');
  assert.equal(parseGoto('0xZZ').kind, 'invalid');
  assert.equal(parseGoto('lba:x').kind, 'invalid');
  assert.equal(parseGoto('99999999999999999999').kind, 'invalid');
});

const tree: TreeNode[] = [
  {
    id: 'primary-header',
    label: 'Primary GPT header',
    offset: 512,
    length: 512,
    children: [{ id: 'primary-header.HeaderCRC32', label: 'HeaderCRC32', value: '0x12345678', offset: 528, length: 4 }],
  },
  {
    id: 'backup-header',
    label: 'Backup GPT header',
    offset: 4096 * 511,
    length: 512,
    children: [{ id: 'backup-header.HeaderCRC32', label: 'HeaderCRC32', offset: 4096 * 511 + 16, length: 4 }],
  },
  {
    id: 'primary-array',
    label: 'Primary partition entry array',
    offset: 1024,
    length: 16384,
    children: [{ id: 'slot-3', label: 'Slot 3 (partition 4)', value: 'bootbank · Microsoft basic data', offset: 1408, length: 128 }],
  },
];

test('go-to resolves against the image size, its sector size and the tree', () => {
  const image = { sizeBytes: 1024 * 1024, sectorSize: 512 };
  assert.deepEqual(resolveGoto(parseGoto('lba:1'), image, tree), { offset: 512, length: 512 });
  assert.deepEqual(resolveGoto(parseGoto('lba:1'), { sizeBytes: 1 << 20, sectorSize: 4096 }, tree), { offset: 4096, length: 4096 });
  assert.deepEqual(resolveGoto(parseGoto('end'), image, tree), { offset: 1024 * 1024 - 1, length: 1 });
  assert.deepEqual(resolveGoto(parseGoto('HeaderCRC32'), image, tree), { offset: 528, length: 4, nodeId: 'primary-header.HeaderCRC32' });
  assert.deepEqual(resolveGoto(parseGoto('backup-header.headercrc32'), image, tree), {
    offset: 4096 * 511 + 16,
    length: 4,
    nodeId: 'backup-header.HeaderCRC32',
  });
  assert.equal(findNode(tree, 'slot-3')?.id, 'slot-3');
  assert.equal(findNode(tree, 'bootbank')?.id, 'slot-3');
  assert.ok('error' in resolveGoto(parseGoto('0x100000'), image, tree));
  assert.ok('error' in resolveGoto(parseGoto('lba:2048'), image, tree));
  assert.ok('error' in resolveGoto(parseGoto('nonexistent'), image, tree));
  // The last LBA of a 2 TiB image is an exact number.
  const huge = { sizeBytes: 2 * 1024 ** 4, sectorSize: 512 };
  assert.deepEqual(resolveGoto(parseGoto('lba:4294967295'), huge, tree), { offset: 2 * 1024 ** 4 - 512, length: 512 });
});

test('the data inspector decodes integers in the chosen byte order, an LBA, a mixed-endian GUID and UTF-16LE', () => {
  const bytes = new Uint8Array(72);
  bytes.set([0x22, 0, 0, 0, 0, 0, 0, 0x80]);
  const at = (b: Uint8Array, littleEndian: boolean, sectorSize = 512, offset = 0) =>
    Object.fromEntries(inspect({ bytes: b, offset, sectorSize, littleEndian }).map((r) => [r.label, r.value]));
  const le = at(bytes, true);
  const be = at(bytes, false);
  assert.equal(le['u8'], '34 (0x22)');
  assert.equal(le['u16'], '34 (0x0022)');
  assert.equal(be['u16'], '8704 (0x2200)');
  assert.equal(le['u32'], '34 (0x00000022)');
  assert.equal(le['u64'], `${0x8000000000000022n} (0x8000000000000022)`);
  assert.equal(le['i64'], `${-0x7fffffffffffffden}`);
  assert.equal(be['u64'], `${0x2200000000000080n} (0x2200000000000080)`);
  assert.equal(le['binary'], '00100010 00000000 00000000 00000000');
  const lba = at(new Uint8Array([34, 0, 0, 0, 0, 0, 0, 0]), true, 4096, 4096 * 3 + 16);
  assert.equal(lba['u64 LBA → byte'], '0x22000 (4096-byte sectors)');
  assert.equal(lba['offset → LBA'], 'LBA 3 + 0x10');
  assert.equal(lba['GUID (mixed-endian)'], '—', 'fewer than 16 bytes: no GUID');
  assert.equal(lba['u32'], `34 (0x00000022)`);
  const guid = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
  assert.equal(guidAt(parseGuid(guid)), guid);
  assert.equal(utf16le(new Uint8Array(Buffer.from('bootbank\0\0junk', 'utf16le'))), 'bootbank');
  assert.equal(inspect({ bytes: new Uint8Array(0), offset: 0, sectorSize: 512, littleEndian: true })[0]!.value, '—');
});

test('the CRC-32 the webview uses agrees with the core and the zlib check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const random = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
  assert.equal(crc32(random), coreCrc32(random));
});

test('virtual scroll: exact below the height limit, scaled above, last row reachable', () => {
  const small = { totalRows: 1000, rowHeight: 20, viewportHeight: 400 };
  assert.equal(isScaled(small), false);
  assert.equal(contentHeight(small), 20000);
  assert.deepEqual(rowForScrollTop(small, 410), { firstRow: 20, shift: 10 });
  assert.equal(scrollTopForRow(small, 20), 400);
  assert.equal(maxFirstRow(small), 980);
  assert.equal(rowForScrollTop(small, 1e9).firstRow, 980);
  assert.equal(renderedRows(small), 21);

  // 2 TiB at 16 bytes per row: 2^37 rows, far above any element height.
  const huge = { totalRows: 2 ** 37, rowHeight: 20, viewportHeight: 800 };
  assert.equal(isScaled(huge), true);
  assert.equal(contentHeight(huge), MAX_SCROLL_HEIGHT);
  const last = maxFirstRow(huge);
  assert.equal(last, 2 ** 37 - 40);
  assert.equal(rowForScrollTop(huge, MAX_SCROLL_HEIGHT - 800).firstRow, last);
  assert.equal(rowForScrollTop(huge, 0).firstRow, 0);
  assert.equal(scrollTopForRow(huge, last), MAX_SCROLL_HEIGHT - 800);
  const middle = scrollTopForRow(huge, 2 ** 36);
  assert.ok(Math.abs(rowForScrollTop(huge, middle).firstRow - 2 ** 36) < 2 ** 37 / MAX_SCROLL_HEIGHT + 1);

  // Reveal moves as little as possible, or centres when asked.
  assert.equal(revealRow(small, 100, 105), 100);
  assert.equal(revealRow(small, 100, 130), 111);
  assert.equal(revealRow(small, 100, 50), 50);
  assert.equal(revealRow(small, 0, 500, true), 494);
  assert.equal(revealRow(small, 0, 999, true), 980);
});

test('the byte cache requests each missing chunk once, serves ranges across chunks and evicts the oldest', () => {
  const requests: [number, number][] = [];
  const size = CHUNK_SIZE * 10 + 100;
  const cache = new ByteCache(size, (offset, length) => requests.push([offset, length]), 4);
  assert.equal(cache.byte(5), undefined);
  assert.equal(cache.byte(6), undefined);
  assert.deepEqual(requests, [[0, CHUNK_SIZE]]);
  assert.equal(cache.range(CHUNK_SIZE - 2, 4), null);
  assert.deepEqual(requests, [
    [0, CHUNK_SIZE],
    [CHUNK_SIZE, CHUNK_SIZE],
  ]);
  const chunk = (n: number): Uint8Array => new Uint8Array(CHUNK_SIZE).fill(n);
  cache.put(0, chunk(1));
  cache.put(CHUNK_SIZE, chunk(2));
  assert.deepEqual(Array.from(cache.range(CHUNK_SIZE - 2, 4)!), [1, 1, 2, 2]);
  // The last chunk is short.
  cache.want(size - 1, 1);
  assert.deepEqual(requests.at(-1), [CHUNK_SIZE * 10, 100]);
  cache.put(CHUNK_SIZE * 10, new Uint8Array(100).fill(9));
  assert.deepEqual(Array.from(cache.range(size - 2, 10)!), [9, 9], 'ranges are clipped at the end of the image');
  for (let i = 3; i < 6; i++) cache.put(CHUNK_SIZE * i, chunk(i));
  assert.equal(cache.cachedChunks, 4);
  assert.equal(cache.has(0, 1), false, 'the least recently used chunk went first');
  // A failed request can be retried.
  const before = requests.length;
  cache.byte(CHUNK_SIZE * 7);
  cache.failed(CHUNK_SIZE * 7);
  cache.byte(CHUNK_SIZE * 7);
  assert.equal(requests.length, before + 2);
});

test('the span index finds the field under a byte', () => {
  const spans: FieldSpan[] = [
    { offset: 512, length: 8, kind: 'signature', name: 'Signature', nodeId: 'a' },
    { offset: 520, length: 4, kind: 'count', name: 'Revision', nodeId: 'b' },
    { offset: 528, length: 4, kind: 'crc', name: 'HeaderCRC32', nodeId: 'c' },
  ];
  assert.equal(spanAt(spans, 511), undefined);
  assert.equal(spanAt(spans, 512)?.nodeId, 'a');
  assert.equal(spanAt(spans, 523)?.nodeId, 'b');
  assert.equal(spanAt(spans, 525), undefined);
  assert.equal(spanAt(spans, 531)?.nodeId, 'c');
  assert.equal(spanAt([], 0), undefined);
  assert.equal(firstSpanFrom(spans, 0), 0);
  assert.equal(firstSpanFrom(spans, 524), 2);
  assert.equal(firstSpanFrom(spans, 600), 3);
});
