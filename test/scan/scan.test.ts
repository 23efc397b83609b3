// Recovering lost partition tables (diskx scan, fix --fix rebuild-from-scan): disks
// built with our GPT builder and real volumes from the Debian tools (mkfs.vfat,
// mkfs.ext4, mkfs.xfs, mkswap, mkfs.ntfs), their tables wiped, scanned, rebuilt,
// and checked with sfdisk, sgdisk -v and blkid -p. The ESXi case: the rebuilt
// table keeps the installer's slots (TestDisk numbers them 1, 2, 3... in disk order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { layoutSlots, ESXI5_LAYOUT, sfdiskJson, sgdiskVerify, sparseFile, writeAt, readAt, prng } from '../builders/oracles';
import { blkidAt, writeVmfs } from '../builders/volumes';
import { runCli } from '../builders/cli';
import { fatAt, have, volumeAt as placeVolume, wipeTables } from '../builders/recovery';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS } from '../../src/core/partitionTypes';
import { FileSource } from '../../src/core/io/fileSource';
import { ScanFileSource } from '../../src/core/io/scanSource';
import { scanImage } from '../../src/core/scan/scanner';
import { MAX_SCAN_CANDIDATES } from '../../src/core/limits';

const dir = tempDir('diskx-scan-');
const MiB = 1024 * 1024;
const journalEnv = { DISKX_JOURNAL_DIR: path.join(dir, 'journals') };

const skipFat = have('mkfs.vfat') && have('sfdisk') && have('sgdisk') && have('blkid') ? false : 'needs dosfstools, fdisk, gdisk and util-linux';

const volumeAt = (image: string, lba: bigint, sectors: bigint, mkfs: (file: string) => void): void => placeVolume(dir, image, lba, sectors, mkfs);

const vfat =
  (label: string, extra: string[] = []) =>
  (file: string) =>
    execFileSync('mkfs.vfat', [...extra, '-n', label, file], { stdio: 'ignore' });

function partitionsOf(image: string): { slot: number; start: bigint; size: bigint; type: string }[] {
  return sfdiskJson(image).partitions.map(({ slot, start, size, type }) => ({ slot, start, size, type }));
}

test(
  "ESXi 5.0 boot disk with both GPTs and the MBR wiped: the scan proposes the installer's slots and the rebuild restores them",
  { skip: skipFat },
  async () => {
    const image = path.join(dir, 'esxi5.img');
    const totalSectors = BigInt((8 * 1024 * MiB) / 512);
    writeGptImage(image, { sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots: layoutSlots(ESXI5_LAYOUT, totalSectors) });
    fatAt(image, 64n, 8128n, 'ESP');
    fatAt(image, 8224n, 511968n, 'BOOTBANK1');
    fatAt(image, 520224n, 511968n, 'BOOTBANK2');
    fatAt(image, 1257504n, 585696n, 'STORE');
    fatAt(image, 1843200n, 8386560n, 'SCRATCH', 32);
    volumeAt(image, 10229760n, 8192n, (file) => writeVmfs(file, { volume: false, label: 'datastore1', version: 5 }));
    const original = partitionsOf(image);
    assert.deepEqual(
      original.map((p) => p.slot + 1),
      [1, 2, 3, 5, 6, 7, 8],
    );
    wipeTables(image);
    assert.equal((await runCli(['check', image])).status, 1);

    const scanned = await runCli(['scan', image, '--json']);
    assert.equal(scanned.status, 0, scanned.stderr);
    const report = JSON.parse(scanned.stdout);
    assert.equal(report.sectorSize, 512);
    assert.deepEqual(report.range, { firstLba: 0, lastLba: Number(totalSectors - 1n) });
    assert.deepEqual(
      report.volumes
        .filter((v: { nestedIn?: number }) => v.nestedIn === undefined)
        .map((v: { firstLba: number; content: { type: string } }) => [v.firstLba, v.content.type]),
      [
        [64, 'vfat'],
        [8224, 'vfat'],
        [520224, 'vfat'],
        [1257504, 'vfat'],
        [1843200, 'vfat'],
        [10229760, 'VMFS'],
      ],
    );
    assert.ok(report.volumes.every((v: { evidence: string[] }) => v.evidence.length > 0));
    assert.equal(report.proposal.scheme, 'gpt');
    assert.equal(report.proposal.layout, 'esxi-5');
    assert.deepEqual(
      report.proposal.partitions.map((p: { slot: number }) => p.slot),
      [0, 1, 2, 4, 5, 6, 7],
    );

    const dry = await runCli(['fix', image, '--fix', 'rebuild-from-scan'], journalEnv);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /nothing written/);
    assert.equal(
      readAt(image, 0, 34 * 512).some((b) => b !== 0),
      false,
      'a dry run writes nothing',
    );
    const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
    assert.equal(written.status, 0, written.stderr);

    // sfdisk lists the original partitions in the original slots (numbers 1,2,3,5,6,7,8), types included.
    assert.deepEqual(partitionsOf(image), original);
    assert.deepEqual(partitionsOf(image).find((p) => p.slot === 6)?.type, TYPE_VMWARE_DIAGNOSTIC);
    assert.equal(sgdiskVerify(image).problems, 0, sgdiskVerify(image).text);
    assert.equal(blkidAt(image, 8224 * 512).TYPE, 'vfat');
    assert.equal(blkidAt(image, 8224 * 512).LABEL, 'BOOTBANK1');
    const check = await runCli(['check', image, '--json']);
    const codes = JSON.parse(check.stdout).findings.map((f: { code: string }) => f.code);
    assert.ok(codes.includes('esxi-layout') && !codes.includes('esxi-slot-compacted'), codes.join(' '));
    // And it is one undoable repair.
    const undo = await runCli(['undo', image], journalEnv);
    assert.equal(undo.status, 0, undo.stderr);
    assert.equal(
      readAt(image, 0, 34 * 512).some((b) => b !== 0),
      false,
    );
  },
);

