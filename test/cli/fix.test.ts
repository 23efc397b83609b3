// `diskx fix` as a user runs it (node dist/cli.js, built by npm test): the dry
// run shows the seed's plan and writes nothing; --write repairs the seed so that
// diskx check, sgdisk -v and sfdisk agree; refusals and usage errors exit 1 / 2
// with one line; --json has the documented shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { haveOracles, tempDir } from '../builders/images';
import { sfdiskJson, sgdiskVerify, smallGptBytes } from '../builders/oracles';
import { FIX_IDS } from '../../src/core/findings';
import { FIXES } from '../../src/core/fixes/registry';
import { MiB, SEED_SECTORS, diskx, journalOf, lines, readAt, seedImage, snapshot, writeAt } from './fixTestHelpers';

const N = SEED_SECTORS;
const oracles = haveOracles();

test('fix dry run prints the seed plan (patches, fields, LBAs, before/after) and writes nothing', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const before = snapshot(image);
  const run = await diskx(['fix', image, '--fix', 'restore-esxi-slots']);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  const out = run.stdout;
  assert.match(out, /^Plan for .*seed\.img \(8\.0 GiB, 512-byte sectors\)$/m);
  assert.match(out, /^fix restore-esxi-slots: Restore ESXi partition slots$/m);
  assert.match(out, /slot 3 -> 4 \(bootbank, now\s+partition 5\)/);
  // Every patch: offset in hex and as LBA, the fields named from the Kaitai ranges.
  const patches = [...out.matchAll(/^ {2}patch (\d+) of (\d+): (\d+) bytes? at (0x[0-9A-F]+) \(LBA (\d+)(?: \+(0x[0-9A-F]+))?\)\n {4}fields: (.*)$/gm)].map(
    (m) => ({
      length: Number(m[3]),
      offset: Number(m[4]),
      lba: Number(m[5]),
      fields: m[7],
    }),
  );
  assert.deepEqual(
    patches.map((p) => [p.offset, p.length, p.fields]),
    [
      [(N - 33) * 512 + 0x180, 128, 'backupArray: entries.3'],
      [(N - 32) * 512, 512, 'backupArray: entries.4, entries.5, entries.6, entries.7'],
      [(N - 1) * 512 + 0x10, 4, 'backupHeader: headerCrc32'],
      [(N - 1) * 512 + 0x58, 4, 'backupHeader: partitionEntryArrayCrc32'],
      [0x580, 128, 'primaryArray: entries.3'],
      [0x600, 512, 'primaryArray: entries.4, entries.5, entries.6, entries.7'],
      [0x210, 4, 'primaryHeader: headerCrc32'],
      [0x258, 4, 'primaryHeader: partitionEntryArrayCrc32'],
    ],
  );
  for (const p of patches) assert.equal(p.lba, Math.floor(p.offset / 512));
  // Whole entries read as moves, in both arrays.
  const moves = [
    '    slot 3 (partition 4): 8224..520191 Microsoft basic data [00000005] -> (empty)',
    '    slot 4 (partition 5): 520224..1032191 Microsoft basic data [00000006] -> 8224..520191 Microsoft basic data [00000005]',
    '    slot 6 (partition 7): 1257504..1843199 Microsoft basic data [00000008] -> 1032224..1257471 VMware vmkDiagnostic [00000007]',
    '    slot 7 (partition 8): (empty) -> 1257504..1843199 Microsoft basic data [00000008]',
  ];
  for (const line of moves) assert.equal(lines(out).filter((l) => l === line).length, 2, line);
  // Before/after hex: slot 3 (bootbank, unique GUID 00000005-...) is zeroed in the primary array.
  const bootbankGuid = readAt(image, 0x590, 16).toString('hex').match(/../g)!.join(' ');
  assert.ok(bootbankGuid.startsWith('05 00 00 00'), bootbankGuid);
  assert.ok(out.includes(`    0x590  - ${bootbankGuid}\n           + ${'00 '.repeat(15)}00\n`), 'the primary slot 3 GUID row, before and after');
  // The header CRC patch: bytes and the value, which must match what is on disk now.
  const crcNow = readAt(image, 0x210, 4).readUInt32LE(0);
  assert.match(out, new RegExp(`0x210  - ${[...readAt(image, 0x210, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}\\n`));
  assert.match(out, new RegExp(`as little-endian u32: 0x${crcNow.toString(16).toUpperCase().padStart(8, '0')} -> 0x[0-9A-F]{8}`));
  assert.match(out, new RegExp(`^Sectors to write: LBA 1\\.\\.3, ${N - 33}\\.\\.${N - 32}, ${N - 1}; undo journal: .*seed\\.img\\.diskx-journal$`, 'm'));
  assert.match(out, /^After the repair diskx check would report 0 errors, 0 warnings, 2 info; esxi-slot-compacted would be gone\.$/m);
  assert.equal(lines(out).at(-1), '8 patches, 6 sectors would be written, nothing written (dry run; add --write)');

  assert.deepEqual(snapshot(image), before, 'size, blocks, head/tail bytes and mtime unchanged');
  assert.equal(fs.existsSync(journalOf(image)), false, 'a dry run writes no journal');
});

