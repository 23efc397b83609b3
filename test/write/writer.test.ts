// The generic writer with hand-made plans: only changed sectors, backup first,
// journal before the first byte, exact undo, refusals that leave the image alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  applyPlans,
  undoLast,
  readJournal,
  ImageChangedError,
  WriteRefusedError,
  JournalNotWritableError,
  PendingRepairError,
  NothingToUndoError,
  UndoConflictError,
} from '../../src/core/write/index';
import type { WriteStep } from '../../src/core/write/index';
import { analyzeImage } from '../../src/core/index';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import type { GptEntryFields } from '../../src/core/gptEncode';
import type { FixPlan } from '../../src/core/patch';
import { haveOracles, run, tempDir, testGuid } from '../builders/images';
import { MiB, differingSectors, fileHash, imageAndPlan, readAt, seedImageAndPlan, writeAt } from './helpers';

const part = (n: number, first: bigint, last: bigint): GptEntryFields => ({
  typeGuid: TYPE_MS_BASIC_DATA,
  uniqueGuid: testGuid(n),
  firstLba: first,
  lastLba: last,
  name: `part${n}`,
});
/** A 16 MiB disk whose second partition moves from slot 1 to slot 2: small enough to hash whole. */
function smallImage(dir: string, name = 'small.img', sectorSize = 512) {
  const s = (n: bigint) => n * BigInt(512 / sectorSize || 1);
  const a = part(1, sectorSize === 512 ? 2048n : 256n, sectorSize === 512 ? 10239n : 1279n);
  const b = part(2, sectorSize === 512 ? 10240n : 1280n, sectorSize === 512 ? 20479n : 2559n);
  void s;
  return imageAndPlan(path.join(dir, name), 16 * MiB, sectorSize, [a, b], [a, null, b], 'restore-esxi-slots');
}

test('the seed repair writes exactly the sectors that change (at most 8), backup first, and check is clean after', async () => {
  const dir = tempDir();
  const { image, plan } = seedImageAndPlan(path.join(dir, 'seed.img'));
  const size = fs.statSync(image).size;
  const head = readAt(image, 0, MiB);
  const tail = readAt(image, size - MiB, MiB);
  const steps: WriteStep[] = [];
  const result = await applyPlans(image, [plan], { sectorSize: 512, onStep: (s) => steps.push(s) });

  // Which sectors really differ, compared with what the writer says it wrote.
  const changed = [
    ...differingSectors(head, readAt(image, 0, MiB), 512),
    ...differingSectors(tail, readAt(image, size - MiB, MiB), 512).map((s) => s + (size - MiB) / 512),
  ];
  const written = [
    ...new Set(
      result.writes.flatMap((w) =>
        Array.from({ length: Math.floor((w.offset + w.length - 1) / 512) - Math.floor(w.offset / 512) + 1 }, (_, i) => Math.floor(w.offset / 512) + i),
      ),
    ),
  ];
  assert.deepEqual(
    [...written].sort((a, b) => a - b),
    changed,
    'written sectors = changed sectors',
  );
  assert.equal(result.sectorsWritten, written.length);
  assert.ok(result.sectorsWritten <= 8, `${result.sectorsWritten} sectors`);
  // Only byte runs inside the patches, each starting and ending with a byte that changes.
  assert.equal(
    result.bytesWritten,
    result.writes.reduce((n, w) => n + w.length, 0),
  );
  assert.ok(result.bytesWritten < result.sectorsWritten * 512, `${result.bytesWritten} bytes`);
  const headNow = readAt(image, 0, MiB);
  const tailNow = readAt(image, size - MiB, MiB);
  for (const w of result.writes) {
    const [was, now, at] = w.offset < MiB ? [head, headNow, w.offset] : [tail, tailNow, w.offset - (size - MiB)];
    assert.notEqual(was[at], now[at], `first byte of the run at ${w.offset} changes`);
    assert.notEqual(was[at + w.length - 1], now[at + w.length - 1], `last byte of the run at ${w.offset} changes`);
  }
  assert.equal(fs.statSync(image).size, size, 'replace-only: the size never changes');

  // UEFI 5.3.2: every backup write (second half) precedes every primary write, with an fsync between.
  const kinds = steps.map((s) =>
    s.kind === 'write'
      ? s.offset >= size / 2
        ? 'B'
        : 'P'
      : s.kind === 'fsync'
        ? `fsync-${s.group}`
        : s.kind === 'lock'
          ? 'lock'
          : s.kind === 'journal'
            ? `journal-${s.state}`
            : 'metadata',
  );
  assert.match(kinds.join(' '), /^lock journal-pending (B )+fsync-backup (P )+fsync-primary journal-applied$/);

  const { opened, findings } = await analyzeImage(image);
  await opened.source.close();
  assert.deepEqual(
    findings.filter((f) => f.severity !== 'info').map((f) => f.code),
    [],
  );
  if (haveOracles()) assert.match(run('sgdisk', ['-v', image]), /No problems found/);

  const journal = await readJournal(result.journalPath);
  assert.equal(result.journalPath, fs.realpathSync(image) + '.diskx-journal');
  assert.equal(journal?.entries.length, 1);
  assert.equal(journal?.entries[0]?.state, 'applied');
});