const skipLinux = have('mkfs.ext4') && have('mkfs.xfs') && have('mkswap') && have('sfdisk') ? false : 'needs e2fsprogs, xfsprogs, util-linux and fdisk';

test('a Linux disk (ext4, xfs, swap) with its GPT wiped: volumes in disk order, numbered from 1, the types sfdisk expects', { skip: skipLinux }, async () => {
  const image = path.join(dir, 'linux.img');
  const totalSectors = BigInt((512 * MiB) / 512);
  const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
  const swap = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';
  const slots = [
    { typeGuid: linux, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 2048n + 131072n - 1n },
    { typeGuid: linux, uniqueGuid: testGuid(2), firstLba: 133120n, lastLba: 133120n + 655360n - 1n },
    { typeGuid: swap, uniqueGuid: testGuid(3), firstLba: 788480n, lastLba: 788480n + 65536n - 1n },
  ];
  writeGptImage(image, { sectorSize: 512, totalSectors, diskGuid: testGuid(0x11), slots });
  const xfsEnv = { ...process.env, TEST_DIR: '1', TEST_DEV: '1', QA_CHECK_FS: '1' };
  volumeAt(image, 2048n, 131072n, (f) => execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'root', f], { stdio: 'ignore' }));
  volumeAt(image, 133120n, 655360n, (f) => execFileSync('mkfs.xfs', ['-q', '-f', '-L', 'data', f], { stdio: 'ignore', env: xfsEnv }));
  volumeAt(image, 788480n, 65536n, (f) => execFileSync('mkswap', ['-L', 'swap', f], { stdio: 'ignore' }));
  const original = partitionsOf(image);
  wipeTables(image);

  const scanned = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
  const top = scanned.volumes.filter((v: { nestedIn?: number }) => v.nestedIn === undefined);
  assert.deepEqual(
    top.map((v: { firstLba: number; content: { type: string; label?: string } }) => [v.firstLba, v.content.type, v.content.label]),
    [
      [2048, 'ext4', 'root'],
      [133120, 'xfs', 'data'],
      [788480, 'swap', 'swap'],
    ],
  );
  // Every volume says what the real tools say about it.
  for (const v of top) assert.equal(blkidAt(image, v.firstLba * 512).TYPE, v.content.type);
  assert.equal(scanned.proposal.source, 'volumes');
  const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
  assert.equal(written.status, 0, written.stderr);
  assert.deepEqual(partitionsOf(image), original);
  assert.equal(sgdiskVerify(image).problems, 0, sgdiskVerify(image).text);
});