test('fix --write repairs the seed: diskx check exits 0, sgdisk -v finds no problems, sfdisk shows slots 0,1,2,4,5,6,7', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const healthy = seedImage(dir, 'healthy.img', false);
  const size = fs.statSync(image).size;
  const checkBefore = await diskx(['check', image]);
  assert.equal(checkBefore.status, 1);
  assert.match(checkBefore.stdout, /esxi-slot-compacted/);

  const run = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  // Backup first (UEFI 5.3.2), only the six sectors that change.
  assert.match(
    run.stdout,
    new RegExp(`^Wrote 6 sectors \\(414 bytes\\) of .*seed\\.img, backup GPT first, fsynced: LBA ${N - 33}\\.\\.${N - 32}, ${N - 1}, 1\\.\\.3$`, 'm'),
  );
  assert.match(run.stdout, new RegExp(`^Undo journal: ${journalOf(image).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(entry 1\\)$`, 'm'));
  assert.match(run.stdout, /^undo with: diskx undo .*seed\.img$/m);
  assert.match(run.stdout, /^Check after the repair: 0 errors, 0 warnings, 2 info\.$/m);
  assert.match(run.stdout, /^Repaired: esxi-slot-compacted \(no longer reported\)\.$/m);
  assert.equal(fs.statSync(image).size, size);
  const journal = JSON.parse(fs.readFileSync(journalOf(image), 'utf8')) as { entries: { state: string; fixes: { id: string }[] }[] };
  assert.deepEqual(
    journal.entries.map((e) => [e.state, e.fixes.map((f) => f.id)]),
    [['applied', ['restore-esxi-slots']]],
  );

  const check = await diskx(['check', image]);
  assert.equal(check.status, 0, check.stdout);
  assert.doesNotMatch(check.stdout, /esxi-slot-compacted/);
  // The GPT areas are byte-equal to the undamaged original's.
  assert.ok(readAt(image, 0, MiB).equals(readAt(healthy, 0, MiB)), 'primary MBR, header and array equal the original');
  assert.ok(readAt(image, size - MiB, MiB).equals(readAt(healthy, size - MiB, MiB)), 'backup array and header equal the original');

  if (oracles) {
    const verdict = sgdiskVerify(image);
    assert.equal(verdict.problems, 0, verdict.text);
    assert.match(verdict.text, /No problems found/);
    const sf = sfdiskJson(image);
    assert.deepEqual(
      sf.partitions.map((p) => p.slot),
      [0, 1, 2, 4, 5, 6, 7],
    );
    // bootbank (partition 5) starts at 8224 again, the locker (8) at 1257504.
    assert.equal(sf.partitions.find((p) => p.slot === 4)?.start, 8224n);
    assert.equal(sf.partitions.find((p) => p.slot === 7)?.start, 1257504n);
  }
});

