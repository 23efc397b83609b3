// The comparison's maps (src/app/compareMap.ts): one scale for A and B, the
// partitions that start at the same LBA under another number linked (the
// compacted ESXi case), a size difference explained, sector sizes kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzeImage } from '../../src/core/index';
import type { DiskModel } from '../../src/core/model';
import { buildCompareMaps } from '../../src/app/compareMap';
import type { DiskMapView } from '../../src/shared/protocol/diskMap';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';

const GiB = 1024 ** 3;
const dir = tempDir('diskx-compare-map-');

async function model(image: string): Promise<DiskModel> {
  const { opened, disk } = await analyzeImage(image);
  await opened.source.close();
  return disk;
}

const at = (map: DiskMapView, id: string) => map.areas.find((a) => a.id === id)!;

test('the compacted ESXi disk against the healthy one: four partitions linked "4 → 5" .. "7 → 8", at the same x in both maps', async () => {
  const a = await model(writeEsxi5Image(path.join(dir, 'compacted.img'), { compacted: true }));
  const b = await model(writeEsxi5Image(path.join(dir, 'healthy.img')));
  const maps = buildCompareMaps(a, b);
  assert.equal(maps.note, null);
  assert.deepEqual(
    maps.links.map((l) => [l.label, l.firstLba]),
    [
      ['4 → 5', 8224],
      ['5 → 6', 520224],
      ['6 → 7', 1032224],
      ['7 → 8', 1257504],
    ],
  );
  assert.equal(maps.links[0]!.title, 'Partition 4 of A is partition 5 of B: both start at LBA 8224');
  for (const link of maps.links) {
    const [areaA, areaB] = [at(maps.a!, link.areaA), at(maps.b!, link.areaB)];
    assert.deepEqual([areaA.x, areaA.width], [areaB.x, areaB.width], link.label);
  }
  // Swapped, the same links the other way round.
  assert.deepEqual(
    buildCompareMaps(b, a).links.map((l) => l.label),
    ['5 → 4', '6 → 5', '7 → 6', '8 → 7'],
  );
  // Partitions in their places are not linked.
  assert.deepEqual(buildCompareMaps(b, b).links, []);
});

test("a grown disk: both maps on the larger one's scale, the smaller ends early, and the note says so", async () => {
  const spec = (sectors: bigint) => ({
    sectorSize: 512,
    totalSectors: sectors,
    diskGuid: testGuid(3),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 1048575n, name: 'data' }],
  });
  const small = await model(writeGptImage(path.join(dir, 'small.img'), spec(BigInt(GiB / 512))));
  const large = await model(writeGptImage(path.join(dir, 'large.img'), spec(BigInt((4 * GiB) / 512))));
  const maps = buildCompareMaps(small, large);
  assert.equal(maps.b!.end, 1);
  assert.ok(maps.a!.end < 0.9, `A ends at ${maps.a!.end}`);
  assert.equal(at(maps.a!, 'partition-1').x, at(maps.b!, 'partition-1').x);
  assert.equal(at(maps.a!, 'partition-1').width, at(maps.b!, 'partition-1').width);
  assert.match(maps.note!, /^A is 1 GiB and B 4 GiB: both maps are on B's scale/);
  // A's last area ends where A ends.
  const lastA = maps.a!.areas.filter((x) => x.lane === 0).sort((p, q) => q.firstLba - p.firstLba)[0]!;
  assert.ok(Math.abs(lastA.x + lastA.width - maps.a!.end) < 1e-9);
});

test('one side not a disk: its map is null, the other drawn alone', async () => {
  const b = await model(writeEsxi5Image(path.join(dir, 'alone.img')));
  const maps = buildCompareMaps(null, b);
  assert.equal(maps.a, null);
  assert.equal(maps.b!.end, 1);
  assert.deepEqual(maps.links, []);
});

test('512-byte against 4096-byte sectors: each map on its own scale, nothing linked, the note says why', async () => {
  const disk = (sectorSize: number, file: string) =>
    writeGptImage(path.join(dir, file), {
      sectorSize,
      totalSectors: BigInt(GiB / sectorSize),
      diskGuid: testGuid(4),
      slots: [null, { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(2), firstLba: 256n, lastLba: 4095n, name: 'data' }],
    });
  const maps = buildCompareMaps(await model(disk(512, 's512.img')), await model(disk(4096, 's4k.img')));
  assert.deepEqual([maps.a!.sectorSize, maps.b!.sectorSize], [512, 4096]);
  assert.deepEqual([maps.a!.end, maps.b!.end], [1, 1]);
  assert.deepEqual(maps.links, []);
  assert.match(maps.note!, /512-byte and B 4096-byte sectors/);
});