test('a grown disk whose primary GPT and MBR are gone: the backup left at the old end is restored with its slots as they were', { skip: skipFat }, async () => {
  const image = path.join(dir, 'grown.img');
  const oldSectors = BigInt((64 * MiB) / 512);
  const slots = [
    { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 64n, lastLba: 8191n, name: 'efi' },
    null,
    null,
    null,
    { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(5), firstLba: 8224n, lastLba: 40000n, attributes: 1n << 60n, name: 'bootbank' },
    { typeGuid: TYPE_VMWARE_VMFS, uniqueGuid: testGuid(6), firstLba: 40960n, lastLba: oldSectors - 34n, name: 'vmfs' },
  ];
  writeGptImage(image, { sectorSize: 512, totalSectors: oldSectors, diskGuid: testGuid(0x99), slots });
  const original = sfdiskJson(image).partitions;
  fs.truncateSync(image, 128 * MiB); // the RAID was rebuilt larger
  writeAt(image, 0, new Uint8Array(34 * 512)); // and LBA 0..33 wiped

  const scanned = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
  const stray = scanned.tables.find((t: { kind: string; lba: number }) => t.kind === 'gpt' && t.lba === Number(oldSectors - 1n));
  assert.ok(stray, JSON.stringify(scanned.tables));
  assert.equal(stray.headerCrcOk, true);
  assert.equal(scanned.proposal.source, 'stray-gpt');
  assert.deepEqual(
    scanned.proposal.partitions.map((p: { slot: number }) => p.slot),
    [0, 4, 5],
  );
  const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
  assert.equal(written.status, 0, written.stderr);
  const rebuilt = sfdiskJson(image).partitions;
  assert.deepEqual(
    rebuilt.map((p) => [p.slot, p.start, p.size, p.type, p.uuid, p.name, p.attrs]),
    original.map((p) => [p.slot, p.start, p.size, p.type, p.uuid, p.name, p.attrs]),
  );
  assert.equal(sgdiskVerify(image).problems, 0, sgdiskVerify(image).text);
});

test(
  'volumes whose first sector is gone are found from their backups: FAT32 (sector 6), ext4 (block group 1), NTFS (last sector)',
  { skip: skipFat || skipLinux || (have('mkfs.ntfs') ? false : 'needs ntfs-3g') },
  async () => {
    const image = sparseFile(path.join(dir, 'backups.img'), 1024 * MiB);
    volumeAt(image, 2048n, 131072n, vfat('FATBACKUP', ['-F', '32']));
    volumeAt(image, 135168n, 131072n, (f) => execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'extbackup', f], { stdio: 'ignore' }));
    volumeAt(image, 268288n, 131072n, (f) => execFileSync('mkfs.ntfs', ['-F', '-Q', '-L', 'ntfsbackup', f], { stdio: 'ignore' }));
    // The first sector of the FAT and the NTFS volume, and the ext primary superblock, are zeroed.
    writeAt(image, 2048 * 512, new Uint8Array(512));
    writeAt(image, 135168 * 512 + 1024, new Uint8Array(1024));
    writeAt(image, 268288 * 512, new Uint8Array(512));
    const scanned = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
    const found = (lba: number) => scanned.volumes.find((v: { firstLba: number }) => v.firstLba === lba);
    assert.deepEqual([found(2048)?.content.type, found(2048)?.content.label, found(2048)?.confidence], ['vfat', 'FATBACKUP', 'medium']);
    assert.deepEqual([found(135168)?.content.type, found(135168)?.content.label, found(135168)?.confidence], ['ext4', 'extbackup', 'medium']);
    assert.deepEqual([found(268288)?.content.type, found(268288)?.content.label, found(268288)?.confidence], ['ntfs', 'ntfsbackup', 'medium']);
    // A backup copy never poses as a volume of its own.
    const top = scanned.volumes.filter((v: { nestedIn?: number }) => v.nestedIn === undefined).map((v: { firstLba: number }) => v.firstLba);
    assert.deepEqual(top, [2048, 135168, 268288]);
  },
);

