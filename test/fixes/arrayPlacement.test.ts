// Where the entry arrays are: an array inside the usable range (over a
// partition) is reported and no fix writes there; both headers naming one array
// is planned as one array (restore-esxi-slots used to patch it twice and its dry
// run failed with a false "the image changed").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gptHeaderCrc32 } from '../../src/core/crc32';
import { analyzeImage } from '../../src/core/index';
import { planFix } from '../../src/core/fixes/index';
import { localizerOf } from '../../src/shared/l10n';
import type { StringTable } from '../../src/shared/l10n';
import { tempDir, haveOracles, run } from '../builders/images';
import { diskx, headTailHash, journalOf, lines, readAt, seedImage, writeAt } from '../cli/fixTestHelpers';

const N = 16777216; // sectors of the 8 GiB seed image

/** Points a header at `arrayLba` (copying its 16 KiB array there when `copy`) and reseals its CRC. */
function moveArray(image: string, headerLba: number, arrayLba: number, copy: boolean): void {
  const header = readAt(image, headerLba * 512, 512);
  const from = Number(header.readBigUInt64LE(0x48));
  if (copy) writeAt(image, arrayLba * 512, readAt(image, from * 512, 16384));
  header.writeBigUInt64LE(BigInt(arrayLba), 0x48);
  header.writeUInt32LE(0, 0x10);
  header.writeUInt32LE(gptHeaderCrc32(header, header.readUInt32LE(0x0c)), 0x10);
  writeAt(image, headerLba * 512, header);
}

test('an entry array inside a partition: gpt-array-in-usable-range names it, and restore-esxi-slots refuses to write there', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  // The compacted seed has bootbank in slot 3 at LBA 8224: put the primary array there.
  moveArray(image, 1, 8224, true);
  const check = await diskx(['check', '--json', image]);
  assert.equal(check.status, 1, check.stderr);
  const finding = (JSON.parse(check.stdout) as { findings: { code: string; severity: string; message: string; offset: number }[] }).findings.find(
    (f) => f.code === 'gpt-array-in-usable-range',
  );
  assert.ok(finding, check.stdout);
  assert.equal(finding.severity, 'error');
  assert.equal(finding.offset, 512 + 0x48);
  assert.match(
    finding.message,
    /^Primary header \(LBA 1\) puts its entry array at LBAs 8224\.\.8255, inside the usable range 34\.\.\d+, overlapping partition 4 \(LBAs 8224\.\.520191\); no fix writes there/,
  );

  const before = headTailHash(image) + readAt(image, 8224 * 512, 16384).toString('hex');
  const fix = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(fix.status, 1, fix.stderr);
  assert.match(
    lines(fix.stderr)[0]!,
    /fix restore-esxi-slots does not apply: it would write byte 0x[0-9A-F]+, which lies in partition 4 \(LBAs 8224\.\.520191, primary array\); no fix writes into a partition$/,
  );
  assert.equal(headTailHash(image) + readAt(image, 8224 * 512, 16384).toString('hex'), before, 'nothing written');
  assert.equal(fs.existsSync(journalOf(image)), false);

  // The editor shows the same refusal in its language (the partition named through msg()).
  const { opened, disk } = await analyzeImage(image);
  await opened.source.close();
  const refused = planFix(disk, 'restore-esxi-slots');
  assert.ok(!refused.ok && refused.reasonText);
  assert.match(refused.reason, /which lies in partition 4 \(LBAs 8224\.\.520191, primary array\); no fix writes into a partition$/);
  const ja: StringTable = JSON.parse(
    fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'l10n', 'bundle.l10n.ja.json'), 'utf8'),
  );
  assert.match(localizerOf(ja).text(refused.reasonText), /パーティション 4 \(LBA 8224\.\.520191、プライマリ配列\)/);
});

test('both headers pointing at one array: restore-esxi-slots moves it once, the dry run and the write agree, undo restores it', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  // The backup header names the primary's array at LBA 2 (its own at the end is left as it was).
  moveArray(image, N - 1, 2, false);
  const dry = await diskx(['fix', image, '--fix', 'restore-esxi-slots']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /in the one array both headers point at \(LBA 2\), once/);
  const original = headTailHash(image);
  const written = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write', '--json']);
  assert.equal(written.status, 0, written.stderr);
  const doc = JSON.parse(written.stdout) as { remainingFindings: { code: string }[]; written: { sectors: number[] } };
  assert.ok(!doc.remainingFindings.some((f) => f.code === 'esxi-slot-compacted'), written.stdout);
  // The array at LBA 2..3, both headers; nothing at the old backup array.
  assert.deepEqual(
    [...doc.written.sectors].sort((a, b) => a - b),
    [1, 2, 3, N - 1],
  );
  if (haveOracles()) {
    const sfdisk = JSON.parse(run('sfdisk', ['--json', image])) as { partitiontable: { partitions: { node: string }[] } };
    assert.deepEqual(
      sfdisk.partitiontable.partitions.map((p) => Number(/(\d+)$/.exec(p.node)![1])),
      [1, 2, 3, 5, 6, 7, 8],
    );
  }
  assert.equal((await diskx(['undo', image])).status, 0);
  assert.equal(headTailHash(image), original);
  void path;
});