test('undo restores every byte of a small image exactly, and a second undo has nothing to do', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const original = fileHash(image);
  const result = await applyPlans(image, [plan], { sectorSize: 512 });
  assert.ok(result.sectorsWritten > 0);
  assert.notEqual(fileHash(image), original);
  const undo = await undoLast(image);
  assert.equal(undo.previousState, 'applied');
  assert.equal(undo.sectorsWritten, result.sectorsWritten);
  assert.equal(fileHash(image), original);
  const journal = await readJournal(result.journalPath);
  assert.deepEqual(
    journal?.entries.map((e) => e.state),
    ['undone'],
  );
  await assert.rejects(undoLast(image), NothingToUndoError);
});

test('the seed repair on a sparse 2 TiB image: touched regions restored by undo, nothing else allocated', async () => {
  const dir = tempDir();
  const { image, plan, regions } = seedImageAndPlan(path.join(dir, 'big.img'), 2 * 1024 * 1024 * MiB);
  const before = fileHash(image, regions);
  const blocks = fs.statSync(image).blocks;
  const result = await applyPlans(image, [plan], { sectorSize: 512 });
  assert.ok(result.sectorsWritten <= 8);
  // A whole-file rewrite would allocate terabytes; only a few pages may be touched.
  assert.ok(fs.statSync(image).blocks <= blocks + 64, `${blocks} -> ${fs.statSync(image).blocks} blocks`);
  await undoLast(image);
  assert.equal(fileHash(image, regions), before);
});

test('several repairs are undone newest first, each restoring its own bytes', async () => {
  const dir = tempDir();
  const a = part(1, 2048n, 10239n);
  const b = part(2, 10240n, 20479n);
  const { image, plan: first } = imageAndPlan(path.join(dir, 'two.img'), 16 * MiB, 512, [a, b], [a, null, b], 'restore-esxi-slots');
  const h0 = fileHash(image);
  await applyPlans(image, [first], { sectorSize: 512 });
  const h1 = fileHash(image);
  // A second repair planned on the result: slot 2 -> slot 3 (hand-made from the encodings).
  const { plan: second } = imageAndPlan(path.join(dir, 'scratch.img'), 16 * MiB, 512, [a, null, b], [a, null, null, b], 'recompute-crcs');
  await applyPlans(image, [second], { sectorSize: 512 });
  const h2 = fileHash(image);
  assert.notEqual(h1, h2);
  const u1 = await undoLast(image);
  assert.deepEqual(u1.fixIds, ['recompute-crcs']);
  assert.equal(u1.remaining, 1);
  assert.equal(fileHash(image), h1);
  const u2 = await undoLast(image);
  assert.deepEqual(u2.fixIds, ['restore-esxi-slots']);
  assert.equal(fileHash(image), h0);
});

