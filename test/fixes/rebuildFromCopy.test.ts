// rebuild-primary-from-backup and rebuild-backup-from-primary, as gdisk's
// recovery menu does them: the damaged copy (header and/or array zeroed or
// corrupted) is rewritten from the healthy one with MyLBA, AlternateLBA and
// PartitionEntryLBA for its own position. On 512- and 4096-byte sectors, in
// memory; the results go to files for sgdisk/sfdisk (512) or fdisk -b 4096.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { crc32, gptHeaderCrc32 } from '../../src/core/crc32';
import { planFix } from '../../src/core/fixes/index';
import type { FindingCode, FixId } from '../../src/core/findings';
import { applyPlans } from '../../src/core/write/index';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { analyzeBytes, editHeader, fdiskList, sfdiskJson, smallGptBytes } from '../builders/oracles';
import {
  NEED_ORACLES,
  applyPatches,
  applyToBytes,
  copyImage,
  sgdiskImageCopy,
  assertFdiskQuiet,
  assertSgdiskHealthy,
  bytesToFile,
  codes,
  gptRegions,
  load,
  planOk,
  planRefused,
  problemCodes,
  readBytes,
  readU64,
  resizeImage,
  writeBytes,
} from './helpers';

const dir = tempDir('diskx-rebuild-');

interface Damage {
  label: string;
  /** Findings the damage must raise (errors/warnings). */
  expect: FindingCode[];
  apply: (bytes: Uint8Array, sectorSize: number) => void;
}

const arrayBytes = 16384;
const last = (bytes: Uint8Array, sectorSize: number): number => bytes.length / sectorSize - 1;
const backupArrayOffset = (bytes: Uint8Array, sectorSize: number): number => (last(bytes, sectorSize) - arrayBytes / sectorSize) * sectorSize;

const primaryDamage: Damage[] = [
  { label: 'header zeroed', expect: ['gpt-primary-missing'], apply: (b, s) => b.fill(0, s, 2 * s) },
  { label: 'array zeroed', expect: ['gpt-primary-array-crc'], apply: (b, s) => b.fill(0, 2 * s, 2 * s + arrayBytes) },
  { label: 'header and array zeroed', expect: ['gpt-primary-missing'], apply: (b, s) => b.fill(0, s, 2 * s + arrayBytes) },
  { label: 'DiskGUID byte corrupted (stale header CRC)', expect: ['gpt-primary-header-crc'], apply: (b, s) => void (b[s + 0x38] ^= 0xff) },
  { label: 'entry 0 corrupted (stale array CRC)', expect: ['gpt-primary-array-crc'], apply: (b, s) => void (b[2 * s + 40] ^= 0x01) },
  {
    label: 'MyLBA and PartitionEntryLBA wrong (resealed: structurally invalid)',
    expect: ['gpt-header-invalid'],
    apply: (b, s) => editHeader(b, s, 1n, (v) => (v.setBigUint64(0x18, 9n, true), v.setBigUint64(0x48, 9999n, true))),
  },
];

const backupDamage: Damage[] = [
  { label: 'destroyed (header and array zeroed)', expect: ['gpt-backup-missing'], apply: (b, s) => b.fill(0, backupArrayOffset(b, s)) },
  { label: 'header zeroed', expect: ['gpt-backup-missing'], apply: (b, s) => b.fill(0, last(b, s) * s) },
  { label: 'array zeroed', expect: ['gpt-backup-array-crc'], apply: (b, s) => b.fill(0, backupArrayOffset(b, s), backupArrayOffset(b, s) + arrayBytes) },
  {
    label: 'header bytes randomised after the signature',
    expect: ['gpt-header-invalid'],
    apply: (b, s) => {
      for (let i = 8; i < 92; i++) b[last(b, s) * s + i] = (i * 97 + 13) & 0xff;
    },
  },
];

/** The header at `lba` has the position fields of its role and both CRCs right. */
function assertHeaderAt(bytes: Uint8Array, sectorSize: number, lba: number, alternate: number, arrayLba: number): void {
  const header = bytes.subarray(lba * sectorSize, (lba + 1) * sectorSize);
  const view = new DataView(header.buffer, header.byteOffset, sectorSize);
  assert.equal(Buffer.from(header.subarray(0, 8)).toString('latin1'), 'EFI PART');
  assert.equal(view.getBigUint64(0x18, true), BigInt(lba), 'MyLBA');
  assert.equal(view.getBigUint64(0x20, true), BigInt(alternate), 'AlternateLBA');
  assert.equal(view.getBigUint64(0x48, true), BigInt(arrayLba), 'PartitionEntryLBA');
  assert.equal(view.getUint32(0x58, true), crc32(bytes.subarray(arrayLba * sectorSize, arrayLba * sectorSize + arrayBytes)), 'PartitionEntryArrayCRC32');
  assert.equal(view.getUint32(0x10, true), gptHeaderCrc32(header, view.getUint32(0x0c, true)), 'HeaderCRC32');
}

