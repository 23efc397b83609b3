// ESXi 5.x, 6.x (with partition 9) and 7.x boot disks: recognised in their
// installer slots, flagged when compacted (by our encoder, by `sgdisk -s`, by a
// sfdisk script without names, by `sfdisk --reorder`), while other disks with
// slot gaps are never flagged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { haveOracles, run, tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import {
  analyzeFile,
  codes,
  copySparse,
  ESXI5_LAYOUT,
  ESXI6_LAYOUT,
  ESXI7_LAYOUT,
  layoutSlots,
  problems,
  sfdiskJson,
  sgdisk,
  sgdiskLayout,
  sgdiskVerify,
  sparseFile,
} from '../builders/oracles';
import type { NumberedPartition } from '../builders/oracles';
import type { Finding } from '../../src/core/findings';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { execFileSync } from 'node:child_process';

const skip = !haveOracles() && 'sgdisk/sfdisk not installed';
const dir = tempDir();
const GiB = 1024 ** 3;

interface Profile {
  id: 'esxi-5' | 'esxi-6' | 'esxi-7';
  layout: NumberedPartition[];
  sizeBytes: number;
}

const profiles: Profile[] = [
  { id: 'esxi-5', layout: ESXI5_LAYOUT, sizeBytes: 8 * GiB },
  { id: 'esxi-6', layout: ESXI6_LAYOUT, sizeBytes: 16 * GiB },
  { id: 'esxi-7', layout: ESXI7_LAYOUT, sizeBytes: 200 * GiB },
  { id: 'esxi-7', layout: ESXI7_LAYOUT.slice(0, 4).map((p, i) => (i === 3 ? { ...p, last: null } : p)), sizeBytes: 32 * GiB }, // no datastore on small media
];

function compactedFinding(findings: Finding[]): Finding {
  const finding = findings.find((f) => f.code === 'esxi-slot-compacted');
  assert.ok(finding, `no esxi-slot-compacted in ${JSON.stringify(findings)}`);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.fixes, ['restore-esxi-slots']);
  return finding;
}

/**
 * Every entry whose slot changed must be named with its current and installer
 * slot. `numbersBySlot[i]` is the installer number of the entry now in slot i
 * (default: the layout's on-disk order, as sorting by start compacts it).
 */
function assertNamesEveryMove(finding: Finding, layout: NumberedPartition[], numbersBySlot = layout.map((p) => p.number)): void {
  let moves = 0;
  numbersBySlot.forEach((number, i) => {
    if (number - 1 === i) return;
    moves++;
    assert.match(finding.message, new RegExp(`is in slot ${i} \\(partition ${i + 1}\\) but belongs in slot ${number - 1} \\(partition ${number}\\)`));
  });
  assert.equal(finding.message.split('but belongs in').length - 1, moves, 'no other moves are named');
}

