// The disk map's areas (src/app/diskMap.ts) and their placement on the bar
// (diskMapScale.ts), on images made by our builders, sfdisk and mkfs, with the
// partitions cross-checked against sfdisk --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { analyzeImage } from '../../src/core/index';
import { buildDiskMap } from '../../src/app/diskMap';
import { MIN_AREA_SHARE, MIN_SHARE_BUDGET, placeAreas } from '../../src/app/diskMapScale';
import { buildStructureTree } from '../../src/app/structureTree';
import { MAX_DISK_MAP_LANES } from '../../src/core/limits';
import type { DiskMapArea, DiskMapView } from '../../src/shared/protocol/diskMap';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_VMFS } from '../../src/core/partitionTypes';
import { haveOracles, tempDir, testGuid, writeEsxi5Image, writeGptImage, writeSparseImage } from '../builders/images';
import { sfdiskJson } from '../builders/oracles';
import { haveTools } from '../builders/volumes';
import { convertRaw, haveQemuImg } from '../builders/containers';
import { partedImage, partx } from '../builders/labels';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const dir = tempDir('diskx-map-');

async function mapOf(image: string): Promise<DiskMapView> {
  const { opened, disk, findings } = await analyzeImage(image);
  await opened.source.close();
  return buildDiskMap(disk, buildStructureTree(disk, findings).findings);
}

const area = (map: DiskMapView, id: string): DiskMapArea => {
  const hit = map.areas.find((a) => a.id === id);
  assert.ok(hit, `no area ${id} in ${map.areas.map((a) => a.id).join(' ')}`);
  return hit;
};

/** Lane 0 plus the rows below cover every sector once per lane at most, lane 0 from LBA 0 to the end without a hole. */
function assertTiles(map: DiskMapView): void {
  const main = map.areas.filter((a) => a.lane === 0).sort((a, b) => a.firstLba - b.firstLba);
  let next = 0;
  let x = 0;
  for (const a of main) {
    assert.equal(a.firstLba, next, `lane 0 hole or overlap before ${a.id}`);
    assert.ok(a.lastLba >= a.firstLba);
    assert.ok(Math.abs(a.x - x) < 1e-9, `${a.id} starts at x=${a.x}, expected ${x}`);
    assert.ok(a.width > 0, `${a.id} has no width`);
    next = a.lastLba + 1;
    x = a.x + a.width;
  }
  assert.equal(next, map.totalSectors);
  assert.ok(Math.abs(x - 1) < 1e-9, 'lane 0 fills the bar');
  for (let lane = 1; lane < map.lanes; lane++) {
    const row = map.areas.filter((a) => a.lane === lane).sort((a, b) => a.firstLba - b.firstLba);
    for (let i = 1; i < row.length && lane < MAX_DISK_MAP_LANES - 1; i++) assert.ok(row[i]!.firstLba > row[i - 1]!.lastLba, `lane ${lane} overlaps`);
  }
}

test('an ESXi 5 disk: protective MBR, both GPTs, the seven partitions in disk order, the gaps; sfdisk agrees on every partition', async () => {
  const image = writeEsxi5Image(path.join(dir, 'esxi5.img'));
  const map = await mapOf(image);
  assertTiles(map);
  assert.equal(map.lanes, 1);
  const order = map.areas.filter((a) => a.kind !== 'free').map((a) => a.id);
  assert.deepEqual(order, [
    'mbr',
    'primary-header',
    'primary-array',
    'partition-1',
    'partition-5',
    'partition-6',
    'partition-7',
    'partition-8',
    'partition-2',
    'partition-3',
    'backup-array',
    'backup-header',
  ]);
  assert.deepEqual(
    [area(map, 'mbr').label, area(map, 'primary-header').firstLba, area(map, 'primary-array').firstLba, area(map, 'primary-array').lastLba],
    ['PMBR', 1, 2, 33],
  );
  assert.equal(area(map, 'backup-header').lastLba, map.totalSectors - 1);
  assert.equal(area(map, 'partition-5').label, '5 bootbank');
  assert.equal(area(map, 'partition-3').label, '3 VMFS datastore');
  assert.match(area(map, 'partition-5').title, /^Partition 5 \(slot 4\)\n/);
  assert.equal(area(map, 'partition-5').nodeId, 'partition-5');
  // The healthy layout's notes are about the array.
  assert.deepEqual(area(map, 'primary-array').findings.sort(), ['esxi-layout', 'slot-gap']);
  assert.equal(area(map, 'primary-array').severity, 'info');
  assert.match(map.summary, /^GPT disk · 8 GiB · 7 partitions · 512-byte sectors$/);
  if (haveOracles()) {
    for (const p of sfdiskJson(image).partitions) {
      const a = area(map, `partition-${p.slot + 1}`);
      assert.deepEqual([BigInt(a.firstLba), BigInt(a.lastLba)], [p.start, p.start + p.size - 1n], `partition ${p.slot + 1}`);
    }
  }
  // Gaps between the partitions (32 sectors each) are slivers, free space to the right of nothing.
  const gaps = map.areas.filter((a) => a.kind === 'free');
  assert.deepEqual(
    gaps.map((g) => [g.firstLba, g.lastLba]),
    [
      [34, 63],
      [8192, 8223],
      [520192, 520223],
      [1032192, 1032223],
      [1257472, 1257503],
    ],
  );
  assert.ok(gaps.every((g) => g.width < area(map, 'partition-1').width));
});

