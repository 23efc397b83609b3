// Issue 14: probing what is inside partitions stays bounded. A 2 TiB disk
// with 20 partitions (and gaps between them, probed too) is read and checked
// through a counting source: a few hundred KiB at most, never a scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountingSource, SparseMemorySource } from '../builders/countingSource';
import { testGuid } from '../builders/images';
import { encodeGptDisk } from '../../src/core/gptEncode';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { MAX_PROBE_BYTES_PER_DISK, MAX_PROBE_BYTES_PER_VOLUME } from '../../src/core/limits';

const KiB = 1024;
const TiB = 1024 ** 4;
const PARTITIONS = 20;

function twentyPartitionDisk(gaps: boolean): SparseMemorySource {
  const totalSectors = BigInt((2 * TiB) / 512);
  // 50 GiB partitions, with 10 GiB gaps between them (20 partitions and 20 gaps to probe) or without.
  const size = (50n * 1024n ** 3n) / 512n;
  const step = gaps ? (60n * 1024n ** 3n) / 512n : size;
  const slots = Array.from({ length: PARTITIONS }, (_, i) => ({
    typeGuid: TYPE_MS_BASIC_DATA,
    uniqueGuid: testGuid(i + 1),
    firstLba: 2048n + BigInt(i) * step,
    lastLba: 2048n + BigInt(i) * step + size - 1n,
    name: `p${i + 1}`,
  }));
  return new SparseMemorySource(2 * TiB, encodeGptDisk({ sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots }));
}

for (const gaps of [false, true]) {
  const what = gaps ? '20 partitions and 20 gaps' : '20 partitions';
  test(`a 2 TiB disk with ${what}: reading and checking it reads a few hundred KiB`, async () => {
    const source = new CountingSource(twentyPartitionDisk(gaps));
    const disk = await readDisk(source);
    checkDisk(disk);
    assert.equal(disk.partitions.length, PARTITIONS);
    assert.ok(
      disk.partitions.every((p) => p.content === null),
      'empty partitions hold nothing',
    );
    assert.equal(disk.free!.length, gaps ? PARTITIONS : 1, 'a gap after each partition, or only the space after the last');
    // The GPT (2 x 16.5 KiB, read twice) plus at most about 11 KiB of probes per volume, every probe running on empty ones.
    const limit = gaps ? 640 * KiB : 384 * KiB;
    assert.ok(source.bytesRead <= limit, `read ${source.bytesRead} bytes in ${source.reads} reads`);
    assert.ok(source.largestRead <= 16 * KiB + 512, `largest read ${source.largestRead}`);
    console.log(`2 TiB, ${what}: ${source.reads} reads, ${(source.bytesRead / KiB).toFixed(1)} KiB`);
  });
}

test('the per-volume and per-disk probe budgets are what bound it', () => {
  assert.ok(MAX_PROBE_BYTES_PER_VOLUME <= 64 * KiB);
  assert.ok(MAX_PROBE_BYTES_PER_DISK <= 1024 * KiB);
});
