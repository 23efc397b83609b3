// `diskx undo` as a user runs it: after `diskx fix --write`, undo puts every
// byte back (SHA-256), refuses when the repaired bytes changed since, says
// "nothing to undo" when there is nothing, and honours --allow-device and
// DISKX_JOURNAL_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { haveOracles, tempDir } from '../builders/images';
import { fdiskList, sfdiskJson, smallGptBytes } from '../builders/oracles';
import { SEED_SECTORS, diskx, fileHash, journalOf, lines, readAt, seedImage, snapshot, writeAt } from './fixTestHelpers';

const N = SEED_SECTORS;
const oracles = haveOracles();
const withoutMtime = ({ size, blocks, hash }: ReturnType<typeof snapshot>) => ({ size, blocks, hash });

/** A 2 MiB GPT disk (partitions in slots 0, 1, 3) whose name bytes in both arrays were edited without updating any CRC. */
function staleCrcImage(dir: string, sectorSize: 512 | 4096, name = `stale-${sectorSize}.img`): string {
  const bytes = smallGptBytes({ sectorSize });
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  renameSlot0(file, sectorSize, 'X');
  return file;
}

/** Overwrites the first UTF-16 character of slot 0's name in both arrays (CRCs left stale). */
function renameSlot0(file: string, sectorSize: number, char: string): void {
  const size = fs.statSync(file).size;
  const arraySectors = 16384 / sectorSize;
  for (const arrayLba of [2, size / sectorSize - 1 - arraySectors]) writeAt(file, arrayLba * sectorSize + 56, Buffer.from(char, 'utf16le'));
}

test('undo restores the seed image byte for byte; check reports the compaction again', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const original = snapshot(image);
  const fixed = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.notEqual(snapshot(image).hash, original.hash);

  const run = await diskx(['undo', image]);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.deepEqual(lines(run.stdout), [
    `Undid repair 1 (restore-esxi-slots) of ${image}: restored 6 sectors (414 bytes), fsynced: LBA ${N - 33}..${N - 32}, ${N - 1}, 1..3`,
    `Undo journal: ${journalOf(image)} (entry 1 marked undone; 0 older repairs can still be undone)`,
    'Check after the undo: 1 error, 0 warnings, 0 info.',
  ]);
  assert.deepEqual(withoutMtime(snapshot(image)), withoutMtime(original), 'size, allocated blocks and SHA-256 of the GPT areas as before');
  const check = await diskx(['check', image]);
  assert.equal(check.status, 1);
  assert.match(check.stdout, /esxi-slot-compacted/);
  const journal = JSON.parse(fs.readFileSync(journalOf(image), 'utf8')) as { entries: { state: string }[] };
  assert.deepEqual(
    journal.entries.map((e) => e.state),
    ['undone'],
  );
  if (oracles)
    assert.deepEqual(
      sfdiskJson(image).partitions.map((p) => p.slot),
      [0, 1, 2, 3, 4, 5, 6],
    );
});

for (const sectorSize of [512, 4096] as const) {
  test(`undo restores a small ${sectorSize}-byte-sector image exactly (whole-file SHA-256) after recompute-crcs --write`, async () => {
    const dir = tempDir();
    const image = staleCrcImage(dir, sectorSize);
    const h0 = fileHash(image);
    const before = await diskx(['check', image]);
    assert.equal(before.status, 1);
    assert.match(before.stdout, new RegExp(`\\(${sectorSize}-byte sectors\\)`));
    assert.match(before.stdout, /gpt-primary-array-crc/);
    assert.match(before.stdout, /gpt-backup-array-crc/);

    const fixed = await diskx(['fix', image, '--fix', 'recompute-crcs', '--write']);
    assert.equal(fixed.status, 0, fixed.stderr);
    // Only the two header sectors change: the arrays' bytes are trusted as they are.
    const lastLba = fs.statSync(image).size / sectorSize - 1;
    assert.match(fixed.stdout, new RegExp(`^Wrote 2 sectors \\(16 bytes\\) of .*: LBA ${lastLba}, 1$`, 'm'));
    assert.equal((await diskx(['check', image])).status, 0);
    if (oracles) {
      const listed = fdiskList(image, sectorSize);
      assert.equal(listed.label, 'gpt');
      assert.deepEqual(
        listed.partitions.map((p) => p.number),
        [1, 2, 4],
      );
    }

    const undo = await diskx(['undo', image]);
    assert.equal(undo.status, 0, undo.stderr);
    assert.match(undo.stdout, new RegExp(`restored 2 sectors \\(16 bytes\\), fsynced: LBA ${lastLba}, 1$`, 'm'));
    assert.equal(fileHash(image), h0, 'every byte as before the repair');
  });
}

