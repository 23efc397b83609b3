// 4Kn disks: made by `fdisk -b 4096` (and by our encoder), read back with
// `fdisk -b 4096 -l`; detection says 4096, --sector-size overrides.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { haveOracles, tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeBytes, analyzeFile, codes, fdiskKeys, fdiskList, problems, smallGptBytes, sparseFile } from '../builders/oracles';
import { MemorySource } from '../../src/core/io/memorySource';
import { detectSectorSize, readDisk } from '../../src/core/diskModel';
import { UsageError } from '../../src/core/errors';
import { TYPE_EFI_SYSTEM } from '../../src/core/partitionTypes';

const skip = !haveOracles() && 'fdisk not installed';
const dir = tempDir();
const MiB = 1024 * 1024;

describe('4Kn images made by fdisk -b 4096', () => {
  test('two partitions: detected as 4096, same partitions as fdisk -b 4096 -l, clean', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'fdisk4k.img'), 64 * MiB);
    fdiskKeys(image, 'g\nn\n\n\n+10M\nn\n\n\n+5M\nw\n', 4096);
    const theirs = fdiskList(image, 4096);
    assert.equal(theirs.sectorUnit, 4096);
    assert.equal(theirs.label, 'gpt');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.sectorSize, 4096);
    assert.equal(disk.sectorSizeSource, 'detected');
    assert.equal(disk.totalSectors, 16384n);
    assert.equal(disk.primary?.offset, 4096);
    assert.equal(disk.backup?.lba, 16383n);
    assert.deepEqual(
      disk.partitions.map((p) => ({ number: p.number, start: p.firstLba, end: p.lastLba, sectors: p.lastLba - p.firstLba + 1n })),
      theirs.partitions,
    );
    assert.equal(disk.partitions[0]!.sizeBytes, 10n * BigInt(MiB));
    assert.deepEqual(problems(findings), []);
  });

  test('a partition numbered 3 with 1 and 2 unused: slot 2, slot-gap info only', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'fdisk4k-gap.img'), 32 * MiB);
    fdiskKeys(image, 'g\nn\n3\n\n+4M\nw\n', 4096);
    const theirs = fdiskList(image, 4096);
    assert.deepEqual(
      theirs.partitions.map((p) => p.number),
      [3],
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.sectorSize, 4096);
    assert.deepEqual(
      disk.partitions.map((p) => [p.slot, p.firstLba, p.lastLba]),
      theirs.partitions.map((p) => [2, p.start, p.end]),
    );
    assert.deepEqual(
      findings.map((f) => `${f.code}/${f.severity}`),
      ['slot-gap/info'],
    );
  });

  test('--sector-size 512 on a 4Kn image finds no GPT and says so', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'fdisk4k-override.img'), 16 * MiB);
    fdiskKeys(image, 'g\nn\n\n\n+1M\nw\n', 4096);
    const { disk, findings } = await analyzeFile(image, { sectorSize: 512 });
    assert.equal(disk.sectorSize, 512);
    assert.equal(disk.sectorSizeSource, 'override');
    assert.equal(disk.primary, null);
    assert.equal(disk.backup, null);
    // The protective MBR promises a GPT that is not where 512-byte sectors put it.
    assert.ok(
      problems(findings).some((f) => f.code === 'gpt-primary-missing'),
      JSON.stringify(findings),
    );
  });
});

describe('4Kn images from our encoder', () => {
  test('detected as 4096; FirstUsableLBA 6; the array takes 4 sectors', async () => {
    const { disk, findings } = await analyzeBytes(smallGptBytes({ sectorSize: 4096 }));
    assert.equal(disk.sectorSize, 4096);
    assert.equal(disk.primary?.firstUsableLba, 6n);
    assert.equal(disk.backup?.partitionEntryLba, disk.lastLba - 4n);
    assert.equal(disk.primary?.array?.bytes.length, 16384);
    assert.deepEqual(
      disk.partitions.map((p) => p.sizeBytes),
      [409600n, 409600n, 409600n],
    );
    assert.deepEqual(codes(findings), ['slot-gap']);
  });

  test('a 4Kn image read by fdisk -b 4096 -l gives our partitions', { skip }, async () => {
    const image = writeGptImage(path.join(dir, 'encoder4k.img'), {
      sectorSize: 4096,
      totalSectors: 8192n,
      diskGuid: testGuid(7),
      slots: [
        { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 256n, lastLba: 2815n },
        null,
        { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(3), firstLba: 2816n, lastLba: 8186n },
      ],
    });
    const theirs = fdiskList(image, 4096);
    assert.equal(theirs.label, 'gpt');
    assert.deepEqual(
      theirs.partitions.map((p) => [p.number, p.start, p.end]),
      [
        [1, 256n, 2815n],
        [3, 2816n, 8186n],
      ],
    );
    const { disk } = await analyzeFile(image);
    assert.deepEqual(
      disk.partitions.map((p) => [p.number, p.firstLba, p.lastLba]),
      [
        [1, 256n, 2815n],
        [3, 2816n, 8186n],
      ],
    );
  });

  test('only the backup header left (LBA 1 zeroed): still detected as 4096', async () => {
    const bytes = smallGptBytes({ sectorSize: 4096 });
    bytes.fill(0, 4096, 8192);
    const source = new MemorySource(bytes);
    assert.deepEqual(await detectSectorSize(source), { sectorSize: 4096, sectorSizeSource: 'detected' });
    const { findings } = await analyzeBytes(bytes);
    assert.ok(findings.some((f) => f.code === 'gpt-primary-missing'));
  });

  test('512-byte images are detected as 512, and blank ones assumed 512', async () => {
    assert.deepEqual(await detectSectorSize(new MemorySource(smallGptBytes())), { sectorSize: 512, sectorSizeSource: 'detected' });
    assert.deepEqual(await detectSectorSize(new MemorySource(new Uint8Array(1 * MiB))), { sectorSize: 512, sectorSizeSource: 'assumed' });
  });

  test('a device-reported 4096 is used when no header is found', async () => {
    const source = Object.assign(new MemorySource(new Uint8Array(64 * 1024)), { reportedSectorSize: 4096 });
    assert.deepEqual(await detectSectorSize(source), { sectorSize: 4096, sectorSizeSource: 'device' });
  });

  test('--sector-size 4096 on a 512 image: no header at 4096, the check says so', async () => {
    const { disk, findings } = await analyzeBytes(smallGptBytes(), { sectorSize: 4096 });
    assert.equal(disk.sectorSize, 4096);
    assert.equal(disk.primary, null);
    assert.ok(problems(findings).length > 0, JSON.stringify(findings));
  });

  test('an unsupported --sector-size is a UsageError', async () => {
    await assert.rejects(readDisk(new MemorySource(smallGptBytes()), { sectorSize: 1024 }), UsageError);
    await assert.rejects(readDisk(new MemorySource(smallGptBytes()), { sectorSize: 0 }), UsageError);
  });
});
