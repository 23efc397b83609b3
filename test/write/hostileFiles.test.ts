// The files around an image are hostile too: symlinks planted at our temporary
// and probe names, journals that are FIFOs, devices or huge, journals someone
// else could have written, and forged entries that would write partition data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  applyPlans,
  undoLast,
  readJournal,
  copyImage,
  JournalCorruptError,
  JournalUntrustedError,
  JournalForeignError,
  PartitionWriteError,
} from '../../src/core/write/index';
import type { FixPlan } from '../../src/core/patch';
import { MemorySource } from '../../src/core/io/memorySource';
import { MAX_JOURNAL_BYTES } from '../../src/core/limits';
import { tempDir, testGuid } from '../builders/images';
import { runCli } from '../builders/cli';
import { MiB, dataPart, fileHash, imageAndPlan, readAt, slotMoveSetup, writeAt } from './helpers';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// ---- item 3: temporary and probe files ----

test("symlinks planted at the old predictable temp and probe names are never followed; a killed writer's leftovers are removed", async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious\n');
  const journal = image + '.diskx-journal';
  for (const suffix of [`.tmp-${process.pid}`, `.probe-${process.pid}`]) fs.symlinkSync(victim, journal + suffix);
  // Leftovers of a dead writer (pid 2^30 does not exist): a file and a symlink to the victim.
  fs.writeFileSync(`${journal}.tmp-1073741824-0123456789abcdef`, 'half a journal');
  fs.symlinkSync(victim, `${journal}.probe-1073741824`);
  await applyPlans(image, [plan], { sectorSize: 512 });
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n', 'the file behind the planted symlinks is untouched');
  assert.equal((await readJournal(journal))?.entries.length, 1);
  const left = fs.readdirSync(dir).filter((n) => n.includes('.tmp-') || n.includes('.probe-'));
  // Our own pid's names (a live process: us) stay; the dead writer's are gone.
  assert.deepEqual(left.sort(), [`img.img.diskx-journal.probe-${process.pid}`, `img.img.diskx-journal.tmp-${process.pid}`]);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
});

test('Save As never follows a symlink planted at the old temporary name, and leaves no temporary file', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious\n');
  for (const strategy of ['auto', 'stream'] as const) {
    const destination = path.join(dir, `copy-${strategy}.img`);
    fs.symlinkSync(victim, `${destination}.diskx-partial`);
    const bytes = fs.readFileSync(image);
    await copyImage({ path: image, isPlainFile: true, source: new MemorySource(new Uint8Array(bytes), image), patches: [], destination, strategy });
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n', strategy);
    assert.equal(fileHash(destination), fileHash(image), strategy);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('diskx-partial') && !n.endsWith('.diskx-partial')),
      [],
      'no private temporary folder left',
    );
  }
});

// ---- item 4: reading a journal is bounded ----

test('a journal that is a FIFO, a symlink to a device, a folder or over the size limit is refused at once, without reading it', async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  const journal = image + '.diskx-journal';
  const cases: [string, () => void, RegExp][] = [
    ['FIFO', () => execFileSync('mkfifo', [journal]), /it is a FIFO, not a regular file/],
    ['symlink to /dev/zero', () => fs.symlinkSync('/dev/zero', journal), /it is a symbolic link, not a regular file/],
    ['folder', () => fs.mkdirSync(journal), /it is a folder, not a regular file/],
    [
      'huge sparse file',
      () => {
        fs.closeSync(fs.openSync(journal, 'w'));
        fs.truncateSync(journal, MAX_JOURNAL_BYTES + 1);
      },
      new RegExp(`it is ${MAX_JOURNAL_BYTES + 1} bytes, more than the ${MAX_JOURNAL_BYTES}`),
    ],
  ];
  const original = fileHash(image);
  const clean = (await runCli(['check', image])).status;
  for (const [what, make, message] of cases) {
    fs.rmSync(journal, { recursive: true, force: true });
    make();
    await assert.rejects(readJournal(journal), (e: unknown) => e instanceof JournalCorruptError && message.test(e.message), what);
    await assert.rejects(applyPlans(image, [plan], { sectorSize: 512 }), JournalCorruptError, what);
    await assert.rejects(undoLast(image), JournalCorruptError, what);
    const check = await runCli(['check', image]);
    assert.equal(check.status, clean, what); // the image's own verdict, plus one warning line about the journal
    assert.match(check.stderr, message, what);
    assert.equal(fileHash(image), original, what);
  }
});

// ---- item 5: a forged journal must not write ----

test('a journal writable by group or others, or owned by someone else, is refused for undo and for new writes', async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  const result = await applyPlans(image, [plan], { sectorSize: 512 });
  const after = fileHash(image);
  for (const mode of [0o666, 0o664, 0o646]) {
    fs.chmodSync(result.journalPath, mode);
    await assert.rejects(undoLast(image), (e: unknown) => e instanceof JournalUntrustedError && /writable by (its group|others)/.test(e.message));
    await assert.rejects(applyPlans(image, [plan], { sectorSize: 512 }), JournalUntrustedError);
  }
  const cli = await runCli(['undo', image]);
  assert.equal(cli.status, 2);
  assert.match(
    cli.stderr,
    /^diskx: .*: refusing to use the undo journal .*: it is writable by its group and others \(mode 0646\)|^diskx: .*: refusing to use the undo journal .*: it is writable by others \(mode 0646\)/,
  );
  assert.equal(cli.stderr.trim().split('\n').length, 1);
  if (isRoot) {
    fs.chmodSync(result.journalPath, 0o644);
    fs.chownSync(result.journalPath, 4321, 4321);
    await assert.rejects(undoLast(image), /owned by uid 4321, not by you/);
    fs.chownSync(result.journalPath, 0, 0);
  }
  assert.equal(fileHash(image), after);
  fs.chmodSync(result.journalPath, 0o644);
  await undoLast(image);
});

