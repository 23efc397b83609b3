// Issue 14: partitions of BSD labels nested in MBR slices keep our "2a" name
// and also carry the number Linux and libblkid give them (after the primaries
// and logicals, counting on across slices, empty typed slots included).
// The oracle is partx (libblkid) on the image file: this machine's kernel does
// not scan partitions of loop devices, so the kernel's own numbering cannot be
// watched here (its parse_bsd counts the same slots as libblkid).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { analyzeFile, sparseFile, writeAt } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { haveTools } from '../builders/volumes';
import { bsdLabel, partx } from '../builders/labels';
import type { BsdPart } from '../builders/labels';
import { buildStructureTree } from '../../src/app/structureTree';
import { findNode } from '../builders/tree';

const dir = tempDir('diskx-bsdnum-');
const skip = haveTools('partx', 'sfdisk') ? false : 'needs util-linux';

/** `dir/name`: a sparse image of `sectors` with the MBR sfdisk makes from `table` (sfdisk script lines after `label: dos`). */
function mbrImage(name: string, sectors: number, table: string[]): string {
  const image = sparseFile(path.join(dir, name), sectors * 512);
  execFileSync('sfdisk', ['-q', image], { input: `label: dos\n${table.join('\n')}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  return image;
}

/** Writes a BSD disklabel of `parts` into its slice at `sliceLba` (sector 1 of the slice). */
function labelSlice(image: string, sliceLba: number, parts: BsdPart[]): void {
  writeAt(image, sliceLba * 512 + 512, bsdLabel(parts));
}

/**
 * Slot 1: Linux swap (0x82, no Solaris VTOC: takes no nested numbers); 2: FreeBSD
 * slice with a (4.2BSD), b (typed, size 0), c (raw, unused), d (outside the
 * slice), e (swap); 3: extended with two logicals; 4: NetBSD slice with a, b (the
 * slice itself again) and c.
 */
function twoSliceImage(): string {
  const image = mbrImage('two-slices.img', 262144, [
    'start=1024, size=1000, type=82',
    'start=2048, size=60000, type=a5',
    'start=70000, size=50000, type=5',
    'start=130000, size=60000, type=a9',
  ]);
  execFileSync('sfdisk', ['-q', '-a', image], {
    input: 'start=72000, size=10000, type=83\nstart=90000, size=10000, type=83\n',
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  labelSlice(image, 2048, [
    { size: 10000, offset: 4096, fsType: 7 },
    { size: 0, offset: 20000, fsType: 7 },
    { size: 60000, offset: 2048, fsType: 0 },
    { size: 100, offset: 200000, fsType: 7 },
    { size: 1000, offset: 30000, fsType: 1 },
  ]);
  labelSlice(image, 130000, [
    { size: 10000, offset: 131000, fsType: 7 },
    { size: 60000, offset: 130000, fsType: 7 },
    { size: 1000, offset: 150000, fsType: 1 },
  ]);
  return image;
}

describe('nested BSD partitions: the number Linux gives them', { skip }, () => {
  const image = twoSliceImage();

  test('kernelNumber equals partx NR for every nested partition libblkid lists', async () => {
    const { disk } = await analyzeFile(image);
    const nested = disk.partitions.flatMap((slice) =>
      (slice.children ?? []).map((c) => ({ name: `${slice.number}${c.name}`, start: c.firstLba, nr: c.kernelNumber })),
    );
    assert.deepEqual(nested, [
      { name: '2a', start: 4096n, nr: 7 },
      { name: '2d', start: 200000n, nr: undefined }, // outside its slice: libblkid and Linux leave it out
      { name: '2e', start: 30000n, nr: 9 },
      { name: '4a', start: 131000n, nr: 10 },
      { name: '4c', start: 150000n, nr: 11 },
    ]);
    const oracle = partx(image).filter((r) => r.nr > 6);
    // partx also lists 2b, typed but 0 sectors long, as number 8 (diskx lists no empty partition, but counts it).
    assert.deepEqual(
      oracle.map((r) => [r.nr, r.start]),
      [
        [7, 4096n],
        [8, 20000n],
        [9, 30000n],
        [10, 131000n],
        [11, 150000n],
      ],
    );
    for (const p of nested.filter((n) => n.nr !== undefined)) assert.equal(oracle.find((r) => r.start === p.start)?.nr, p.nr, p.name);
    // The MBR's own numbers are untouched: 1..4 and the logicals 5, 6.
    assert.deepEqual(
      disk.partitions.map((p) => p.number),
      partx(image)
        .filter((r) => r.nr <= 6)
        .map((r) => r.nr),
    );
  });

  test('inspect --json adds kernelNumber beside name and number; inspect prints "(Linux N)"; the tree names it', async () => {
    const run = await runCli(['inspect', '--json', image]);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { partitions: { number: number; partitions?: { name: string; number: number; kernelNumber?: number }[] }[] };
    const slice = json.partitions.find((p) => p.number === 2)!;
    assert.deepEqual(
      slice.partitions?.map((p) => [p.name, p.number, p.kernelNumber]),
      [
        ['a', 1, 7],
        ['d', 4, undefined],
        ['e', 5, 9],
      ],
    );
    const text = await runCli(['inspect', image]);
    for (const row of [/^\s+2a\s+4096\s+14095\b.*\ba \(Linux 7\)$/m, /^\s+2d\s+200000\s+200099\b.*\bd$/m, /^\s+4c\s+150000\s+150999\b.*\bc \(Linux 11\)$/m]) {
      assert.match(text.stdout, row);
    }

    const { disk, findings } = await analyzeFile(image);
    const { tree } = buildStructureTree(disk, findings);
    for (const label of ['Partition 2a (BSD a, Linux 7)', 'Partition 2d (BSD d)', 'Partition 4a (BSD a, Linux 10)'])
      assert.ok(
        findNode(tree, (n) => n.label === label),
        label,
      );
  });

  test('a Solaris x86 slice (VTOC sanity 0x600DDEEE) before the BSD slice: the numbers are not known, none is given', async () => {
    const solaris = mbrImage('solaris-first.img', 131072, ['start=1024, size=1000, type=bf', 'start=2048, size=60000, type=a5']);
    labelSlice(solaris, 2048, [{ size: 10000, offset: 4096, fsType: 7 }]);
    const sanity = new Uint8Array(4);
    new DataView(sanity.buffer).setUint32(0, 0x600ddeee, true);
    writeAt(solaris, 1024 * 512 + 512 + 12, sanity);
    const { disk } = await analyzeFile(solaris);
    assert.equal(disk.partitions[1]!.children?.length, 1);
    assert.equal(disk.partitions[1]!.children?.[0]!.kernelNumber, undefined);
  });
});
