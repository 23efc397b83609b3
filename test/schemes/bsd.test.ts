// Issue 14 item 5: BSD disklabels, on the whole disk (parted mklabel bsd, and
// the x86 layout built from the format) and inside MBR slices of type 0xA5,
// 0xA6 and 0xA9 (sfdisk makes the slice, the label is written from the
// format), compared with libblkid (partx) and blkid -p -O for the volumes in
// them; damaged and hostile labels reported with their finding codes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { analyzeFile, codes, flipByte, sparseFile, writeAt } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { TOOL_VOLUMES, blkidAt, haveTools, makeVolume, placeVolume } from '../builders/volumes';
import type { BsdPart } from '../builders/labels';
import { bsdLabel, partedImage, partx } from '../builders/labels';
import type { Partition } from '../../src/core/model';
import { MAX_BSD_PARTITIONS } from '../../src/core/limits';

const MiB = 1024 * 1024;
const SECTORS = 131072; // 64 MiB
const dir = tempDir('diskx-bsd-');
const skip = haveTools('parted', 'partx', 'sfdisk', 'blkid', 'mkfs.ext4') ? false : 'needs parted, util-linux, e2fsprogs';

const span = (p: Partition) => ({ start: p.firstLba, end: p.lastLba, type: Number(p.typeCode) });
const partxSpans = (image: string, scheme: string) =>
  partx(image)
    .filter((r) => r.scheme === scheme)
    .map((r) => ({ start: r.start, end: r.end, type: Number(r.type) }));

