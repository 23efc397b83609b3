// HFS and HFS Plus probes (blkid's hfs and hfsplus), compared with blkid -p:
// HFS made by hformat (alone and in a parted APM partition), HFS Plus made by
// xorriso in an Apple Partition Map, and HFSX and an HFS wrapper built from
// their layouts around xorriso's volume. APM partitions are checked against
// their type (partition-type-mismatch at pmParType).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeFile, codes, sparseFile, writeAt } from '../builders/oracles';
import { TOOL_VOLUMES, blkidAt, haveTools, makeVolume, placeVolume } from '../builders/volumes';
import { partedImage } from '../builders/labels';
import { blkidLabel, hformatVolume, hfsWrapper, region, setVolumeId, xorrisoHfsPlus } from '../builders/hfs';
import { probeAt } from '../../src/core/content/index';
import { FileSource } from '../../src/core/io/fileSource';
import { findField } from '../../src/core/structure';
import { buildStructureTree } from '../../src/app/structureTree';
import { findNode } from '../builders/tree';

const MiB = 1024 * 1024;
const dir = tempDir('diskx-hfs-');
const skip = haveTools('hformat', 'xorriso', 'blkid', 'partx', 'parted', 'mkfs.ext4') ? false : 'needs hfsutils, xorriso, util-linux, parted, e2fsprogs';
const ID = Uint8Array.of(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef);

async function probeFile(image: string, offset: number, size: number) {
  const source = await FileSource.open(image);
  try {
    return await probeAt(source, offset, size);
  } finally {
    await source.close();
  }
}

/** Our content at an offset against blkid's TYPE, LABEL (raw bytes) and UUID there. */
async function sameAsBlkid(image: string, offset: number, size: number) {
  const ours = await probeFile(image, offset, size);
  const oracle = blkidAt(image, offset, size);
  assert.ok(ours, `nothing found at ${offset}`);
  assert.equal(ours.type, oracle.TYPE);
  assert.equal(ours.label, blkidLabel(image, offset, size));
  assert.equal(ours.uuid, oracle.UUID);
  return ours;
}

