// Every finding code the checker can produce, each from a real damaged image
// (in memory when small, as sparse files when the damage is about size), with
// sgdisk/sfdisk agreeing where they notice the problem at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { haveOracles, tempDir, testGuid, writeGptImage } from '../builders/images';
import {
  analyzeBytes,
  analyzeFile,
  codes,
  copySparse,
  editBothHeaders,
  editEntryBoth,
  editHeader,
  editEntry,
  problems,
  readAt,
  sgdisk,
  sgdiskVerify,
  smallGptBytes,
  sparseFile,
  writeAt,
} from '../builders/oracles';
import type { Finding, FindingCode } from '../../src/core/findings';
import { FINDING_DESCRIPTIONS } from '../../src/core/findings';
import { parseGuid } from '../../src/core/guid';

const skip = !haveOracles() && 'sgdisk/sfdisk not installed';
const dir = tempDir();
const MiB = 1024 * 1024;
const LAST = 4095n; // smallGptBytes(): 2 MiB of 512-byte sectors
const produced = new Set<FindingCode>();

function expectFinding(findings: Finding[], code: FindingCode, severity?: Finding['severity'], message?: RegExp): Finding {
  const finding = findings.find((f) => f.code === code && (!message || message.test(f.message)));
  assert.ok(finding, `expected ${code}${message ? ` matching ${message}` : ''} in ${JSON.stringify(findings, null, 1)}`);
  if (severity) assert.equal(finding.severity, severity, finding.message);
  produced.add(code);
  return finding;
}

