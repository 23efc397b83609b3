// `diskx set` and `diskx find` as a user runs them, on images sgdisk made, with
// sgdisk -i / sfdisk --json / sgdisk -v as the judges of what was written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { haveOracles, tempDir } from '../builders/images';
import { dataAndEspImage, sfdiskJson, sgdisk, sgdiskAttributes, sgdiskVerify, sparseFile } from '../builders/oracles';
import { diskx, fileHash, journalOf } from './fixTestHelpers';

const oracles = haveOracles();
const MiB = 1024 * 1024;

function sgdiskInfo(image: string, n: number): string {
  return execFileSync('sgdisk', ['-i', String(n), image], { encoding: 'utf8' });
}

test('set: a dry run prints the edit, its mirror and the resealed CRCs, and writes nothing', { skip: !oracles && 'needs gdisk' }, async () => {
  const image = await dataAndEspImage(tempDir());
  const hash = fileHash(image);
  const run = await diskx(['set', image, 'partition:1.name=bootbank']);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  const out = run.stdout;
  assert.match(out, /^Set partition:1\.name \(mirrored to the other GPT copy, CRCs resealed\)$/m);
  assert.match(out, /^ {2}edit {3}primaryArray\.entries\.0\.name: "data" -> "bootbank"$/m);
  assert.match(out, /^ {2}edit {3}backupArray\.entries\.0\.name: "data" -> "bootbank"$/m);
  for (const crc of [
    'backupHeader.partitionEntryArrayCrc32',
    'backupHeader.headerCrc32',
    'primaryHeader.partitionEntryArrayCrc32',
    'primaryHeader.headerCrc32',
  ]) {
    assert.match(out, new RegExp(`^ {2}reseal ${crc.replace('.', '\\.')} \\(over the .*\\): 0x[0-9A-F]{8} -> 0x[0-9A-F]{8}$`, 'm'), crc);
  }
  assert.match(out, /^ {9}0x438 {2}- 64 00 61 00 74 00 61 00$/m, 'before bytes of the name: "data" in UTF-16LE');
  assert.match(out, /^After the edit diskx check would report 0 errors, 0 warnings, 0 info\.$/m);
  assert.match(out, /6 changes, 4 sectors would be written, nothing written \(dry run; add --write\)\n$/);
  assert.equal(fileHash(image), hash);
  assert.equal(fs.existsSync(journalOf(image)), false);
});

test(
  'set --write: sgdisk -i and sfdisk see the name, type and attributes, sgdisk -v is clean; diskx undo restores it',
  { skip: !oracles && 'needs gdisk' },
  async () => {
    const image = await dataAndEspImage(tempDir());
    const hash = fileHash(image);
    const run = await diskx([
      'set',
      image,
      'partition:1.name=bootbank',
      'partition:1.type=basic-data',
      'partition:1.attributes=+required,+hidden,+no-drive-letter',
      'partition:2.name=EFI system',
      '--write',
    ]);
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Wrote 4 sectors \(132 bytes\) of .*, backup GPT first, fsynced: LBA 131039, 131071, 1\.\.2$/m);
    assert.match(run.stdout, /^Check after the edit: 0 errors, 0 warnings, 0 info\.$/m);
    const info = sgdiskInfo(image, 1);
    assert.match(info, /^Partition name: 'bootbank'$/m);
    assert.match(info, /^Partition GUID code: EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 \(Microsoft basic data\)$/m);
    assert.equal(sgdiskAttributes(image, 1), 1n | (1n << 62n) | (1n << 63n));
    assert.match(sgdiskInfo(image, 2), /^Partition name: 'EFI system'$/m);
    const sf = sfdiskJson(image).partitions;
    assert.equal(sf[0]!.name, 'bootbank');
    assert.equal(sf[0]!.type, 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7');
    assert.equal(sf[0]!.attrs, 'RequiredPartition GUID:62,63');
    assert.equal(sf[1]!.name, 'EFI system');
    assert.equal(sgdiskVerify(image).problems, 0, sgdiskVerify(image).text);
    assert.equal((await diskx(['check', image])).status, 0);

    const undo = await diskx(['undo', image]);
    assert.equal(undo.status, 0, undo.stderr);
    assert.match(undo.stdout, /^Undid repair 1 \(hand-edit\)/);
    assert.equal(fileHash(image), hash, 'every byte back');
    assert.match(sgdiskInfo(image, 1), /^Partition name: 'data'$/m);
  },
);

test(
  'set --no-reseal: exactly the stale array CRC findings, recompute-crcs offered; the fix then seals the edit',
  { skip: !oracles && 'needs gdisk' },
  async () => {
    const image = await dataAndEspImage(tempDir());
    const run = await diskx(['set', image, 'partition:2.name=boot', '--no-reseal', '--write']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Stale CRCs now: gpt-primary-array-crc, gpt-backup-array-crc; diskx fix .* --fix recompute-crcs reseals them\./);
    const check = await diskx(['check', image, '--json']);
    assert.equal(check.status, 1);
    const findings = (JSON.parse(check.stdout) as { findings: { code: string; fixes: string[] }[] }).findings;
    assert.deepEqual(findings.map((f) => f.code).sort(), ['gpt-backup-array-crc', 'gpt-primary-array-crc']);
    for (const f of findings) assert.ok(f.fixes.includes('recompute-crcs'));
    const verdict = sgdiskVerify(image);
    assert.equal(verdict.mainTable, 'ERROR');
    assert.equal(verdict.backupTable, 'ERROR');
    const fix = await diskx(['fix', image, '--fix', 'recompute-crcs', '--write']);
    assert.equal(fix.status, 0, fix.stderr);
    assert.equal(sgdiskVerify(image).problems, 0);
    assert.match(sgdiskInfo(image, 2), /^Partition name: 'boot'$/m);
    // --no-mirror: the primary alone changes, and the copies then differ.
    const alone = await diskx(['set', image, 'primaryArray.entries.0.name=only-primary', '--no-mirror', '--write']);
    assert.equal(alone.status, 0, alone.stderr);
    assert.deepEqual(
      (JSON.parse((await diskx(['check', image, '--json'])).stdout) as { findings: { code: string }[] }).findings.map((f) => f.code),
      ['gpt-primary-backup-differ'],
    );
  },
);