describe('ESXi layouts written by our encoder', () => {
  for (const profile of profiles) {
    const label = `${profile.id} (${profile.layout.map((p) => p.number).join(',')})`;
    test(`${label} in its installer slots: recognised, no error or warning`, async () => {
      const totalSectors = BigInt(profile.sizeBytes / 512);
      const image = writeGptImage(path.join(dir, `${label}.img`), {
        sectorSize: 512,
        totalSectors,
        diskGuid: testGuid(0xe5),
        slots: layoutSlots(profile.layout, totalSectors),
      });
      const { disk, findings } = await analyzeFile(image);
      assert.equal(disk.esxi?.profile, profile.id);
      assert.equal(disk.esxi?.compacted, false);
      assert.deepEqual(problems(findings), []);
      assert.deepEqual(codes(findings), ['esxi-layout', 'slot-gap']);
      assert.deepEqual(
        disk.partitions.map((p) => p.number).sort((a, b) => a - b),
        profile.layout.map((p) => p.number).sort((a, b) => a - b),
      );
    });
    test(`${label} compacted into slots 0..${profile.layout.length - 1}: esxi-slot-compacted naming every move`, async () => {
      const totalSectors = BigInt(profile.sizeBytes / 512);
      const image = writeGptImage(path.join(dir, `${label}-compacted.img`), {
        sectorSize: 512,
        totalSectors,
        diskGuid: testGuid(0xe5),
        slots: layoutSlots(profile.layout, totalSectors, { compacted: true }),
      });
      const { disk, findings } = await analyzeFile(image);
      assert.equal(disk.esxi?.profile, profile.id);
      assertNamesEveryMove(compactedFinding(findings), profile.layout);
      assert.deepEqual(codes(findings), ['esxi-slot-compacted'], 'a compacted array has no gap to report');
    });
  }

  test('the seed image (writeEsxi5Image compacted) ends its valid bytes at 0x77F, the healthy one at 0x7FF', async () => {
    const healthy = await analyzeFile(writeEsxi5Image(path.join(dir, 'seed-healthy.img')));
    const compacted = await analyzeFile(writeEsxi5Image(path.join(dir, 'seed-compacted.img'), { compacted: true }));
    const lastUsedEnd = (d: typeof healthy): number => {
      const used = d.disk.primary!.array!.slots.filter((e) => e.used);
      const last = used[used.length - 1]!;
      return last.offset + 127;
    };
    assert.equal(lastUsedEnd(healthy), 0x7ff);
    assert.equal(lastUsedEnd(compacted), 0x77f);
    assert.equal(compactedFinding(compacted.findings).offset, 0x400);
  });

  test('a 4Kn ESXi 7 layout is recognised too', async () => {
    const totalSectors = BigInt((200 * GiB) / 4096);
    const layout = ESXI7_LAYOUT.map((p) => ({ ...p, first: p.first / 8n, last: p.last === null ? null : (p.last + 1n) / 8n - 1n }));
    const image = writeGptImage(path.join(dir, 'esxi7-4k.img'), {
      sectorSize: 4096,
      totalSectors,
      diskGuid: testGuid(0xe7),
      slots: layoutSlots(layout, totalSectors, { compacted: true, sectorSize: 4096 }),
    });
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.sectorSize, 4096);
    assert.equal(disk.esxi?.profile, 'esxi-7');
    compactedFinding(findings);
  });
});

describe('ESXi layouts made by sgdisk, compacted by sgdisk -s and sfdisk', { concurrency: true }, () => {
  for (const profile of profiles.slice(0, 3)) {
    test(`${profile.id}: sgdisk layout recognised; sgdisk -s compacts it; sgdisk -v sees no problem, we do`, { skip }, async () => {
      const image = sparseFile(path.join(dir, `sg-${profile.id}.img`), profile.sizeBytes);
      await sgdiskLayout(image, profile.layout);
      const theirs = sfdiskJson(image);
      assert.deepEqual(
        theirs.partitions.map((p) => p.slot + 1).sort((a, b) => a - b),
        profile.layout.map((p) => p.number).sort((a, b) => a - b),
      );
      const healthy = await analyzeFile(image);
      assert.equal(healthy.disk.esxi?.profile, profile.id);
      assert.deepEqual(problems(healthy.findings), []);

      const sorted = copySparse(image, path.join(dir, `sg-${profile.id}-sorted.img`));
      await sgdisk(sorted, '-s');
      const verdict = sgdiskVerify(sorted);
      assert.equal(verdict.problems, 0, verdict.text);
      const compacted = await analyzeFile(sorted);
      assert.equal(compacted.disk.esxi?.profile, profile.id);
      assertNamesEveryMove(compactedFinding(compacted.findings), profile.layout);
      assert.deepEqual(
        problems(compacted.findings).map((f) => f.code),
        ['esxi-slot-compacted'],
        'nothing else is wrong with it',
      );
    });
  }

  test('esxi-5: a sfdisk script without names renumbers 1..7, and we flag it', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'sf-esxi5.img'), 8 * GiB);
    await sgdiskLayout(image, ESXI5_LAYOUT);
    const dump = run('sfdisk', ['-d', image]);
    const script = dump
      .split('\n')
      .filter((line) => !line.startsWith('device:'))
      .map((line) => line.replace(/^\S+ : /, ' '))
      .join('\n');
    const copy = copySparse(image, path.join(dir, 'sf-esxi5-renumbered.img'));
    execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', copy], { input: script, stdio: ['pipe', 'ignore', 'ignore'] });
    assert.deepEqual(
      sfdiskJson(copy).partitions.map((p) => p.slot),
      [0, 1, 2, 3, 4, 5, 6],
      'sfdisk renumbered',
    );
    assert.equal(sgdiskVerify(copy).problems, 0);
    const { disk, findings } = await analyzeFile(copy);
    assert.equal(disk.esxi?.profile, 'esxi-5');
    // sfdisk -d lists by number (1,2,3,5,6,7,8): exactly the seed's compaction.
    assertNamesEveryMove(compactedFinding(findings), ESXI5_LAYOUT, [1, 2, 3, 5, 6, 7, 8]);
  });

  test('esxi-6: sfdisk --reorder compacts it, and we flag it', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'sf-esxi6.img'), 16 * GiB);
    await sgdiskLayout(image, ESXI6_LAYOUT);
    execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', '--reorder', image], { stdio: 'ignore' });
    assert.equal(sgdiskVerify(image).problems, 0);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi?.profile, 'esxi-6');
    assertNamesEveryMove(compactedFinding(findings), ESXI6_LAYOUT);
  });

  test('sgdisk -r 2:3 swapping two ESXi slots is flagged as well', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'sg-esxi5-swap.img'), 8 * GiB);
    await sgdiskLayout(image, ESXI5_LAYOUT);
    await sgdisk(image, '-r', '2:3');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi?.profile, 'esxi-5');
    const finding = compactedFinding(findings);
    assert.match(finding.message, /scratch is in slot 2 \(partition 3\) but belongs in slot 1 \(partition 2\)/);
    assert.match(finding.message, /VMFS datastore is in slot 1 \(partition 2\) but belongs in slot 2 \(partition 3\)/);
  });
});