describe('GPT structure findings', () => {
  test('gpt-primary-missing: LBA 1 zeroed; the fix rebuilds it from the backup', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, 512, 1024);
    const { disk, findings } = await analyzeBytes(bytes);
    assert.equal(disk.activeGpt, 'backup');
    assert.deepEqual(
      disk.partitions.map((p) => p.number),
      [1, 2, 4],
    );
    const f = expectFinding(findings, 'gpt-primary-missing', 'error');
    assert.deepEqual([f.offset, f.length, f.fixes], [512, 512, ['rebuild-primary-from-backup']]);
  });

  test('gpt-backup-missing: last LBA zeroed', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, Number(LAST) * 512);
    const { findings } = await analyzeBytes(bytes);
    const f = expectFinding(findings, 'gpt-backup-missing', 'error');
    assert.deepEqual([f.offset, f.fixes], [Number(LAST) * 512, ['rebuild-backup-from-primary']]);
  });

  test('both headers gone but a protective MBR: gpt-primary-missing, not a clean MBR disk', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, 512, 1024);
    bytes.fill(0, Number(LAST) * 512);
    const { disk, findings } = await analyzeBytes(bytes);
    assert.equal(disk.primary, null);
    expectFinding(findings, 'gpt-primary-missing', 'error', /0xEE/);
  });

  test('gpt-primary-header-crc / gpt-backup-header-crc / gpt-primary-array-crc / gpt-backup-array-crc', async () => {
    const bytes = smallGptBytes();
    bytes[512 + 0x40] ^= 1;
    bytes[Number(LAST) * 512 + 0x40] ^= 1;
    bytes[1024 + 56] ^= 1;
    bytes[Number(LAST - 32n) * 512 + 128 + 56] ^= 1;
    const { findings } = await analyzeBytes(bytes);
    assert.equal(expectFinding(findings, 'gpt-primary-header-crc', 'error').offset, 512 + 0x10);
    assert.equal(expectFinding(findings, 'gpt-backup-header-crc', 'error').offset, Number(LAST) * 512 + 0x10);
    assert.equal(expectFinding(findings, 'gpt-primary-array-crc', 'error').offset, 1024);
    const backupArray = expectFinding(findings, 'gpt-backup-array-crc', 'error');
    assert.deepEqual([backupArray.offset, backupArray.length], [Number(LAST - 32n) * 512, 16384]);
  });

  test('gpt-primary-backup-differ: backup DiskGUID changed (and resealed)', async () => {
    const bytes = smallGptBytes();
    editHeader(bytes, 512, LAST, (v) => v.setUint8(0x38, v.getUint8(0x38) ^ 0x55));
    const { findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'gpt-primary-backup-differ', 'error', /DiskGUID/);
    assert.deepEqual(codes(problems(findings)), ['gpt-primary-backup-differ']);
  });

  test('gpt-primary-backup-differ: one entry differs although both CRCs are right', async () => {
    const bytes = smallGptBytes();
    editEntry(bytes, 512, LAST, 1, (v) => v.setUint8(56, 0x41));
    const { findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'gpt-primary-backup-differ', 'error', /entries differ in slot 1\b/);
  });

  test('gpt-partition-overlap (encoder) and sgdisk -v agrees', { skip }, async () => {
    const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
    const image = writeGptImage(path.join(dir, 'overlap.img'), {
      sectorSize: 512,
      totalSectors: 8192n,
      diskGuid: testGuid(99),
      slots: [
        { typeGuid: linux, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n },
        { typeGuid: linux, uniqueGuid: testGuid(2), firstLba: 4000n, lastLba: 5000n },
      ],
    });
    assert.match(sgdiskVerify(image).text, /overlap/i);
    const { findings } = await analyzeFile(image);
    expectFinding(findings, 'gpt-partition-overlap', 'error', /Partitions 1 \(LBAs 2048\.\.4095\) and 2 \(LBAs 4000\.\.5000\) overlap/);
  });

  test('gpt-partition-out-of-range: past LastUsableLBA, before FirstUsableLBA, end before start', async () => {
    const bytes = smallGptBytes();
    editEntryBoth(bytes, 512, 0, (v) => v.setBigUint64(40, 4070n, true)); // into the backup array
    editEntryBoth(bytes, 512, 1, (v) => v.setBigUint64(32, 10n, true)); // into the primary array
    editEntryBoth(bytes, 512, 3, (v) => v.setBigUint64(40, 5n, true)); // ends before it starts
    const { findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'gpt-partition-out-of-range', 'error', /Partition 1 .*after LastUsableLBA 4062/);
    expectFinding(findings, 'gpt-partition-out-of-range', 'error', /Partition 2 .*before FirstUsableLBA 34/);
    expectFinding(findings, 'gpt-partition-out-of-range', 'error', /Partition 4 .*ends \(LBA 5\) before it starts/);
  });

  test('gpt-partition-out-of-range agrees with sgdisk -v on a partition past the end', { skip }, async () => {
    const bytes = smallGptBytes();
    editEntryBoth(bytes, 512, 3, (v) => v.setBigUint64(40, 9000n, true));
    const image = path.join(dir, 'past-end.img');
    fs.writeFileSync(image, bytes);
    assert.ok((sgdiskVerify(image).problems ?? 0) > 0, sgdiskVerify(image).text);
    expectFinding((await analyzeFile(image)).findings, 'gpt-partition-out-of-range', 'error', /past the end of the disk/);
  });

  test('gpt-duplicate-guid: two partitions, and a partition equal to the disk GUID', async () => {
    const bytes = smallGptBytes();
    editEntryBoth(bytes, 512, 1, (v) => parseGuid(testGuid(1)).forEach((b, i) => v.setUint8(16 + i, b)));
    editEntryBoth(bytes, 512, 3, (v) => parseGuid(testGuid(0xd15c)).forEach((b, i) => v.setUint8(16 + i, b)));
    const { findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'gpt-duplicate-guid', 'error', /Partitions 1 and 2 share/);
    expectFinding(findings, 'gpt-duplicate-guid', 'error', /Partition 4's unique GUID equals the disk GUID/);
  });

  test('gpt-last-usable-mismatch: smaller (warning) and reaching into the backup array (error)', async () => {
    const smaller = smallGptBytes();
    editBothHeaders(smaller, 512, (v) => v.setBigUint64(0x30, 4000n, true));
    const a = await analyzeBytes(smaller);
    expectFinding(a.findings, 'gpt-last-usable-mismatch', 'warning', /62 sectors at the end cannot be used/);
    const larger = smallGptBytes();
    editBothHeaders(larger, 512, (v) => v.setBigUint64(0x30, 4070n, true));
    const b = await analyzeBytes(larger);
    expectFinding(b.findings, 'gpt-last-usable-mismatch', 'error', /reaches into the backup entry array/);
  });
});

