// Issue 14 item 1: what is inside each partition and gap. Volumes are made by
// the real tools (mkfs.vfat/exfat/ntfs/ext2/3/4/xfs/btrfs, mkswap, cryptsetup)
// or from their specs (MD RAID, LVM2, ISO 9660, VMFS, BitLocker) inside the
// partitions of one sparse GPT image; every partition's `content` must say
// what `blkid -p -O OFFSET -S SIZE` says (TYPE, LABEL, UUID).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeFile } from '../builders/oracles';
import { runCli } from '../builders/cli';
import type { VolumeRecipe } from '../builders/volumes';
import {
  TOOL_VOLUMES,
  VOLUME_TOOLS,
  blkidAt,
  haveTools,
  makeVolume,
  placeVolume,
  writeBitlocker,
  writeIso9660,
  writeLvm2Label,
  writeMdSuperblock,
  writeVmfs,
} from '../builders/volumes';
import type { DiskModel } from '../../src/core/diskModel';
import { CONTENT_PROBES, probeAt } from '../../src/core/content/index';
import { MemorySource } from '../../src/core/io/memorySource';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';

const MiB = 1024 * 1024;
const PART = 40 * MiB;
const skip = haveTools(...VOLUME_TOOLS)
  ? false
  : `needs ${VOLUME_TOOLS.join(', ')} (dosfstools exfatprogs ntfs-3g e2fsprogs xfsprogs btrfs-progs cryptsetup-bin util-linux)`;

/** Volumes from the specs, for formats whose tools need a kernel driver or are not packaged here. */
const SPEC_VOLUMES: Record<string, VolumeRecipe> = {
  md090: { type: 'linux_raid_member', make: (f, size) => writeMdSuperblock(f, size, '0.90', '6b8b4567-327b-23c6-643c-986966334873') },
  md10: {
    type: 'linux_raid_member',
    label: 'host:md10',
    make: (f, size) => writeMdSuperblock(f, size, '1.0', '11111111-2222-3333-4444-555555555555', 'host:md10'),
  },
  md11: {
    type: 'linux_raid_member',
    label: 'host:md11',
    make: (f, size) => writeMdSuperblock(f, size, '1.1', '21111111-2222-3333-4444-555555555555', 'host:md11'),
  },
  md12: {
    type: 'linux_raid_member',
    label: 'host:md12',
    make: (f, size) => writeMdSuperblock(f, size, '1.2', '31111111-2222-3333-4444-555555555555', 'host:md12'),
  },
  lvm2: { type: 'LVM2_member', make: (f, size) => writeLvm2Label(f, size, 'AbCdEf0123456789GhIjKlMnOpQrStUv') },
  iso: { type: 'iso9660', label: 'DISKX_ISO', make: (f, size) => writeIso9660(f, size, 'DISKX_ISO') },
  joliet: { type: 'iso9660', label: 'Joliet Label', make: (f, size) => writeIso9660(f, size, 'JOLIET', 'Joliet Label') },
  vmfsVolume: { type: 'VMFS_volume_member', make: (f) => writeVmfs(f, { volume: true, label: 'datastore1', version: 5 }) },
  vmfs: { type: 'VMFS', label: 'datastore2', make: (f) => writeVmfs(f, { volume: false, label: 'datastore2', version: 6 }) },
  bitlocker: { type: 'BitLocker', make: (f) => writeBitlocker(f, 1234567) },
};

const ALL: [string, VolumeRecipe][] = [...Object.entries(TOOL_VOLUMES), ...Object.entries(SPEC_VOLUMES)];
/** A lost volume in the free space after the last partition. */
const LOST_AT = (1 + ALL.length) * PART;