test("plans in sequence: the second plan's before is the first plan's after; one journal entry for both", async () => {
  const dir = tempDir();
  const { image } = smallImage(dir);
  const h0 = fileHash(image);
  const old = new Uint8Array(readAt(image, 512 + 200, 4));
  const mid = new Uint8Array([1, 2, 3, 4]);
  const end = new Uint8Array([5, 6, 3, 4]);
  const planA: FixPlan = { id: 'recompute-crcs', title: 'A', description: '', patches: [{ offset: 512 + 200, before: old, after: mid }] };
  const planB: FixPlan = {
    id: 'relocate-backup',
    title: 'B',
    description: '',
    patches: [{ offset: 512 + 200, before: mid.slice(0, 2), after: end.slice(0, 2) }],
  };
  const result = await applyPlans(image, [planA, planB], { sectorSize: 512 });
  assert.deepEqual(result.fixIds, ['recompute-crcs', 'relocate-backup']);
  assert.equal(result.sectorsWritten, 1);
  assert.deepEqual(new Uint8Array(readAt(image, 512 + 200, 4)), end);
  // B's before does not match A's after: refused before anything is written.
  const bad: FixPlan = { ...planB, patches: [{ offset: 512 + 200, before: new Uint8Array([9, 9]), after: new Uint8Array([0, 0]) }] };
  await assert.rejects(applyPlans(image, [planA, bad], { sectorSize: 512 }), ImageChangedError);
  await undoLast(image);
  assert.equal(fileHash(image), h0);
});

test('a byte that changed between plan and write: refused, image untouched, no journal entry', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  // Someone edits a byte of the backup array the plan covers.
  const target = plan.patches[3]!.offset + 200;
  writeAt(image, target, new Uint8Array([0xaa]));
  const edited = fileHash(image);
  await assert.rejects(applyPlans(image, [plan], { sectorSize: 512 }), (error: unknown) => {
    assert.ok(error instanceof ImageChangedError);
    assert.equal(error.offset, target);
    assert.equal(error.found, 0xaa);
    assert.match(error.message, /changed since fix restore-esxi-slots was planned.*nothing was written/);
    return true;
  });
  assert.equal(fileHash(image), edited);
  assert.equal(fs.existsSync(fs.realpathSync(image) + '.diskx-journal'), false);
});

test('read-only files are refused unless allowDevice; then the write goes through', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const original = fileHash(image);
  fs.chmodSync(image, 0o444);
  await assert.rejects(
    applyPlans(image, [plan], { sectorSize: 512 }),
    (error: unknown) => error instanceof WriteRefusedError && error.why === 'read-only-file' && /--allow-device/.test(error.message),
  );
  assert.equal(fileHash(image), original);
  if (process.getuid?.() === 0) {
    // Root can write a 0444 file: the explicit flag is what allows it.
    const result = await applyPlans(image, [plan], { sectorSize: 512, allowDevice: true });
    assert.ok(result.sectorsWritten > 0);
    await assert.rejects(undoLast(image), WriteRefusedError);
    await undoLast(image, { allowDevice: true });
    assert.equal(fileHash(image), original);
  } else {
    await assert.rejects(applyPlans(image, [plan], { sectorSize: 512, allowDevice: true }), /EACCES|permission/);
  }
});

test('an unwritable journal folder is a clear error and nothing is written', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const original = fileHash(image);
  const notAFolder = path.join(dir, 'file');
  fs.writeFileSync(notAFolder, '');
  await assert.rejects(applyPlans(image, [plan], { sectorSize: 512, journalDir: path.join(notAFolder, 'journals') }), (error: unknown) => {
    assert.ok(error instanceof JournalNotWritableError);
    assert.match(error.message, /cannot write the undo journal .* nothing was written\. Set DISKX_JOURNAL_DIR/);
    return true;
  });
  assert.equal(fileHash(image), original);
});