/** The partitions the Debian tools list: sfdisk --json on 512, fdisk -b 4096 -l on 4Kn. */
function theirPartitions(file: string, sectorSize: number): unknown {
  return sectorSize === 512 ? sfdiskJson(file).partitions : fdiskList(file, sectorSize).partitions;
}

function assertToolsHappy(file: string, sectorSize: number): void {
  if (sectorSize === 512) assertSgdiskHealthy(file);
  else assertFdiskQuiet(file, 4096);
}

async function rebuild(bytes: Uint8Array, id: FixId): Promise<{ fixed: Uint8Array; description: string }> {
  const { disk } = await analyzeBytes(bytes);
  const result = planFix(disk, id);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return { fixed: applyToBytes(bytes, result.plan.patches), description: result.plan.description };
}

describe("as gdisk's recovery menu does it", () => {
  const MiB = 1024 * 1024;
  const cases: [string, (file: string) => void, FixId, string][] = [
    [
      'primary header zeroed; gdisk r, b (main header from backup), c (partition table from backup), w',
      (f) => writeBytes(f, 512, new Uint8Array(512)),
      'rebuild-primary-from-backup',
      'r\nb\nc\nY\nw\nY\n',
    ],
    [
      'primary array zeroed; gdisk r, c (partition table from backup), w',
      (f) => writeBytes(f, 1024, new Uint8Array(16384)),
      'rebuild-primary-from-backup',
      'r\nc\nY\nw\nY\n',
    ],
    [
      'backup destroyed; gdisk r, d (backup header from main), e (main partition table), w',
      (f) => writeBytes(f, 64 * MiB - 33 * 512, new Uint8Array(33 * 512)),
      'rebuild-backup-from-primary',
      'r\nd\ne\nY\nw\nY\n',
    ],
  ];
  for (const [label, damage, id, keys] of cases) {
    test(`${label}: ${id} writes byte for byte what gdisk writes, which is the original`, { skip: NEED_ORACLES }, async () => {
      const name = id + label.length;
      const original = sgdiskImageCopy(path.join(dir, `gdisk-${name}-orig.img`));
      const image = copyImage(original, path.join(dir, `gdisk-${name}.img`));
      damage(image);
      const theirs = copyImage(image, path.join(dir, `gdisk-${name}-theirs.img`));
      const gdisk = spawnSync('gdisk', [theirs], { input: keys, encoding: 'utf8' });
      assert.match(gdisk.stdout, /The operation has completed successfully/, gdisk.stdout);
      const { plan } = await planOk(image, id);
      applyPatches(image, plan.patches);
      assert.deepEqual(gptRegions(image, 512), gptRegions(theirs, 512));
      assert.deepEqual(gptRegions(image, 512), gptRegions(original, 512));
      assertSgdiskHealthy(image);
    });
  }
});