/** An MBR image (sfdisk) with one slice of `type` at LBA 2048 and, when given, a BSD label 512 bytes into it. */
function sliceImage(name: string, type: string, label: Uint8Array | null, sliceSectors = 100000): string {
  const image = sparseFile(path.join(dir, name), SECTORS * 512);
  execFileSync('sfdisk', ['-q', image], { input: `label: dos\nstart=2048, size=${sliceSectors}, type=${type}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  if (label) writeAt(image, 2048 * 512 + 512, label);
  return image;
}

// a: 4.2BSD, b: swap, c: the raw slice (unused, not listed), d: 4.2BSD; offsets absolute (NetBSD, OpenBSD, FreeBSD before 10).
const ABSOLUTE: BsdPart[] = [
  { size: 40000, offset: 4096, fsType: 7 },
  { size: 20000, offset: 44096, fsType: 1 },
  { size: 100000, offset: 2048, fsType: 0 },
  { size: 30000, offset: 64096, fsType: 7 },
];

describe('BSD disklabel on the whole disk', { skip }, () => {
  test('x86 layout (sector 1): partitions equal partx, checksum ok, no findings', async () => {
    const image = sparseFile(path.join(dir, 'bsd-x86.img'), SECTORS * 512);
    writeAt(
      image,
      512,
      bsdLabel([
        { size: 16384, offset: 4096, fsType: 7 },
        { size: 20480, offset: 20480, fsType: 1 },
        { size: SECTORS, offset: 0, fsType: 0 },
      ]),
    );
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'bsd');
    assert.deepEqual(disk.partitions.map(span), partxSpans(image, 'bsd'));
    assert.deepEqual(
      disk.partitions.map((p) => p.name),
      ['a', 'b'],
    );
    assert.equal(disk.labels?.[0]?.offset, 512);
    assert.equal(disk.labels?.[0]?.checksum?.ok, true);
    assert.deepEqual(codes(findings), []);
  });

  test('parted mklabel bsd (label at byte 64): partitions equal partx; its checksum is reported as parted computes it', async () => {
    const image = partedImage(path.join(dir, 'bsd-parted.img'), SECTORS, 'bsd', [
      ['ext2', '4096s', '20479s'],
      ['linux-swap', '20480s', '40959s'],
    ]);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.scheme, 'bsd');
    assert.equal(disk.labels?.[0]?.offset, 64);
    assert.deepEqual(disk.partitions.map(span), partxSpans(image, 'bsd'));
    assert.deepEqual(codes(findings), ['bsd-label-checksum']);
    assert.match(findings[0]!.message, /as parted 3\.5 computes it for labels at byte 64/);
  });

  test('a changed partition size: bsd-label-checksum without the parted note; check exits 1 and names no missing table', async () => {
    const image = sparseFile(path.join(dir, 'bsd-bad.img'), SECTORS * 512);
    writeAt(image, 512, bsdLabel(ABSOLUTE.slice(0, 2)));
    flipByte(image, 512 + 148);
    const { findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['bsd-label-checksum']);
    assert.doesNotMatch(findings[0]!.message, /parted/);
    const check = await runCli(['check', image]);
    assert.equal(check.status, 1);
    assert.doesNotMatch(check.stdout, /no-partition-table/);
  });

  test(`d_npartitions 65535: the first ${MAX_BSD_PARTITIONS} are read, bsd-label-invalid names the limit`, async () => {
    const image = sparseFile(path.join(dir, 'bsd-many.img'), SECTORS * 512);
    const parts = Array.from({ length: MAX_BSD_PARTITIONS }, (_, i) => ({ size: 100, offset: 4096 + 100 * i, fsType: 7 }));
    writeAt(image, 512, bsdLabel(parts, { declared: 0xffff }));
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.partitions.length, MAX_BSD_PARTITIONS);
    assert.ok(codes(findings).includes('bsd-label-invalid'));
    assert.ok(findings.some((f) => f.code === 'bsd-label-invalid' && /MAX_BSD_PARTITIONS/.test(f.message)));
  });

  test('a partition past the end of the disk: label-partition-out-of-range', async () => {
    const image = sparseFile(path.join(dir, 'bsd-past.img'), SECTORS * 512);
    writeAt(image, 512, bsdLabel([{ size: SECTORS, offset: 4096, fsType: 7 }]));
    const { findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['label-partition-out-of-range']);
    assert.match(findings[0]!.message, /BSD partition a covers LBAs 4096\.\.135167 but the disk ends at LBA 131071/);
  });
});

describe('BSD disklabel nested in an MBR slice', { skip }, () => {
  for (const [type, scheme] of [
    ['a5', 'freebsd'],
    ['a6', 'openbsd'],
    ['a9', 'netbsd'],
  ] as const) {
    test(`slice type 0x${type}: the label's partitions under the slice equal partx (${scheme}), an ext4 inside equals blkid`, async () => {
      const image = sliceImage(`slice-${type}.img`, type, bsdLabel(ABSOLUTE));
      placeVolume(
        image,
        makeVolume(dir, `nested-${type}`, 19 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
        2 * MiB,
      );
      const { disk, findings } = await analyzeFile(image);
      assert.equal(disk.scheme, 'mbr');
      const slice = disk.partitions[0]!;
      assert.equal(slice.mbrType, parseInt(type, 16));
      assert.deepEqual(slice.children?.map(span), partxSpans(image, scheme));
      assert.deepEqual(
        slice.children?.map((p) => p.name),
        ['a', 'b', 'd'],
      );
      const a = slice.children![0]!;
      const oracle = blkidAt(image, Number(a.firstLba) * 512, Number(a.sizeBytes));
      assert.equal(a.content?.type, oracle.TYPE);
      assert.equal(a.content?.uuid, oracle.UUID);
      assert.equal(a.content?.label, oracle.LABEL);
      assert.deepEqual(codes(findings), []);
      assert.equal(disk.labels?.[0]?.parentNumber, 1);
    });
  }

  test('FreeBSD 10 relative offsets (partition c at 0): shifted by the slice start, as libblkid does', async () => {
    const relative = ABSOLUTE.map((p) => ({ ...p, offset: p.offset - 2048 }));
    const image = sliceImage('slice-relative.img', 'a5', bsdLabel(relative));
    const { disk } = await analyzeFile(image);
    assert.deepEqual(disk.partitions[0]!.children?.map(span), partxSpans(image, 'freebsd'));
    assert.equal(disk.partitions[0]!.children?.[0]?.firstLba, 4096n);
  });

  test('inspect --json lists them under the slice with scheme "bsd"; inspect prints 1a, 1b, 1d', async () => {
    const image = sliceImage('slice-json.img', 'a5', bsdLabel(ABSOLUTE));
    const run = await runCli(['inspect', '--json', image]);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      scheme: string;
      partitions: { scheme: string; partitions?: { scheme: string; name: string; firstLba: number }[] }[];
      labels: { scheme: string; parent: number; checksum: { ok: boolean } }[];
    };
    assert.equal(json.scheme, 'mbr');
    assert.equal(json.partitions[0]!.scheme, 'mbr');
    assert.deepEqual(
      json.partitions[0]!.partitions?.map((p) => [p.scheme, p.name, p.firstLba]),
      [
        ['bsd', 'a', 4096],
        ['bsd', 'b', 44096],
        ['bsd', 'd', 64096],
      ],
    );
    assert.deepEqual(json.labels, [
      { scheme: 'bsd', offset: 2048 * 512 + 512, length: 148 + 4 * 16, parent: 1, checksum: json.labels[0]!.checksum, partitions: 3 },
    ]);
    assert.equal(json.labels[0]!.checksum.ok, true);
    const text = await runCli(['inspect', image]);
    assert.match(text.stdout, /^\s+1a\s+4096\s+44095\b/m);
    assert.match(text.stdout, /^\s+1d\s+64096\s+94095\b/m);
  });

  test('a BSD partition outside its slice: label-partition-out-of-range', async () => {
    const image = sliceImage('slice-outside.img', 'a9', bsdLabel([...ABSOLUTE.slice(0, 3), { size: 10000, offset: 110000, fsType: 7 }]));
    const { disk, findings } = await analyzeFile(image);
    // Listed and reported (libblkid leaves it out).
    assert.equal(disk.partitions[0]!.children?.length, 3);
    assert.equal(partxSpans(image, 'netbsd').length, 2);
    assert.deepEqual(codes(findings), ['label-partition-out-of-range']);
    assert.match(findings[0]!.message, /BSD partition d of MBR slice 1 .*outside its slice/);
  });

  test('an ext4 larger than its BSD partition: volume-larger-than-partition names partition 1a', async () => {
    const image = sliceImage('slice-truncated.img', 'a5', bsdLabel([{ size: 10000, offset: 4096, fsType: 7 }]));
    placeVolume(
      image,
      makeVolume(dir, 'nested-big', 19 * MiB, (f, size) => TOOL_VOLUMES.ext4!.make(f, size)),
      2 * MiB,
    );
    const { findings } = await analyzeFile(image);
    assert.deepEqual(codes(findings), ['volume-larger-than-partition']);
    assert.match(findings[0]!.message, /^Partition 1a /);
  });

  test('a slice of another type is not read for a label; a slice without a label has no children', async () => {
    const linux = sliceImage('slice-linux.img', '83', bsdLabel(ABSOLUTE));
    assert.equal((await analyzeFile(linux)).disk.partitions[0]!.children, undefined);
    const empty = sliceImage('slice-empty.img', 'a5', null);
    const { disk, findings } = await analyzeFile(empty);
    assert.equal(disk.partitions[0]!.children, undefined);
    assert.deepEqual(codes(findings), []);
  });
});