test('a journal folder elsewhere (DISKX_JOURNAL_DIR) holds the journal; undo finds it there', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const original = fileHash(image);
  const journalDir = path.join(dir, 'state', 'journals');
  const result = await applyPlans(image, [plan], { sectorSize: 512, journalDir });
  assert.equal(path.dirname(result.journalPath), journalDir);
  assert.equal(fs.existsSync(fs.realpathSync(image) + '.diskx-journal'), false);
  await assert.rejects(undoLast(image), NothingToUndoError);
  await undoLast(image, { journalDir });
  assert.equal(fileHash(image), original);
});

test('a pending entry blocks further writes until undo', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const original = fileHash(image);
  const result = await applyPlans(image, [plan], { sectorSize: 512 });
  // Simulate a crash after the journal: mark the entry pending again.
  const journal = JSON.parse(fs.readFileSync(result.journalPath, 'utf8'));
  journal.entries[0].state = 'pending';
  fs.writeFileSync(result.journalPath, JSON.stringify(journal));
  await assert.rejects(applyPlans(image, [plan], { sectorSize: 512 }), PendingRepairError);
  const undo = await undoLast(image);
  assert.equal(undo.previousState, 'pending');
  assert.equal(fileHash(image), original);
});

test('undo refuses when a written byte changed since the repair, and writes nothing', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const result = await applyPlans(image, [plan], { sectorSize: 512 });
  const w = result.writes[0]!;
  writeAt(image, w.offset + 7, new Uint8Array([readAt(image, w.offset + 7, 1)[0]! ^ 0xff]));
  const edited = fileHash(image);
  await assert.rejects(undoLast(image), (error: unknown) => error instanceof UndoConflictError && error.offset === w.offset + 7);
  assert.equal(fileHash(image), edited);
  assert.equal((await readJournal(result.journalPath))?.entries[0]?.state, 'applied');
});

test('a corrupt journal is never overwritten', async () => {
  const dir = tempDir();
  const { image, plan } = smallImage(dir);
  const journalPath = fs.realpathSync(image) + '.diskx-journal';
  fs.writeFileSync(journalPath, '{"format": "diskx-undo-journal", "version": 1, "image": "x", "entries": [{"id": 1}]}');
  const original = fileHash(image);
  await assert.rejects(applyPlans(image, [plan], { sectorSize: 512 }), /cannot be read/);
  await assert.rejects(undoLast(image), /cannot be read/);
  assert.equal(fileHash(image), original);
});

test('4Kn: a 1-byte change writes that one byte (in one 4096-byte sector)', async () => {
  const dir = tempDir();
  const { image } = smallImage(dir, '4kn.img', 4096);
  const original = fileHash(image);
  const offset = 4096 * 3 + 10;
  const before = new Uint8Array(readAt(image, offset, 1));
  const result = await applyPlans(
    image,
    [{ id: 'recompute-crcs', title: 't', description: '', patches: [{ offset, before, after: new Uint8Array([before[0]! ^ 1]) }] }],
    { sectorSize: 4096 },
  );
  assert.deepEqual(result.writes, [{ offset, length: 1 }]);
  assert.equal(result.sectorsWritten, 1);
  assert.equal(result.bytesWritten, 1);
  await undoLast(image);
  assert.equal(fileHash(image), original);
});

test('patches that change nothing write nothing and journal nothing', async () => {
  const dir = tempDir();
  const { image } = smallImage(dir);
  const same = new Uint8Array(readAt(image, 512, 92));
  const result = await applyPlans(image, [{ id: 'recompute-crcs', title: 't', description: '', patches: [{ offset: 512, before: same, after: same }] }], {
    sectorSize: 512,
  });
  assert.equal(result.sectorsWritten, 0);
  assert.equal(result.entryId, null);
  assert.equal(fs.existsSync(result.journalPath), false);
});

