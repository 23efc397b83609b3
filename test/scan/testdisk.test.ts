// diskx scan + rebuild-from-scan next to Debian's TestDisk, scripted
// (`testdisk /log /cmd IMAGE partition_gpt,analyze,search,noconfirm,write`), on
// copies of the same wiped ESXi 6.x boot disk (FAT volumes from mkfs.vfat in
// the installer's slots 0,4,5,6,7). Both find the four FAT volumes at the same
// LBAs. TestDisk writes them as partitions 1,2,3,4 in disk order (bootbank
// becomes partition 2, not 5), all as basic data (the ESP loses its type), each
// cut to its file system's size, and the vmkDiagnostic partition (no file
// system) is gone: the compacted table this project started from. diskx writes
// 1,5,6,7,8 with the installer's bounds and types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { sfdiskJson } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { esxi6UsbDisk, have, wipeTables } from '../builders/recovery';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC } from '../../src/core/partitionTypes';

const dir = tempDir('diskx-testdisk-');
const skip = ['testdisk', 'mkfs.vfat', 'sfdisk'].every(have) ? false : 'needs testdisk, dosfstools and fdisk';

test('TestDisk renumbers an ESXi disk 1,2,3,4 and drops vmkDiagnostic; diskx restores 1,5,6,7,8', { skip }, async () => {
  const wiped = esxi6UsbDisk(path.join(dir, 'esxi6-usb.img'));
  const original = sfdiskJson(wiped).partitions;
  wipeTables(wiped);
  const theirs = path.join(dir, 'testdisk.img');
  const ours = path.join(dir, 'diskx.img');
  execFileSync('cp', ['--sparse=always', wiped, theirs]);
  execFileSync('cp', ['--sparse=always', wiped, ours]);

  // TestDisk writes testdisk.log into its working folder; without a terminal it still runs the /cmd list.
  const run = spawnSync('testdisk', ['/log', '/cmd', theirs, 'partition_gpt,analyze,search,noconfirm,write'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TERM: 'dumb' },
  });
  assert.equal(run.status, 0, run.stderr);
  const log = fs.readFileSync(path.join(dir, 'testdisk.log'), 'utf8');
  for (const label of ['ESP', 'BOOTBANK1', 'BOOTBANK2', 'STORE']) assert.match(log, new RegExp(`\\[${label}\\]`), 'TestDisk finds every FAT volume');
  const td = sfdiskJson(theirs).partitions;
  assert.deepEqual(
    td.map((p) => [p.slot + 1, p.start]),
    [
      [1, 64n],
      [2, 8224n],
      [3, 520224n],
      [4, 1257504n],
    ],
    'TestDisk: disk order, numbered from 1',
  );
  assert.ok(
    td.every((p) => p.type === TYPE_MS_BASIC_DATA),
    'TestDisk: every partition basic data',
  );
  assert.ok(
    td.every((p) => original.some((o) => o.start === p.start && p.size < o.size)),
    "TestDisk: each partition cut to its file system's size",
  );

  assert.equal((await runCli(['fix', ours, '--fix', 'rebuild-from-scan', '--write'], { DISKX_JOURNAL_DIR: path.join(dir, 'journals') })).status, 0);
  const mine = sfdiskJson(ours).partitions;
  assert.deepEqual(
    mine.map((p) => [p.slot, p.start, p.size, p.type]),
    original.map((p) => [p.slot, p.start, p.size, p.type]),
    'diskx: the installer slots and bounds',
  );
  assert.deepEqual(
    mine.map((p) => p.slot + 1),
    [1, 5, 6, 7, 8],
  );
  assert.equal(mine[0]!.type, TYPE_EFI_SYSTEM);
  assert.equal(mine.find((p) => p.slot === 6)?.type, TYPE_VMWARE_DIAGNOSTIC);
});
