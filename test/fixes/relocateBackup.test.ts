// relocate-backup: a disk grown after the GPT was written (the seed's RAID rebuilt
// larger: the image extended with truncate) or shrunk while every partition still
// fits, on 512- and 4096-byte sectors; a shrink that would cut a partition is
// refused. After the repair the backup sits at the true end, both headers and the
// protective MBR describe the new size, and sgdisk, sfdisk and fdisk agree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from '../../src/core/crc32';
import type { GptEntryFields } from '../../src/core/gptEncode';
import type { FindingCode } from '../../src/core/findings';
import { applyPlans } from '../../src/core/write/index';
import { planFix } from '../../src/core/fixes/index';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { run, tempDir, testGuid, writeGptImage } from '../builders/images';
import { editEntry, fdiskList, sfdiskJson, smallGptBytes } from '../builders/oracles';
import {
  NEED_ORACLES,
  applyPatches,
  bytesToFile,
  copyImage,
  diskxCheck,
  fdiskListText,
  gptRegions,
  sgdiskImageCopy,
  assertFdiskQuiet,
  assertSgdiskHealthy,
  codes,
  load,
  planOk,
  planRefused,
  problemCodes,
  readBytes,
  readU32,
  readU64,
  resizeImage,
} from './helpers';

const dir = tempDir('diskx-relocate-');
const MiB = 1024 * 1024;
const TiB = 1024 * 1024 * MiB;
const RELOCATE_FINDINGS: FindingCode[] = ['gpt-backup-not-at-end', 'gpt-last-usable-mismatch', 'mbr-protective-size', 'gpt-backup-missing'];

/** Three partitions in the first `usedBytes` of the disk (slots 0, 1 and 3), with names and attribute bits. */
function slots(sectorSize: number, usedBytes: number): (GptEntryFields | null)[] {
  const mib = BigInt(MiB / sectorSize);
  const end = BigInt(usedBytes / sectorSize) - 1n;
  return [
    { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: mib, lastLba: 5n * mib - 1n, name: 'EFI system', attributes: 1n },
    { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(2), firstLba: 5n * mib, lastLba: 20n * mib - 1n, name: 'data', attributes: 1n << 60n },
    null,
    { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(4), firstLba: 20n * mib, lastLba: end, name: 'last' },
  ];
}

function build(name: string, sectorSize: number, sizeBytes: number, usedBytes: number): string {
  // A valid disk to start from: partition 4 runs from 20 MiB to usedBytes, inside the usable range.
  assert.ok(usedBytes > 20 * MiB && usedBytes / sectorSize - 1 <= sizeBytes / sectorSize - 2 - 16384 / sectorSize, `${name}: bad test layout`);
  return writeGptImage(path.join(dir, name), {
    sectorSize,
    totalSectors: BigInt(sizeBytes / sectorSize),
    diskGuid: testGuid(0x4e1),
    slots: slots(sectorSize, usedBytes),
  });
}

/** The backup at the last LBA, both headers and the protective MBR agree with the file's size; the array is the primary's. */
function assertAtEnd(file: string, sectorSize: number): void {
  const total = BigInt(fs.statSync(file).size / sectorSize);
  const last = total - 1n;
  const arraySectors = BigInt(16384 / sectorSize);
  const primary = sectorSize;
  const backup = Number(last) * sectorSize;
  assert.equal(readBytes(file, backup, 8).toString('latin1'), 'EFI PART', 'backup header at the last LBA');
  assert.equal(readU64(file, backup + 0x18), last, 'backup MyLBA');
  assert.equal(readU64(file, backup + 0x20), 1n, 'backup AlternateLBA');
  assert.equal(readU64(file, backup + 0x48), last - arraySectors, 'backup PartitionEntryLBA: right before the header');
  assert.equal(readU64(file, primary + 0x20), last, 'primary AlternateLBA');
  assert.equal(readU64(file, primary + 0x30), last - arraySectors - 1n, 'primary LastUsableLBA');
  assert.equal(readU64(file, backup + 0x30), last - arraySectors - 1n, 'backup LastUsableLBA');
  const backupArray = readBytes(file, Number(last - arraySectors) * sectorSize, 16384);
  assert.deepEqual(backupArray, readBytes(file, 2 * sectorSize, 16384), 'backup array = primary array');
  assert.equal(readU32(file, backup + 0x58), crc32(backupArray));
  assert.equal(readU32(file, 446 + 12), Number(total - 1n > 0xffffffffn ? 0xffffffffn : total - 1n), 'protective MBR size');
  assert.equal(readU32(file, 446 + 8), 1, 'protective MBR starts at LBA 1');
}

