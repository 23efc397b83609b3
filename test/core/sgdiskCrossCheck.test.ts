// Our parser against sfdisk/sgdisk on images sgdisk made: same partitions (slot,
// start, size, type, uuid, name, attributes), and clean images check clean.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { haveOracles, tempDir } from '../builders/images';
import { analyzeFile, problems, sfdiskAttributes, sfdiskJson, sgdisk, sgdiskAttributes, sgdiskVerify, sparseFile } from '../builders/oracles';
import type { DiskModel } from '../../src/core/diskModel';
import { inspectJson } from '../../src/core/report';

const skip = !haveOracles() && 'sgdisk/sfdisk not installed';
const dir = tempDir();
const MiB = 1024 * 1024;

/** Our partitions, in sfdisk's terms. */
function ours(disk: DiskModel) {
  return disk.partitions.map((p) => ({ slot: p.slot, start: p.firstLba, size: p.lastLba - p.firstLba + 1n, type: p.typeGuid, uuid: p.uuid, name: p.name }));
}

async function assertSameAsSfdisk(image: string): Promise<DiskModel> {
  const theirs = sfdiskJson(image);
  const { disk, findings } = await analyzeFile(image);
  assert.equal(disk.scheme, 'gpt');
  assert.equal(theirs.label, 'gpt');
  assert.equal(disk.primary?.diskGuid, theirs.id.toUpperCase());
  assert.deepEqual(
    ours(disk),
    theirs.partitions.map((p) => ({ slot: p.slot, start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name })),
  );
  // sfdisk shows bits 0-2 and 48-63 only; compare those.
  const visible = 0xffff000000000007n;
  for (const p of theirs.partitions) {
    const mine = disk.partitions.find((q) => q.slot === p.slot)!;
    assert.equal(mine.attributes & visible, sfdiskAttributes(p.attrs), `attributes of slot ${p.slot}`);
  }
  assert.equal(sgdiskVerify(image).problems, 0, 'sgdisk -v finds the image clean');
  assert.deepEqual(problems(findings), [], 'and so do we');
  return disk;
}