describe('rebuild-primary-from-backup', () => {
  for (const sectorSize of [512, 4096]) {
    for (const damage of primaryDamage) {
      test(`${sectorSize}-byte sectors, primary ${damage.label}: rebuilt byte-equal to the original`, { skip: NEED_ORACLES }, async () => {
        const original = smallGptBytes({ sectorSize });
        const originalFile = bytesToFile(path.join(dir, `orig-${sectorSize}.img`), original);
        const damaged = original.slice();
        damage.apply(damaged, sectorSize);
        const before = await analyzeBytes(damaged);
        for (const code of damage.expect) assert.ok(codes(before.findings).includes(code), `${code} in ${codes(before.findings).join(', ')}`);
        assert.ok(
          before.findings.some((f) => f.fixes.includes('rebuild-primary-from-backup')),
          'a finding offers the fix',
        );

        const { fixed, description } = await rebuild(damaged, 'rebuild-primary-from-backup');
        assert.match(description, /Rebuilds the primary GPT from the healthy backup copy/);
        assert.match(description, /MyLBA 1, AlternateLBA \d+, PartitionEntryLBA 2/);
        assert.deepEqual(fixed, original, 'the whole image equals the undamaged original');
        assertHeaderAt(fixed, sectorSize, 1, last(fixed, sectorSize), 2);

        const after = await analyzeBytes(fixed);
        assert.deepEqual(problemCodes(after.findings), []);
        const file = bytesToFile(path.join(dir, `primary-${sectorSize}-${damage.label.replace(/\W+/g, '-')}.img`), fixed);
        assertToolsHappy(file, sectorSize);
        assert.deepEqual(theirPartitions(file, sectorSize), theirPartitions(originalFile, sectorSize));
      });
    }
  }

  test(
    'the seed ESXi disk with LBA 1 wiped, repaired on file with applyPlans: 1 header sector written, sgdisk/sfdisk as on the original',
    { skip: NEED_ORACLES },
    async () => {
      const original = writeEsxi5Image(path.join(dir, 'esxi-orig.img'));
      const image = writeEsxi5Image(path.join(dir, 'esxi-wiped.img'));
      writeBytes(image, 512, new Uint8Array(512));
      const { findings } = await load(image);
      assert.ok(codes(findings).includes('gpt-primary-missing'));
      const { plan } = await planOk(image, 'rebuild-primary-from-backup');
      const result = await applyPlans(image, [plan], { sectorSize: 512 });
      assert.equal(result.sectorsWritten, 1, 'the array at LBA 2 was intact: only the header sector is written');
      assert.deepEqual(gptRegions(image, 512), gptRegions(original, 512));
      assert.equal(readU64(image, 512 + 0x20), BigInt((8 * 1024 ** 3) / 512 - 1));
      assert.deepEqual(problemCodes((await load(image)).findings), []);
      assertSgdiskHealthy(image);
      assert.deepEqual(sfdiskJson(image).partitions, sfdiskJson(original).partitions);
    },
  );

  test('refuses when the backup is damaged too', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, 512, 1024);
    bytes[bytes.length - 512 + 0x38] ^= 0xff;
    const { disk } = await analyzeBytes(bytes);
    const result = planFix(disk, 'rebuild-primary-from-backup');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /the backup GPT cannot serve as the source: the backup header at LBA 4095: its HeaderCRC32 is wrong/);
  });

  test('does not apply when the primary already equals its copy of the backup', async () => {
    const { disk } = await analyzeBytes(smallGptBytes());
    const result = planFix(disk, 'rebuild-primary-from-backup');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /the primary GPT already equals a copy of the backup at its own position/);
  });
});

describe('rebuild-backup-from-primary', () => {
  for (const sectorSize of [512, 4096]) {
    for (const damage of backupDamage) {
      test(`${sectorSize}-byte sectors, backup ${damage.label}: rebuilt byte-equal to the original`, { skip: NEED_ORACLES }, async () => {
        const original = smallGptBytes({ sectorSize });
        const originalFile = bytesToFile(path.join(dir, `orig-b-${sectorSize}.img`), original);
        const damaged = original.slice();
        damage.apply(damaged, sectorSize);
        const before = await analyzeBytes(damaged);
        for (const code of damage.expect) assert.ok(codes(before.findings).includes(code), `${code} in ${codes(before.findings).join(', ')}`);
        assert.ok(
          before.findings.some((f) => f.fixes.includes('rebuild-backup-from-primary')),
          'a finding offers the fix',
        );

        const { fixed, description } = await rebuild(damaged, 'rebuild-backup-from-primary');
        assert.match(description, /Rebuilds the backup GPT from the healthy primary copy/);
        const lastLba = last(fixed, sectorSize);
        const arrayLba = lastLba - arrayBytes / sectorSize;
        assert.match(description, new RegExp(`MyLBA ${lastLba}, AlternateLBA 1, PartitionEntryLBA ${arrayLba}`));
        assert.deepEqual(fixed, original);
        assertHeaderAt(fixed, sectorSize, lastLba, 1, arrayLba);

        assert.deepEqual(problemCodes((await analyzeBytes(fixed)).findings), []);
        const file = bytesToFile(path.join(dir, `backup-${sectorSize}-${damage.label.replace(/\W+/g, '-')}.img`), fixed);
        assertToolsHappy(file, sectorSize);
        assert.deepEqual(theirPartitions(file, sectorSize), theirPartitions(originalFile, sectorSize));
      });
    }
  }

  test('on a disk that grew it defers to relocate-backup (which also moves LastUsableLBA)', async () => {
    const image = bytesToFile(path.join(dir, 'grown-rebuild.img'), smallGptBytes());
    resizeImage(image, 4 * 1024 * 1024);
    assert.match(await planRefused(image, 'rebuild-backup-from-primary'), /AlternateLBA is 4095, not the last LBA 8191 .*use relocate-backup/);
    // The stale backup is still readable there; nothing about it was changed.
    assert.equal(readBytes(image, 4095 * 512, 8).toString('latin1'), 'EFI PART');
  });
});