async function assertCheckClean(file: string): Promise<void> {
  const { findings } = await load(file);
  assert.deepEqual(problemCodes(findings), []);
  for (const code of RELOCATE_FINDINGS) assert.ok(!codes(findings).includes(code), code);
}

const STALE_BACKUP =
  /The stale old backup \(header at LBA \d+, array at LBAs \d+\.\.\d+\) is left in place untouched, as sgdisk -e does: no header points at it any more, so firmware and tools will not read it, and those sectors are now free space/;

describe('relocate-backup', () => {
  test(
    '512: a 64 MiB disk grown to 96 MiB (truncate), written with applyPlans; old backup left untouched as the description says',
    { skip: NEED_ORACLES },
    async () => {
      const image = build('grown.img', 512, 64 * MiB, 60 * MiB);
      const partitionsBefore = sfdiskJson(image).partitions;
      resizeImage(image, 96 * MiB);
      const oldTail = readBytes(image, 64 * MiB - 33 * 512, 33 * 512);
      const fdiskBefore = fdiskListText(image, 512).stderr;
      assert.match(fdiskBefore, /GPT PMBR size mismatch \(131071 != 196607\)/);
      assert.match(fdiskBefore, /The backup GPT table is not on the end of the device/);
      const before = await load(image);
      assert.deepEqual(problemCodes(before.findings).sort(), [
        'gpt-backup-not-at-end',
        'gpt-last-usable-mismatch',
        'gpt-last-usable-mismatch',
        'mbr-protective-size',
      ]);
      assert.equal(before.disk.backup?.lba, BigInt((64 * MiB) / 512 - 1), 'the old backup is found where AlternateLBA points');

      const { plan } = await planOk(image, 'relocate-backup');
      assert.match(plan.description, /the disk grew by 65536 sectors/);
      assert.match(plan.description, STALE_BACKUP);
      assert.match(plan.description, /Sets the protective MBR record 1's size 131071 -> 196607 sectors/);
      const result = await applyPlans(image, [plan], { sectorSize: 512 });
      // MBR, primary header, the one backup array sector holding the 3 entries (the other 31 stay zero), backup header.
      assert.equal(result.sectorsWritten, 1 + 1 + 1 + 1);

      assertAtEnd(image, 512);
      assert.deepEqual([...readBytes(image, 446 + 5, 3)], [0xff, 0xff, 0xff], 'an ending CHS of 0xFFFFFF (what our encoder, fdisk and Windows write) is kept');
      assert.deepEqual(readBytes(image, 64 * MiB - 33 * 512, 33 * 512), oldTail, 'the stale old backup is left as it was');
      await assertCheckClean(image);
      const cli = diskxCheck(image);
      assert.equal(cli.status, 0);
      for (const code of RELOCATE_FINDINGS) assert.ok(!cli.codes.includes(code), code);
      const sgdisk = assertSgdiskHealthy(image);
      assert.match(sgdisk, /No problems found/);
      const json = JSON.parse(run('sfdisk', ['--json', image])) as { partitiontable: { lastlba: number } };
      assert.equal(json.partitiontable.lastlba, (96 * MiB) / 512 - 34);
      assert.deepEqual(sfdiskJson(image).partitions, partitionsBefore, 'the partitions are unchanged');
      assertFdiskQuiet(image, 512);
    },
  );

  test('512: grown by fewer sectors than the backup takes (8): the old header is overwritten by the new backup', { skip: NEED_ORACLES }, async () => {
    const image = build('grown8.img', 512, 32 * MiB, 30 * MiB);
    resizeImage(image, 32 * MiB + 8 * 512);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /the disk grew by 8 sectors/);
    assert.match(plan.description, /The old backup header at LBA 65535 lies inside the new backup's sectors .* and is overwritten by it/);
    applyPatches(image, plan.patches);
    assertAtEnd(image, 512);
    await assertCheckClean(image);
    assertSgdiskHealthy(image);
    assertFdiskQuiet(image, 512);
  });

  test('512: a 64 MiB disk shrunk to 48 MiB with every partition inside: backup rebuilt at the new end', { skip: NEED_ORACLES }, async () => {
    const image = build('shrunk.img', 512, 64 * MiB, 40 * MiB);
    const partitionsBefore = sfdiskJson(image).partitions;
    resizeImage(image, 48 * MiB);
    const before = await load(image);
    assert.equal(before.disk.backup, null);
    assert.ok(codes(before.findings).includes('gpt-backup-missing'));
    assert.ok(codes(before.findings).includes('gpt-backup-not-at-end'));
    // The primary's LastUsableLBA now lies past the end: that finding must offer the fix that rewrites it.
    const lastUsable = before.findings.find((f) => f.code === 'gpt-header-invalid' && /LastUsableLBA/.test(f.message));
    assert.ok(lastUsable, 'LastUsableLBA past the shrunk end is reported');
    assert.ok(lastUsable.fixes.includes('relocate-backup'), `fixes offered: ${lastUsable.fixes.join(', ')}`);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /the disk shrank by 32768 sectors/);
    assert.match(plan.description, /The old backup at LBA 131071 lies past the new end of the disk and is gone with it/);
    applyPatches(image, plan.patches);
    assertAtEnd(image, 512);
    await assertCheckClean(image);
    assertSgdiskHealthy(image);
    assert.deepEqual(sfdiskJson(image).partitions, partitionsBefore);
    assertFdiskQuiet(image, 512);
  });

  test('512: a shrink that would cut a partition is refused, naming it; the image is not touched', { skip: NEED_ORACLES }, async () => {
    const image = build('cut.img', 512, 64 * MiB, 60 * MiB);
    resizeImage(image, 48 * MiB);
    const reason = await planRefused(image, 'relocate-backup');
    assert.match(reason, /LastUsableLBA would be 98270, but partition 4 ends at LBA 122879: the disk is too small for its partitions/);
    // One sector is enough to refuse: partition 4 ends at the old LastUsableLBA and the disk loses its last sector.
    const tight = build('tight.img', 512, 64 * MiB, 64 * MiB - 33 * 512);
    resizeImage(tight, 64 * MiB - 512);
    assert.match(await planRefused(tight, 'relocate-backup'), /LastUsableLBA would be 131037, but partition 4 ends at LBA 131038/);
    assert.equal(fs.statSync(tight).size, 64 * MiB - 512);
  });

  test('512: shrunk by one sector with partition 4 ending exactly at the new LastUsableLBA: fits, relocated', { skip: NEED_ORACLES }, async () => {
    const image = build('exact.img', 512, 64 * MiB, 64 * MiB - 34 * 512);
    resizeImage(image, 64 * MiB - 512);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /LastUsableLBA 131038 -> 131037/);
    applyPatches(image, plan.patches);
    assertAtEnd(image, 512);
    await assertCheckClean(image);
    assertSgdiskHealthy(image);
    assert.equal(sfdiskJson(image).partitions[2]?.start, 20n * 2048n);
  });

  test('4Kn: a 32 MiB disk grown to 48 MiB: fdisk -b 4096 -l sees the partitions without warnings', { skip: NEED_ORACLES }, async () => {
    const image = build('grown4k.img', 4096, 32 * MiB, 30 * MiB);
    const listBefore = fdiskList(image, 4096).partitions;
    resizeImage(image, 48 * MiB);
    assert.match(fdiskListText(image, 4096).stderr, /GPT PMBR size mismatch \(8191 != 12287\)[^]*not on the end of the device/);
    const before = await load(image);
    assert.equal(before.disk.sectorSize, 4096);
    assert.ok(codes(before.findings).includes('gpt-backup-not-at-end'));
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, STALE_BACKUP);
    assert.match(plan.description, /Writes the backup entry array .* at LBAs 12283\.\.12286 and the backup header at LBA 12287/);
    const result = await applyPlans(image, [plan], { sectorSize: 4096 });
    assert.equal(result.sectorsWritten, 1 + 1 + 1 + 1); // MBR, primary header, first array sector, backup header
    assertAtEnd(image, 4096);
    await assertCheckClean(image);
    const theirs = fdiskList(image, 4096);
    assert.equal(theirs.sectorUnit, 4096);
    assert.deepEqual(theirs.partitions, listBefore);
    assert.deepEqual(
      theirs.partitions.map((p) => p.number),
      [1, 2, 4],
    );
    assertFdiskQuiet(image, 4096);
  });

  test('4Kn: shrunk with every partition inside', { skip: NEED_ORACLES }, async () => {
    const image = build('shrunk4k.img', 4096, 48 * MiB, 30 * MiB);
    resizeImage(image, 40 * MiB);
    const { plan } = await planOk(image, 'relocate-backup');
    applyPatches(image, plan.patches);
    assertAtEnd(image, 4096);
    await assertCheckClean(image);
    assert.deepEqual(
      fdiskList(image, 4096).partitions.map((p) => p.number),
      [1, 2, 4],
    );
    assertFdiskQuiet(image, 4096);
  });

  test('512: 1 TiB grown to 3 TiB (sparse): the protective MBR size is capped at 0xFFFFFFFF', { skip: NEED_ORACLES }, async () => {
    const image = build('tib.img', 512, TiB, 60 * MiB);
    resizeImage(image, 3 * TiB);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /size 2147483647 -> 4294967295 sectors/);
    applyPatches(image, plan.patches);
    assertAtEnd(image, 512);
    assert.equal(readU32(image, 446 + 12), 0xffffffff);
    await assertCheckClean(image);
    assertSgdiskHealthy(image);
  });

  test("grown, with an old backup whose entries differ from the primary's: the description says the primary's win and how to keep the backup's", async () => {
    const bytes = smallGptBytes();
    editEntry(bytes, 512, BigInt(bytes.length / 512 - 1), 1, (v) => v.setUint8(56, 0x58)); // backup's slot 1 name: "Xart2"
    const image = resizeImage(bytesToFile(path.join(dir, 'differ.img'), bytes), 4 * MiB);
    const before = await load(image);
    assert.equal(before.disk.backup?.arrayCrcOk, true);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(
      plan.description,
      /The old backup's entries differ from the primary's in slot 1; the new backup copies the primary's\. If the backup's are the right ones, run rebuild-primary-from-backup first\./,
    );
    applyPatches(image, plan.patches);
    const after = await load(image);
    assert.deepEqual(problemCodes(after.findings), []);
    assert.equal(after.disk.backup?.array?.slots[1]?.name, 'part2');
  });

  test('a hybrid MBR is left alone (its records are not ours to resize), the GPT is still relocated', async () => {
    const bytes = smallGptBytes();
    const view = new DataView(bytes.buffer);
    bytes[446 + 16 + 4] = 0x0c; // record 2: FAT32 LBA over partition 1
    view.setUint32(446 + 16 + 8, 34, true);
    view.setUint32(446 + 16 + 12, 100, true);
    const image = resizeImage(bytesToFile(path.join(dir, 'hybrid.img'), bytes), 4 * MiB);
    const mbrBefore = readBytes(image, 0, 512);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /Leaves the MBR alone \(it is hybrid, not a plain protective MBR; its records are not ours to resize\)/);
    assert.ok(
      plan.patches.every((p) => p.offset >= 512),
      'no patch in the MBR',
    );
    applyPatches(image, plan.patches);
    assert.deepEqual(readBytes(image, 0, 512), mbrBefore);
    const { findings } = await load(image);
    for (const code of ['gpt-backup-not-at-end', 'gpt-last-usable-mismatch'] as const) assert.ok(!codes(findings).includes(code), code);
    assert.deepEqual(problemCodes(findings), ['mbr-not-protective'], 'only the hybrid MBR itself is left to report');
  });

  for (const [label, size] of [
    ['grown to 96 MiB', 96 * MiB],
    ['grown to 16 GiB (ending CHS no longer representable)', 16 * 1024 * MiB],
    ['shrunk to 48 MiB', 48 * MiB],
  ] as const) {
    test(`512: an sgdisk-made 64 MiB disk ${label}: byte for byte what \`sgdisk -e\` writes, MBR CHS included`, { skip: NEED_ORACLES }, async () => {
      const image = sgdiskImageCopy(path.join(dir, `sgdisk-e-${size}.img`));
      resizeImage(image, size);
      const theirs = copyImage(image, path.join(dir, `sgdisk-e-${size}-theirs.img`));
      run('sgdisk', ['-e', theirs]);
      const { plan } = await planOk(image, 'relocate-backup');
      applyPatches(image, plan.patches);
      assert.deepEqual(gptRegions(image, 512), gptRegions(theirs, 512));
      const end = Math.min(size, 64 * MiB);
      assert.deepEqual(readBytes(image, end - 64 * 512, 64 * 512), readBytes(theirs, end - 64 * 512, 64 * 512), 'around the old end too');
      assert.match(
        plan.description,
        size === 16 * 1024 * MiB ? /ending CHS 0x282008 -> 0xffffff/ : size > 64 * MiB ? /ending CHS 0x282008 -> 0x3c300c/ : /ending CHS 0x282008 -> 0x1e1806/,
      );
      assertAtEnd(image, 512);
      await assertCheckClean(image);
      assertSgdiskHealthy(image);
    });
  }

  test('grown with the old backup gone as well: says nothing was found there; the result is clean', { skip: NEED_ORACLES }, async () => {
    const image = build('grown-nobackup.img', 512, 32 * MiB, 24 * MiB);
    applyPatches(image, [{ offset: 32 * MiB - 512, before: new Uint8Array(readBytes(image, 32 * MiB - 512, 512)), after: new Uint8Array(512) }]);
    resizeImage(image, 48 * MiB);
    const { plan } = await planOk(image, 'relocate-backup');
    assert.match(plan.description, /No backup header was found at the old AlternateLBA 65535 either; nothing there is changed\./);
    applyPatches(image, plan.patches);
    assertAtEnd(image, 512);
    await assertCheckClean(image);
    assertSgdiskHealthy(image);
  });

  test('at the right size but with the backup header wiped: applies, and says rebuild-backup-from-primary writes the same', async () => {
    const image = build('wiped-backup.img', 512, 32 * MiB, 24 * MiB);
    applyPatches(image, [{ offset: 32 * MiB - 512, before: new Uint8Array(readBytes(image, 32 * MiB - 512, 512)), after: new Uint8Array(512) }]);
    const { disk, plan } = await planOk(image, 'relocate-backup');
    assert.match(
      plan.description,
      /^The primary header's AlternateLBA is the disk's last LBA 65535, there, but no backup header was found at the last LBA \(rebuild-backup-from-primary writes the same backup\)\./,
    );
    const rebuild = planFix(disk, 'rebuild-backup-from-primary');
    assert.ok(rebuild.ok);
    assert.deepEqual(rebuild.plan.patches, plan.patches);
  });

  test('does not apply to a disk whose backup is already at the end', async () => {
    const image = build('healthy.img', 512, 32 * MiB, 24 * MiB);
    assert.match(
      await planRefused(image, 'relocate-backup'),
      /the backup GPT already sits at the last LBA 65535, LastUsableLBA is 65502 in both headers and the protective MBR covers the disk/,
    );
  });

  test('refuses when the primary it copies is damaged', async () => {
    const image = build('badprimary.img', 512, 32 * MiB, 24 * MiB);
    resizeImage(image, 48 * MiB);
    const at = 512 + 0x10;
    const old = readBytes(image, at, 1);
    applyPatches(image, [{ offset: at, before: new Uint8Array(old), after: Uint8Array.of(old[0]! ^ 1) }]);
    assert.match(await planRefused(image, 'relocate-backup'), /the primary header at LBA 1: its HeaderCRC32 is wrong; repair the primary first/);
  });
});
