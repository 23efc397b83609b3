// Recovering lost tables, checked end to end with the real tools: ESXi 6.x boot
// disks (with and without partition 9) and an ESXi 7.x one, with real FAT
// volumes made by mkfs.vfat in the installer's slots, and a Windows-like disk
// with an NTFS volume made by mkfs.ntfs. Their tables are wiped, `diskx scan`
// proposes a table, `diskx fix --fix rebuild-from-scan --write` writes it, and
// sfdisk must list the original partitions in the original slots, blkid -p
// find every volume and sgdisk -v see no problem. TestDisk, scripted, is run on
// one ESXi disk to record where it differs (testdisk.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { ESXI6_LAYOUT, ESXI7_LAYOUT, sfdiskJson, sgdiskVerify } from '../builders/oracles';
import type { NumberedPartition } from '../builders/oracles';
import { blkidAt, writeVmfs } from '../builders/volumes';
import { runCli } from '../builders/cli';
import { esxi6UsbDisk, fatAt, gptLayoutDisk, have, ntfsAt, volumeAt, wipeTables } from '../builders/recovery';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { TYPE_MS_RESERVED } from '../../src/core/scan/windows';

const dir = tempDir('diskx-recovery-');
const journalEnv = { DISKX_JOURNAL_DIR: path.join(dir, 'journals') };
const GiB = 1024n * 1024n * 1024n;

const skip = ['mkfs.vfat', 'sfdisk', 'sgdisk', 'blkid'].every(have) ? false : 'needs dosfstools, fdisk, gdisk and util-linux';

/** sfdisk's view: slot (number - 1), start, size, type, for comparing before and after. */
function partitionsOf(image: string): { slot: number; start: bigint; size: bigint; type: string }[] {
  return sfdiskJson(image).partitions.map(({ slot, start, size, type }) => ({ slot, start, size, type }));
}

const layoutDisk = (name: string, bytes: bigint, layout: NumberedPartition[]): { image: string } => ({
  image: gptLayoutDisk(path.join(dir, name), bytes, layout),
});

/**
 * Wipes `image`'s tables, scans it, checks the proposal's slots and layout,
 * rebuilds, and checks the result with sfdisk, sgdisk -v and blkid -p.
 */
async function wipeScanRebuild(image: string, expect: { layout: string | undefined; slots: number[]; volumes: [bigint, string, string?][] }): Promise<void> {
  const original = partitionsOf(image);
  wipeTables(image);
  assert.equal((await runCli(['check', image])).status, 1, 'check reports the lost table');
  const scanned = await runCli(['scan', image, '--json']);
  assert.equal(scanned.status, 0, scanned.stderr);
  const report = JSON.parse(scanned.stdout);
  const top = report.volumes.filter((v: { nestedIn?: number }) => v.nestedIn === undefined);
  assert.deepEqual(
    top.map((v: { firstLba: number; content: { type: string; label?: string } }) => [BigInt(v.firstLba), v.content.type, v.content.label].slice(0, 3)),
    expect.volumes.map(([lba, type, label]) => [lba, type, label]),
  );
  assert.equal(report.proposal.layout, expect.layout);
  assert.deepEqual(
    report.proposal.partitions.map((p: { slot: number }) => p.slot),
    expect.slots,
  );

  const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
  assert.equal(written.status, 0, written.stderr);
  assert.deepEqual(partitionsOf(image), original, 'sfdisk lists the original partitions in the original slots');
  const verdict = sgdiskVerify(image);
  assert.equal(verdict.problems, 0, verdict.text);
  for (const [lba, type, label] of expect.volumes) {
    const found = blkidAt(image, Number(lba) * 512);
    assert.equal(found.TYPE === 'VMFS_volume_member' ? 'VMFS' : found.TYPE, type, `blkid -p at LBA ${lba}`);
    if (label) assert.equal(found.LABEL, label);
  }
  const check = JSON.parse((await runCli(['check', image, '--json'])).stdout);
  const codes = check.findings.map((f: { code: string }) => f.code);
  assert.ok(!codes.includes('no-partition-table') && !codes.includes('esxi-slot-compacted'), codes.join(' '));
}

