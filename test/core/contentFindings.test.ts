// Issue 14 items 3 and 4, issue 11 item 12: findings from what the partitions
// hold, whole-disk volumes, and true messages about LBA 0. Volumes are made by
// the real tools; the images around them by sgdisk, fdisk or our encoder.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { analyzeBytes, analyzeFile, codes, fdiskKeys, fdiskList, sparseFile } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { TOOL_VOLUMES, blkidAt, haveTools, makeVolume, placeVolume, writeIso9660, writeVmfs } from '../builders/volumes';

const MiB = 1024 * 1024;
const TYPE_LINUX_FILESYSTEM = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const dir = tempDir('diskx-content-findings-');
const skip = haveTools('mkfs.vfat', 'mkfs.ntfs', 'mkfs.ext4', 'mkfs.xfs', 'blkid', 'sgdisk', 'fdisk')
  ? false
  : 'needs dosfstools, ntfs-3g, e2fsprogs, xfsprogs, util-linux, gdisk, fdisk';

/** A GPT image with one partition per entry (firstLba, lastLba, type), 512-byte sectors. */
function gptImage(name: string, sizeBytes: number, parts: { first: number; last: number; type?: string }[]): string {
  const file = path.join(dir, name);
  const slots = parts.map((p, i) => ({
    typeGuid: p.type ?? TYPE_LINUX_FILESYSTEM,
    uniqueGuid: testGuid(i + 1),
    firstLba: BigInt(p.first),
    lastLba: BigInt(p.last),
    name: `p${i + 1}`,
  }));
  return writeGptImage(file, { sectorSize: 512, totalSectors: BigInt(sizeBytes / 512), diskGuid: testGuid(0xd15c), slots });
}

describe('whole-disk volumes (issue 14 item 4)', { skip }, () => {
  for (const [name, make] of [
    ['FAT32', (f: string) => TOOL_VOLUMES.fat32!.make(f, 64 * MiB)],
    ['FAT16', (f: string) => TOOL_VOLUMES.fat16!.make(f, 64 * MiB)],
    ['NTFS', (f: string) => TOOL_VOLUMES.ntfs!.make(f, 64 * MiB)],
    ['XFS', (f: string) => TOOL_VOLUMES.xfs!.make(f, 64 * MiB)],
    ['ext4', (f: string) => TOOL_VOLUMES.ext4!.make(f, 64 * MiB)],
    ['ISO 9660', (f: string) => writeIso9660(f, 64 * MiB, 'WHOLE_ISO')],
  ] as const) {
    test(`${name} on the bare disk: scheme none with content, no no-partition-table`, async () => {
      const image = sparseFile(path.join(dir, `whole-${name.replace(/\W/g, '')}.img`), 64 * MiB);
      make(image);
      const { disk, findings } = await analyzeFile(image);
      const oracle = blkidAt(image, 0);
      assert.equal(disk.scheme, 'none');
      assert.ok(disk.content, 'the whole-disk volume is found');
      assert.equal(disk.content.type, oracle.TYPE);
      assert.equal(disk.content.uuid, oracle.UUID);
      assert.equal(disk.content.label, oracle.LABEL);
      assert.deepEqual(disk.partitions, []);
      assert.deepEqual(codes(findings), ['whole-disk-volume']);
      // sfdisk agrees there is no partition table to list.
      const sfdisk = spawnSync('sfdisk', ['--json', image], { encoding: 'utf8' });
      assert.ok(sfdisk.status !== 0 || !/"partitions"/.test(sfdisk.stdout), `sfdisk found a table: ${sfdisk.stdout}`);
      const check = await runCli(['check', image]);
      assert.equal(check.status, 0, check.stdout);
      const inspect = JSON.parse((await runCli(['inspect', '--json', image])).stdout) as { scheme: string; content: { type: string; offset: number } };
      assert.equal(inspect.scheme, 'none');
      assert.equal(inspect.content.type, oracle.TYPE);
      assert.equal(inspect.content.offset, 0);
    });
  }
});

describe('true messages about LBA 0 (issue 11 item 12)', () => {
  test('0x55AA with four empty records is not called "no 0x55AA boot signature"', async () => {
    const bytes = new Uint8Array(2 * MiB);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    const { findings } = await analyzeBytes(bytes);
    const finding = findings.find((f) => f.code === 'no-partition-table');
    assert.ok(finding);
    assert.doesNotMatch(finding.message, /no 0x55AA/);
    assert.match(finding.message, /0x55AA signature but all four partition records are empty/);
  });

  test('without the signature the message still says so', async () => {
    const { findings } = await analyzeBytes(new Uint8Array(2 * MiB));
    assert.match(findings.find((f) => f.code === 'no-partition-table')!.message, /no 0x55AA boot signature/);
  });

  test('a 4096-byte-sector MBR image (fdisk -b 4096) is read with 4096-byte sectors: no broken EBR chain', { skip }, async () => {
    const image = sparseFile(path.join(dir, 'mbr4k.img'), 256 * MiB);
    // A primary, an extended with two logical partitions.
    fdiskKeys(image, 'o\nn\np\n1\n\n+40M\nn\ne\n2\n\n\nn\nl\n\n+40M\nn\nl\n\n+40M\nw\n', 4096);
    const listed = fdiskList(image, 4096);
    assert.equal(listed.sectorUnit, 4096);
    const first = listed.partitions.find((p) => p.number === 1)!;
    placeVolume(
      image,
      makeVolume(dir, 'mbr4k-fat', 40 * MiB, (f, size) => TOOL_VOLUMES.fat32!.make(f, size)),
      Number(first.start) * 4096,
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.sectorSize, 4096, 'detected from the EBRs and the volume where the records point');
    assert.equal(disk.sectorSizeSource, 'detected');
    assert.ok(!codes(findings).includes('mbr-ebr-chain'), JSON.stringify(findings.map((f) => f.message)));
    assert.deepEqual(
      disk.partitions.filter((p) => p.mbrType !== 0x05).map((p) => [p.number, p.firstLba, p.lastLba]),
      listed.partitions.filter((p) => p.number !== 2).map((p) => [p.number, p.start, p.end]),
    );
    assert.equal(disk.partitions[0]!.content?.type, 'vfat');
  });
});

