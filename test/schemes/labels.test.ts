// Issue 14 item 5: Apple Partition Map, Sun VTOC and SGI volume headers made by
// parted, read through our specs and compared with libblkid (partx) and sfdisk;
// volumes inside their partitions compared with blkid -p -O; damaged labels
// reported with their finding codes, hostile maps bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { analyzeFile, codes, flipByte, readAt, sfdiskJson, writeAt } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { TOOL_VOLUMES, blkidAt, haveTools, makeVolume, placeVolume } from '../builders/volumes';
import { partedImage, partx } from '../builders/labels';
import type { DiskModel, Partition } from '../../src/core/model';
import { MAX_APM_MAP_ENTRIES } from '../../src/core/limits';

const MiB = 1024 * 1024;
const SECTORS = 131072; // 64 MiB
const dir = tempDir('diskx-labels-');
const skip = haveTools('parted', 'partx', 'sfdisk', 'blkid', 'mkfs.vfat', 'mkfs.ext4', 'mkswap') ? false : 'needs parted, util-linux, dosfstools, e2fsprogs';

/** Our partitions as partx lists them: number, start, end, type, name. */
const rows = (partitions: Partition[]) =>
  partitions.map((p) => ({ nr: p.number, start: p.firstLba, end: p.lastLba, type: p.typeCode, name: p.name })).sort((a, b) => a.nr - b.nr);
const partxRows = (image: string) =>
  partx(image)
    .map((r) => ({ nr: r.nr, start: r.start, end: r.end, type: r.type, name: r.name }))
    .sort((a, b) => a.nr - b.nr);

/** Compares the content found in partition `number` with blkid -p at its offset. */
function assertContentLikeBlkid(image: string, disk: DiskModel, number: number): void {
  const p = disk.partitions.find((q) => q.number === number)!;
  const offset = Number(p.firstLba) * 512;
  const oracle = blkidAt(image, offset, Number(p.sizeBytes));
  assert.ok(oracle.TYPE, `blkid finds a volume in partition ${number}`);
  assert.equal(p.content?.type, oracle.TYPE);
  assert.equal(p.content?.label, oracle.LABEL);
  assert.equal(p.content?.uuid, oracle.UUID);
}