describe('content probes against blkid', { skip }, () => {
  const dir = tempDir('diskx-content-');
  const image = path.join(dir, 'volumes.img');
  let disk: DiskModel;
  before(async () => {
    const totalSectors = BigInt((LOST_AT + 2 * PART) / 512);
    const slots = ALL.map((_, i) => ({
      typeGuid: TYPE_MS_BASIC_DATA,
      uniqueGuid: testGuid(i + 1),
      firstLba: BigInt(((i + 1) * PART) / 512),
      lastLba: BigInt(((i + 2) * PART) / 512 - 1),
      name: ALL[i]![0],
    }));
    writeGptImage(image, { sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots });
    ALL.forEach(([name, recipe], i) =>
      placeVolume(
        image,
        makeVolume(dir, name, PART, (f, size) => recipe.make(f, size)),
        (i + 1) * PART,
      ),
    );
    placeVolume(
      image,
      makeVolume(dir, 'lost', PART, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      LOST_AT,
    );
    disk = (await analyzeFile(image)).disk;
  });

  for (const [index, [name, recipe]] of ALL.entries()) {
    test(`${name}: ${recipe.type}${recipe.label ? ` "${recipe.label}"` : ''} as blkid sees it`, () => {
      const offset = (index + 1) * PART;
      const oracle = blkidAt(image, offset, PART);
      assert.equal(oracle.TYPE, recipe.type, `blkid itself: ${JSON.stringify(oracle)}`);
      const content = disk.partitions[index]!.content;
      assert.ok(content, `nothing recognised in partition ${index + 1} (${name})`);
      assert.equal(content.type, oracle.TYPE);
      assert.equal(content.label, oracle.LABEL, 'label');
      assert.equal(content.uuid, oracle.UUID, 'uuid');
      assert.equal(content.offset, offset);
      if (content.sizeBytes !== undefined)
        assert.ok(content.sizeBytes > 0n && content.sizeBytes <= BigInt(PART), `size ${content.sizeBytes} within the partition`);
    });
  }

  test('file systems that fill their partition say so (sizeBytes)', () => {
    const size = (name: string): bigint | undefined => disk.partitions[ALL.findIndex(([n]) => n === name)]!.content?.sizeBytes;
    for (const name of ['fat16', 'fat32', 'exfat', 'ext4', 'btrfs', 'swap']) assert.equal(size(name), BigInt(PART), name);
    assert.equal(size('ntfs'), BigInt(PART - 512), 'NTFS leaves its last sector to the backup boot sector');
  });

  test('a lost volume in free space is found and listed', () => {
    const gap = disk.free!.find((f) => f.content);
    assert.ok(gap, `no volume found in ${disk.free!.length} gaps`);
    assert.equal(gap.firstLba, BigInt(LOST_AT / 512));
    const oracle = blkidAt(image, LOST_AT, PART);
    assert.equal(gap.content!.type, oracle.TYPE);
    assert.equal(gap.content!.uuid, oracle.UUID);
  });

  test('inspect --json: partitions carry content, gaps are listed as free', async () => {
    const run = await runCli(['inspect', '--json', image]);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      partitions: { content: Record<string, unknown> | null }[];
      free: { firstLba: number; lastLba: number; content: Record<string, unknown> | null }[];
      content: unknown;
    };
    const ext4 = json.partitions[ALL.findIndex(([n]) => n === 'ext4')]!.content!;
    assert.deepEqual(Object.keys(ext4), ['type', 'label', 'uuid', 'sizeBytes', 'offset']);
    assert.equal(ext4.type, 'ext4');
    assert.equal(ext4.sizeBytes, PART);
    const luks1 = json.partitions[ALL.findIndex(([n]) => n === 'luks1')]!.content!;
    assert.deepEqual(Object.keys(luks1), ['type', 'uuid', 'offset'], 'absent keys are left out');
    assert.ok(json.free.length >= 1);
    assert.deepEqual(Object.keys(json.free[0]!), ['firstLba', 'lastLba', 'content']);
    assert.equal(json.content, null);
  });
});

describe('content probes on hostile bytes', () => {
  test('every probe gives null on zeros, on 0xFF and on a tiny volume', async () => {
    for (const fill of [0x00, 0xff]) {
      const source = new MemorySource(new Uint8Array(4 * MiB).fill(fill), 'fill');
      for (const probe of CONTENT_PROBES) assert.equal(await probeAt(source, 0, source.size, [probe]), null, `${probe.id} on 0x${fill.toString(16)}`);
    }
    const tiny = new MemorySource(new Uint8Array(100), 'tiny');
    assert.equal(await probeAt(tiny, 0, 100), null);
  });

  test('every probe declares the smallest volume it needs', () => {
    for (const probe of CONTENT_PROBES) assert.ok(Number.isInteger(probe.minSectors) && probe.minSectors >= 1, probe.id);
  });
});