test('the scan streams: progress to the end, --from/--to, cancel, holes of a 2 TiB sparse image unread', async () => {
  const image = sparseFile(path.join(dir, 'huge.img'), 2 * 1024 * 1024 * MiB);
  writeAt(image, 1024 * MiB + 1024, Buffer.from('not a superblock'));
  const source = await FileSource.open(image);
  const bulk = await ScanFileSource.open(image);
  try {
    const progress: number[] = [];
    const result = await scanImage(source, bulk, { sectorSize: 512, onProgress: (done) => progress.push(done) });
    assert.equal(result.volumes.length, 0);
    assert.equal(progress.at(-1), 2 * 1024 * 1024 * MiB);
    if ((await bulk.dataRanges()) !== null) assert.ok(result.bytesRead <= 8 * MiB, `read ${result.bytesRead} bytes of a 2 TiB hole`);
    const ranged = await scanImage(source, bulk, { sectorSize: 512, fromLba: 100n, toLba: 199n });
    assert.deepEqual(ranged.range, { firstLba: 100n, lastLba: 199n });
    assert.ok(ranged.bytesRead <= 100 * 512);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(scanImage(source, bulk, { sectorSize: 512, signal: controller.signal }), /stop/);
  } finally {
    await source.close();
    await bulk.close();
  }
  const none = await runCli(['scan', image, '--json']);
  assert.equal(none.status, 0, none.stderr);
  assert.equal(JSON.parse(none.stdout).proposal, null);
  const refused = await runCli(['fix', image, '--fix', 'rebuild-from-scan'], journalEnv);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /rebuild-from-scan does not apply: the scan found no volume/);
  const bad = await runCli(['scan', image, '--from', 'x']);
  assert.equal(bad.status, 2);
});

test('refusals: a disk with a table, a whole-disk FAT that the new table would overwrite', { skip: skipFat }, async () => {
  const gpt = path.join(dir, 'healthy.img');
  writeGptImage(gpt, {
    sectorSize: 512,
    totalSectors: 65536n,
    diskGuid: testGuid(7),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(8), firstLba: 2048n, lastLba: 4095n }],
  });
  const healthy = await runCli(['fix', gpt, '--fix', 'rebuild-from-scan'], journalEnv);
  assert.equal(healthy.status, 1);
  assert.match(healthy.stderr, /still has a GPT header/);

  const floppy = sparseFile(path.join(dir, 'superfloppy.img'), 64 * MiB);
  execFileSync('mkfs.vfat', ['-n', 'WHOLE', floppy], { stdio: 'ignore' });
  const run = await runCli(['fix', floppy, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
  assert.notEqual(run.status, 0);
  assert.equal(blkidAt(floppy, 0).LABEL, 'WHOLE', 'the volume is untouched');
});

test('hostile input: random bytes full of would-be signatures give a bounded answer and no exception', async () => {
  const image = path.join(dir, 'random.img');
  const random = prng(15);
  const bytes = Buffer.alloc(8 * MiB);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  // Plant boot-sector signatures in every sector: the candidate cap must hold.
  for (let at = 0; at < bytes.length; at += 512) {
    bytes[at + 510] = 0x55;
    bytes[at + 511] = 0xaa;
    bytes.write('NTFS    ', at + 3, 'latin1');
  }
  fs.writeFileSync(image, bytes);
  const source = await FileSource.open(image);
  const bulk = await ScanFileSource.open(image);
  try {
    const result = await scanImage(source, bulk, { sectorSize: 512 });
    assert.ok(result.volumes.length <= MAX_SCAN_CANDIDATES);
    assert.equal(result.truncated, true, 'more would-be volumes than the cap: the rest are counted as dropped');
    assert.ok(
      result.volumes.every((v) => v.content.type !== 'ntfs'),
      'no NTFS without its $MFT where the boot sector says',
    );
  } finally {
    await source.close();
    await bulk.close();
  }
});