describe('findings from the contents (issue 14 item 3)', { skip }, () => {
  test('partition-type-mismatch: a Linux filesystem slot holding VMFS', async () => {
    const image = gptImage('mismatch.img', 64 * MiB, [{ first: 2048, last: 2048 + 81920 - 1 }]);
    placeVolume(
      image,
      makeVolume(dir, 'vmfs', 40 * MiB, (f) => writeVmfs(f, { volume: true, label: 'ds', version: 5 })),
      MiB,
    );
    const { findings } = await analyzeFile(image);
    const f = findings.find((x) => x.code === 'partition-type-mismatch');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /Partition 1 is typed Linux filesystem .* but holds VMFS_volume_member/);
    assert.equal(f.offset, 1024, 'points at the entry (its type GUID)');
  });

  test('volume-larger-than-partition: an ext4 of 40 MiB in a 20 MiB partition', async () => {
    const image = gptImage('larger.img', 96 * MiB, [{ first: 2048, last: 2048 + 40960 - 1 }]);
    placeVolume(
      image,
      makeVolume(dir, 'ext4-40', 40 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      MiB,
    );
    const { findings } = await analyzeFile(image);
    const f = findings.find((x) => x.code === 'volume-larger-than-partition');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.match(f.message, /holds ext4 "ext4vol" .* counts 40\.0 MiB .* 20971520 more than the partition/);
    const blocks = /Block count:\s+(\d+)/.exec(
      execFileSync('dumpe2fs', ['-h', makeVolumeFile('ext4-40')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    )![1];
    assert.equal(Number(blocks) * 1024, 40 * MiB, 'dumpe2fs counts the same blocks');
  });

  test('partition-starts-mid-volume: the entry was moved 1 MiB past its ext4 volume', async () => {
    const image = gptImage('moved.img', 96 * MiB, [{ first: 4096, last: 2048 + 81920 - 1 }]);
    placeVolume(
      image,
      makeVolume(dir, 'ext4-moved', 40 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      MiB,
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.partitions[0]!.content, null);
    const f = findings.find((x) => x.code === 'partition-starts-mid-volume');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.match(f.message, /Partition 1 starts at LBA 4096, inside ext4 .* which starts at LBA 2048/);
    assert.ok(!codes(findings).includes('lost-volume'), 'the volume is the moved partition, not a lost one');
  });

  test('lost-volume: an ext4 in free space where a deleted partition started', async () => {
    const image = gptImage('lost.img', 128 * MiB, [{ first: 2048, last: 4095 }]);
    placeVolume(
      image,
      makeVolume(dir, 'ext4-lost', 40 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      2 * MiB,
    );
    const { findings } = await analyzeFile(image);
    const f = findings.find((x) => x.code === 'lost-volume');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.match(f.message, /Free space LBAs 4096\.\.\d+ holds ext4 "ext4vol" .* at LBA 4096, 40\.0 MiB long by its own count \(to LBA 86015\)/);
  });

  test('volume-over-partition-table: mkfs.vfat -F 32 on the whole of a GPT disk', async () => {
    const image = gptImage('over.img', 128 * MiB, [{ first: 2048, last: 200000 }]);
    execFileSync('mkfs.vfat', ['-F', '32', '-n', 'OVER', image], { stdio: 'ignore' });
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'gpt', 'the backup GPT is still there');
    assert.equal(disk.content?.type, 'vfat');
    const f = findings.find((x) => x.code === 'volume-over-partition-table');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.equal(f.severity, 'error');
    assert.match(f.message, /vfat "OVER" .* starts at byte 0 of the disk, over the protective MBR and the primary GPT/);
    assert.match(f.message, /rebuilding the table from its other copy would overwrite the volume's first sectors/);
  });

  test('a healthy disk whose partitions hold what their types say: no content findings', async () => {
    const image = gptImage('healthy.img', 64 * MiB, [{ first: 2048, last: 2048 + 81920 - 1 }]);
    placeVolume(
      image,
      makeVolume(dir, 'ext4-ok', 40 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      MiB,
    );
    const { findings } = await analyzeFile(image);
    assert.deepEqual(
      codes(findings).filter((c) => !['slot-gap'].includes(c)),
      [],
    );
  });
});

function makeVolumeFile(name: string): string {
  return path.join(dir, `${name}.vol`);
}