test('two repairs are undone newest first, each back to the bytes before it', async () => {
  const dir = tempDir();
  const image = staleCrcImage(dir, 512);
  const h0 = fileHash(image);
  assert.equal((await diskx(['fix', image, '--fix', 'recompute-crcs', '--write'])).status, 0);
  const h1 = fileHash(image);
  renameSlot0(image, 512, 'Y');
  const h2 = fileHash(image);
  assert.equal((await diskx(['fix', image, '--fix', 'recompute-crcs', '--write'])).status, 0);

  const first = await diskx(['undo', image]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^Undid repair 2 \(recompute-crcs\)/m);
  assert.match(first.stdout, /1 older repair can still be undone/);
  assert.equal(fileHash(image), h2);
  // The edit between the repairs is not the journal's business: put it back by hand, then undo repair 1.
  renameSlot0(image, 512, 'X');
  assert.equal(fileHash(image), h1);
  const second = await diskx(['undo', image]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /^Undid repair 1 \(recompute-crcs\)/m);
  assert.equal(fileHash(image), h0);
  assert.equal((await diskx(['undo', image])).status, 1);
});

test('undo refuses when the repaired bytes changed since: exit 1, one line, nothing written', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'])).status, 0);
  // Someone renames the locker (slot 7, primary array LBA 3) after the repair.
  const at = 0x780 + 56;
  const old = readAt(image, at, 2);
  writeAt(image, at, Buffer.from('L', 'utf16le'));
  const edited = snapshot(image);
  const journalBefore = fs.readFileSync(journalOf(image), 'utf8');

  const run = await diskx(['undo', image]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  const err = lines(run.stderr);
  assert.equal(err.length, 1, run.stderr);
  assert.ok(err[0]!.startsWith(`diskx: ${image}: cannot undo: the bytes the repair wrote have changed `), err[0]);
  assert.ok(err[0]!.includes(`byte 0x${at.toString(16).toUpperCase()}`), err[0]);
  assert.ok(err[0]!.endsWith(`nothing was written (journal ${journalOf(image)})`), err[0]);
  assert.deepEqual(snapshot(image), edited, 'not a byte written (mtime too)');
  assert.equal(fs.readFileSync(journalOf(image), 'utf8'), journalBefore, 'the journal entry stays applied');

  // With the byte back, the undo goes through.
  writeAt(image, at, old);
  assert.equal((await diskx(['undo', image])).status, 0);
  assert.equal((await diskx(['check', image])).status, 1);
});

test('nothing to undo: exit 1 with one clear line, before any repair and after the last undo', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const before = snapshot(image);
  const run = await diskx(['undo', image]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.deepEqual(lines(run.stderr), [`diskx: ${image}: nothing to undo (no applied repair in ${journalOf(image)})`]);
  assert.deepEqual(snapshot(image), before);
  assert.equal(fs.existsSync(journalOf(image)), false, 'undo creates no journal');

  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'])).status, 0);
  assert.equal((await diskx(['undo', image])).status, 0);
  const again = await diskx(['undo', image, '--json']);
  assert.equal(again.status, 1);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, /^diskx: .*: nothing to undo \(no applied repair in .*\)\n$/);
});