test('the compacted image: the moved entries renumber the partitions, the error sits on the array and on the moved partitions', async () => {
  const map = await mapOf(writeEsxi5Image(path.join(dir, 'compacted.img'), { compacted: true }));
  assertTiles(map);
  assert.equal(area(map, 'partition-4').label, '4 bootbank');
  assert.equal(area(map, 'partition-7').label, '7 store/locker');
  assert.ok(!map.areas.some((a) => a.id === 'partition-8'));
  const array = area(map, 'primary-array');
  assert.ok(array.findings.includes('esxi-slot-compacted'));
  assert.equal(array.severity, 'error');
  assert.match(array.title, /Findings: .*esxi-slot-compacted/);
  // Partitions 1-3 are in their slots; bootbank (now 4) and the others after it are not.
  for (const n of [1, 2, 3]) assert.ok(!area(map, `partition-${n}`).findings.includes('esxi-slot-compacted'), `partition ${n}`);
  const bootbank = area(map, 'partition-4');
  assert.deepEqual([bootbank.findings, bootbank.severity], [['esxi-slot-compacted'], 'error']);
  assert.match(bootbank.title, /\nESXi expects its bootbank in slot 4 \(partition 5\)\nFindings: esxi-slot-compacted$/);
});

test('a 1 MiB partition next to a 2 TiB one on a 2 TiB sparse image: visible, and the big one still takes most of the bar', async () => {
  const total = BigInt((2 * TiB) / 512);
  const image = writeGptImage(path.join(dir, 'tiny-huge.img'), {
    sectorSize: 512,
    totalSectors: total,
    diskGuid: testGuid(7),
    slots: [
      { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'EFI' },
      { typeGuid: TYPE_VMWARE_VMFS, uniqueGuid: testGuid(2), firstLba: 4096n, lastLba: total - 34n, name: 'datastore' },
    ],
  });
  const map = await mapOf(image);
  assertTiles(map);
  const efi = area(map, 'partition-1');
  const store = area(map, 'partition-2');
  assert.equal(efi.lastLba - efi.firstLba + 1, 2048);
  // To scale it would be 1/2^21 of the bar; it gets a minimum share (scaled down only if the minimums exceed their budget).
  assert.ok(efi.width >= MIN_AREA_SHARE * 0.5, `EFI width ${efi.width}`);
  assert.ok(efi.width * 640 >= 16, 'at least 16 px on a 640 px bar');
  assert.ok(store.width > 0.5, `datastore width ${store.width}`);
  assert.equal(efi.label, '1 EFI');
  assert.match(efi.title, /1 MiB/);
});

