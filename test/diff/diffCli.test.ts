// `diskx diff A B [--json] [--bytes]`: exit codes (0 identical, 1 different,
// 2 error), the JSON shape and the readable report (wiring: diffCliWiring.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { diffCommand } from '../../src/cli/commands/diff';
import { fixWithReference as fixWithReferenceCommand, hasReferenceFlag } from '../../src/cli/commands/fixReference';
import { tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import type { GptEntryFields } from '../../src/core/gptEncode';
import { cmpList, cmpOffsets, rangeOffsets } from '../builders/cmpOracle';

const dir = tempDir('diskx-diff-cli-');
const GiB = 1024 ** 3;

async function diff(...argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string[] }> {
  const stderr: string[] = [];
  const result = await diffCommand.run(argv, { stderr: (line) => stderr.push(line) });
  return { ...result, stderr };
}

/** Every byte offset (from 0) `cmp -l a b` lists, and what cmp says on stderr. */
// Small (2 MiB) images for byte scans: the same three partitions, slot 2 empty or compacted.
const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const entry = (n: number, first: bigint): GptEntryFields => ({
  typeGuid: linux,
  uniqueGuid: testGuid(n),
  firstLba: first,
  lastLba: first + 99n,
  name: `part${n}`,
});
const slots = [entry(1, 34n), entry(2, 134n), null, entry(4, 234n)];
const small = (name: string, compacted: boolean): string =>
  writeGptImage(path.join(dir, name), {
    sectorSize: 512,
    totalSectors: 4096n,
    diskGuid: testGuid(0xd15c),
    slots: compacted ? slots.filter((s) => s !== null) : slots,
  });

const esxiOriginal = writeEsxi5Image(path.join(dir, 'esxi-original.img'), { sizeBytes: 6 * GiB });
const esxiCompacted = writeEsxi5Image(path.join(dir, 'esxi-compacted.img'), { sizeBytes: 6 * GiB, compacted: true });

test('compacted against original: exit 1, the JSON shape of issue 7', async () => {
  const run = await diff(esxiCompacted, esxiOriginal, '--json');
  assert.equal(run.exitCode, 1);
  assert.deepEqual(run.stderr, []);
  const json = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(json), ['a', 'b', 'identical', 'headers', 'partitions']);
  assert.equal(json.a, esxiCompacted);
  assert.equal(json.b, esxiOriginal);
  assert.equal(json.identical, false);
  assert.deepEqual(
    json.headers.map((h: { field: string }) => h.field),
    ['disk.esxiLayout', 'primary.headerCrc32', 'primary.partitionEntryArrayCrc32', 'backup.headerCrc32', 'backup.partitionEntryArrayCrc32'],
  );
  assert.deepEqual(Object.keys(json.headers[1]), ['field', 'a', 'b']);
  const bootbank = json.partitions.find((p: { uuid: string }) => p.uuid === testGuid(5));
  assert.deepEqual(bootbank, {
    uuid: testGuid(5),
    label: 'bootbank',
    slotA: 3,
    slotB: 4,
    status: 'moved-slot',
    matchedBy: 'uuid',
    changes: [],
    summary: 'bootbank: slot 3 in A, slot 4 in B',
  });
  assert.deepEqual(
    json.partitions.map((p: { status: string }) => p.status),
    ['same', 'same', 'same', 'moved-slot', 'moved-slot', 'moved-slot', 'moved-slot'],
  );
});

test('the readable report reads "bootbank: slot 3 in A, slot 4 in B" and shows the slots side by side', async () => {
  const run = await diff(esxiCompacted, esxiOriginal);
  assert.equal(run.exitCode, 1);
  const lines = run.stdout.split('\n');
  assert.ok(lines.includes('  moved-slot  bootbank: slot 3 in A, slot 4 in B'), run.stdout);
  assert.ok(lines.includes('  same        systemPartition (EFI): slot 0 in both'), run.stdout);
  assert.ok(
    lines.some((l) => /^  \*    3  bootbank 8224\.\.520191 +-$/.test(l)),
    run.stdout,
  );
  assert.ok(
    lines.some((l) => /^  \*    4  altbootbank 520224\.\.1032191 +bootbank 8224\.\.520191$/.test(l)),
    run.stdout,
  );
  assert.ok(
    lines.some((l) => /^  primary\.partitionEntryArrayCrc32 +0x[0-9A-F]{8} +0x[0-9A-F]{8}$/.test(l)),
    run.stdout,
  );
  assert.ok(lines.includes('Different: 4 partitions in other slots, 5 header fields differ.'), run.stdout);
});

