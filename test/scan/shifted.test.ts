// "A RAID rebuilt with the wrong stripe start": the disk's contents moved by N
// sectors, so the table is no longer where a table belongs and every partition
// starts N sectors away from where its entry says. The scan finds the old GPT
// shifted (a header at LBA 129 that says MyLBA 1); when the volumes found start
// where its entries do, moved by the same N, the proposal is that table with its
// slots, GUIDs, names and attributes as they were and every LBA moved by N.
// Checked after --write with sfdisk --json and blkid -p. A copy of a GPT whose
// moved entries the volumes do not bear out is not used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { sfdiskJson, readAt, writeAt } from '../builders/oracles';
import { blkidAt } from '../builders/volumes';
import { runCli } from '../builders/cli';
import { have, volumeAt, wipeTables } from '../builders/recovery';

const dir = tempDir('diskx-shifted-');
const MiB = 1024 * 1024;
const journalEnv = { DISKX_JOURNAL_DIR: path.join(dir, 'journals') };
const TOTAL = BigInt((512 * MiB) / 512);
const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

const skip = ['mkfs.ext4', 'mkfs.xfs', 'mkswap', 'sfdisk', 'blkid', 'dd'].every(have) ? false : 'needs e2fsprogs, xfsprogs, util-linux, fdisk and coreutils';

/** A 512 MiB Linux disk with named partitions in slots 1, 2 and 4 (slot 3 empty), the last one to the end of the usable range. */
function linuxDisk(image: string): void {
  writeGptImage(image, {
    sectorSize: 512,
    totalSectors: TOTAL,
    diskGuid: testGuid(0x5717),
    slots: [
      { typeGuid: LINUX, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 133119n, name: 'root', attributes: 1n },
      { typeGuid: LINUX, uniqueGuid: testGuid(2), firstLba: 133120n, lastLba: 788479n, name: 'data' },
      null,
      { typeGuid: SWAP, uniqueGuid: testGuid(3), firstLba: 788480n, lastLba: TOTAL - 34n, name: 'swap' },
    ],
  });
  const xfsEnv = { ...process.env, TEST_DIR: '1', TEST_DEV: '1', QA_CHECK_FS: '1' };
  volumeAt(dir, image, 2048n, 131072n, (f) => execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'root', f], { stdio: 'ignore' }));
  volumeAt(dir, image, 133120n, 655360n, (f) => execFileSync('mkfs.xfs', ['-q', '-f', '-L', 'data', f], { stdio: 'ignore', env: xfsEnv }));
  volumeAt(dir, image, 788480n, 65536n, (f) => execFileSync('mkswap', ['-L', 'swap', f], { stdio: 'ignore' }));
}

/** A copy of `from` (same size) whose contents start `by` sectors later (by > 0) or earlier (by < 0). */
function shiftedCopy(from: string, to: string, by: number): void {
  const sectors = Number(TOTAL);
  const placement =
    by >= 0 ? [`seek=${by * 512}`, `count=${(sectors - by) * 512}`, 'oflag=seek_bytes', 'iflag=count_bytes'] : [`skip=${-by * 512}`, 'iflag=skip_bytes'];
  execFileSync('dd', [`if=${from}`, `of=${to}`, 'bs=1M', ...placement, 'conv=sparse', 'status=none']);
  fs.truncateSync(to, sectors * 512);
}

async function rebuildShifted(by: number, foundAt: number, lastUsable: bigint): Promise<void> {
  const original = path.join(dir, `linux-${by}.img`);
  linuxDisk(original);
  const before = sfdiskJson(original);
  const image = path.join(dir, `shifted-${by}.img`);
  shiftedCopy(original, image, by);
  fs.rmSync(original);
  assert.equal((await runCli(['check', image])).status, 1, 'check reports the lost table');

  const report = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
  const table = report.tables.find((t: { kind: string; shift?: number }) => t.kind === 'gpt' && t.shift === by);
  assert.ok(table, 'the shifted GPT is listed');
  assert.equal(table.lba, foundAt);
  assert.equal(table.arrayCrcOk, true, 'its array is read where the shift put it');
  assert.equal(report.proposal.source, 'stray-gpt');
  assert.equal(report.proposal.shift, by);
  assert.match(report.proposal.reasons.join(' '), new RegExp(`moved by ${by} sectors`));
  assert.match(report.proposal.reasons.join(' '), /3 of its 3 partitions have a volume found at their start/);

  const written = await runCli(['fix', image, '--fix', 'rebuild-from-scan', '--write'], journalEnv);
  assert.equal(written.status, 0, written.stderr);
  const after = sfdiskJson(image);
  assert.equal(after.id, before.id, 'the disk GUID as it was');
  // Same slots, GUIDs, names and attributes; every start moved by `by`; the last one cut at the usable end.
  assert.deepEqual(
    after.partitions.map((p) => [p.slot, p.start, p.type, p.uuid, p.name, p.attrs]),
    before.partitions.map((p) => [p.slot, p.start + BigInt(by), p.type, p.uuid, p.name, p.attrs]),
  );
  const swap = after.partitions.find((p) => p.name === 'swap')!;
  assert.equal(swap.start + swap.size - 1n, lastUsable);
  for (const [lba, type, label] of [
    [2048, 'ext4', 'root'],
    [133120, 'xfs', 'data'],
    [788480, 'swap', 'swap'],
  ] as const) {
    const found = blkidAt(image, (lba + by) * 512);
    assert.equal(found.TYPE, type, `blkid -p at LBA ${lba + by}`);
    assert.equal(found.LABEL, label);
  }
}

test('contents moved 128 sectors later (the primary GPT found at LBA 129): the old table comes back, every LBA +128', { skip }, async () => {
  await rebuildShifted(128, 129, TOTAL - 34n);
});

test('contents moved 64 sectors earlier (the backup GPT found 64 sectors before the end): the old table comes back, every LBA -64', { skip }, async () => {
  await rebuildShifted(-64, Number(TOTAL) - 1 - 64, TOTAL - 34n - 64n);
});

test('a GPT copy whose moved entries no volume bears out is not used: the volumes in disk order instead', { skip }, async () => {
  const image = path.join(dir, 'copy.img');
  linuxDisk(image);
  const primary = readAt(image, 512, 33 * 512);
  wipeTables(image);
  // The old table copied to LBA 1001..1033 (as a backup tool might leave it): shift 1000, but the volumes did not move.
  writeAt(image, 1001 * 512, primary);
  const report = JSON.parse((await runCli(['scan', image, '--json'])).stdout);
  assert.ok(report.tables.some((t: { kind: string; shift?: number; arrayCrcOk?: boolean }) => t.kind === 'gpt' && t.shift === 1000 && t.arrayCrcOk));
  assert.equal(report.proposal.source, 'volumes');
  assert.equal(report.proposal.shift, undefined);
  assert.deepEqual(
    report.proposal.partitions.map((p: { firstLba: number }) => p.firstLba),
    [2048, 133120, 788480],
  );
});