describe('Apple Partition Map (parted mklabel mac)', { skip }, () => {
  const image = path.join(dir, 'mac.img');
  test('partitions equal partx, a vfat volume inside equals blkid, check is clean', async () => {
    partedImage(image, SECTORS, 'mac', [
      ['boot', '2048s', '20479s'],
      ['data', 'ext2', '20480s', '40959s'],
    ]);
    placeVolume(
      image,
      makeVolume(dir, 'mac-fat', 9 * MiB, (f, size) => TOOL_VOLUMES.fat16!.make(f, size)),
      1 * MiB,
    );
    placeVolume(
      image,
      makeVolume(dir, 'mac-ext4', 10 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      10 * MiB,
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'apm');
    assert.ok(partx(image).every((r) => r.scheme === 'mac'));
    // Every map entry (the map itself and Apple_Free included), numbered in map order, as the kernel and libblkid do.
    assert.deepEqual(rows(disk.partitions), partxRows(image));
    assert.equal(disk.partitions.find((p) => p.number === 1)?.typeCode, 'Apple_partition_map');
    assertContentLikeBlkid(image, disk, 2);
    assertContentLikeBlkid(image, disk, 3);
    assert.deepEqual(codes(findings), []);
    assert.equal(disk.labels?.[0]?.nodes.length, disk.partitions.length + 1, 'the driver descriptor and one node per entry');
  });

  test('inspect --json: scheme "apm", each partition with scheme and content; check exits 0', async () => {
    const run = await runCli(['inspect', '--json', image]);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      scheme: string;
      partitions: { scheme: string; number: number; typeGuid: string; content: { type: string } | null }[];
    };
    assert.equal(json.scheme, 'apm');
    assert.ok(json.partitions.every((p) => p.scheme === 'apm'));
    assert.equal(json.partitions.find((p) => p.number === 2)?.content?.type, 'vfat');
    assert.equal(json.partitions.find((p) => p.number === 2)?.typeGuid, 'Apple_UNIX_SVR2');
    const check = await runCli(['check', image]);
    assert.equal(check.status, 0, check.stdout);
    assert.doesNotMatch(check.stdout, /no-partition-table/);
  });

  test('a broken entry signature ends the map with apm-map-invalid; the entries before it stay', async () => {
    const broken = path.join(dir, 'mac-broken.img');
    partedImage(broken, SECTORS, 'mac', [['boot', '2048s', '20479s']]);
    writeAt(broken, 3 * 512, Buffer.from('XX'));
    const { disk, findings } = await analyzeFile(broken);
    assert.equal(disk.scheme, 'apm');
    assert.deepEqual(codes(findings), ['apm-map-invalid']);
    assert.deepEqual(
      disk.partitions.map((p) => p.number),
      [1, 2],
    );
  });

  test('a map claiming 2^32 - 1 entries is read up to MAX_APM_MAP_ENTRIES; entries past the disk are reported', async () => {
    const hostile = path.join(dir, 'mac-hostile.img');
    partedImage(hostile, SECTORS, 'mac', [['boot', '2048s', '20479s']]);
    const map = readAt(hostile, 512, 136);
    const first = map.readUInt32BE(4);
    for (let block = 1; block <= first; block++) writeAt(hostile, block * 512 + 4, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    // Entry 2 now runs far past the disk.
    const entry = readAt(hostile, 2 * 512, 136);
    entry.writeUInt32BE(0xfffffff0, 12);
    writeAt(hostile, 2 * 512, entry);
    // Fill blocks up to 300 with copies of entry 1 so the limit, not the signatures, stops the loop.
    const copy = readAt(hostile, 512, 512);
    for (let block = first + 1; block <= 300; block++) writeAt(hostile, block * 512, copy);
    const { disk, findings } = await analyzeFile(hostile);
    assert.equal(disk.partitions.length, MAX_APM_MAP_ENTRIES);
    assert.ok(codes(findings).includes('apm-map-invalid'));
    assert.ok(codes(findings).includes('label-partition-out-of-range'));
  });
});

describe('Sun disk label (parted mklabel sun)', { skip }, () => {
  const image = path.join(dir, 'sun.img');
  test('partitions equal sfdisk (whole-disk slice included) and partx; ext4 and swap inside equal blkid', async () => {
    partedImage(image, SECTORS, 'sun', [
      ['ext2', '4096s', '20479s'],
      ['linux-swap', '20480s', '40959s'],
    ]);
    placeVolume(
      image,
      makeVolume(dir, 'sun-ext4', 8 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      2 * MiB,
    );
    placeVolume(
      image,
      makeVolume(dir, 'sun-swap', 10 * MiB, (f, size) => TOOL_VOLUMES.swap!.make(f, size)),
      10 * MiB,
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'sun');
    const sfdisk = sfdiskJson(image);
    assert.equal(sfdisk.label, 'sun');
    assert.deepEqual(
      disk.partitions.map((p) => ({ slot: p.slot, start: p.firstLba, size: p.lastLba - p.firstLba + 1n, type: Number(p.typeCode) })),
      sfdisk.partitions.map((p) => ({ slot: p.slot, start: p.start, size: p.size, type: parseInt(p.type, 16) })).sort((a, b) => a.slot - b.slot),
    );
    // libblkid leaves out the whole-disk slice (tag 5); we mark it.
    assert.deepEqual(
      rows(disk.partitions.filter((p) => !p.wholeDisk)).map((r) => ({ ...r, name: '' })),
      partxRows(image).map((r) => ({ ...r, type: `0x${Number(r.type).toString(16).toUpperCase().padStart(2, '0')}` })),
    );
    assert.equal(disk.partitions.find((p) => p.wholeDisk)?.number, 3);
    assertContentLikeBlkid(image, disk, 1);
    assertContentLikeBlkid(image, disk, 2);
    assert.equal(disk.labels?.[0]?.checksum?.ok, true);
    assert.deepEqual(codes(findings), []);
  });

  test('a partition tagged Linux native holding swap: partition-type-mismatch at its VTOC tag', async () => {
    const mismatch = partedImage(path.join(dir, 'sun-mismatch.img'), SECTORS, 'sun', [['ext2', '4096s', '20479s']]);
    placeVolume(
      mismatch,
      makeVolume(dir, 'sun-mismatch-swap', 8 * MiB, (f, size) => TOOL_VOLUMES.swap!.make(f, size)),
      2 * MiB,
    );
    const { findings } = await analyzeFile(mismatch);
    assert.deepEqual(codes(findings), ['partition-type-mismatch']);
    assert.match(findings[0]!.message, /typed Linux native \(0x83\) but holds swap/);
    assert.deepEqual([findings[0]!.offset, findings[0]!.length], [142, 4]);
  });

  test('one changed byte: sun-label-checksum (error), the partitions still listed', async () => {
    const bad = path.join(dir, 'sun-bad.img');
    partedImage(bad, SECTORS, 'sun', [['ext2', '4096s', '20479s']]);
    flipByte(bad, 10); // in the ASCII label
    const { disk, findings } = await analyzeFile(bad);
    assert.equal(disk.scheme, 'sun');
    assert.deepEqual(codes(findings), ['sun-label-checksum']);
    assert.equal(findings[0]!.offset, 510);
    assert.equal(disk.partitions.length, 2);
    const check = await runCli(['check', '--json', bad]);
    assert.equal(check.status, 1);
    assert.match(check.stdout, /"sun-label-checksum"/);
  });
});

describe('SGI volume header (parted mklabel dvh)', { skip }, () => {
  const image = path.join(dir, 'dvh.img');
  test('partitions equal sfdisk and partx; a vfat volume inside equals blkid', async () => {
    partedImage(image, SECTORS, 'dvh', [
      ['primary', 'ext2', '4096s', '20479s'],
      ['primary', 'ext2', '20480s', '40959s'],
    ]);
    placeVolume(
      image,
      makeVolume(dir, 'sgi-fat', 8 * MiB, (f, size) => TOOL_VOLUMES.fat12!.make(f, size)),
      2 * MiB,
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'sgi');
    const sfdisk = sfdiskJson(image);
    assert.equal(sfdisk.label, 'sgi');
    assert.deepEqual(
      disk.partitions.map((p) => ({ slot: p.slot, start: p.firstLba, size: p.lastLba - p.firstLba + 1n, type: Number(p.typeCode) })),
      sfdisk.partitions.map((p) => ({ slot: p.slot, start: p.start, size: p.size, type: parseInt(p.type, 16) })).sort((a, b) => a.slot - b.slot),
    );
    assert.deepEqual(
      rows(disk.partitions),
      partxRows(image).map((r) => ({ ...r, type: `0x${Number(r.type).toString(16).toUpperCase().padStart(2, '0')}` })),
    );
    assertContentLikeBlkid(image, disk, 1);
    assert.deepEqual(codes(findings), []);
  });

  test('one changed byte: sgi-label-checksum (error)', async () => {
    const bad = path.join(dir, 'dvh-bad.img');
    partedImage(bad, SECTORS, 'dvh', [['primary', 'ext2', '4096s', '20479s']]);
    flipByte(bad, 12); // in the boot file name
    const { disk, findings } = await analyzeFile(bad);
    assert.equal(disk.scheme, 'sgi');
    assert.deepEqual(codes(findings), ['sgi-label-checksum']);
    assert.equal(findings[0]!.offset, 0x1f8);
  });
});

/** Rewrites a Sun label's checksum so the XOR of its 256 words is zero again. */
function resealSun(image: string): void {
  const label = readAt(image, 0, 512);
  let x = 0;
  for (let i = 0; i < 510; i += 2) x ^= label.readUInt16BE(i);
  writeAt(image, 510, Buffer.from([x >> 8, x & 0xff]));
}

/** Rewrites an SGI header's checksum so its 128 words sum to zero again. */
function resealSgi(image: string): void {
  const header = readAt(image, 0, 512);
  let sum = 0;
  for (let i = 0; i < 512; i += 4) if (i !== 0x1f8) sum = (sum + header.readUInt32BE(i)) >>> 0;
  const word = Buffer.alloc(4);
  word.writeUInt32BE((0x100000000 - sum) % 0x100000000);
  writeAt(image, 0x1f8, word);
}

describe('label sanity beyond the checksums', { skip }, () => {
  test('APM: a driver descriptor block size of 1000, or more blocks than the disk: apm-driver-descriptor-invalid', async () => {
    const image = path.join(dir, 'mac-ddm.img');
    partedImage(image, SECTORS, 'mac', [['boot', '2048s', '20479s']]);
    const entries = partx(image).length;
    writeAt(image, 2, Buffer.from([0x03, 0xe8]));
    let { disk, findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['apm-driver-descriptor-invalid']);
    // libblkid looks for the map at byte 1000 and finds none; we still read it in 512-byte blocks.
    assert.equal(disk.partitions.length, entries);
    writeAt(image, 2, Buffer.from([0x02, 0x00, 0x00, 0x10, 0x00, 0x00]));
    ({ disk, findings } = await analyzeFile(image));
    assert.deepEqual(codes(findings), ['apm-driver-descriptor-invalid']);
    assert.match(findings[0]!.message, /counts 1048576 blocks/);
    assert.equal(disk.scheme, 'apm');
  });

  test('Sun: no geometry (0 heads) with a valid checksum: sun-label-invalid', async () => {
    const image = partedImage(path.join(dir, 'sun-geometry.img'), SECTORS, 'sun', [['ext2', '4096s', '20479s']]);
    writeAt(image, 436, Buffer.from([0, 0])); // heads
    resealSun(image);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'sun');
    assert.deepEqual(codes(findings), ['sun-label-invalid']);
  });

  test('Sun: a VTOC with a wrong sanity value: sun-label-invalid, its tags not trusted', async () => {
    const image = partedImage(path.join(dir, 'sun-vtoc.img'), SECTORS, 'sun', [['ext2', '4096s', '20479s']]);
    writeAt(image, 188, Buffer.from([1, 2, 3, 4])); // vtoc_sanity
    resealSun(image);
    const { disk, findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['sun-label-invalid']);
    assert.ok(disk.partitions.every((p) => p.typeCode === '0x00'));
  });

  test('SGI: a root partition number of 20: sgi-label-invalid', async () => {
    const image = partedImage(path.join(dir, 'dvh-root.img'), SECTORS, 'dvh', [['primary', 'ext2', '4096s', '20479s']]);
    writeAt(image, 4, Buffer.from([0, 20]));
    resealSgi(image);
    const { findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['sgi-label-invalid']);
    assert.match(findings[0]!.message, /partition 20 as its root partition/);
  });
});