test('a monolithicFlat VMDK: the flat extent is written, the descriptor is not, undo restores it', async () => {
  const dir = tempDir();
  const { plan } = smallImage(dir, 'disk-flat.vmdk');
  const flat = path.join(dir, 'disk-flat.vmdk');
  const descriptor = path.join(dir, 'disk.vmdk');
  const text = `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW ${(16 * MiB) / 512} FLAT "disk-flat.vmdk" 0\n`;
  fs.writeFileSync(descriptor, text);
  const original = fileHash(flat);
  const result = await applyPlans(descriptor, [plan], { sectorSize: 512 });
  assert.equal(result.kind, 'vmdk');
  assert.equal(result.journalPath, fs.realpathSync(descriptor) + '.diskx-journal');
  assert.equal(fs.readFileSync(descriptor, 'utf8'), text);
  assert.notEqual(fileHash(flat), original);
  const { opened, findings } = await analyzeImage(descriptor);
  await opened.source.close();
  assert.deepEqual(
    findings.filter((f) => f.severity !== 'info'),
    [],
  );
  await undoLast(descriptor);
  assert.equal(fileHash(flat), original);
});

test('a split flat VMDK: a patch across the extent boundary lands in both files at their offsets', async () => {
  const dir = tempDir();
  const s1 = path.join(dir, 'split-s001.vmdk');
  const s2 = path.join(dir, 'split-s002.vmdk');
  // Extent 2 starts 1 sector into its file (offset field of the extent line).
  fs.writeFileSync(s1, Buffer.alloc(8 * 512, 0x11));
  fs.writeFileSync(s2, Buffer.concat([Buffer.alloc(512, 0xee), Buffer.alloc(8 * 512, 0x22)]));
  const descriptor = path.join(dir, 'split.vmdk');
  fs.writeFileSync(
    descriptor,
    `# Disk DescriptorFile\nversion=1\ncreateType="twoGbMaxExtentFlat"\nRW 8 FLAT "split-s001.vmdk" 0\nRW 8 FLAT "split-s002.vmdk" 1\n`,
  );
  const h1 = fileHash(s1);
  const h2 = fileHash(s2);
  const before = new Uint8Array([...Array(4).fill(0x11), ...Array(4).fill(0x22)]);
  const after = new Uint8Array(8).fill(0x33);
  const result = await applyPlans(descriptor, [{ id: 'recompute-crcs', title: 't', description: '', patches: [{ offset: 8 * 512 - 4, before, after }] }], {
    sectorSize: 512,
  });
  assert.equal(result.sectorsWritten, 2);
  assert.deepEqual([...readAt(s1, 8 * 512 - 4, 4)], [0x33, 0x33, 0x33, 0x33]);
  assert.deepEqual([...readAt(s2, 512, 4)], [0x33, 0x33, 0x33, 0x33]);
  assert.deepEqual([...readAt(s2, 508, 4)], [0xee, 0xee, 0xee, 0xee], 'bytes before the extent offset stay');
  await undoLast(descriptor);
  assert.equal(fileHash(s1), h1);
  assert.equal(fileHash(s2), h2);
});

test('a read-only VMDK extent is refused without allowDevice', async () => {
  const dir = tempDir();
  const flat = path.join(dir, 'ro-flat.vmdk');
  fs.writeFileSync(flat, Buffer.alloc(8 * 512));
  const descriptor = path.join(dir, 'ro.vmdk');
  fs.writeFileSync(descriptor, `# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRDONLY 8 FLAT "ro-flat.vmdk" 0\n`);
  const patch = { offset: 0, before: new Uint8Array(1), after: new Uint8Array([1]) };
  await assert.rejects(
    applyPlans(descriptor, [{ id: 'recompute-crcs', title: 't', description: '', patches: [patch] }], { sectorSize: 512 }),
    (e: unknown) => e instanceof WriteRefusedError && e.why === 'read-only-extent',
  );
  assert.equal(readAt(flat, 0, 1)[0], 0);
});