test('identical images: exit 0, structurally and byte for byte', async () => {
  const a = small('same-a.img', false);
  const b = small('same-b.img', false);
  const structural = await diff(a, b, '--json');
  assert.equal(structural.exitCode, 0);
  assert.deepEqual(JSON.parse(structural.stdout).headers, []);
  const bytes = await diff(a, b, '--json', '--bytes');
  assert.equal(bytes.exitCode, 0);
  const json = JSON.parse(bytes.stdout);
  assert.equal(json.identical, true);
  assert.deepEqual(json.bytes.ranges, []);
  assert.equal(json.bytes.truncated, false);
  assert.equal(json.bytes.comparedBytes, 4096 * 512);
  const text = await diff(a, b, '--bytes');
  assert.equal(text.exitCode, 0);
  assert.match(text.stdout, /Identical, byte for byte\.$/);
});

test('--bytes: ranges are exactly what cmp -l lists; --max-ranges truncates', async () => {
  const a = small('bytes-a.img', true);
  const b = small('bytes-b.img', false);
  const run = await diff(a, b, '--json', '--bytes');
  assert.equal(run.exitCode, 1);
  const json = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(json), ['a', 'b', 'identical', 'headers', 'partitions', 'bytes']);
  assert.deepEqual(rangeOffsets(json.bytes.ranges), cmpOffsets(a, b));
  assert.ok(json.bytes.ranges.length > 3);
  assert.equal(json.bytes.truncated, false);
  assert.equal(json.bytes.tail, null);
  const capped = JSON.parse((await diff(a, b, '--json', '--bytes', '--max-ranges', '2')).stdout);
  assert.deepEqual(capped.bytes.ranges, json.bytes.ranges.slice(0, 2));
  assert.equal(capped.bytes.truncated, true);
});

test('structurally identical but bytes differ: exit 0 without --bytes, 1 with it', async () => {
  const a = small('data-a.img', false);
  const b = small('data-b.img', false);
  const fd = fs.openSync(b, 'r+');
  fs.writeSync(fd, Buffer.from('changed data'), 0, 12, 100 * 512);
  fs.closeSync(fd);
  assert.equal((await diff(a, b)).exitCode, 0);
  const run = await diff(a, b, '--bytes');
  assert.equal(run.exitCode, 1);
  assert.match(run.stdout, /^Bytes: 1 differing range, 12 bytes, in 2097152 bytes compared\.$/m);
  assert.match(run.stdout, /^  0x000000C800  \+12  \(LBA 100\)$/m);
});

test('images of different sizes: the tail is reported and makes them differ', async () => {
  const a = small('size-a.img', false);
  const b = writeGptImage(path.join(dir, 'size-b.img'), { sectorSize: 512, totalSectors: 8192n, diskGuid: testGuid(0xd15c), slots });
  const json = JSON.parse((await diff(a, b, '--json', '--bytes')).stdout);
  assert.deepEqual(json.bytes.tail, { offset: 4096 * 512, length: 4096 * 512, in: 'b' });
  assert.equal(json.headers.find((h: { field: string }) => h.field === 'disk.sizeBytes').b, 8192 * 512);
});

test('--bytes through the CLI (scan during the parse) lists exactly what cmp -l lists: chunk edges, first and last byte, a hole on one side', async () => {
  const MiB = 1024 * 1024;
  // A: 5 MiB of data (zeros written out, so no holes) with a GPT; B: a copy of its first 4 MiB + 100 bytes, sparse
  // from 2 MiB to 3 MiB (a hole where A stores zeros and one byte that is not).
  const a = writeGptImage(path.join(dir, 'cli-edges-a.img'), { sectorSize: 512, totalSectors: 10240n, diskGuid: testGuid(0xed6e), slots });
  const fdA = fs.openSync(a, 'r+');
  fs.writeSync(fdA, Buffer.alloc(MiB), 0, MiB, 2 * MiB); // written zeros: data, not a hole
  fs.writeSync(fdA, Buffer.from([0x99]), 0, 1, 2 * MiB + 4097); // inside B's hole
  fs.closeSync(fdA);
  const b = path.join(dir, 'cli-edges-b.img');
  const bytesA = fs.readFileSync(a);
  const sizeB = 4 * MiB + 100;
  const fdB = fs.openSync(b, 'w+');
  fs.writeSync(fdB, bytesA, 0, 2 * MiB, 0);
  fs.writeSync(fdB, bytesA, 3 * MiB, sizeB - 3 * MiB, 3 * MiB);
  fs.ftruncateSync(fdB, sizeB);
  for (const at of [0, MiB - 1, MiB, 3 * MiB, 3 * MiB + 511, 3 * MiB + 512, sizeB - 1]) {
    const byte = Buffer.alloc(1);
    fs.readSync(fdB, byte, 0, 1, at);
    fs.writeSync(fdB, Buffer.from([byte[0]! ^ 0x3c]), 0, 1, at);
  }
  fs.closeSync(fdB);
  assert.ok(fs.statSync(b).blocks * 512 < sizeB - MiB / 2, 'B has its hole');
  const run = await diff(a, b, '--json', '--bytes');
  assert.equal(run.exitCode, 1, run.stderr.join('\n'));
  const json = JSON.parse(run.stdout);
  const cmp = cmpList(a, b);
  assert.match(cmp.stderr, /EOF on .*cli-edges-b\.img/);
  const expected = cmp.offsets;
  assert.deepEqual(rangeOffsets(json.bytes.ranges), expected);
  assert.ok(expected.includes(0) && expected.includes(sizeB - 1) && expected.includes(2 * MiB + 4097));
  assert.deepEqual(json.bytes.tail, { offset: sizeB, length: 5 * MiB - sizeB, in: 'a' });
});