test('placement: to scale above the minimums, minimums capped by their budget, the same LBA at the same x for two disks', () => {
  const a = (firstLba: number, lastLba: number, minShare = 0.05) => ({ firstLba, lastLba, minShare, x: 0, width: 0 });
  const halves = [a(0, 499), a(500, 999)];
  assert.deepEqual(placeAreas([{ totalSectors: 1000, areas: halves }]), [1]);
  assert.deepEqual(
    halves.map((h) => h.width),
    [0.5, 0.5],
  );
  // 100 areas asking 5% each: the minimums are scaled to the budget, every area keeps a share.
  const many = Array.from({ length: 100 }, (_, i) => a(i, i));
  many.push(a(100, 1e9));
  placeAreas([{ totalSectors: 1e9 + 1, areas: many }]);
  const small = many.slice(0, 100).reduce((sum, m) => sum + m.width, 0);
  // The large area's own minimum counts in the budget too: 101 minimums share it.
  assert.ok(Math.abs(small - (MIN_SHARE_BUDGET * 100) / 101) < 1e-9, `minimums take ${small}`);
  assert.ok(many.slice(0, 100).every((m) => m.width > 0.004));
  // Two disks, B twice as large: A ends halfway (plus what the minimums move), B's extra half is beyond A's end.
  const onA = [a(0, 999)];
  const onB = [a(0, 999), a(1000, 1999)];
  const [endA, endB] = placeAreas([
    { totalSectors: 1000, areas: onA },
    { totalSectors: 2000, areas: onB },
  ]);
  assert.equal(endB, 1);
  assert.equal(endA, onB[1]!.x);
  assert.equal(onA[0]!.width, onB[0]!.width);
});

test('an MBR disk by sfdisk: primaries, the extended partition on the row below its logical partitions, EBRs; sfdisk agrees', async (t) => {
  if (!haveOracles()) return t.skip('sfdisk not installed');
  const image = writeSparseImage(path.join(dir, 'dos.img'), 64 * MiB, []);
  execFileSync('sfdisk', ['--quiet', image], {
    input: 'label: dos\nstart=2048, size=16384, type=83\nstart=18432, size=40960, type=5\nstart=20480, size=8192, type=83\nstart=30720, size=8192, type=82\n',
  });
  const map = await mapOf(image);
  assertTiles(map);
  assert.equal(area(map, 'mbr').label, 'MBR');
  const extended = area(map, 'partition-2');
  assert.equal(extended.kind, 'extended');
  assert.equal(extended.lane, 1);
  assert.equal(extended.label, '2 extended');
  for (const n of [1, 5, 6]) assert.equal(area(map, `partition-${n}`).lane, 0);
  assert.ok(map.areas.filter((a) => a.kind === 'ebr').length >= 2);
  for (const p of sfdiskJson(image).partitions) {
    const a = area(map, `partition-${p.slot + 1}`);
    assert.deepEqual([BigInt(a.firstLba), BigInt(a.lastLba)], [p.start, p.start + p.size - 1n], `partition ${p.slot + 1}`);
  }
  // Unused sectors inside the extended partition are free space for more logical partitions, and say where they are.
  const inside = map.areas.filter((a) => a.kind === 'free' && a.firstLba >= 18432 && a.lastLba < 18432 + 40960);
  assert.ok(inside.length >= 2);
  assert.ok(inside.every((a) => /^Free space in extended partition 2\n/.test(a.title)));
});

test('no partition table: one free area; a whole-disk FAT volume: one volume area', async (t) => {
  const blank = await mapOf(writeSparseImage(path.join(dir, 'blank.img'), 4 * MiB, []));
  assert.deepEqual(
    blank.areas.map((a) => [a.kind, a.firstLba, a.lastLba]),
    [['free', 0, 8191]],
  );
  assert.match(blank.areas[0]!.title, /No partition table/);
  if (!haveTools('mkfs.vfat')) return t.skip('mkfs.vfat not installed');
  const fat = path.join(dir, 'superfloppy.img');
  writeSparseImage(fat, 8 * MiB, []);
  execFileSync('mkfs.vfat', ['-n', 'WHOLE', fat], { stdio: 'ignore' });
  const map = await mapOf(fat);
  const volume = area(map, 'disk-volume');
  assert.equal(volume.kind, 'volume');
  assert.equal(volume.nodeId, 'disk-volume');
  assert.match(volume.label, /^vfat "WHOLE"$/);
  assert.equal(volume.firstLba, 0);
});