describe('gpt-header-invalid variants (each resealed so the CRC is right)', () => {
  const cases: { name: string; edit: (v: DataView) => void; reason: RegExp; field: number }[] = [
    { name: 'revision', edit: (v) => v.setUint32(0x08, 0x00020000, true), reason: /revision is 0x00020000/, field: 0x08 },
    { name: 'HeaderSize 91', edit: (v) => v.setUint32(0x0c, 91, true), reason: /HeaderSize is 91/, field: 0x0c },
    { name: 'HeaderSize 513', edit: (v) => v.setUint32(0x0c, 513, true), reason: /HeaderSize is 513/, field: 0x0c },
    { name: 'reserved field', edit: (v) => v.setUint32(0x14, 1, true), reason: /reserved field at 0x14/, field: 0x14 },
    { name: 'MyLBA', edit: (v) => v.setBigUint64(0x18, 7n, true), reason: /MyLBA is 7 but the header sits at LBA 1/, field: 0x18 },
    { name: 'AlternateLBA = itself', edit: (v) => v.setBigUint64(0x20, 1n, true), reason: /AlternateLBA points at the header itself/, field: 0x20 },
    { name: 'no entries', edit: (v) => v.setUint32(0x50, 0, true), reason: /NumberOfPartitionEntries is 0/, field: 0x50 },
    { name: 'entry size 100', edit: (v) => v.setUint32(0x54, 100, true), reason: /SizeOfPartitionEntry is 100/, field: 0x54 },
    { name: 'entry size 384 (not 128 x 2^n)', edit: (v) => v.setUint32(0x54, 384, true), reason: /SizeOfPartitionEntry is 384/, field: 0x54 },
    { name: 'array at LBA 1 (over its header)', edit: (v) => v.setBigUint64(0x48, 1n, true), reason: /PartitionEntryLBA 1/, field: 0x48 },
    { name: 'array past the end', edit: (v) => v.setBigUint64(0x48, 4090n, true), reason: /outside the disk/, field: 0x48 },
    {
      name: 'FirstUsableLBA after LastUsableLBA',
      edit: (v) => v.setBigUint64(0x28, 4080n, true),
      reason: /FirstUsableLBA 4080 is after LastUsableLBA/,
      field: 0x28,
    },
    { name: 'FirstUsableLBA at the header', edit: (v) => v.setBigUint64(0x28, 1n, true), reason: /FirstUsableLBA 1 is not after the header/, field: 0x28 },
    { name: 'LastUsableLBA past the disk', edit: (v) => v.setBigUint64(0x30, 5000n, true), reason: /LastUsableLBA 5000 is past/, field: 0x30 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const bytes = smallGptBytes();
      editHeader(bytes, 512, 1n, c.edit);
      const { disk, findings } = await analyzeBytes(bytes);
      const f = expectFinding(findings, 'gpt-header-invalid', 'error', c.reason);
      assert.equal(f.offset, 512 + c.field, 'the finding points at the field');
      assert.deepEqual(f.fixes, ['rebuild-primary-from-backup']);
      assert.equal(disk.activeGpt, 'backup', 'the intact backup is in charge');
      assert.ok(!findings.some((x) => x.code === 'gpt-primary-header-crc'), 'resealed: no CRC finding');
    });
  }

  test('an invalid backup header names the other fix', async () => {
    const bytes = smallGptBytes();
    editHeader(bytes, 512, LAST, (v) => v.setUint32(0x08, 0x00010001, true));
    const f = expectFinding((await analyzeBytes(bytes)).findings, 'gpt-header-invalid', 'error', /Backup GPT header \(LBA 4095\)/);
    assert.deepEqual(f.fixes, ['rebuild-backup-from-primary']);
  });
});

