// Issue 14: reading the other schemes stays bounded on big disks. A 2 TiB
// disk with a 20-partition Apple map, and a 2 TiB MBR disk with four FreeBSD
// slices of 16 BSD partitions each (64 nested volumes probed), are read and
// checked through a counting source: a few hundred KiB, never a scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountingSource, SparseMemorySource } from '../builders/countingSource';
import { bsdLabel } from '../builders/labels';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { MAX_PROBE_BYTES_PER_DISK } from '../../src/core/limits';

const KiB = 1024;
const TiB = 1024 ** 4;
const SECTORS = (2 * TiB) / 512 - 1; // the most an MBR or a 32-bit APM block count addresses

/** An Apple map: the map entry, then `count` Apple_HFS partitions of `size` blocks from block 2048. */
function apmDisk(count: number, size: number): SparseMemorySource {
  const blocks = new Uint8Array(512 * (count + 2));
  const view = new DataView(blocks.buffer);
  view.setUint16(0, 0x4552);
  view.setUint16(2, 512);
  view.setUint32(4, SECTORS);
  const entry = (block: number, start: number, length: number, name: string, type: string): void => {
    const at = block * 512;
    view.setUint16(at, 0x504d);
    view.setUint32(at + 4, count + 1);
    view.setUint32(at + 8, start);
    view.setUint32(at + 12, length);
    blocks.set(Buffer.from(name), at + 16);
    blocks.set(Buffer.from(type), at + 48);
  };
  entry(1, 1, 63, 'Apple', 'Apple_partition_map');
  for (let i = 0; i < count; i++) entry(i + 2, 2048 + i * size, size, `part${i + 1}`, 'Apple_HFS');
  return new SparseMemorySource(SECTORS * 512, [{ offset: 0, bytes: blocks }]);
}

/** An MBR with four 0xA5 slices of `slice` sectors, each with a BSD label of 16 partitions. */
function bsdSlicesDisk(slice: number): SparseMemorySource {
  const mbr = new Uint8Array(512);
  const view = new DataView(mbr.buffer);
  const regions: { offset: number; bytes: Uint8Array }[] = [{ offset: 0, bytes: mbr }];
  for (let i = 0; i < 4; i++) {
    const start = 2048 + i * slice;
    mbr[446 + 16 * i + 4] = 0xa5;
    view.setUint32(446 + 16 * i + 8, start, true);
    view.setUint32(446 + 16 * i + 12, slice, true);
    const part = Math.floor((slice - 16) / 16);
    const parts = Array.from({ length: 16 }, (_, j) => ({ size: part, offset: start + 16 + j * part, fsType: 7 }));
    regions.push({ offset: start * 512 + 512, bytes: bsdLabel(parts) });
  }
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return new SparseMemorySource(SECTORS * 512, regions);
}

test('a 2 TiB disk with a 20-partition Apple map: reading and checking it reads a few hundred KiB', async () => {
  const source = new CountingSource(apmDisk(20, 200_000_000));
  const disk = await readDisk(source);
  checkDisk(disk);
  assert.equal(disk.scheme, 'apm');
  assert.equal(disk.partitions.length, 21);
  assert.ok(source.bytesRead <= 384 * KiB, `read ${source.bytesRead} bytes in ${source.reads} reads`);
  console.log(`2 TiB APM, 21 entries: ${source.reads} reads, ${(source.bytesRead / KiB).toFixed(1)} KiB`);
});

test('a 2 TiB MBR disk with four BSD slices of 16 partitions: 64 nested volumes probed within the per-disk budget', async () => {
  const source = new CountingSource(bsdSlicesDisk(1_000_000_000));
  const disk = await readDisk(source);
  checkDisk(disk);
  assert.equal(disk.scheme, 'mbr');
  assert.equal(disk.partitions.flatMap((p) => p.children ?? []).length, 64);
  assert.ok(source.bytesRead <= MAX_PROBE_BYTES_PER_DISK + 128 * KiB, `read ${source.bytesRead} bytes in ${source.reads} reads`);
  console.log(`2 TiB MBR, 4 BSD slices x 16: ${source.reads} reads, ${(source.bytesRead / KiB).toFixed(1)} KiB`);
});