describe('sgdisk-made images read like sfdisk reads them', { concurrency: true }, () => {
  test('plain layout: three partitions, default alignment', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'plain.img'), 64 * MiB);
    await sgdisk(image, '-n', '1:0:+8M', '-t', '1:EF00', '-n', '2:0:+16M', '-t', '2:8300', '-n', '3:0:0', '-t', '3:8E00');
    const disk = await assertSameAsSfdisk(image);
    assert.deepEqual(
      disk.partitions.map((p) => p.typeName),
      ['EFI system partition', 'Linux filesystem', 'Linux LVM'],
    );
  });

  test('slot gaps and partitions out of on-disk order (numbers 7, 2, 128)', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'gaps.img'), 32 * MiB);
    await sgdisk(image, '-n', '7:2048:4095', '-n', '2:8192:+1M', '-n', '128:20480:0', '-t', '128:0700');
    const disk = await assertSameAsSfdisk(image);
    assert.deepEqual(
      disk.partitions.map((p) => p.number),
      [2, 7, 128],
    );
    const { findings } = await analyzeFile(image);
    assert.deepEqual(
      findings.map((f) => `${f.code}/${f.severity}`),
      ['slot-gap/info'],
    );
  });

  test('gaps between partitions on disk (free space) are not findings', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'free.img'), 32 * MiB);
    await sgdisk(image, '-a', '1', '-n', '1:2048:4095', '-n', '2:30000:40000', '-n', '3:50000:50000');
    const disk = await assertSameAsSfdisk(image);
    assert.equal(disk.partitions[2]!.sizeBytes, 512n, 'a one-sector partition');
  });

  test('names: non-ASCII, 36 UTF-16 code units, and characters outside the BMP', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'names.img'), 16 * MiB);
    const long = 'abcdefghijklmnopqrstuvwxyz0123456789'; // exactly 36, the field's maximum
    await sgdisk(
      image,
      '-n',
      '1:0:+1M',
      '-c',
      '1:Ünïcödé ñame — ESXi',
      '-n',
      '2:0:+1M',
      '-c',
      `2:${long}`,
      '-n',
      '3:0:+1M',
      '-c',
      '3:日本語のパーティション',
      '-n',
      '4:0:+1M',
      '-c',
      '4:disk 💾',
    );
    const disk = await assertSameAsSfdisk(image);
    assert.deepEqual(
      disk.partitions.map((p) => p.name),
      ['Ünïcödé ñame — ESXi', long, '日本語のパーティション', 'disk 💾'],
    );
  });

  test('attributes: bits 0-2 and 48-63 exactly, also in inspect JSON', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'attrs.img'), 16 * MiB);
    await sgdisk(
      image,
      '-n',
      '1:0:+1M',
      '-A',
      '1:set:60',
      '-A',
      '1:set:63',
      '-A',
      '1:set:48',
      '-A',
      '1:set:0',
      '-n',
      '2:0:+1M',
      '-A',
      '2:set:2',
      '-n',
      '3:0:+1M',
      '-A',
      '3:set:1',
      '-A',
      '3:set:62',
    );
    const disk = await assertSameAsSfdisk(image);
    for (const p of disk.partitions) assert.equal(p.attributes, sgdiskAttributes(image, p.number), `sgdisk -i ${p.number}`);
    assert.equal(disk.partitions[0]!.attributes, (1n << 63n) | (1n << 60n) | (1n << 48n) | 1n);
    const json = inspectJson(disk);
    assert.deepEqual(
      json.partitions.map((p) => p.attributes),
      ['0x9001000000000001', '0x0000000000000004', '0x4000000000000002'],
    );
  });

  test('a 2 TiB sparse disk: LBAs above 2^32 exact, same as sfdisk', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'two-tib.img'), 2 * 1024 * 1024 * MiB);
    await sgdisk(image, '-n', '1:0:+1G', '-n', '2:0:+1T', '-n', '3:0:0');
    const disk = await assertSameAsSfdisk(image);
    assert.equal(disk.totalSectors, 4294967296n);
    assert.equal(disk.backup?.lba, 4294967295n);
    assert.equal(disk.partitions[2]!.lastLba, 4294967262n);
    const json = inspectJson(disk);
    assert.equal(json.partitions[2]!.lastLba, 4294967262);
    assert.equal(json.backup?.lba, 4294967295);
    assert.equal(json.mbr?.records[0]!.sectors, 0xffffffff, 'protective record capped at 0xFFFFFFFF');
  });

  test('128-entry array with every slot used', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'full.img'), 64 * MiB);
    const args: string[] = [];
    for (let n = 1; n <= 128; n++) args.push('-n', `${n}:0:+256K`);
    await sgdisk(image, ...args);
    const disk = await assertSameAsSfdisk(image);
    assert.equal(disk.partitions.length, 128);
    const { findings } = await analyzeFile(image);
    assert.deepEqual(findings, [], 'no gap, no finding at all');
  });

  test('sgdisk -s (sort) on a disk with gaps renumbers, and we follow the new slots', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'sorted.img'), 16 * MiB);
    await sgdisk(image, '-n', '3:2048:4095', '-n', '1:4096:6143', '-n', '6:6144:8191');
    await sgdisk(image, '-s');
    const disk = await assertSameAsSfdisk(image);
    assert.deepEqual(
      disk.partitions.map((p) => [p.slot, p.firstLba]),
      [
        [0, 2048n],
        [1, 4096n],
        [2, 6144n],
      ],
    );
  });

  test('a non-default entry count (sgdisk -n with a 256-entry array)', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'entries256.img'), 16 * MiB);
    await sgdisk(image, '--resize-table=256', '-n', '200:0:+1M');
    const disk = await assertSameAsSfdisk(image);
    assert.equal(disk.primary?.numPartitionEntries, 256);
    assert.equal(disk.primary?.firstUsableLba, 66n);
    assert.equal(disk.partitions[0]!.number, 200);
  });
});