describe('disk size changes (sparse files grown and shrunk with truncate)', { concurrency: true }, () => {
  test('grown disk: gpt-backup-not-at-end, gpt-last-usable-mismatch, mbr-protective-size; sgdisk -v agrees; sgdisk -e clears them', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'grow.img'), 16 * MiB);
    await sgdisk(image, '-n', '1:0:+4M');
    fs.truncateSync(image, 32 * MiB);
    const theirs = sgdiskVerify(image);
    assert.ok((theirs.problems ?? 0) > 0 || /end of the disk/i.test(theirs.text), theirs.text);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.backup?.lba, 32767n);
    const notAtEnd = expectFinding(findings, 'gpt-backup-not-at-end', 'warning', /it grew/);
    assert.deepEqual(notAtEnd.fixes, ['relocate-backup']);
    expectFinding(findings, 'gpt-last-usable-mismatch', 'warning', /32768 sectors at the end cannot be used/);
    expectFinding(findings, 'mbr-protective-size', 'warning', /65535 sectors/);
    const fixed = copySparse(image, path.join(dir, 'grow-fixed.img'));
    await sgdisk(fixed, '-e');
    assert.deepEqual(problems((await analyzeFile(fixed)).findings), [], 'after sgdisk -e the disk is clean');
  });

  test('a 2 TiB disk grown to 3 TiB: protective size stays capped and fine; backup found via AlternateLBA', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'grow-huge.img'), 2 * 1024 * 1024 * MiB);
    await sgdisk(image, '-n', '1:0:+1G');
    fs.truncateSync(image, 3 * 1024 * 1024 * MiB);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.backup?.lba, 4294967295n);
    expectFinding(findings, 'gpt-backup-not-at-end', 'warning');
    assert.ok(!findings.some((f) => f.code === 'mbr-protective-size'), 'capped at 0xFFFFFFFF both before and after');
  });

  test('shrunk disk: the backup is gone and AlternateLBA points past the end', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'shrink.img'), 32 * MiB);
    await sgdisk(image, '-n', '1:0:+4M');
    fs.truncateSync(image, 16 * MiB);
    const { findings } = await analyzeFile(image);
    expectFinding(findings, 'gpt-backup-missing', 'error');
    expectFinding(findings, 'gpt-backup-not-at-end', 'error', /shrank or was truncated/);
    expectFinding(findings, 'gpt-header-invalid', 'error', /LastUsableLBA .* is past/);
  });

  test('AlternateLBA wrong while the backup is at the end', async () => {
    const bytes = smallGptBytes();
    editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x20, 3000n, true));
    const { findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'gpt-backup-not-at-end', 'warning', /AlternateLBA is 3000/);
  });
});