test('a qcow2 container: the map is the virtual disk, the same as the raw image', async (t) => {
  if (!haveQemuImg()) return t.skip('qemu-img not installed');
  const raw = writeEsxi5Image(path.join(dir, 'for-qcow2.img'), { sizeBytes: 2 * GiB });
  const qcow2 = convertRaw(raw, { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' }, path.join(dir, 'esxi.qcow2'));
  assert.ok(fs.statSync(qcow2).size < 8 * MiB);
  const [fromRaw, fromQcow2] = [await mapOf(raw), await mapOf(qcow2)];
  assert.deepEqual(fromQcow2, fromRaw);
});

test('hostile: 128 partitions all get a width, overlapping partitions go to the rows below and carry the overlap finding', async () => {
  const total = 1n << 22n;
  const slots = Array.from({ length: 128 }, (_, i) => ({
    typeGuid: TYPE_MS_BASIC_DATA,
    uniqueGuid: testGuid(i + 1),
    firstLba: 2048n + BigInt(i) * 8n,
    lastLba: 2048n + BigInt(i) * 8n + 7n,
    name: `p${i + 1}`,
  }));
  const map128 = await mapOf(writeGptImage(path.join(dir, 'p128.img'), { sectorSize: 512, totalSectors: total, diskGuid: testGuid(9), slots }));
  assertTiles(map128);
  assert.equal(map128.areas.filter((a) => a.kind === 'partition').length, 128);
  assert.ok(map128.areas.every((a) => a.width > 0));
  // Six partitions over the same sectors: the rows below take them, the last row whatever is left.
  const overlapping = Array.from({ length: 6 }, (_, i) => ({
    typeGuid: TYPE_MS_BASIC_DATA,
    uniqueGuid: testGuid(200 + i),
    firstLba: 4096n + BigInt(i) * 16n,
    lastLba: 8191n,
    name: `o${i + 1}`,
  }));
  const map = await mapOf(writeGptImage(path.join(dir, 'overlap.img'), { sectorSize: 512, totalSectors: total, diskGuid: testGuid(10), slots: overlapping }));
  assertTiles(map);
  assert.equal(map.lanes, MAX_DISK_MAP_LANES);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => area(map, `partition-${n}`).lane),
    [0, 1, 2, 3, 3, 3],
  );
  const flagged = map.areas.filter((a) => a.findings.includes('gpt-partition-overlap'));
  assert.ok(
    flagged.some((a) => a.kind === 'partition'),
    'the overlap is marked on a partition',
  );
});

test('hostile: a partition past the end of the disk is clipped to it and says so', async () => {
  const total = 1n << 16n;
  const image = writeGptImage(path.join(dir, 'past-end.img'), {
    sectorSize: 512,
    totalSectors: total,
    diskGuid: testGuid(11),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 1n << 40n, name: 'big' }],
  });
  const map = await mapOf(image);
  const p = area(map, 'partition-1');
  assert.ok(p.lastLba <= map.totalSectors - 1);
  assert.match(p.title, /runs past the end of the disk/);
  assert.ok(map.areas.every((a) => Number.isFinite(a.x) && Number.isFinite(a.width) && a.x >= 0 && a.x + a.width <= 1 + 1e-9));
});

test('an Apple Partition Map and a Sun label by parted: the label as a table area, the partitions as partx lists them', async (t) => {
  if (!haveTools('parted', 'partx')) return t.skip('parted or partx not installed');
  const mac = await mapOf(partedImage(path.join(dir, 'mac.img'), 65536, 'mac', [['boot', '2048s', '20479s']]));
  assertTiles(mac);
  assert.match(mac.summary, /^Apple Partition Map disk · /);
  const label = area(mac, 'label-0');
  assert.deepEqual([label.kind, label.label, label.firstLba, label.nodeId], ['label', 'APM', 0, 'label-0']);
  assert.ok(!mac.areas.some((a) => a.kind === 'mbr'), 'no MBR drawn on an APM disk');
  for (const row of partx(path.join(dir, 'mac.img'))) {
    const a = area(mac, `partition-${row.nr}`);
    assert.deepEqual([BigInt(a.firstLba), BigInt(a.lastLba)], [row.start, row.end], `partition ${row.nr}`);
  }
  const sun = await mapOf(partedImage(path.join(dir, 'sun.img'), 65536, 'sun', [['ext2', '2048s', '20479s']]));
  assert.equal(area(sun, 'label-0').label, 'VTOC');
  assert.match(sun.summary, /^Sun disk label disk · /);
});
