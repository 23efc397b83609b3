// One read suite over every ByteSource backend (as strtok3 tests its
// tokenizers), so all reads behave alike whatever is behind them: memory, file, a file region and a concatenation of
// extents must read the same bytes and fail the same way past the end. Then what
// only the file source has: its page cache, counted in diskReads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { writeAt } from '../builders/oracles';
import type { ByteSource } from '../../src/core/io/byteSource';
import { readIfPresent } from '../../src/core/io/byteSource';
import { MemorySource } from '../../src/core/io/memorySource';
import { FileSource, PAGE_CACHE_PAGES, PAGE_SIZE } from '../../src/core/io/fileSource';
import { ConcatSource } from '../../src/core/io/concatSource';
import { TruncatedError } from '../../src/core/errors';

const dir = tempDir('diskx-io-');
const TiB = 1024 ** 4;

/** Bytes whose value depends on their offset, so a read from the wrong place shows. */
function pattern(size: number, salt = 0): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >>> 8) * 7 + (i >>> 16) * 3 + salt) & 0xff;
  return bytes;
}

// Three pages and a bit: reads can start, end and cross page boundaries, and the last page is short.
const DATA = pattern(3 * PAGE_SIZE + 1000);
const dataFile = path.join(dir, 'data.bin');
fs.writeFileSync(dataFile, DATA);
// The same bytes 4096 bytes into a bigger file, for a FileSource region (a flat VMDK extent at an offset).
const paddedFile = path.join(dir, 'padded.bin');
fs.writeFileSync(paddedFile, Buffer.concat([Buffer.alloc(4096, 0xee), DATA, Buffer.alloc(777, 0xee)]));

const backends: { name: string; open: () => Promise<ByteSource> }[] = [
  { name: 'MemorySource', open: async () => new MemorySource(DATA.slice()) },
  { name: 'FileSource', open: () => FileSource.open(dataFile) },
  { name: 'FileSource region (base 4096)', open: () => FileSource.open(paddedFile, { base: 4096, size: DATA.length }) },
  {
    name: 'ConcatSource of memory and file extents',
    open: async () => {
      const cuts = [0, 1000, 1000, PAGE_SIZE + 17, 2 * PAGE_SIZE, DATA.length]; // an empty extent too
      const parts: ByteSource[] = [];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const slice = DATA.slice(cuts[i], cuts[i + 1]);
        if (i % 2 === 0) parts.push(new MemorySource(slice));
        else {
          const file = path.join(dir, `extent-${i}.bin`);
          fs.writeFileSync(file, slice);
          parts.push(await FileSource.open(file));
        }
      }
      return new ConcatSource('concat', parts);
    },
  },
];

function expectTruncated(offset: number, needed: number, available: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof TruncatedError, `expected TruncatedError, got ${String(error)}`);
    assert.deepEqual([error.offset, error.needed, error.available], [offset, needed, available]);
    return true;
  };
}

for (const backend of backends) {
  describe(`read suite: ${backend.name}`, () => {
    const size = DATA.length;
    const reads: [string, number, number][] = [
      ['start', 0, 512],
      ['one byte at 0', 0, 1],
      ['middle', 100_000, 4096],
      ['end', size - 100, 100],
      ['the last byte', size - 1, 1],
      ['across one page boundary', PAGE_SIZE - 10, 20],
      ['across two page boundaries', PAGE_SIZE - 1, PAGE_SIZE + 2],
      ['everything', 0, size],
      ['zero bytes at the end', size, 0],
    ];

    test('size', async () => {
      const source = await backend.open();
      assert.equal(source.size, size);
      await source.close();
    });

    for (const [name, offset, length] of reads) {
      test(`read ${name} (${offset}, ${length})`, async () => {
        const source = await backend.open();
        const bytes = await source.read(offset, length);
        assert.equal(bytes.length, length);
        assert.deepEqual(bytes, DATA.subarray(offset, offset + length));
        await source.close();
      });
    }

    test('past the end: TruncatedError with offset, needed and available (never a short read)', async () => {
      const source = await backend.open();
      await assert.rejects(source.read(size - 10, 20), expectTruncated(size - 10, 20, 10));
      await assert.rejects(source.read(size, 1), expectTruncated(size, 1, 0));
      await assert.rejects(source.read(size + 5000, 512), expectTruncated(size + 5000, 512, 0));
      await assert.rejects(source.read(-1, 10), TruncatedError);
      await assert.rejects(source.read(1.5, 10), TruncatedError);
      await assert.rejects(source.read(2 ** 53, 1), TruncatedError);
      await assert.rejects(source.read(0, size + 1), expectTruncated(0, size + 1, size));
      assert.equal(await readIfPresent(source, size - 10, 20), null);
      assert.deepEqual(await readIfPresent(source, size - 10, 10), DATA.subarray(size - 10));
      await source.close();
    });

    test('reads return copies: changing one does not change the next read', async () => {
      const source = await backend.open();
      const first = await source.read(PAGE_SIZE - 4, 8);
      first.fill(0);
      assert.deepEqual(await source.read(PAGE_SIZE - 4, 8), DATA.subarray(PAGE_SIZE - 4, PAGE_SIZE + 4));
      await source.close();
    });

    test('many concurrent reads all return their own bytes', async () => {
      const source = await backend.open();
      const offsets = Array.from({ length: 64 }, (_, i) => (i * 7919 * 13) % (size - 300));
      const results = await Promise.all(offsets.map((offset) => source.read(offset, 300)));
      results.forEach((bytes, i) => assert.deepEqual(bytes, DATA.subarray(offsets[i]!, offsets[i]! + 300), `read at ${offsets[i]}`));
      await source.close();
    });
  });
}

