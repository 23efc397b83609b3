// "Overwritten by a careless mkfs": a file system made on the whole disk
// (mkfs.vfat / mkfs.ntfs on the disk instead of a partition) over a disk whose
// GPT and MBR are gone. The scan reports the whole-disk volume and the volumes
// inside it as conflicting candidates; when the whole-disk one holds no file and
// the inner ones are intact, the proposal is made from the inner ones and names
// the whole-disk file system as what it overwrites; --write refuses without
// --allow-overwrite-volume. Checked with sfdisk --json and blkid -p after the
// write, and undone. A whole-disk file system that holds files (a disk image
// stored in it) is never set aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { sfdiskJson, sparseFile, readAt } from '../builders/oracles';
import { blkidAt } from '../builders/volumes';
import { runCli } from '../builders/cli';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { esxi6UsbDisk, fatAt, have, volumeAt, wipeTables } from '../builders/recovery';

const dir = tempDir('diskx-mkfs-over-');
const MiB = 1024 * 1024;
const journalEnv = { DISKX_JOURNAL_DIR: path.join(dir, 'journals') };

const skip = ['mkfs.vfat', 'mkfs.ntfs', 'mkfs.ext4', 'mkfs.xfs', 'mkswap', 'sfdisk', 'blkid', 'mcopy', 'ntfscp'].every(have)
  ? false
  : 'needs dosfstools, ntfs-3g, e2fsprogs, xfsprogs, util-linux, fdisk and mtools';

function partitionsOf(image: string): { slot: number; start: bigint; size: bigint; type: string }[] {
  return sfdiskJson(image).partitions.map(({ slot, start, size, type }) => ({ slot, start, size, type }));
}

/** Makes a disk at `image` with `disk`, wipes its tables and runs `mkfs ...args image` over the whole of it; returns what sfdisk listed before. */
function mkfsOverWiped(image: string, disk: (image: string) => unknown, mkfs: string, ...args: string[]): ReturnType<typeof partitionsOf> {
  disk(image);
  const original = partitionsOf(image);
  wipeTables(image);
  execFileSync(mkfs, [...args, image], { stdio: 'ignore' });
  return original;
}

/** blkid -p finds each [lba, TYPE, LABEL] volume where the table says it starts. */
function assertVolumes(image: string, volumes: readonly (readonly [number, string, string])[]): void {
  for (const [lba, type, label] of volumes) {
    const found = blkidAt(image, lba * 512);
    assert.equal(found.TYPE, type, `TYPE at LBA ${lba}`);
    assert.equal(found.LABEL, label, `LABEL at LBA ${lba}`);
  }
}

/** `diskx fix IMAGE --fix rebuild-from-scan --write ...flags` exits 1, says each of `stderr`, and leaves the first 34 sectors as they were. */
async function assertRefused(image: string, flags: string[], ...stderr: RegExp[]): Promise<void> {
  const head = readAt(image, 0, 34 * 512);
  const run = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write', ...flags], journalEnv);
  assert.equal(run.status, 1);
  for (const pattern of stderr) assert.match(run.stderr, pattern);
  assert.deepEqual(readAt(image, 0, 34 * 512), head, 'nothing written');
}