describe('MBR findings', { concurrency: true }, () => {
  test('mbr-missing: 0x55AA cleared on a GPT disk', async () => {
    const bytes = smallGptBytes();
    bytes[510] = 0;
    bytes[511] = 0;
    const f = expectFinding((await analyzeBytes(bytes)).findings, 'mbr-missing', 'warning');
    assert.equal(f.offset, 510);
  });

  test('mbr-not-protective: a DOS record instead of 0xEE, and an all-empty MBR', async () => {
    const dos = smallGptBytes();
    dos[446 + 4] = 0x83;
    expectFinding((await analyzeBytes(dos)).findings, 'mbr-not-protective', 'warning', /DOS partitions/);
    const empty = smallGptBytes();
    empty.fill(0, 446, 510);
    expectFinding((await analyzeBytes(empty)).findings, 'mbr-not-protective', 'warning', /all four records are empty/);
  });

  test('mbr-not-protective: a hybrid MBR made by sgdisk -h', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'hybrid.img'), 16 * MiB);
    await sgdisk(image, '-n', '1:0:+2M', '-t', '1:0700', '-n', '2:0:+2M', '-h', '1');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.mbr?.kind, 'hybrid');
    assert.equal(disk.scheme, 'gpt');
    expectFinding(findings, 'mbr-not-protective', 'warning', /Hybrid MBR/);
  });

  test('mbr-protective-size: a record that does not start at LBA 1', async () => {
    const bytes = smallGptBytes();
    new DataView(bytes.buffer).setUint32(446 + 8, 2, true);
    const f = expectFinding((await analyzeBytes(bytes)).findings, 'mbr-protective-size', 'warning');
    assert.equal(f.offset, 446 + 8);
  });

  test('no-partition-table: zeros', async () => {
    const { disk, findings } = await analyzeBytes(new Uint8Array(MiB));
    assert.equal(disk.scheme, 'none');
    expectFinding(findings, 'no-partition-table', 'error');
  });

  const dosImage = (name: string): string => {
    const image = sparseFile(path.join(dir, name), 64 * MiB);
    execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', image], {
      input:
        'label: dos\nstart=2048, size=10000, type=83\nstart=20000, size=100000, type=5\nstart=22048, size=10000, type=83\nstart=40000, size=10000, type=82\n',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    return image;
  };
  // The second EBR: the first EBR's link record (its record 2) says where, relative to the extended start.
  const secondEbrLba = (image: string): number => 20000 + readAt(image, 20000 * 512 + 446 + 16 + 8, 4).readUInt32LE(0);

  test('a DOS disk with an EBR chain reads like sfdisk and is clean', { skip }, async () => {
    const image = dosImage('dos.img');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'mbr');
    assert.deepEqual(
      disk.partitions.map((p) => [p.number, p.firstLba, p.lastLba - p.firstLba + 1n]),
      [
        [1, 2048n, 10000n],
        [2, 20000n, 100000n],
        [5, 22048n, 10000n],
        [6, 40000n, 10000n],
      ],
    );
    assert.deepEqual(findings, []);
  });

  test('mbr-ebr-chain: an EBR that links to itself (loop)', { skip }, async () => {
    const image = dosImage('dos-loop.img');
    const second = secondEbrLba(image);
    const link = Buffer.alloc(4);
    link.writeUInt32LE(second - 20000);
    const record = Buffer.from([0, 0, 0, 0, 0x05, 0, 0, 0, ...link, 0x10, 0, 0, 0]);
    writeAt(image, second * 512 + 446 + 16, record);
    const { disk, findings } = await analyzeFile(image);
    expectFinding(findings, 'mbr-ebr-chain', 'error', new RegExp(`loops back to LBA ${second}`));
    assert.deepEqual(
      disk.partitions.map((p) => p.number),
      [1, 2, 5, 6],
      'each logical partition listed once',
    );
  });

  test('mbr-ebr-chain: a huge link (0xFFFFFFF0) points outside the disk', { skip }, async () => {
    const image = dosImage('dos-huge.img');
    writeAt(image, 20000 * 512 + 446 + 16 + 8, Uint8Array.of(0xf0, 0xff, 0xff, 0xff));
    expectFinding((await analyzeFile(image)).findings, 'mbr-ebr-chain', 'error', /outside the disk/);
  });

  test('mbr-ebr-chain: an EBR without 0x55AA', { skip }, async () => {
    const image = dosImage('dos-nosig.img');
    writeAt(image, secondEbrLba(image) * 512 + 510, Uint8Array.of(0, 0));
    expectFinding((await analyzeFile(image)).findings, 'mbr-ebr-chain', 'error', /no 0x55AA/);
  });

  test('mbr-ebr-chain: a chain longer than MAX_EBR_CHAIN stops', async () => {
    // 300 EBRs, each linking to the next, in a 1 MiB image.
    const bytes = new Uint8Array(MiB);
    const view = new DataView(bytes.buffer);
    const extendedStart = 100;
    bytes[446 + 4] = 0x05;
    view.setUint32(446 + 8, extendedStart, true);
    view.setUint32(446 + 12, 1900, true);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    for (let i = 0; i < 300; i++) {
      const ebr = (extendedStart + i * 5) * 512;
      bytes[ebr + 446 + 4] = 0x83;
      view.setUint32(ebr + 446 + 8, 1, true);
      view.setUint32(ebr + 446 + 12, 1, true);
      bytes[ebr + 446 + 16 + 4] = 0x05;
      view.setUint32(ebr + 446 + 16 + 8, (i + 1) * 5, true);
      view.setUint32(ebr + 446 + 16 + 12, 5, true);
      bytes[ebr + 510] = 0x55;
      bytes[ebr + 511] = 0xaa;
    }
    const { disk, findings } = await analyzeBytes(bytes);
    expectFinding(findings, 'mbr-ebr-chain', 'error', /longer than 256/);
    assert.equal(disk.mbr?.logical.length, 256);
  });

  test('mbr-partition-out-of-range: the disk was cut short under its partitions (sfdisk agrees something is off)', { skip }, async () => {
    const image = dosImage('dos-cut.img');
    fs.truncateSync(image, 30000 * 512);
    expectFinding((await analyzeFile(image)).findings, 'mbr-partition-out-of-range', 'error', /MBR partition 2 covers LBAs 20000\.\.119999/);
  });

  test('mbr-partition-overlap: two primary records sharing sectors', async () => {
    const bytes = new Uint8Array(MiB);
    const view = new DataView(bytes.buffer);
    bytes[446 + 4] = 0x83;
    view.setUint32(446 + 8, 2048, true);
    view.setUint32(446 + 12, 100, true);
    bytes[446 + 16 + 4] = 0x07;
    view.setUint32(446 + 16 + 8, 2100, true);
    view.setUint32(446 + 16 + 12, 100, true);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    expectFinding((await analyzeBytes(bytes)).findings, 'mbr-partition-overlap', 'error', /MBR partitions 1 .* and 2 .* overlap/);
  });
});