test('several --fix are planned in sequence: each on the image as the earlier ones leave it', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  // Damage the primary header's DiskGUID without resealing: its HeaderCRC32 is now wrong.
  const guidByte = readAt(image, 512 + 0x38, 1)[0]!;
  writeAt(image, 512 + 0x38, new Uint8Array([guidByte ^ 0xff]));
  const before = snapshot(image);

  // restore-esxi-slots alone refuses (a damaged copy); planned first, it still refuses.
  const wrongOrder = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--fix', 'rebuild-primary-from-backup', '--write']);
  assert.equal(wrongOrder.status, 1);
  assert.deepEqual(lines(wrongOrder.stderr), [
    `diskx: ${image}: fix restore-esxi-slots does not apply: the primary header at LBA 1: its HeaderCRC32 is wrong; repair it first (rebuild-primary-from-backup or recompute-crcs), then restore the slots`,
    `diskx: ${image}: nothing was written`,
  ]);
  assert.deepEqual(snapshot(image), before);
  assert.equal(fs.existsSync(journalOf(image)), false);

  // Rebuild first, then restore: the second is planned against the rebuilt primary.
  const dry = await diskx(['fix', image, '--fix', 'rebuild-primary-from-backup', '--fix', 'restore-esxi-slots']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^fix rebuild-primary-from-backup: Rebuild the primary GPT from the backup$/m);
  assert.match(dry.stdout, /^ {2}patch 1 of 1: 16 bytes at 0x238 \(LBA 1 \+0x38\)\n {4}fields: primaryHeader: diskGuid$/m);
  assert.match(dry.stdout, /^fix restore-esxi-slots: Restore ESXi partition slots$/m);
  assert.match(dry.stdout, /would report 0 errors, 0 warnings, 2 info; gpt-primary-header-crc, esxi-slot-compacted would be gone/);
  assert.equal(lines(dry.stdout).at(-1), '9 patches, 6 sectors would be written, nothing written (dry run; add --write)');
  assert.deepEqual(snapshot(image), before);

  const write = await diskx(['fix', image, '--fix', 'rebuild-primary-from-backup', '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(write.status, 0, write.stderr);
  assert.match(write.stdout, /^Wrote 6 sectors \(415 bytes\)/m); // only the patched byte ranges
  assert.equal((await diskx(['check', image])).status, 0);
  assert.equal(readAt(image, 512 + 0x38, 1)[0], guidByte, "the DiskGUID byte is the backup's again");
  const journal = JSON.parse(fs.readFileSync(journalOf(image), 'utf8')) as { entries: { fixes: { id: string }[] }[] };
  assert.deepEqual(
    journal.entries.map((e) => e.fixes.map((f) => f.id)),
    [['rebuild-primary-from-backup', 'restore-esxi-slots']],
    'one journal entry for both',
  );
  if (oracles) assert.equal(sgdiskVerify(image).problems, 0);
});

test('relocate-backup on a grown disk: dry run names the fields, --write makes sgdisk -v happy, only changed sectors', async () => {
  const dir = tempDir();
  const image = path.join(dir, 'grown.img');
  fs.writeFileSync(image, smallGptBytes({ sectorSize: 512 }));
  fs.truncateSync(image, 4 * MiB); // the disk grew from 2 to 4 MiB: the backup is now in the middle
  if (oracles) assert.match(sgdiskVerify(image).text, /Identified 1 problems?!/);
  const dry = await diskx(['fix', image, '--fix', 'relocate-backup']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^fix relocate-backup: Move the backup GPT to the end of the disk$/m);
  assert.match(
    dry.stdout,
    /^ {2}patch \d+ of \d+: 8 bytes at 0x220 \(LBA 1 \+0x20\)\n {4}fields: primaryHeader: alternateLba\n {4}0x220  - ff 0f 00 00 00 00 00 00\n {11}\+ ff 1f 00 00 00 00 00 00\n {11}as little-endian u64: 0x0000000000000FFF -> 0x0000000000001FFF$/m,
  );
  assert.match(dry.stdout, /fields: mbr: partitions\.0\.numSectors/);
  assert.match(dry.stdout, /^Sectors to write: LBA 0\.\.1, 8159, 8191;/m);
  assert.equal(
    lines(dry.stdout)
      .at(-1)!
      .replace(/^\d+ patches/, 'N patches'),
    'N patches, 4 sectors would be written, nothing written (dry run; add --write)',
  );

  const write = await diskx(['fix', image, '--fix', 'relocate-backup', '--write']);
  assert.equal(write.status, 0, write.stderr);
  assert.match(write.stdout, /^Wrote 4 sectors \(290 bytes\) of .*: LBA 8159, 8191, 0\.\.1$/m);
  assert.match(write.stdout, /^Repaired: .*gpt-backup-not-at-end.* \(no longer reported\)\.$/m);
  assert.equal((await diskx(['check', image])).status, 0);
  if (oracles) {
    assert.equal(sgdiskVerify(image).problems, 0);
    assert.deepEqual(
      sfdiskJson(image).partitions.map((p) => p.slot),
      [0, 1, 3],
    );
  }
});

test('a fix that does not apply exits 1 with one line giving the reason, and writes nothing even with --write', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const before = snapshot(image);
  for (const extra of [[], ['--write']]) {
    const run = await diskx(['fix', image, '--fix', 'relocate-backup', ...extra]);
    assert.equal(run.status, 1);
    const err = lines(run.stderr);
    assert.match(err[0]!, new RegExp(`^diskx: ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: fix relocate-backup does not apply: \\S.*$`));
    assert.equal(err.length, extra.length === 0 ? 1 : 2);
    assert.match(run.stdout, /^fix relocate-backup: does not apply$/m);
    assert.doesNotMatch(run.stdout, /patch 1 of/);
  }
  // A healthy disk: restore-esxi-slots has nothing to restore.
  const healthy = seedImage(dir, 'healthy.img', false);
  const run = await diskx(['fix', healthy, '--fix', 'restore-esxi-slots']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^diskx: .*healthy\.img: fix restore-esxi-slots does not apply: every entry already sits in the slot/);
  assert.deepEqual(snapshot(image), before);
  assert.equal(fs.existsSync(journalOf(image)), false);
});