test('set: bad paths, values out of range and names too long fail with one line, exit 2, nothing written', { skip: !oracles && 'needs gdisk' }, async () => {
  const image = await dataAndEspImage(tempDir());
  const hash = fileHash(image);
  const cases: [string, RegExp][] = [
    [`partition:1.name=${'n'.repeat(37)}`, /primaryArray\.entries\.0\.name: the name is 37 UTF-16 code units long; the field holds 36/],
    ['partition:1.firstLba=18446744073709551616', /out of range for a 64-bit field/],
    ['partition:1.type=no-such-type', /neither a GUID .* nor a known partition type name/],
    ['primaryHeader.bogus=1', /primaryHeader\.bogus: no such header field/],
    ['partition:200.name=x', /slot 199 is not in the primary array \(slots 0\.\.127\)/],
    ['mbr.partitions.0.type=0x1ff', /neither a type byte/],
    ['partition:1.attributes=+sticky', /unknown attribute "sticky"/],
    ['no-equals-sign', /is not PATH=VALUE/],
  ];
  for (const [assignment, pattern] of cases) {
    const run = await diskx(['set', image, assignment, '--write']);
    assert.equal(run.status, 2, assignment);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^diskx: .*disk\.img: /);
    assert.match(lines[0]!, pattern, assignment);
  }
  const twice = await diskx(['set', image, 'partition:1.name=a', 'primaryArray.entries.0.name=b']);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /primaryArray\.entries\.0\.name is assigned twice/);
  assert.equal(fileHash(image), hash);
  assert.equal(fs.existsSync(journalOf(image)), false);
  const usage = await diskx(['set', image]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^diskx: set needs at least one PATH=VALUE after IMAGE/);
});

test('set --json: changes with roles, paths, bytes and the predicted findings', { skip: !oracles && 'needs gdisk' }, async () => {
  const image = await dataAndEspImage(tempDir());
  const run = await diskx(['set', image, 'primaryHeader.diskGuid=01234567-89AB-CDEF-0123-456789ABCDEF', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    dryRun: boolean;
    reseal: boolean;
    mirror: boolean;
    changes: { role: string; path: string; offset: number; length: number; to: string; before: string; after: string }[];
    sectors: number[];
    staleCrcs: string[];
    remainingFindings: unknown[];
    written: unknown;
  };
  assert.equal(doc.dryRun, true);
  assert.equal(doc.written, null);
  assert.deepEqual(
    doc.changes.map((c) => `${c.role} ${c.path}`),
    ['edit primaryHeader.diskGuid', 'mirror backupHeader.diskGuid', 'reseal backupHeader.headerCrc32', 'reseal primaryHeader.headerCrc32'],
  );
  assert.deepEqual(doc.changes[0]!, {
    ...doc.changes[0]!,
    offset: 0x238,
    length: 16,
    to: '01234567-89AB-CDEF-0123-456789ABCDEF',
    after: '67452301ab89efcd0123456789abcdef',
  });
  assert.deepEqual(doc.sectors, [1, 131071]);
  assert.deepEqual(doc.staleCrcs, []);
  assert.deepEqual(doc.remainingFindings, []);
});

test(
  'find: EFI PART at both header copies of a 2 TiB sparse image, holes skipped; hex with wildcards; exit 1 when absent',
  { skip: !oracles && 'needs gdisk' },
  async () => {
    const dir = tempDir();
    const image = sparseFile(path.join(dir, 'big.img'), 2 * 1024 ** 4);
    await sgdisk(image, '-o');
    const run = await diskx(['find', image, '--text', 'EFI PART', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { matches: { offset: number; lba: number; field: string }[]; holes: string; bytesRead: number; truncated: boolean };
    assert.deepEqual(
      doc.matches.map((m) => [m.offset, m.lba, m.field]),
      [
        [512, 1, 'primaryHeader.signature'],
        [2 * 1024 ** 4 - 512, 2 * 1024 ** 3 * 2 - 1, 'backupHeader.signature'],
      ],
    );
    assert.equal(doc.holes, 'extents');
    assert.ok(doc.bytesRead < 4 * MiB, `read ${doc.bytesRead} bytes`);
    const text = await diskx(['find', image, '45 46 49 ?? 50 41 52 54']);
    assert.equal(text.status, 0);
    assert.match(
      text.stdout,
      /^0x200 \(LBA 1\) {2}primaryHeader\.signature\n0x1FFFFFFFE00 \(LBA 4294967295\) {2}backupHeader\.signature\n2 matches of 45 46 49 \?\? 50 41 52 54 in .*big\.img \(2\.0 TiB: .* read, 2\.0 TiB of holes skipped\)\n$/,
    );
    const none = await diskx(['find', image, 'de ad be ef']);
    assert.equal(none.status, 1);
    assert.match(none.stdout, /^0 matches of de ad be ef/);
    const bad = await diskx(['find', image, '4']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^diskx: .*big\.img: "4" is not a hex pattern/);
    const both = await diskx(['find', image, 'x', '--text', '--guid']);
    assert.equal(both.status, 2);
  },
);
