// The editor's document model in plain Node (no vscode): the edit stack, undo
// and redo, the saved index, dirty state, the backup JSON round trip, save
// writing only the pending patches through the safe writer (and undo after save
// writing the old bytes back), and refusal when the file changed on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { ImageChangedOnDiskError } from '../../src/app/editableImage';
import { CopyCancelledError as SaveCancelledError } from '../../src/core/write/index';
import { EditStack, editBackup, parseEditBackup, BackupFormatError, verifyPlans, reversePlan } from '../../src/app/editStack';
import type { FixPlan } from '../../src/core/patch';
import { MemorySource } from '../../src/core/io/memorySource';
import { ImageChangedError } from '../../src/core/write/errors';
import { tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { readAt } from '../builders/oracles';

const GiB = 1024 ** 3;
const settings = { bytesPerRow: 16 as const };
const ENTRY_ARRAY = 1024;
const ENTRY_SIZE = 128;

function plan(offset: number, before: number[], after: number[], title = `set ${offset}`): FixPlan {
  return { id: 'recompute-crcs', title, description: title, patches: [{ offset, before: Uint8Array.from(before), after: Uint8Array.from(after) }] };
}

/** The GPT areas of an image: LBA 0..33 and the last 33 LBAs (512-byte sectors). */
function gptAreas(file: string): Buffer {
  const size = fs.statSync(file).size;
  return Buffer.concat([readAt(file, 0, 34 * 512), readAt(file, size - 33 * 512, 33 * 512)]);
}

async function compacted(name = 'c.img'): Promise<{ dir: string; file: string; session: DiskImageSession }> {
  const dir = tempDir('diskx-edits-');
  const file = writeEsxi5Image(path.join(dir, name), { compacted: true, sizeBytes: 8 * GiB });
  const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
  return { dir, file, session };
}

test('EditStack: push, undo, redo, saved index, dirty and the pending plans', () => {
  const stack = new EditStack();
  assert.equal(stack.dirty, false);
  const a = stack.push(plan(0, [0], [1], 'a'));
  const b = stack.push(plan(1, [0], [2], 'b'));
  assert.equal(stack.dirty, true);
  assert.deepEqual(
    stack.pendingPlans().map((p) => p.title),
    ['a', 'b'],
  );
  assert.equal(stack.undo(a), false, 'only the newest edit can be undone');
  assert.equal(stack.undo(b), true);
  assert.deepEqual(
    stack.current.map((e) => e.plan.title),
    ['a'],
  );
  assert.equal(stack.redo(b), true);
  stack.markSaved();
  assert.equal(stack.dirty, false);
  assert.deepEqual(stack.pendingPlans(), []);
  // Undo past the save point: the pending plan is b reversed (writes the old byte back).
  stack.undo(b);
  assert.equal(stack.dirty, true);
  const pending = stack.pendingPlans();
  assert.deepEqual(
    pending.map((p) => p.title),
    ['Undo: b'],
  );
  assert.deepEqual([...pending[0]!.patches[0]!.after], [0]);
  assert.deepEqual([...pending[0]!.patches[0]!.before], [2]);
  // Back at the save point by redo: clean again.
  stack.redo(b);
  assert.equal(stack.dirty, false);
  // Undo both, then a new edit c: reverse b, reverse a, then c.
  stack.undo(b);
  stack.undo(a);
  stack.push(plan(5, [0], [9], 'c'));
  assert.deepEqual(
    stack.pendingPlans().map((p) => p.title),
    ['Undo: b', 'Undo: a', 'c'],
  );
  stack.revert();
  assert.equal(stack.dirty, false);
  assert.deepEqual(
    stack.current.map((e) => e.plan.title),
    ['a', 'b'],
  );
});

test('reversePlan reverses the patches and their order', () => {
  const p: FixPlan = { id: 'recompute-crcs', title: 't', description: 'd', patches: [plan(0, [1], [2]).patches[0]!, plan(0, [2], [3]).patches[0]!] };
  const r = reversePlan(p);
  assert.deepEqual(
    r.patches.map((x) => [x.offset, x.before[0], x.after[0]]),
    [
      [0, 3, 2],
      [0, 2, 1],
    ],
  );
});

test('backup JSON round trip: patches as hex, sizes and ids checked, hostile backups rejected', async () => {
  const plans = [plan(10, [0, 0], [0xab, 0xcd], 'one'), plan(11, [0xcd], [0xef], 'two')];
  const text = JSON.stringify(editBackup('/x.img', 4096, plans));
  assert.ok(text.includes('"abcd"'), 'bytes travel as hex');
  assert.ok(text.length < 1000, 'a backup holds the patches, not the image');
  const back = parseEditBackup(text, 4096);
  assert.deepEqual(
    back.map((p) => ({ ...p, patches: p.patches.map((x) => ({ offset: x.offset, before: [...x.before], after: [...x.after] })) })),
    plans.map((p) => ({ ...p, patches: p.patches.map((x) => ({ offset: x.offset, before: [...x.before], after: [...x.after] })) })),
  );
  assert.throws(() => parseEditBackup(text, 8192), BackupFormatError, 'another size: not this image');
  assert.throws(() => parseEditBackup('{"format":"nope"}', 4096), BackupFormatError);
  assert.throws(() => parseEditBackup('not json', 4096), BackupFormatError);
  const bad = JSON.parse(text);
  bad.edits[0].patches[0].offset = 4095;
  assert.throws(() => parseEditBackup(JSON.stringify(bad), 4096), /outside the image/);
  bad.edits[0].patches[0].offset = 0;
  bad.edits[0].id = 'format-disk';
  assert.throws(() => parseEditBackup(JSON.stringify(bad), 4096), /unknown fix id/);
  // verifyPlans: sequential `before` checks, later patches on top of earlier ones.
  const memory = new MemorySource(new Uint8Array(4096));
  assert.equal(await verifyPlans(memory, plans), null);
  const mismatch = await verifyPlans(memory, [plan(11, [0xcd], [0xef])]);
  assert.deepEqual(mismatch && { offset: mismatch.offset, expected: mismatch.expected, found: mismatch.found }, { offset: 11, expected: 0xcd, found: 0 });
});

test('an edit re-reads the model over the patched view; undo and redo re-check; the file is untouched until save', async () => {
  const { file, session } = await compacted();
  try {
    const original = gptAreas(file);
    assert.ok(session.findings.some((f) => f.code === 'esxi-slot-compacted'));
    const restore = session.view.findings.find((f) => f.code === 'esxi-slot-compacted')!;
    assert.deepEqual(
      restore.actions.map((a) => [a.id, a.label, a.reason]),
      [['restore-esxi-slots', 'Restore ESXi slot gap', null]],
    );

    const preview = session.preview('restore-esxi-slots');
    assert.ok(preview.ok);
    if (preview.ok) {
      assert.ok(preview.patches.length > 0 && preview.patches.every((p) => p.fields.length > 0), 'each patch names its fields');
      assert.ok(
        preview.changed.some((r) => r.offset >= ENTRY_ARRAY + 3 * ENTRY_SIZE && r.offset < ENTRY_ARRAY + 8 * ENTRY_SIZE),
        'slot bytes change',
      );
      assert.ok(preview.bytesChanged > 0 && preview.sectorsTouched > 0);
    }

    const effect = await session.handle({ type: 'applyFix', fixId: 'restore-esxi-slots' }, settings);
    assert.equal(effect.kind, 'edit');
    if (effect.kind !== 'edit') return;
    assert.equal(session.edits.dirty, true);
    assert.ok(!session.findings.some((f) => f.code === 'esxi-slot-compacted'), 'the model is re-checked over the edits');
    assert.deepEqual(
      session.model!.primary!.array!.slots.filter((e) => e.used).map((e) => e.slot),
      [0, 1, 2, 4, 5, 6, 7],
    );
    assert.deepEqual(gptAreas(file), original, 'nothing is written before save');
    const update = await session.updateMessage('n');
    assert.equal(update.edits.dirty, true);
    assert.deepEqual(update.edits.applied, ['Restore ESXi partition slots']);

    assert.equal(await session.undo(effect.edit), true);
    assert.equal(session.edits.dirty, false);
    assert.ok(session.findings.some((f) => f.code === 'esxi-slot-compacted'));
    assert.equal(await session.redo(effect.edit), true);
    assert.ok(!session.findings.some((f) => f.code === 'esxi-slot-compacted'));

    // A fix that no longer applies says why (the webview shows the reason).
    const again = await session.handle({ type: 'applyFix', fixId: 'restore-esxi-slots' }, settings);
    assert.ok(again.kind === 'reply' && again.message.type === 'error', JSON.stringify(again));
    // The webview can only name a fix id: bytes or unknown ids are rejected.
    const forged = await session.handle({ type: 'applyFix', fixId: 'restore-esxi-slots; rm', patches: [] }, settings);
    assert.ok(forged.kind === 'reply' && forged.message.type === 'error');
  } finally {
    await session.close();
  }
});

test('save writes only the pending patches (changed sectors, journaled); undo after save and save again writes the old bytes back', async () => {
  const { dir, file, session } = await compacted();
  try {
    const original = gptAreas(file);
    const applied = await session.applyFix('restore-esxi-slots');
    assert.ok(applied.ok);
    if (!applied.ok) return;
    const result = await session.save();
    assert.ok(result && result.entryId !== null);
    assert.equal(session.edits.dirty, false);
    // Only sectors of the two entry arrays and the two headers, backup half first.
    const size = fs.statSync(file).size;
    for (const w of result!.writes) assert.ok(w.offset < 34 * 512 || w.offset >= size - 33 * 512, `write at ${w.offset}`);
    assert.ok(result!.writes[0]!.offset >= size / 2, 'backup GPT first');
    assert.ok(fs.readdirSync(path.join(dir, 'journals')).length === 1, 'journaled');
    // The file now holds the restored slots: a fresh session agrees.
    const fresh = await DiskImageSession.open(file);
    assert.deepEqual(
      fresh.model!.primary!.array!.slots.filter((e) => e.used).map((e) => e.slot),
      [0, 1, 2, 4, 5, 6, 7],
    );
    await fresh.close();
    assert.notDeepEqual(gptAreas(file), original);

    // Undo after save: dirty, and saving writes the old bytes back through the same writer.
    await session.undo(applied.edit);
    assert.equal(session.edits.dirty, true);
    assert.deepEqual(
      session.edits.pendingPlans().map((p) => p.title),
      ['Undo: Restore ESXi partition slots'],
    );
    const back = await session.save();
    assert.ok(back && back.sectorsWritten === result!.sectorsWritten);
    assert.deepEqual(gptAreas(file), original, 'byte-equal to the compacted original');
    assert.equal(session.edits.dirty, false);
    // Saving with nothing pending writes nothing.
    assert.equal(await session.save(), null);
  } finally {
    await session.close();
  }
});

test("the file changed on disk: save refuses (stat check, and the writer's byte check), nothing is written", async () => {
  const { file, session } = await compacted();
  try {
    assert.ok((await session.applyFix('restore-esxi-slots')).ok);
    assert.equal(await session.changedOnDisk(), null);
    // Someone else rewrites a byte of slot 3 behind our back.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0x42]), 0, 1, ENTRY_ARRAY + 3 * ENTRY_SIZE + 56);
    fs.closeSync(fd);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const before = gptAreas(file);
    assert.match((await session.changedOnDisk()) ?? '', /modified/);
    await assert.rejects(session.save(), ImageChangedOnDiskError);
    assert.deepEqual(gptAreas(file), before, 'nothing written');
    assert.equal(session.edits.dirty, true, 'the edits are kept');

    // Even when the stamp looks unchanged (mtime restored), the writer's before-check refuses.
    const { file: file2, session: s2 } = await compacted('d.img');
    try {
      assert.ok((await s2.applyFix('restore-esxi-slots')).ok);
      const stat = fs.statSync(file2);
      const fd2 = fs.openSync(file2, 'r+');
      fs.writeSync(fd2, Buffer.from([0x42]), 0, 1, ENTRY_ARRAY + 3 * ENTRY_SIZE + 56);
      fs.closeSync(fd2);
      fs.utimesSync(file2, stat.atime, stat.mtime);
      const snapshot = gptAreas(file2);
      // (Some filesystems keep sub-millisecond mtimes utimes cannot restore: then the stat check refuses first.)
      await assert.rejects(s2.save(), (error: unknown) => error instanceof ImageChangedError || error instanceof ImageChangedOnDiskError);
      assert.deepEqual(gptAreas(file2), snapshot);
    } finally {
      await s2.close();
    }

    // Reload drops the edits and shows the file as it is now.
    await session.reload();
    assert.equal(session.edits.dirty, false);
    assert.equal((await session.source.read(ENTRY_ARRAY + 3 * ENTRY_SIZE + 56, 1))[0], 0x42);
  } finally {
    await session.close();
  }
});

test('backup and restore: the edits come back over the file; a changed file is reported, not patched', async () => {
  const { file, session } = await compacted();
  try {
    assert.ok((await session.applyFix('restore-esxi-slots')).ok);
    const text = session.backupText();
    assert.ok(text.length < 200_000, `backup is ${text.length} characters: patches only`);
    const reopened = await DiskImageSession.open(file);
    try {
      const restored = await reopened.restoreBackup(text);
      assert.deepEqual(restored, { restored: 1 });
      assert.equal(reopened.edits.dirty, true);
      assert.ok(!reopened.findings.some((f) => f.code === 'esxi-slot-compacted'));
      // Saving a restored document works like any other.
      assert.ok(await reopened.save());
    } finally {
      await reopened.close();
    }
    // The file now differs from what the backup expected: not restored, the reason given.
    const third = await DiskImageSession.open(file);
    try {
      const restored = await third.restoreBackup(text);
      assert.ok('problem' in restored && /changed on disk/.test(restored.problem), JSON.stringify(restored));
      assert.equal(third.edits.dirty, false);
    } finally {
      await third.close();
    }
  } finally {
    await session.close();
  }
});

test('revert drops unsaved edits; Save As writes a sparse full copy with the edits; cancel leaves nothing', async () => {
  // A small disk: one Linux partition, its header CRC edited by a hand-made plan.
  const dir = tempDir('diskx-saveas-');
  const file = writeGptImage(path.join(dir, 'small.img'), {
    sectorSize: 512,
    totalSectors: 524288n,
    diskGuid: testGuid(1),
    slots: [{ typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', uniqueGuid: testGuid(2), firstLba: 2048n, lastLba: 524254n, name: 'data' }],
  });
  const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
  try {
    const original = gptAreas(file);
    const crc = 512 + 0x10;
    const old = [...(await session.source.read(crc, 4))];
    await session.applyPlan(plan(crc, old, [0, 0, 0, 0], 'zero the header CRC'));
    assert.equal(session.edits.dirty, true);
    assert.ok(
      session.findings.some((f) => f.code === 'gpt-primary-header-crc'),
      'the model is re-checked',
    );
    const copy = path.join(dir, 'copy.img');
    const reports: number[] = [];
    await session.saveAs(copy, { report: (done) => reports.push(done), cancelled: () => false });
    assert.equal(fs.statSync(copy).size, fs.statSync(file).size);
    assert.ok(fs.statSync(copy).blocks * 512 <= 16 * 1024 * 1024, 'holes stay holes (256 MiB image, two 4 MiB chunks hold data)');
    assert.equal(reports[reports.length - 1], fs.statSync(file).size);
    assert.deepEqual([...readAt(copy, crc, 4)], [0, 0, 0, 0], 'the edits are in the copy');
    assert.deepEqual(gptAreas(file), original, 'Save As leaves the original alone');
    // The stream copy (other platforms, devices, VMDK extents, cp missing) gives the same bytes, also sparse.
    const streamed = path.join(dir, 'streamed.img');
    await session.saveAs(streamed, { report: () => undefined, cancelled: () => false }, { strategy: 'stream' });
    assert.ok(fs.readFileSync(streamed).equals(fs.readFileSync(copy)), 'cp + patches and the stream copy agree byte for byte');
    assert.ok(fs.statSync(streamed).blocks * 512 <= 16 * 1024 * 1024);

    const cancelled = path.join(dir, 'cancelled.img');
    await assert.rejects(session.saveAs(cancelled, { report: () => undefined, cancelled: () => true }), SaveCancelledError);
    assert.equal(fs.existsSync(cancelled), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('diskx-partial')),
      [],
      'no temporary copy left',
    );
    // Cancelled part way through a stream copy of a large sparse image: nothing is left behind.
    const big = writeGptImage(path.join(dir, 'big.img'), { sectorSize: 512, totalSectors: 64n * 1024n * 1024n * 2n, diskGuid: testGuid(3), slots: [] });
    const bigSession = await DiskImageSession.open(big);
    try {
      let calls = 0;
      const midway = path.join(dir, 'midway.img');
      await assert.rejects(bigSession.saveAs(midway, { report: () => undefined, cancelled: () => ++calls > 1 }, { strategy: 'stream' }), SaveCancelledError);
      assert.equal(fs.existsSync(midway), false);
      assert.deepEqual(
        fs.readdirSync(dir).filter((n) => n.includes('diskx-partial')),
        [],
        'no temporary copy left',
      );
    } finally {
      await bigSession.close();
    }

    await session.revert();
    assert.equal(session.edits.dirty, false);
    assert.ok(!session.findings.some((f) => f.code === 'gpt-primary-header-crc'));
  } finally {
    await session.close();
  }
});

test('block devices and read-only files: edits allowed, save refused unless allowDevice', async () => {
  const { dir, file } = await compacted();
  fs.chmodSync(file, 0o444);
  if (process.getuid?.() === 0) {
    // root can write any file: the read-only hint comes from access(W_OK), which root passes.
    fs.chmodSync(file, 0o644);
    return;
  }
  const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
  try {
    assert.match(session.saveNeedsConfirmation() ?? '', /read-only/);
    assert.ok((await session.applyFix('restore-esxi-slots')).ok);
    await assert.rejects(session.save(), /read-only/);
  } finally {
    await session.close();
  }
});