test('undo of a read-only image is refused without --allow-device and done with it', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const original = snapshot(image);
  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'])).status, 0);
  fs.chmodSync(image, 0o444);
  const repaired = snapshot(image);
  const run = await diskx(['undo', image]);
  assert.equal(run.status, 2);
  assert.deepEqual(lines(run.stderr), [`diskx: ${image}: ${image} is read-only; refusing to write without --allow-device (nothing was written)`]);
  assert.deepEqual(snapshot(image), repaired);
  const allowed = await diskx(['undo', image, '--allow-device']);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.deepEqual(withoutMtime(snapshot(image)), withoutMtime(original));
});

test('undo --json: a stable document', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'])).status, 0);
  const run = await diskx(['undo', image, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['image', 'journal', 'entryId', 'fixes', 'previousState', 'restored', 'remaining', 'remainingFindings']);
  assert.equal(doc.image, image);
  assert.equal(doc.journal, journalOf(image));
  assert.equal(doc.entryId, 1);
  assert.deepEqual(doc.fixes, ['restore-esxi-slots']);
  assert.equal(doc.previousState, 'applied');
  assert.deepEqual(doc.restored, { sectors: [N - 33, N - 32, N - 1, 1, 2, 3], sectorsWritten: 6, bytesWritten: 414 });
  assert.equal(doc.remaining, 0);
  assert.deepEqual(
    (doc.remainingFindings as { code: string }[]).map((f) => f.code),
    ['esxi-slot-compacted'],
  );
});

test('DISKX_JOURNAL_DIR keeps the journal in that folder; undo finds it there', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const journals = path.join(dir, 'journals');
  const original = snapshot(image);
  const fixed = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'], { DISKX_JOURNAL_DIR: journals });
  assert.equal(fixed.status, 0, fixed.stderr);
  const files = fs.readdirSync(journals);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /seed\.img-[0-9a-f]{16}\.diskx-journal$/);
  assert.match(fixed.stdout, new RegExp(`^Undo journal: ${path.join(journals, files[0]!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(entry 1\\)$`, 'm'));
  assert.equal(fs.existsSync(journalOf(image)), false, 'nothing next to the image');
  // Without the variable the journal is not found.
  assert.equal((await diskx(['undo', image])).status, 1);
  const undo = await diskx(['undo', image], { DISKX_JOURNAL_DIR: journals });
  assert.equal(undo.status, 0, undo.stderr);
  assert.deepEqual(withoutMtime(snapshot(image)), withoutMtime(original));
});

test('an interrupted repair (journal "pending"): fix warns and refuses to write, undo restores the old bytes', async () => {
  const dir = tempDir();
  const image = seedImage(dir);
  const original = snapshot(image);
  assert.equal((await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write'])).status, 0);
  // As if the process died after the writes, before the journal said "applied".
  const journal = JSON.parse(fs.readFileSync(journalOf(image), 'utf8')) as { entries: { state: string }[] };
  journal.entries[0]!.state = 'pending';
  fs.writeFileSync(journalOf(image), JSON.stringify(journal));

  const dry = await diskx(['fix', image, '--fix', 'recompute-crcs']);
  assert.match(dry.stderr, new RegExp(`^diskx: .*seed\\.img: warning: an earlier repair \\(restore-esxi-slots\\) was interrupted; run diskx undo first`, 'm'));
  const checkBefore = await diskx(['check', image]);
  assert.equal(checkBefore.status, 0, 'the writes themselves were complete');
  assert.match(checkBefore.stderr, /^diskx: .*seed\.img: warning: an earlier repair \(restore-esxi-slots\) was interrupted; run diskx undo first/);
  const write = await diskx(['fix', image, '--fix', 'restore-esxi-slots', '--write']);
  assert.equal(write.status, 1, 'nothing to restore on the written image');
  const again = await diskx(['fix', image, '--fix', 'recompute-crcs', '--write']);
  assert.equal(again.status, 1);

  const undo = await diskx(['undo', image]);
  assert.equal(undo.status, 0, undo.stderr);
  assert.match(undo.stdout, /^Undid repair 1 \(restore-esxi-slots\) of .* \(it had been interrupted: pending\): restored 6 sectors/m);
  assert.deepEqual(withoutMtime(snapshot(image)), withoutMtime(original));
  assert.equal((await diskx(['check', image])).stderr, '', 'no warning once undone');
});