describe('other disks are never flagged', { concurrency: true }, () => {
  test('Linux disk with partitions 1, 2, 4 (sgdisk): slot-gap info only', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'linux-gap.img'), 64 * 1024 * 1024);
    await sgdisk(image, '-n', '1:0:+1M', '-t', '1:EF02', '-n', '2:0:+20M', '-t', '2:8300', '-n', '4:0:0', '-t', '4:8200');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi, null);
    assert.deepEqual(
      findings.map((f) => `${f.code}/${f.severity}`),
      ['slot-gap/info'],
    );
    assert.match(findings[0]!.message, /slot 2/);
  });

  test('Windows disk (EFI, MSR, basic data, recovery): nothing at all', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'windows.img'), 2 * GiB);
    await sgdisk(image, '-n', '1:0:+100M', '-t', '1:EF00', '-n', '2:0:+16M', '-t', '2:0C01', '-n', '3:0:-500M', '-t', '3:0700', '-n', '4:0:0', '-t', '4:2700');
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi, null);
    assert.deepEqual(findings, []);
    assert.deepEqual(
      disk.partitions.map((p) => p.typeName),
      ['EFI system partition', 'Microsoft reserved', 'Microsoft basic data', 'Windows recovery environment'],
    );
  });

  test('EFI + two basic data partitions of different sizes in slots 0, 4, 5 is not ESXi', async () => {
    const totalSectors = 4n * 1024n * 1024n;
    const e = (n: number, type: string, first: bigint, last: bigint) => ({ typeGuid: type, uniqueGuid: testGuid(n), firstLba: first, lastLba: last });
    const slots = [
      e(1, TYPE_EFI_SYSTEM, 2048n, 206847n),
      null,
      null,
      null,
      e(5, TYPE_MS_BASIC_DATA, 206848n, 1000000n),
      e(6, TYPE_MS_BASIC_DATA, 1000001n, 3000000n),
    ];
    const image = writeGptImage(path.join(dir, 'not-esxi.img'), { sectorSize: 512, totalSectors, diskGuid: testGuid(9), slots });
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi, null);
    assert.deepEqual(
      findings.map((f) => `${f.code}/${f.severity}`),
      ['slot-gap/info'],
    );
  });

  test('a Windows-like list in slots 0..3 with EFI + basic data never triggers ESXi detection', async () => {
    const totalSectors = 8n * 1024n * 1024n;
    const e = (n: number, type: string, first: bigint, last: bigint) => ({ typeGuid: type, uniqueGuid: testGuid(n), firstLba: first, lastLba: last });
    const slots = [e(1, TYPE_EFI_SYSTEM, 2048n, 206847n), e(2, TYPE_MS_BASIC_DATA, 206848n, 4000000n), e(3, TYPE_MS_BASIC_DATA, 4000001n, 7793151n)];
    const image = writeGptImage(path.join(dir, 'windows-like.img'), { sectorSize: 512, totalSectors, diskGuid: testGuid(9), slots });
    const { findings } = await analyzeFile(image);
    assert.deepEqual(findings, []);
  });
});