test('usage errors exit 2 and print the usage: unknown fix id, no --fix, --fix without a value, unknown option', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const cases: [string[], RegExp][] = [
    [['fix', image, '--fix', 'restore-slots'], /^diskx: unknown fix id "restore-slots" \(see diskx codes for the fix ids\)$/],
    [['fix', image], /^diskx: fix needs at least one --fix ID/],
    [['fix', image, '--fix'], /^diskx: --fix needs a value$/],
    [['fix', image, '--fix', 'recompute-crcs', '--force'], /^diskx: unknown option --force$/],
    [['undo', image, '--write'], /^diskx: unknown option --write$/],
    [['fix', image, '--fix', 'recompute-crcs', '--fix', 'recompute-crcs'], /^diskx: --fix recompute-crcs given twice$/],
    [['fix', image, '--fix', 'copy-slots-from-reference'], /^diskx: --fix copy-slots-from-reference needs --reference B/],
    [['fix', image, '--fix', 'recompute-crcs', '--sector-size', '1024'], /^diskx: --sector-size must be 512 or 4096, not 1024$/],
  ];
  for (const [args, first] of cases) {
    const run = await diskx(args);
    assert.equal(run.status, 2, args.join(' '));
    assert.match(lines(run.stderr)[0]!, first);
    assert.match(run.stderr, /^Usage: diskx <command> IMAGE \[options\]$/m);
    assert.equal(run.stdout, '');
  }
  assert.equal(fs.existsSync(journalOf(image)), false);
});

test('fix --json: a stable document for the dry run and for --write', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const original = { head: readAt(image, 0, MiB), tail: readAt(image, fs.statSync(image).size - MiB, MiB) };
  const dry = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--json']);
  assert.equal(dry.status, 0, dry.stderr);
  const doc = JSON.parse(dry.stdout) as FixJson;
  assert.deepEqual(Object.keys(doc), [
    'image',
    'sectorSize',
    'dryRun',
    'plan',
    'notApplicable',
    'sectors',
    'written',
    'journal',
    'remainingFindings',
    'addressed',
    'unresolved',
  ]);
  assert.equal(doc.image, image);
  assert.equal(doc.sectorSize, 512);
  assert.equal(doc.dryRun, true);
  assert.equal(doc.written, null);
  assert.equal(doc.journal, journalOf(image));
  assert.deepEqual(doc.notApplicable, []);
  assert.deepEqual(doc.sectors, [1, 2, 3, N - 33, N - 32, N - 1]);
  assert.deepEqual(doc.addressed, ['esxi-slot-compacted']);
  assert.deepEqual(doc.unresolved, []);
  assert.deepEqual(
    doc.remainingFindings.map((f) => f.code),
    ['esxi-layout', 'slot-gap'],
  );
  assert.equal(doc.plan.length, 1);
  const [plan] = doc.plan;
  assert.equal(plan!.id, 'restore-esxi-slots');
  assert.equal(plan!.title, 'Restore ESXi partition slots');
  assert.match(plan!.description, /^Moves 4 entries back/);
  assert.equal(plan!.patches.length, 8);
  for (const p of plan!.patches) {
    assert.deepEqual(Object.keys(p), ['offset', 'length', 'lba', 'fields', 'before', 'after']);
    assert.equal(typeof p.offset, 'number');
    assert.equal(p.lba, Math.floor(p.offset / 512));
    assert.equal(p.before.length, 2 * p.length);
    assert.equal(p.after.length, 2 * p.length);
    assert.match(p.before, /^[0-9a-f]*$/);
    assert.notEqual(p.before, p.after);
    assert.ok(p.fields.length > 0 && p.fields.every((f) => /^(primary|backup)(Header|Array)\./.test(f)), p.fields.join());
    // `before` is what is on disk now.
    const source = p.offset < MiB ? original.head.subarray(p.offset) : original.tail.subarray(p.offset - (fs.statSync(image).size - MiB));
    assert.equal(Buffer.from(source.subarray(0, p.length)).toString('hex'), p.before);
  }
  assert.deepEqual(plan!.patches.find((p) => p.offset === 0x210)?.fields, ['primaryHeader.headerCrc32']);

  const write = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--json', '--write']);
  assert.equal(write.status, 0, write.stderr);
  const done = JSON.parse(write.stdout) as FixJson;
  assert.equal(done.dryRun, false);
  assert.deepEqual(done.written, { sectors: [N - 33, N - 32, N - 1, 1, 2, 3], sectorsWritten: 6, bytesWritten: 414, entryId: 1 });
  assert.deepEqual(
    done.remainingFindings.filter((f) => f.severity !== 'info'),
    [],
  );
  assert.deepEqual(done.unresolved, []);
  // Every patch's `after` is now on disk.
  for (const p of done.plan[0]!.patches) assert.equal(readAt(image, p.offset, p.length).toString('hex'), p.after);

  // Not applicable: still a JSON document on stdout, the reason on stderr, exit 1.
  const refused = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--json']);
  assert.equal(refused.status, 1);
  const r = JSON.parse(refused.stdout) as FixJson;
  assert.deepEqual(r.plan, []);
  assert.equal(r.notApplicable[0]?.id, 'restore-esxi-slots');
  assert.match(refused.stderr, /does not apply/);
});