/** Adds a forged "applied" entry that would write `bytes` at `offset` (its `after` is what the image holds there now, so the after-check passes). */
function forge(image: string, offset: number, bytes: number[], extra: Record<string, unknown> = {}): void {
  const journalPath = image + '.diskx-journal';
  const now = readAt(image, offset, bytes.length).toString('hex');
  const journal = fs.existsSync(journalPath)
    ? JSON.parse(fs.readFileSync(journalPath, 'utf8'))
    : { format: 'diskx-undo-journal', version: 1, image, entries: [] };
  journal.entries.push({
    id: journal.entries.length + 1,
    state: 'applied',
    fixes: [{ id: 'recompute-crcs', title: 'forged' }],
    createdAt: '',
    sizeBytes: fs.statSync(image).size,
    sectorSize: 512,
    files: [],
    writes: [{ offset, before: Buffer.from(bytes).toString('hex'), after: now }],
    ...extra,
  });
  fs.writeFileSync(journalPath, JSON.stringify(journal), { mode: 0o600 });
}

test('a forged journal entry that would write into a partition, or outside the MBR/GPT areas, is refused and writes nothing', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const original = fileHash(image);
  // Into the first partition's first sector (LBA 2048).
  forge(image, 2048 * 512, [0xde, 0xad, 0xbe, 0xef]);
  await assert.rejects(undoLast(image), (e: unknown) => e instanceof JournalForeignError && /in partition 1 \(LBAs 2048\.\.10239/.test(e.message));
  const cli = await runCli(['undo', image]);
  assert.equal(cli.status, 2, cli.stderr);
  assert.match(cli.stderr, /^diskx: .*: refusing to undo repair 1 from .*: it would write byte 0x100000, in partition 1 .*; nothing was written\n$/);
  assert.equal(fileHash(image), original);
  // Free space between the GPT and the first partition is a table area on no disk: LBA 1000.
  fs.rmSync(image + '.diskx-journal');
  forge(image, 1000 * 512, [1, 2, 3]);
  await assert.rejects(undoLast(image), (e: unknown) => e instanceof JournalForeignError && /outside the MBR and GPT areas/.test(e.message));
  assert.equal(fileHash(image), original);
});

test('a journal entry belongs to its disk: a copy of the image may use it, another disk may not', async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  await applyPlans(image, [plan], { sectorSize: 512 });
  // A copy (same disk GUID and size) with its journal: undo works there.
  const copy = path.join(dir, 'copy.img');
  fs.copyFileSync(image, copy);
  fs.copyFileSync(image + '.diskx-journal', copy + '.diskx-journal');
  // Another disk (same layout and size, another DiskGUID) given that journal: refused.
  const other = imageAndPlan(
    path.join(dir, 'other.img'),
    16 * MiB,
    512,
    [dataPart(1, 2048n, 10239n), null, dataPart(2, 10240n, 20479n)],
    [dataPart(1, 2048n, 10239n), null, dataPart(2, 10240n, 20479n)],
    'restore-esxi-slots',
    testGuid(0x07e4),
  );
  fs.copyFileSync(image + '.diskx-journal', other.image + '.diskx-journal');
  const before = fileHash(other.image);
  await assert.rejects(
    undoLast(other.image),
    (e: unknown) =>
      e instanceof JournalForeignError && /written for another disk \(gpt:[0-9A-F-]+:16777216.*other\.img is gpt:[0-9A-F-]+:16777216\)/.test(e.message),
  );
  assert.equal(fileHash(other.image), before);
  await undoLast(copy);
  await undoLast(image);
  assert.equal(fileHash(copy), fileHash(image));
});

// ---- item 10 (writer side): no plan writes into a partition ----

test('the writer refuses a plan that reaches into a partition, whatever fix it claims to be', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const original = fileHash(image);
  const offset = 10240 * 512 + 3;
  const plan: FixPlan = {
    id: 'recompute-crcs',
    title: 't',
    description: '',
    patches: [{ offset, before: new Uint8Array(readAt(image, offset, 1)), after: new Uint8Array([0x5a]) }],
  };
  await assert.rejects(
    applyPlans(image, [plan], { sectorSize: 512 }),
    (e: unknown) => e instanceof PartitionWriteError && /byte 0x500003 lies in partition 2 \(LBAs 10240\.\.20479/.test(e.message),
  );
  assert.equal(fileHash(image), original);
  assert.equal(fs.existsSync(image + '.diskx-journal'), false, 'nothing journaled');
  void writeAt;
});

test('a hand edit may write data bytes; its journal entry is undone only when asked (allowDataWrites)', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const original = fileHash(image);
  const offset = 10240 * 512 + 3;
  const plan = {
    id: 'hand-edit' as const,
    title: 'hand edit',
    description: '',
    patches: [{ offset, before: new Uint8Array(readAt(image, offset, 1)), after: new Uint8Array([0x5a]) }],
  };
  await applyPlans(image, [plan], { sectorSize: 512 });
  assert.equal(readAt(image, offset, 1)[0], 0x5a);
  await assert.rejects(
    undoLast(image),
    (e: unknown) => e instanceof JournalForeignError && /in partition 2 .*pass --allow-data-writes to undo it/.test(e.message),
  );
  await undoLast(image, { allowDataWrites: true });
  assert.equal(fileHash(image), original);
});
