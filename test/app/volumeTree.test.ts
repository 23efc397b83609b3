// Issue 14 items 2 and 6: the structure tree shows each partition's volume
// (superblock fields with byte ranges and decoded values, hex spans), the
// free space with a lost volume, and a file that is just a file system opens
// as that file system instead of "not a disk image".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeFile, sparseFile } from '../builders/oracles';
import { TOOL_VOLUMES, haveTools, makeVolume, placeVolume } from '../builders/volumes';
import { buildStructureTree } from '../../src/app/structureTree';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { findNode } from '../builders/tree';

const MiB = 1024 * 1024;
const skip = haveTools('mkfs.ext4', 'mkfs.vfat') ? false : 'needs e2fsprogs and dosfstools';

describe('volumes in the structure tree', { skip }, () => {
  const dir = tempDir('diskx-volume-tree-');

  test('a partition node holds its ext4 superblock, fields at their absolute offsets, with spans', async () => {
    const image = writeGptImage(path.join(dir, 'tree.img'), {
      sectorSize: 512,
      totalSectors: BigInt((128 * MiB) / 512),
      diskGuid: testGuid(0xd15c),
      slots: [{ typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 2048n + 81920n - 1n, name: 'root' }],
    });
    placeVolume(
      image,
      makeVolume(dir, 'ext4', 40 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      MiB,
    );
    placeVolume(
      image,
      makeVolume(dir, 'lost', 40 * MiB, (f, size) => TOOL_VOLUMES.fat16!.make(f, size)),
      41 * MiB,
    );
    const { disk, findings } = await analyzeFile(image);
    const { tree, spans, findings: views } = buildStructureTree(disk, findings);
    const volume = findNode(tree, 'partition-1.volume')!;
    assert.ok(volume, 'the partition has a Volume child');
    assert.match(volume.value!, /^ext4 · 1\.0 · "ext4vol"$/);
    const magic = findNode(tree, 'partition-1.volume.extSuperblock.magic')!;
    assert.equal(magic.offset, MiB + 1024 + 0x38);
    assert.equal(magic.length, 2);
    const label = findNode(tree, 'partition-1.volume.extSuperblock.volumeName')!;
    assert.equal(label.value, '"ext4vol"');
    assert.equal(label.kind, 'text');
    const mkfsTime = findNode(tree, 'partition-1.volume.extSuperblock.mkfsTime')!;
    assert.match(mkfsTime.description!, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, 'timestamps decoded');
    const uuid = findNode(tree, 'partition-1.volume.extSuperblock.uuid')!;
    assert.equal(uuid.value, disk.partitions[0]!.content!.uuid);
    assert.ok(
      spans.some((s) => s.nodeId === magic.id && s.offset === magic.offset),
      'the hex view names the field',
    );
    // The lost FAT volume in the free space, and its finding attached to it.
    const lost = findNode(tree, 'free-0.volume')!;
    assert.match(lost.value!, /^vfat · FAT16 · "FAT16VOL"$/);
    assert.ok(views.find((v) => v.code === 'lost-volume')?.nodeId?.startsWith('free-0.volume'), JSON.stringify(views.map((v) => [v.code, v.nodeId])));
  });

  test('a file that is only a FAT file system opens as that volume: no banner, its boot sector in the tree', async () => {
    const image = sparseFile(path.join(dir, 'floppy.img'), 32 * MiB);
    TOOL_VOLUMES.fat16!.make(image, 32 * MiB);
    const session = await DiskImageSession.open(image);
    try {
      const effect = await session.handle({ type: 'ready' }, { bytesPerRow: 16 });
      if (effect.kind !== 'reply' || effect.message.type !== 'init') throw new Error('expected init');
      assert.equal(effect.message.banner, null);
      const whole = findNode(effect.message.tree, 'disk-volume')!;
      assert.equal(whole.label, 'Whole-disk volume');
      assert.equal(findNode(effect.message.tree, 'disk-volume.fatBootSector.bootSector.bytesPerSector')?.value, '512');
      assert.ok(effect.message.findings.some((f) => f.code === 'whole-disk-volume'));
    } finally {
      await session.close();
    }
  });
});