test('a read-only image is refused without --allow-device (exit 2, one line, untouched) and written with it', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  fs.chmodSync(image, 0o444);
  const before = snapshot(image);
  const run = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(run.status, 2);
  assert.deepEqual(lines(run.stderr), [`diskx: ${image}: ${image} is read-only; refusing to write without --allow-device (nothing was written)`]);
  assert.deepEqual(snapshot(image), before);
  assert.equal(fs.existsSync(journalOf(image)), false);
  // A dry run of a read-only image is fine: it reads only.
  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots'])).status, 0);

  const allowed = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write', '--allow-device']);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.equal((await diskx(['check', image])).status, 0);
});

test('errors are one line on stderr with exit 2; a stack trace only with DISKX_DEBUG=1', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'missing.img');
  const run = await diskx(['fix', '--fix', 'recompute-crcs', missing]);
  assert.equal(run.status, 2);
  assert.deepEqual(lines(run.stderr), [`diskx: ${missing}: no such file or directory`], 'the IMAGE named, not the --fix value');
  const undo = await diskx(['undo', missing]);
  assert.equal(undo.status, 2);
  assert.deepEqual(lines(undo.stderr), [`diskx: ${missing}: no such file or directory`]);
  const debug = await diskx(['fix', missing, '--fix', 'recompute-crcs'], { DISKX_DEBUG: '1' });
  assert.equal(debug.status, 2);
  assert.match(debug.stderr, /\n\s+at /, 'a stack with DISKX_DEBUG=1');
  // Not a disk image at all.
  const text = path.join(dir, 'notes.txt');
  fs.writeFileSync(text, 'hello');
  const bad = await diskx(['fix', text, '--fix', 'recompute-crcs']);
  assert.equal(bad.status, 2);
  assert.equal(lines(bad.stderr).length, 1);
  assert.match(bad.stderr, /^diskx: .*notes\.txt: .*too small/);
});

test('--help and diskx codes explain every fix id with its title', async () => {
  const help = await diskx(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^ {2}fix {5}IMAGE --fix ID \[--fix ID \.\.\.\] \[--write\] \[--json\]/m);
  assert.match(help.stdout, /^ {2}undo {4}IMAGE \[--json\] \[--allow-device\]/m);
  const codes = await diskx(['codes']);
  assert.equal(codes.status, 0);
  for (const id of FIX_IDS) {
    assert.match(help.stdout, new RegExp(`^ {2}${id} +${FIXES[id].title}$`, 'm'));
    assert.match(codes.stdout, new RegExp(`^${id} +${FIXES[id].title}\\. \\S`, 'm'));
  }
  assert.match(codes.stdout, /^esxi-slot-compacted +An ESXi boot disk/m, 'finding codes are still listed');
});

interface FixJson {
  image: string;
  sectorSize: number;
  dryRun: boolean;
  plan: {
    id: string;
    title: string;
    description: string;
    patches: { offset: number; length: number; lba: number; fields: string[]; before: string; after: string }[];
  }[];
  notApplicable: { id: string; reason: string }[];
  sectors: number[];
  written: { sectors: number[]; sectorsWritten: number; bytesWritten: number; entryId: number } | null;
  journal: string;
  remainingFindings: { code: string; severity: string }[];
  addressed: string[];
  unresolved: string[];
}
