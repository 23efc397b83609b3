// Our four CRC verdicts (primary/backup header, primary/backup array) against
// `sgdisk -v`'s "Main header: OK/ERROR" lines on images damaged byte by byte.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { haveOracles, tempDir } from '../builders/images';
import { analyzeFile, codes, copySparse, flipByte, sgdisk, sgdiskVerify, sparseFile } from '../builders/oracles';
import type { SgdiskVerdict } from '../builders/oracles';
import type { DiskModel } from '../../src/core/diskModel';

const skip = !haveOracles() && 'sgdisk not installed';
const dir = tempDir();
const SECTORS = 32768; // 16 MiB
const LAST = SECTORS - 1;
const at = (lba: number, byte = 0): number => lba * 512 + byte;

let pristine = '';
before(async () => {
  if (skip) return;
  pristine = sparseFile(path.join(dir, 'pristine.img'), SECTORS * 512);
  await sgdisk(pristine, '-n', '1:0:+2M', '-c', '1:first', '-n', '3:0:+1M', '-t', '3:EF00');
});

function ourVerdicts(disk: DiskModel): Pick<SgdiskVerdict, 'mainHeader' | 'backupHeader' | 'mainTable' | 'backupTable'> {
  const ok = (value: boolean | null | undefined): 'OK' | 'ERROR' => (value ? 'OK' : 'ERROR');
  return {
    mainHeader: ok(disk.primary?.headerCrcOk),
    backupHeader: ok(disk.backup?.headerCrcOk),
    mainTable: ok(disk.primary?.arrayCrcOk),
    backupTable: ok(disk.backup?.arrayCrcOk),
  };
}

interface Damage {
  name: string;
  offsets: number[];
  /** Finding codes about CRCs we must produce. */
  crcCodes: string[];
  /** Where we knowingly differ from sgdisk, and why. */
  divergence?: { verdicts: Partial<SgdiskVerdict>; why: string };
}

const crcCodeSet = new Set(['gpt-primary-header-crc', 'gpt-backup-header-crc', 'gpt-primary-array-crc', 'gpt-backup-array-crc']);

const cases: Damage[] = [
  { name: 'nothing', offsets: [], crcCodes: [] },
  { name: 'primary DiskGUID byte', offsets: [at(1, 0x3a)], crcCodes: ['gpt-primary-header-crc'] },
  { name: 'primary HeaderCRC32 field', offsets: [at(1, 0x11)], crcCodes: ['gpt-primary-header-crc'] },
  { name: "primary array, a used entry's name", offsets: [at(2, 60)], crcCodes: ['gpt-primary-array-crc'] },
  { name: 'primary array, an unused slot (100)', offsets: [at(2, 100 * 128 + 5)], crcCodes: ['gpt-primary-array-crc'] },
  { name: 'primary array, last byte', offsets: [at(33, 511)], crcCodes: ['gpt-primary-array-crc'] },
  {
    name: 'primary PartitionEntryArrayCRC32 field',
    offsets: [at(1, 0x58)],
    crcCodes: ['gpt-primary-array-crc', 'gpt-primary-header-crc'],
    // sgdisk regenerates the bad main header from the backup and then judges the
    // main array by the backup's CRC; we judge each array by its own header's CRC
    // field, which no longer matches the (intact) array.
    divergence: { verdicts: { mainTable: 'ERROR' }, why: 'the array is checked against its own header' },
  },
  { name: 'backup DiskGUID byte', offsets: [at(LAST, 0x40)], crcCodes: ['gpt-backup-header-crc'] },
  { name: 'backup array, first entry type', offsets: [at(LAST - 32, 3)], crcCodes: ['gpt-backup-array-crc'] },
  { name: 'backup array, an unused slot (127)', offsets: [at(LAST - 1, 511)], crcCodes: ['gpt-backup-array-crc'] },
  { name: 'both arrays', offsets: [at(2, 200), at(LAST - 32, 200)], crcCodes: ['gpt-backup-array-crc', 'gpt-primary-array-crc'] },
  { name: 'primary header and backup array', offsets: [at(1, 0x40), at(LAST - 20, 7)], crcCodes: ['gpt-backup-array-crc', 'gpt-primary-header-crc'] },
  { name: 'header block past HeaderSize (not covered by the CRC)', offsets: [at(1, 200), at(LAST, 300)], crcCodes: [] },
];

describe('CRC verdicts match sgdisk -v', { concurrency: true }, () => {
  for (const damage of cases) {
    test(damage.name, { skip }, async () => {
      const image = copySparse(pristine, path.join(dir, `${damage.name.replace(/\W+/g, '-')}.img`));
      for (const offset of damage.offsets) flipByte(image, offset);
      const theirs = sgdiskVerify(image);
      const { disk, findings } = await analyzeFile(image);
      // sgdisk prints the four lines only when some CRC is wrong; absent means all OK.
      const expected = {
        mainHeader: theirs.mainHeader ?? 'OK',
        backupHeader: theirs.backupHeader ?? 'OK',
        mainTable: theirs.mainTable ?? 'OK',
        backupTable: theirs.backupTable ?? 'OK',
        ...damage.divergence?.verdicts,
      };
      assert.deepEqual(ourVerdicts(disk), expected, theirs.text);
      if (damage.offsets.length > 0 && damage.crcCodes.length > 0) assert.ok(theirs.mainHeader !== null, 'sgdisk noticed the damage too');
      assert.deepEqual(
        codes(findings).filter((c) => crcCodeSet.has(c)),
        damage.crcCodes,
      );
      // The partitions still come from an intact copy.
      assert.deepEqual(
        disk.partitions.map((p) => p.number),
        [1, 3],
      );
    });
  }
});

test('sgdisk -v says "No problems found" after silently regenerating a bad main header; we report it', { skip }, async () => {
  const image = copySparse(pristine, path.join(dir, 'main-header-bad.img'));
  flipByte(image, at(1, 0x3a));
  const theirs = sgdiskVerify(image);
  assert.equal(theirs.mainHeader, 'ERROR');
  assert.equal(theirs.problems, 0, theirs.text);
  const { disk, findings } = await analyzeFile(image);
  assert.equal(disk.activeGpt, 'backup');
  const crc = findings.find((f) => f.code === 'gpt-primary-header-crc');
  assert.ok(crc);
  assert.equal(crc.severity, 'error');
  assert.equal(crc.offset, 512 + 0x10);
  // The backup is healthy: rebuilding from it comes first; recompute-crcs would trust the damaged bytes.
  assert.deepEqual(crc.fixes, ['rebuild-primary-from-backup', 'recompute-crcs']);
});