test('errors: exit 2 with one line naming the image', async () => {
  const missing = path.join(dir, 'missing.img');
  const run = await diff(esxiOriginal, missing);
  assert.equal(run.exitCode, 2);
  assert.equal(run.stdout, '');
  assert.deepEqual(run.stderr, [`diskx: ${missing}: no such file or directory`]);
  const first = await diff(missing, esxiOriginal, '--json');
  assert.deepEqual([first.exitCode, first.stderr], [2, [`diskx: ${missing}: no such file or directory`]]);
  // The byte diff runs while the images are parsed: a parse that fails stops it, with the parse's one line.
  const tiny = path.join(dir, 'tiny.img');
  fs.writeFileSync(tiny, Buffer.alloc(100, 7));
  for (const [a, b] of [
    [esxiOriginal, tiny],
    [tiny, esxiOriginal],
  ] as const) {
    const bytes = await diff(a, b, '--bytes', '--json');
    assert.deepEqual([bytes.exitCode, bytes.stdout], [2, '']);
    assert.deepEqual(bytes.stderr, [`diskx: ${tiny}: is too small to be a disk image (100 bytes; an MBR alone needs 512)`]);
  }
  await assert.rejects(diff(esxiOriginal), /diff needs two images/);
  await assert.rejects(diff(esxiOriginal, esxiOriginal, '--max-ranges', '0'), /--max-ranges must be a whole number/);
});

test('fix --fix copy-slots-from-reference --reference: dry run, --write, then the images compare identical', async () => {
  const a = writeEsxi5Image(path.join(dir, 'fix-compacted.img'), { sizeBytes: 6 * GiB, compacted: true });
  const stderr: string[] = [];
  const context = { stderr: (line: string) => stderr.push(line) };
  const readArray = (file: string): Buffer => {
    const fd = fs.openSync(file, 'r');
    const out = Buffer.alloc(16384);
    fs.readSync(fd, out, 0, out.length, 1024);
    fs.closeSync(fd);
    return out;
  };
  const before = readArray(a);
  const dry = await fixWithReferenceCommand([a, '--fix', 'copy-slots-from-reference', '--reference', esxiOriginal, '--json'], context);
  assert.equal(dry.exitCode, 0);
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.dryRun, true);
  assert.equal(plan.plan.id, 'copy-slots-from-reference');
  assert.equal(plan.plan.patches.length, 14);
  assert.deepEqual(readArray(a), before, 'a dry run writes nothing');

  const wrote = await fixWithReferenceCommand([a, '--fix', 'copy-slots-from-reference', '--reference', esxiOriginal, '--write'], context);
  assert.equal(wrote.exitCode, 0, stderr.join('\n'));
  assert.match(wrote.stdout, /^Written: \d+ sectors of 512 bytes, backup first; undo with: diskx undo /m);
  assert.deepEqual(readArray(a), readArray(esxiOriginal));
  assert.equal((await diff(a, esxiOriginal)).exitCode, 0);

  const again = await fixWithReferenceCommand([a, '--fix', 'copy-slots-from-reference', '--reference', esxiOriginal], context);
  assert.equal(again.exitCode, 1);
  assert.match(stderr[stderr.length - 1]!, /fix copy-slots-from-reference does not apply: every partition of .* already sits in the slot the reference uses$/);
  await assert.rejects(
    fixWithReferenceCommand([a, '--fix', 'recompute-crcs', '--reference', esxiOriginal], context),
    /--reference goes with --fix copy-slots-from-reference alone/,
  );
  assert.equal(hasReferenceFlag(['x', '--reference=y']), true);
  assert.equal(hasReferenceFlag(['x', '--fix', 'recompute-crcs']), false);
});