describe('FileSource page cache', () => {
  test('reads within a cached page do not go to the disk again; each new page costs one read', async () => {
    const source = await FileSource.open(dataFile);
    await source.read(0, 10);
    assert.equal(source.diskReads, 1);
    await source.read(100, 4000);
    await source.read(PAGE_SIZE - 1, 1);
    assert.equal(source.diskReads, 1, 'page 0 is cached');
    await source.read(PAGE_SIZE, 10);
    assert.equal(source.diskReads, 2);
    await source.read(PAGE_SIZE - 5, 10); // pages 0 and 1, both cached
    assert.equal(source.diskReads, 2);
    await source.read(3 * PAGE_SIZE, 1000); // the short last page
    assert.equal(source.diskReads, 3);
    await source.close();
  });

  test(`least recently used pages are evicted beyond ${PAGE_CACHE_PAGES} pages`, async () => {
    const file = path.join(dir, 'many-pages.bin');
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, (PAGE_CACHE_PAGES + 2) * PAGE_SIZE);
    fs.closeSync(fd);
    const source = await FileSource.open(file);
    for (let page = 0; page <= PAGE_CACHE_PAGES; page++) await source.read(page * PAGE_SIZE, 1);
    assert.equal(source.diskReads, PAGE_CACHE_PAGES + 1);
    await source.read(PAGE_CACHE_PAGES * PAGE_SIZE + 5, 1); // newest page: still cached
    await source.read(1 * PAGE_SIZE + 5, 1); // page 1: still cached (page 0 was evicted first)
    assert.equal(source.diskReads, PAGE_CACHE_PAGES + 1);
    await source.read(0, 1); // page 0 was evicted
    assert.equal(source.diskReads, PAGE_CACHE_PAGES + 2);
    await source.close();
  });

  test('invalidate() forgets cached pages after the file was written', async () => {
    const file = path.join(dir, 'rewritten.bin');
    fs.writeFileSync(file, pattern(8192, 1));
    const source = await FileSource.open(file);
    assert.equal((await source.read(4096, 1))[0], pattern(8192, 1)[4096]);
    writeAt(file, 4096, Uint8Array.of(0xab));
    assert.equal((await source.read(4096, 1))[0], pattern(8192, 1)[4096], 'served from the cache');
    source.invalidate();
    assert.equal((await source.read(4096, 1))[0], 0xab);
    assert.equal(source.diskReads, 2);
    await source.close();
  });

  test('a file that shrank under us: TruncatedError, not zeros', async () => {
    const file = path.join(dir, 'shrinking.bin');
    fs.writeFileSync(file, pattern(PAGE_SIZE + 100));
    const source = await FileSource.open(file);
    fs.truncateSync(file, 1000);
    await assert.rejects(source.read(PAGE_SIZE, 50), TruncatedError);
    await source.close();
  });

  test('a 2 TiB sparse file: reading its last sector reads only that page', async () => {
    const file = path.join(dir, 'two-tib.img');
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, 2 * TiB);
    fs.closeSync(fd);
    const marker = pattern(512, 9);
    writeAt(file, 2 * TiB - 512, marker);
    const source = await FileSource.open(file);
    assert.equal(source.size, 2 * TiB);
    assert.deepEqual(await source.read(2 * TiB - 512, 512), marker);
    assert.equal(source.diskReads, 1);
    assert.deepEqual(await source.read(2 * TiB - PAGE_SIZE, 16), new Uint8Array(16), 'same page, cached');
    assert.equal(source.diskReads, 1);
    await assert.rejects(source.read(2 * TiB - 511, 512), expectTruncated(2 * TiB - 511, 512, 511));
    await source.close();
  });
});

describe('ConcatSource', () => {
  test('size is the sum; reads at and across every extent boundary; close closes every extent', async () => {
    const sizes = [1000, 0, 3000, 512, 1];
    let closed = 0;
    let offset = 0;
    const parts: ByteSource[] = sizes.map((size) => {
      const part = new MemorySource(DATA.slice(offset, offset + size));
      offset += size;
      return { name: 'part', size: part.size, read: (o: number, l: number) => part.read(o, l), close: async () => void closed++ };
    });
    const source = new ConcatSource('concat', parts);
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.equal(source.size, total);
    const boundaries = [1000, 4000, 4512];
    for (const b of boundaries) {
      for (const [from, length] of [
        [b - 1, 2],
        [b, 1],
        [b - 1, 1],
        [b - 300, 600],
      ] as const) {
        if (from + length > total || from < 0) continue;
        assert.deepEqual(await source.read(from, length), DATA.subarray(from, from + length), `read ${from}+${length}`);
      }
    }
    assert.deepEqual(await source.read(0, total), DATA.subarray(0, total));
    assert.deepEqual(await source.read(total - 1, 1), DATA.subarray(total - 1, total), 'the one-byte last extent');
    await assert.rejects(source.read(total - 1, 2), expectTruncated(total - 1, 2, 1));
    await source.close();
    assert.equal(closed, sizes.length);
  });

  test('no extents at all: size 0 and every read past the end', async () => {
    const source = new ConcatSource('empty', []);
    assert.equal(source.size, 0);
    await assert.rejects(source.read(0, 1), expectTruncated(0, 1, 0));
  });
});