/** blkid -p of the whole image (its first bytes), '' when it finds nothing. */
function blkidWhole(image: string): string {
  try {
    return execFileSync('blkid', ['-p', '-o', 'export', image], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

interface ScanVolume {
  firstLba: number;
  content: { type: string; label?: string };
  nestedIn?: number;
  conflictsWith?: number[];
  holdsFiles?: boolean | null;
  evidence: string[];
}

/** A 512 MiB Linux disk: ext4 root, xfs data, swap, in a GPT (the layout of the scan tests). */
function linuxDisk(image: string): void {
  const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
  const swap = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';
  writeGptImage(image, {
    sectorSize: 512,
    totalSectors: BigInt((512 * MiB) / 512),
    diskGuid: testGuid(0x11),
    slots: [
      { typeGuid: linux, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 2048n + 131072n - 1n },
      { typeGuid: linux, uniqueGuid: testGuid(2), firstLba: 133120n, lastLba: 133120n + 655360n - 1n },
      { typeGuid: swap, uniqueGuid: testGuid(3), firstLba: 788480n, lastLba: 788480n + 65536n - 1n },
    ],
  });
  const xfsEnv = { ...process.env, TEST_DIR: '1', TEST_DEV: '1', QA_CHECK_FS: '1' };
  volumeAt(dir, image, 2048n, 131072n, (f) => execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'root', f], { stdio: 'ignore' }));
  volumeAt(dir, image, 133120n, 655360n, (f) => execFileSync('mkfs.xfs', ['-q', '-f', '-L', 'data', f], { stdio: 'ignore', env: xfsEnv }));
  volumeAt(dir, image, 788480n, 65536n, (f) => execFileSync('mkswap', ['-L', 'swap', f], { stdio: 'ignore' }));
}

/**
 * Scans `image` (a whole-disk `type` file system over `inner`), checks the
 * conflict and the proposal, refuses --write without the confirmation, writes
 * with it, and returns the scan report.
 */
async function rebuildOver(
  image: string,
  type: string,
  inner: number[],
): Promise<{ proposal: { layout?: string; partitions: { slot: number }[]; reasons: string[] } }> {
  const scanned = await runCli(['scan', image, '--json']);
  assert.equal(scanned.status, 0, scanned.stderr);
  const report = JSON.parse(scanned.stdout);
  const outer = report.volumes.find((v: ScanVolume) => v.firstLba === 0) as ScanVolume;
  assert.equal(outer.content.type, type);
  assert.deepEqual(outer.conflictsWith, inner, 'the whole-disk volume conflicts with the volumes inside it');
  assert.equal(outer.holdsFiles, false);
  for (const lba of inner) {
    const v = report.volumes.find((x: ScanVolume) => x.firstLba === lba) as ScanVolume;
    assert.equal(v.nestedIn, 0);
    assert.deepEqual(v.conflictsWith, [0]);
    assert.ok(v.evidence.some((e: string) => /conflicting candidates/.test(e)));
  }
  assert.equal(report.proposal.overwrites.firstLba, 0);
  assert.equal(report.proposal.overwrites.type, type);
  assert.match(report.proposal.reasons[0], /made on the whole disk over the partitions/);

  // The dry run says what it destroys; --write without the confirmation writes nothing.
  const dry = await runCli(['fix', image, '--fix', 'rebuild-from-scan'], journalEnv);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`OVERWRITES the ${type} file system made on the whole disk \\(LBA 0\\.\\.`));
  assert.match(dry.stdout, /--write needs --allow-overwrite-volume/);
  const dryJson = JSON.parse((await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--json'], journalEnv)).stdout);
  assert.match(dryJson.plan[0].destroys, new RegExp(`^the ${type} file system made on the whole disk`));
  await assertRefused(image, [], /overwrites the .* file system made on the whole disk .*: add --allow-overwrite-volume to write it/, /nothing was written/);
  assert.equal(blkidAt(image, 0).TYPE, type);

  const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write', '--allow-overwrite-volume'], journalEnv);
  assert.equal(written.status, 0, written.stderr);
  // The whole disk is now a GPT disk, no longer a file system.
  const whole = blkidWhole(image);
  assert.match(whole, /PTTYPE=gpt/);
  assert.doesNotMatch(whole, /^TYPE=/m);
  return report;
}

test(
  'mkfs.vfat on a wiped ESXi 6.x USB disk: the bootbanks inside it win, the 5.x slots come back, the FAT at LBA 0 is what --allow-overwrite-volume gives up',
  { skip },
  async () => {
    const image = path.join(dir, 'esxi-vfat.img');
    const original = mkfsOverWiped(image, esxi6UsbDisk, 'mkfs.vfat');
    assert.equal(blkidAt(image, 0).TYPE, 'vfat', 'mkfs.vfat made a whole-disk FAT');

    // The editor's session (Scan for Lost Partitions..., then the preview): the plan names what it overwrites.
    const session = await DiskImageSession.open(image);
    try {
      await session.scanForLostPartitions();
      const preview = session.preview('rebuild-from-scan');
      assert.ok(preview.ok, preview.ok ? '' : preview.reason);
      assert.match(
        preview.description,
        /\nOVERWRITES the vfat file system made on the whole disk \(LBA 0\.\.2097143, UUID [0-9A-F-]+; it holds no file\): the new table's sectors \(LBA 0\.\.33 and LBA 2097119\.\.2097151\)/,
      );
      const plan = session.plan('rebuild-from-scan');
      assert.ok(plan.ok && plan.plan.destroys?.startsWith('the vfat file system made on the whole disk'));
    } finally {
      await session.close();
    }

    const report = await rebuildOver(image, 'vfat', [8224, 520224, 1257504]);
    assert.equal(report.proposal.layout, 'esxi-5');
    assert.deepEqual(
      report.proposal.partitions.map((p) => p.slot),
      [0, 4, 5, 6, 7],
    );
    assert.deepEqual(partitionsOf(image), original, 'sfdisk lists the original partitions in the original slots');
    assertVolumes(image, [
      [8224, 'vfat', 'BOOTBANK1'],
      [520224, 'vfat', 'BOOTBANK2'],
      [1257504, 'vfat', 'STORE'],
    ]);
    // The ESP's FAT was where the whole-disk FAT keeps its own: the proposal says so.
    assert.ok(report.proposal.reasons.some((r: string) => /no volume was found where systemPartition \(EFI\) \(LBA 64\)/.test(r)));

    // diskx undo gives the whole-disk FAT back.
    const undone = await runCli(['undo', image], journalEnv);
    assert.equal(undone.status, 0, undone.stderr);
    assert.equal(blkidAt(image, 0).TYPE, 'vfat');
  },
);

test(
  'mkfs.ntfs on a wiped Linux disk (ext4, xfs, swap): the volumes inside it come back in disk order; NTFS backup boot sector at the end gives way to the backup GPT',
  { skip },
  async () => {
    const image = path.join(dir, 'linux-ntfs.img');
    const original = mkfsOverWiped(image, linuxDisk, 'mkfs.ntfs', '-F', '-Q', '-q');
    assert.equal(blkidAt(image, 0).TYPE, 'ntfs');

    const report = await rebuildOver(image, 'ntfs', [2048, 133120, 788480]);
    assert.equal(report.proposal.layout, undefined);
    assert.deepEqual(partitionsOf(image), original, 'sfdisk lists the original partitions in the original slots');
    assertVolumes(image, [
      [2048, 'ext4', 'root'],
      [133120, 'xfs', 'data'],
      [788480, 'swap', 'swap'],
    ]);
  },
);

test(
  'mkfs.ext4 on a wiped ESXi 6.x USB disk: with -E nodiscard the bootbanks survive and come back; by default it discards the whole file and nothing is left to find',
  { skip },
  async () => {
    const image = path.join(dir, 'esxi-ext4.img');
    const original = mkfsOverWiped(image, esxi6UsbDisk, 'mkfs.ext4', '-q', '-F', '-E', 'nodiscard');
    const report = await rebuildOver(image, 'ext4', [8224, 520224, 1257504]);
    assert.equal(report.proposal.layout, 'esxi-5');
    assert.deepEqual(partitionsOf(image), original);
    assert.equal(blkidAt(image, 8224 * 512).LABEL, 'BOOTBANK1');

    const discarded = path.join(dir, 'esxi-ext4-discard.img');
    mkfsOverWiped(discarded, esxi6UsbDisk, 'mkfs.ext4', '-q', '-F');
    const scanned = JSON.parse((await runCli(['scan', discarded, '--json'])).stdout);
    assert.deepEqual(
      scanned.volumes.map((v: ScanVolume) => [v.firstLba, v.content.type]),
      [[0, 'ext4']],
    );
    assert.match(scanned.noProposal, /the ext4 file system at LBA 0 was made on the whole disk, without a partition table \(nothing else was found\)/);
  },
);

test('a whole-disk file system that holds files is never set aside: a disk image stored on a FAT stick, a file on an NTFS disk', { skip }, async () => {
  // A FAT "superfloppy" holding a disk image file whose own FAT volume the scan finds inside it.
  const stick = sparseFile(path.join(dir, 'stick.img'), 64 * MiB);
  execFileSync('mkfs.vfat', ['-n', 'STICK', stick], { stdio: 'ignore' });
  const stored = sparseFile(path.join(dir, 'stored.img'), 8 * MiB);
  fatAt(stored, 2048n, 8192n, 'INNER');
  execFileSync('mcopy', ['-i', stick, stored, '::stored.img']);
  fs.rmSync(stored);

  const scanned = JSON.parse((await runCli(['scan', stick, '--json'])).stdout);
  const outer = scanned.volumes.find((v: ScanVolume) => v.firstLba === 0) as ScanVolume;
  assert.equal(outer.holdsFiles, true);
  assert.equal(outer.conflictsWith?.length, 1);
  assert.equal(scanned.proposal, null);
  assert.match(scanned.noProposal, /holds files/);
  await assertRefused(stick, ['--allow-overwrite-volume'], /holds files/);

  // NTFS made over a Linux disk, then used: a file in its root.
  const image = path.join(dir, 'linux-ntfs-used.img');
  mkfsOverWiped(image, linuxDisk, 'mkfs.ntfs', '-F', '-Q', '-q');
  const note = path.join(dir, 'note.txt');
  fs.writeFileSync(note, 'kept\n');
  execFileSync('ntfscp', ['-f', image, note, 'note.txt'], { stdio: 'ignore' });
  const used = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
  assert.equal((used.volumes.find((v: ScanVolume) => v.firstLba === 0) as ScanVolume).holdsFiles, true);
  assert.equal(used.proposal, null);
  assert.match(used.noProposal, /the ntfs file system at LBA 0 spans the disk and has 3 volumes inside it, and it holds files/);
});

test(
  'mkfs.vfat -F 32 on a wiped Linux disk: its FATs cover the ext4 primary superblock, the ext4 partition comes back from its backups and the proposal says to repair it with e2fsck -b',
  { skip },
  async () => {
    const image = path.join(dir, 'linux-vfat.img');
    const original = mkfsOverWiped(image, linuxDisk, 'mkfs.vfat', '-F', '32', '-I');
    assert.equal(blkidAt(image, 2048 * 512).TYPE, undefined, 'the FATs overwrote the ext4 primary superblock');

    const report = await rebuildOver(image, 'vfat', [2048, 133120, 788480]);
    assert.ok(
      report.proposal.reasons.some((r: string) =>
        /^the ext4 volume of partition 1 \(LBA 2048\) was found from a backup copy only: .* repair it with e2fsck -b BLOCK/.test(r),
      ),
      report.proposal.reasons.join('\n'),
    );
    assert.ok(!report.proposal.reasons.some((r: string) => /volume of partition [23] /.test(r)), 'the intact xfs and swap need no repair');
    assert.deepEqual(partitionsOf(image), original, 'sfdisk lists the original partitions in the original slots');
    assert.equal(blkidAt(image, 133120 * 512).TYPE, 'xfs');
    assert.equal(blkidAt(image, 788480 * 512).TYPE, 'swap');
  },
);
