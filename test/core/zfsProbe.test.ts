// Issue 14 item 1: ZFS pool members (zfs_member), built from the format by our
// builder (no ZFS tools here) inside the partitions of a GPT image: type,
// label (the pool's name), UUID (pool_guid) and version compared with
// blkid -p -O; a damaged first label falls back to the second; hostile
// nvlists are refused without hanging.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeFile, sparseFile, writeAt } from '../builders/oracles';
import { blkidAt, haveTools, placeVolume } from '../builders/volumes';
import { writeZfsMember, zfsNvlist } from '../builders/zfs';
import { probeAt } from '../../src/core/content/index';
import { MemorySource } from '../../src/core/io/memorySource';

const MiB = 1024 * 1024;
const TYPE_ZFS = '6A898CC3-1DD2-11B2-99A6-080020736631'; // Solaris /usr, what zpool uses on Linux
const skip = haveTools('blkid') ? false : 'needs util-linux';
const dir = tempDir('diskx-zfs-');

describe('ZFS members (zfs_member)', { skip }, () => {
  const members = [
    { pool: 'tank', poolGuid: 12345678901234567890n, guid: 987654321n, txg: 37n },
    { pool: 'bigendian', poolGuid: 42n, guid: 7n, txg: 1000n, ashift: 12, bigEndian: true },
    { pool: 'ashift13', poolGuid: 9007199254740993n, guid: 3n, txg: 123456n, ashift: 13, version: 28n },
  ];
  const image = path.join(dir, 'zfs.img');
  const size = 80 * MiB;
  writeGptImage(image, {
    sectorSize: 512,
    totalSectors: BigInt((4 * size + 2 * MiB) / 512),
    diskGuid: testGuid(0x2f5),
    slots: [0, 1, 2, 3].map((i) => ({
      typeGuid: TYPE_ZFS,
      uniqueGuid: testGuid(i + 1),
      firstLba: BigInt((MiB + i * size) / 512),
      lastLba: BigInt((MiB + (i + 1) * size) / 512 - 1),
      name: `zfs${i}`,
    })),
  });
  members.forEach((m, i) => {
    const vol = sparseFile(path.join(dir, `m${i}.vol`), size);
    writeZfsMember(vol, size, m);
    placeVolume(image, vol, MiB + i * size);
  });
  // The fourth: its first label wiped (nvlist and uberblocks), the second intact.
  const damaged = sparseFile(path.join(dir, 'm3.vol'), size);
  writeZfsMember(damaged, size, { pool: 'fallback', poolGuid: 5n, guid: 6n, txg: 9n });
  writeAt(damaged, 0, Buffer.alloc(256 * 1024));
  placeVolume(image, damaged, MiB + 3 * size);

  test('every member equals blkid -p -O: TYPE, LABEL, UUID, VERSION', async () => {
    const { disk } = await analyzeFile(image);
    assert.equal(disk.partitions.length, 4);
    for (const p of disk.partitions) {
      // libblkid ignores ZFS labels that a partition table covers when it probes a whole image, so it reads the member's own file.
      const oracle = blkidAt(path.join(dir, `m${p.slot}.vol`), 0);
      assert.equal(oracle.TYPE, 'zfs_member', `blkid sees partition ${p.number}`);
      assert.equal(p.content?.type, oracle.TYPE);
      assert.equal(p.content?.label, oracle.LABEL);
      assert.equal(p.content?.uuid, oracle.UUID);
      assert.equal(p.content?.version, oracle.VERSION);
    }
    assert.equal(disk.partitions[3]!.content?.label, 'fallback');
  });

  test('the volume shows the nvpairs read and the uberblock with their byte ranges', async () => {
    const { disk } = await analyzeFile(image);
    const c = disk.partitions[0]!.content!;
    const names = c.structures.map((s) => s.name);
    assert.deepEqual(names, [
      'zfsNvlistHeader',
      'nvpair version',
      'nvpair name',
      'nvpair state',
      'nvpair txg',
      'nvpair pool_guid',
      'nvpair guid',
      'nvpair ashift',
      'zfsUberblock',
    ]);
    assert.equal(c.structures[0]!.offset, MiB + 16 * 1024);
    // txg 37 in a ring of 128 one-KiB slots.
    assert.equal(c.structures.at(-1)!.offset, MiB + 128 * 1024 + 37 * 1024);
  });

  test('without the uberblock of its txg a label is not taken for ZFS; hostile nvlists are refused quickly', async () => {
    const bytes = new Uint8Array(64 * MiB);
    const nvlist = zfsNvlist({ pool: 'x', poolGuid: 1n, guid: 2n, txg: 5n });
    bytes.set(nvlist, 16 * 1024);
    assert.equal(await probeAt(new MemorySource(bytes, 'm'), 0, bytes.length), null);
    // A name length of 2^32 - 1, then a list of 5000 empty-named pairs: no exception, no endless walk.
    const hostile = Buffer.from(nvlist);
    hostile.writeUInt32BE(0xffffffff, 12 + 8);
    bytes.set(hostile, 16 * 1024);
    assert.equal(await probeAt(new MemorySource(bytes, 'm'), 0, bytes.length), null);
    const tiny = Buffer.alloc(4096);
    tiny.set([1, 1], 0);
    for (let at = 12; at + 20 <= tiny.length; at += 20) {
      tiny.writeUInt32BE(20, at);
      tiny.writeUInt32BE(20, at + 4);
      tiny.writeUInt32BE(8, at + 12);
    }
    bytes.set(tiny, 16 * 1024);
    assert.equal(await probeAt(new MemorySource(bytes, 'm'), 0, bytes.length), null);
  });
});