describe('HFS (hformat)', { skip }, () => {
  test('a whole-image HFS volume: hfs, label and the UUID from the volume ID equal blkid, its size by its own count', async () => {
    const image = hformatVolume(path.join(dir, 'hfs.img'), 8 * MiB, 'My HFS Vol');
    const plain = await sameAsBlkid(image, 0, 8 * MiB);
    assert.equal(plain.uuid, undefined, 'hformat leaves the volume ID zero: no UUID');
    setVolumeId(image, 0, 'hfs', ID);
    const found = await sameAsBlkid(image, 0, 8 * MiB);
    assert.equal(found.label, 'My HFS Vol');
    assert.match(found.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(found.sizeBytes, BigInt(8 * MiB));
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'none');
    assert.equal(disk.content?.type, 'hfs');
    assert.deepEqual(codes(findings), ['whole-disk-volume']);
    // The tree decodes HFS dates (seconds since 1904).
    const { tree } = buildStructureTree(disk, findings);
    const created = findNode(tree, (n) => n.label === 'createMacDate');
    assert.match(created?.description ?? '', /^0x[0-9A-F]+ · 20\d\d-\d\d-\d\dT[\d:]+Z \(seconds since 1904\)$/);
  });

  test('a UTF-8 name is passed on as blkid does', async () => {
    const image = hformatVolume(path.join(dir, 'hfs-utf8.img'), 4 * MiB, 'Café');
    assert.equal((await sameAsBlkid(image, 0, 4 * MiB)).label, 'Café');
  });

  test('in a parted APM partition (Apple_HFS, formatted by hformat): equal blkid, no type mismatch; an ext4 there is one, at pmParType', async () => {
    const image = partedImage(path.join(dir, 'apm.img'), 65536, 'mac', [
      ['myhfs', 'hfs', '2048s', '18431s'],
      ['lin', 'ext2', '18432s', '40959s'],
    ]);
    execFileSync('hformat', ['-l', 'APMHFS', image, '1'], { stdio: 'ignore' });
    placeVolume(
      image,
      makeVolume(dir, 'apm-ext4', 11 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      18432 * 512,
    );
    await sameAsBlkid(image, 2048 * 512, 16384 * 512);
    const { disk, findings } = await analyzeFile(image);
    const hfs = disk.partitions.find((p) => p.typeCode === 'Apple_HFS')!;
    assert.equal(hfs.content?.type, 'hfs');
    assert.equal(hfs.content?.label, 'APMHFS');
    assert.equal(disk.partitions.find((p) => p.typeCode === 'Apple_UNIX_SVR2')!.content?.type, 'ext4');
    assert.deepEqual(codes(findings), [], 'Apple_HFS holding HFS and Apple_UNIX_SVR2 holding ext4 are as typed');

    // The ext4 moved into the Apple_HFS partition (and the HFS wiped): typed HFS, holds ext4.
    writeAt(image, 2048 * 512, new Uint8Array(4096));
    placeVolume(
      image,
      makeVolume(dir, 'apm-ext4-2', 8 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      2048 * 512,
    );
    const after = await analyzeFile(image);
    const mismatch = after.findings.find((f) => f.code === 'partition-type-mismatch');
    assert.match(mismatch?.message ?? '', /^Partition 2 is typed HFS \/ HFS\+ \(Apple_HFS\) but holds ext4/);
    const entry = after.disk.labels![0]!.nodes[hfs.slot + 1]!;
    const typeField = findField(entry.fields, 'entry.type')!;
    assert.equal(mismatch!.offset, typeField.offset, 'points at pmParType');
    assert.equal(mismatch!.length, 32);
  });

  test('in GPT partitions: Apple HFS+ and Linux filesystem types hold it as typed, Linux swap does not', async () => {
    const types = ['48465300-0000-11AA-AA11-00306543ECAC', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F'];
    const image = writeGptImage(path.join(dir, 'gpt-hfs.img'), {
      sectorSize: 512,
      totalSectors: 65536n,
      diskGuid: testGuid(0x4f5),
      slots: types.map((typeGuid, i) => ({
        typeGuid,
        uniqueGuid: testGuid(i + 1),
        firstLba: 2048n + BigInt(i) * 16384n,
        lastLba: 2048n + BigInt(i + 1) * 16384n - 1n,
      })),
    });
    const volume = hformatVolume(path.join(dir, 'gpt-hfs-volume.img'), 8 * MiB, 'GPTHFS');
    for (let i = 0; i < types.length; i++) placeVolume(image, volume, (2048 + i * 16384) * 512);
    for (let i = 0; i < types.length; i++) await sameAsBlkid(image, (2048 + i * 16384) * 512, 8 * MiB);
    const { findings } = await analyzeFile(image);
    assert.deepEqual(
      findings.filter((f) => f.code === 'partition-type-mismatch').map((f) => f.message.slice(0, 41)),
      ['Partition 3 is typed Linux swap (0657FD6D'],
    );
  });

  test('hostile: allocation block size 0 is not HFS', async () => {
    const image = hformatVolume(path.join(dir, 'hfs-bad.img'), 4 * MiB, 'BAD');
    writeAt(image, 1024 + 20, new Uint8Array(4));
    assert.equal(await probeFile(image, 0, 4 * MiB), null);
    assert.equal(blkidAt(image, 0, 4 * MiB).TYPE, undefined);
  });
});

describe('HFS Plus (xorriso) and the layouts no tool here writes', { skip }, () => {
  test('in the Apple_HFS partition of an APM: hfsplus, the catalog name (UTF-16, decomposed) and UUID equal blkid; size totalBlocks x blockSize', async () => {
    const hp = xorrisoHfsPlus(dir, 'hfsplus.iso', 'Données été');
    const plain = await sameAsBlkid(hp.image, hp.offset, hp.size);
    assert.equal(plain.label, 'Donne\u0301es e\u0301te\u0301', 'HFS Plus stores names decomposed; blkid keeps them so');
    setVolumeId(hp.image, hp.offset, 'hfsplus', ID);
    const found = await sameAsBlkid(hp.image, hp.offset, hp.size);
    assert.ok(found.uuid);
    assert.equal(found.version, '4');
    const header = region(hp.image, hp.offset + 1024, 512);
    const view = new DataView(header.buffer, header.byteOffset);
    assert.equal(found.sizeBytes, BigInt(view.getUint32(40) * view.getUint32(44)));
    assert.deepEqual(
      found.structures.map((s) => s.name),
      ['hfsplusVolumeHeader', 'hfsplusCatalogHeader', 'hfsplusCatalogLeaf'],
    );
    const { disk, findings } = await analyzeFile(hp.image);
    assert.equal(disk.scheme, 'apm');
    assert.equal(disk.partitions.find((p) => p.typeCode === 'Apple_HFS')!.content?.type, 'hfsplus');
    // Nothing wrong: the driver descriptor's "block count" is the x86 jump a hybrid ISO keeps there.
    assert.deepEqual(codes(findings), []);
  });

  test('an Apple_HFS entry shortened below the volume: volume-larger-than-partition', async () => {
    const hp = xorrisoHfsPlus(dir, 'short.iso', 'SHORT');
    const before = await analyzeFile(hp.image);
    const slot = before.disk.partitions.find((p) => p.typeCode === 'Apple_HFS')!.slot;
    // pmPartBlkCnt, 12 bytes into the map entry (512-byte blocks from block 1).
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, hp.size / 512 - 8);
    writeAt(hp.image, (slot + 1) * 512 + 12, count);
    const { findings } = await analyzeFile(hp.image);
    assert.ok(codes(findings).includes('volume-larger-than-partition'), codes(findings).join());
  });

  test('HFSX ("HX", version 5): hfsplus as blkid says', async () => {
    const hp = xorrisoHfsPlus(dir, 'hfsx.iso', 'CASEFUL');
    writeAt(hp.image, hp.offset + 1024, Uint8Array.of(0x48, 0x58, 0x00, 0x05));
    const found = await sameAsBlkid(hp.image, hp.offset, hp.size);
    assert.equal(found.type, 'hfsplus');
    assert.equal(found.version, '5');
    assert.equal(found.label, 'CASEFUL');
  });

  test('an HFS wrapper around an embedded HFS Plus volume: hfsplus with the inner name, as blkid; size is the wrapper', async () => {
    const hp = xorrisoHfsPlus(dir, 'inner.iso', 'INNER');
    setVolumeId(hp.image, hp.offset, 'hfsplus', ID);
    const { bytes } = hfsWrapper(region(hp.image, hp.offset, hp.size), 'Wrapper');
    const image = sparseFile(path.join(dir, 'wrapper.img'), bytes.length);
    writeAt(image, 0, bytes);
    const found = await sameAsBlkid(image, 0, bytes.length);
    assert.equal(found.type, 'hfsplus');
    assert.equal(found.label, 'INNER');
    assert.equal(found.sizeBytes, BigInt(bytes.length));
    assert.deepEqual(
      found.structures.map((s) => s.name),
      ['hfsMasterDirectoryBlock', 'hfsplusVolumeHeader', 'hfsplusCatalogHeader', 'hfsplusCatalogLeaf'],
    );
  });

  test('hostile catalog: a name length of 65535, extents past the volume, node size 0: still hfsplus, no name, no throw', async () => {
    const hp = xorrisoHfsPlus(dir, 'hostile.iso', 'HOSTILE');
    const header = region(hp.image, hp.offset + 1024, 512);
    const view = new DataView(header.buffer, header.byteOffset);
    const blockSize = view.getUint32(40);
    const catalogAt = hp.offset + view.getUint32(288) * blockSize;
    const btree = region(hp.image, catalogAt, 46);
    const nodeSize = new DataView(btree.buffer, btree.byteOffset).getUint16(32);
    const firstLeaf = new DataView(btree.buffer, btree.byteOffset).getUint32(24);
    // (xorriso's catalog is one extent, so the first leaf node is nodeSize x firstLeaf into it.)
    writeAt(hp.image, catalogAt + firstLeaf * nodeSize + 20, Uint8Array.of(0xff, 0xff));
    assert.equal((await probeFile(hp.image, hp.offset, hp.size))?.label, undefined);
    writeAt(hp.image, catalogAt + 32, Uint8Array.of(0, 0));
    assert.equal((await probeFile(hp.image, hp.offset, hp.size))?.type, 'hfsplus');
    const far = new Uint8Array(4);
    new DataView(far.buffer).setUint32(0, 0x7fffffff);
    writeAt(hp.image, hp.offset + 1024 + 288, far);
    const found = await probeFile(hp.image, hp.offset, hp.size);
    assert.equal(found?.type, 'hfsplus');
    assert.equal(found?.label, undefined);
    assert.equal(blkidAt(hp.image, hp.offset, hp.size).TYPE, 'hfsplus');
  });
});