describe('coverage', () => {
  test('every finding code was produced by some test above (esxi codes in esxiLayouts.test.ts, windows-touched in windowsTelltale.test.ts, content codes in contentFindings.test.ts, gpt-array-in-usable-range in fixes/arrayPlacement.test.ts, label codes in schemes/, container codes in io/containerLayout.test.ts)', () => {
    const elsewhere = new Set<FindingCode>([
      'esxi-slot-compacted',
      'esxi-layout',
      'slot-gap',
      'windows-touched',
      'whole-disk-volume',
      'partition-type-mismatch',
      'volume-larger-than-partition',
      'partition-starts-mid-volume',
      'volume-over-partition-table',
      'lost-volume',
      'gpt-array-in-usable-range',
      'container-overlapping-blocks',
      'container-log-not-replayed',
      // The Apple, BSD, Sun and SGI label codes: test/schemes/.
      'apm-map-invalid',
      'apm-driver-descriptor-invalid',
      'bsd-label-checksum',
      'bsd-label-invalid',
      'sun-label-checksum',
      'sun-label-invalid',
      'sgi-label-checksum',
      'sgi-label-invalid',
      'label-partition-out-of-range',
    ]);
    const missing = (Object.keys(FINDING_DESCRIPTIONS) as FindingCode[]).filter((code) => !produced.has(code) && !elsewhere.has(code));
    if (skip) return; // the oracle-dependent tests did not run
    assert.deepEqual(missing, []);
  });
});