test('ESXi 6.x with partition 9 (16 GiB): both GPTs and the MBR zeroed; the rebuild restores 1,5,6,7,8,9,2,3 with slot 3 empty', { skip }, async () => {
  const { image } = layoutDisk('esxi6.img', 16n * GiB, ESXI6_LAYOUT);
  fatAt(image, 64n, 8128n, 'ESP');
  fatAt(image, 8224n, 511968n, 'BOOTBANK1');
  fatAt(image, 520224n, 511968n, 'BOOTBANK2');
  fatAt(image, 1257504n, 585696n, 'STORE');
  fatAt(image, 7086080n, 8386560n, 'SCRATCH', 32);
  volumeAt(dir, image, 15472640n, 8192n, (f) => writeVmfs(f, { volume: false, label: 'datastore1', version: 6 }));
  await wipeScanRebuild(image, {
    layout: 'esxi-6',
    slots: [0, 1, 2, 4, 5, 6, 7, 8],
    volumes: [
      [64n, 'vfat', 'ESP'],
      [8224n, 'vfat', 'BOOTBANK1'],
      [520224n, 'vfat', 'BOOTBANK2'],
      [1257504n, 'vfat', 'STORE'],
      [7086080n, 'vfat', 'SCRATCH'],
      [15472640n, 'VMFS', 'datastore1'],
    ],
  });
});

test('ESXi 6.x without partition 9 (a 1 GiB USB stick: 1,5,6,7,8): the 5.x layout comes back, slots 1..3 empty', { skip }, async () => {
  await wipeScanRebuild(esxi6UsbDisk(path.join(dir, 'esxi6-usb.img')), {
    layout: 'esxi-5',
    slots: [0, 4, 5, 6, 7],
    volumes: [
      [64n, 'vfat', 'ESP'],
      [8224n, 'vfat', 'BOOTBANK1'],
      [520224n, 'vfat', 'BOOTBANK2'],
      [1257504n, 'vfat', 'STORE'],
    ],
  });
});

test('ESXi 7.x/8.x (160 GiB: EFI, two 4 GiB bootbanks, OSDATA, datastore): the rebuild restores 1,5,6,7,8', { skip }, async () => {
  const { image } = layoutDisk('esxi7.img', 160n * GiB, ESXI7_LAYOUT);
  fatAt(image, 64n, 204800n, 'ESP');
  fatAt(image, 208896n, 8388608n, 'BOOTBANK1', 32);
  fatAt(image, 8597504n, 8388608n, 'BOOTBANK2', 32);
  volumeAt(dir, image, 16986112n, 8192n, (f) => writeVmfs(f, { volume: false, label: 'OSDATA-6543', version: 6 }));
  volumeAt(dir, image, 268435456n, 8192n, (f) => writeVmfs(f, { volume: false, label: 'datastore1', version: 6 }));
  await wipeScanRebuild(image, {
    layout: 'esxi-7',
    slots: [0, 4, 5, 6, 7],
    volumes: [
      [64n, 'vfat', 'ESP'],
      [208896n, 'vfat', 'BOOTBANK1'],
      [8597504n, 'vfat', 'BOOTBANK2'],
      [16986112n, 'VMFS', 'OSDATA-6543'],
      [268435456n, 'VMFS', 'datastore1'],
    ],
  });
});

test(
  'a Windows-like GPT disk (ESP, 16 MiB MSR, NTFS from mkfs.ntfs): the MSR, which holds no file system, gets its slot back and C: stays partition 3',
  { skip: skip || (have('mkfs.ntfs') ? false : 'needs ntfs-3g') },
  async () => {
    const image = path.join(dir, 'windows.img');
    const totalSectors = 1048576n; // 512 MiB
    const slots = [
      { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 206847n },
      { typeGuid: TYPE_MS_RESERVED, uniqueGuid: testGuid(2), firstLba: 206848n, lastLba: 239615n },
      { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(3), firstLba: 239616n, lastLba: 1046527n },
    ];
    writeGptImage(image, { sectorSize: 512, totalSectors, diskGuid: testGuid(0x3d), slots });
    fatAt(image, 2048n, 204800n, 'SYSTEM', 32);
    ntfsAt(dir, image, 239616n, 806912n, 'Windows');
    await wipeScanRebuild(image, {
      layout: 'windows',
      slots: [0, 1, 2],
      volumes: [
        [2048n, 'vfat', 'SYSTEM'],
        [239616n, 'ntfs', 'Windows'],
      ],
    });
  },
);
