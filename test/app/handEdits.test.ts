// Hand edits through the editor's session, as the webview sends them: typed
// bytes, fields set by value, reverts, the dependent values, the edited marks,
// the checks on hostile messages, Restricted Mode, hot exit, and the search.
// Saved images are judged by sgdisk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DiskImageSession } from '../../src/app/diskImageSession';
import type { SessionEffect } from '../../src/app/diskImageSession';
import { haveOracles, tempDir } from '../builders/images';
import { dataAndEspImage, readAt, sgdiskVerify } from '../builders/oracles';
import { fileHash } from '../cli/fixTestHelpers';

const settings = { bytesPerRow: 16 as const };
const oracles = haveOracles();

function edited(effect: SessionEffect): void {
  assert.equal(effect.kind, 'edit', JSON.stringify(effect.kind === 'reply' ? effect.message : effect.kind));
}

const codes = (session: DiskImageSession): string[] =>
  session.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => f.code)
    .sort();

test('typing one byte outside the tables is one edit; save writes that byte only; undo after save restores', { skip: !oracles && 'needs gdisk' }, async () => {
  const file = await dataAndEspImage(tempDir());
  const before = readAt(file, 0, 64 * 1024 * 1024);
  const session = await DiskImageSession.open(file);
  try {
    const effect = await session.handle({ type: 'editBytes', offset: 0x100000, hex: 'ab', dependents: true, action: 'type' }, settings);
    edited(effect);
    assert.equal(session.edits.dirty, true);
    assert.deepEqual(session.editState().edited, [{ offset: 0x100000, length: 1 }]);
    assert.equal(session.edits.current.at(-1)!.plan.title, 'Type 1 byte at 0x100000');
    await session.save();
    const after = readAt(file, 0, 64 * 1024 * 1024);
    const diff: number[] = [];
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) diff.push(i);
    assert.deepEqual(diff, [0x100000]);
    assert.equal(after[0x100000], 0xab);
    assert.deepEqual(session.editState().edited, [], 'nothing marked once saved');
    if (effect.kind === 'edit') assert.ok(await session.undo(effect.edit));
    await session.save();
    assert.ok(readAt(file, 0, 64 * 1024 * 1024).equals(before), 'undo and save restore every byte');
  } finally {
    await session.close();
  }
});

test('renaming a partition from the tree: both copies, CRCs resealed; sgdisk shows the name and -v is clean', { skip: !oracles && 'needs gdisk' }, async () => {
  const file = await dataAndEspImage(tempDir());
  const session = await DiskImageSession.open(file);
  try {
    const slot = session.view.tree.find((n) => n.id === 'primary-array')!.children!.find((n) => n.id === 'slot-0')!;
    const nameNode = slot.children!.find((n) => n.edit?.path.endsWith('.name'))!;
    assert.deepEqual(nameNode.edit, {
      path: 'primaryArray.entries.0.name',
      kind: { kind: 'utf16', codeUnits: 36 },
      value: 'data',
      typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    });
    edited(await session.handle({ type: 'setField', path: nameNode.edit!.path, value: 'bootbank', dependents: true }, settings));
    assert.deepEqual(codes(session), []);
    assert.equal(session.model!.backup!.array!.slots[0]!.name, 'bootbank', 'mirrored');
    await session.save();
    assert.match(execFileSync('sgdisk', ['-i', '1', file], { encoding: 'utf8' }), /Partition name: 'bootbank'/);
    assert.equal(sgdiskVerify(file).problems, 0);
  } finally {
    await session.close();
  }
});

test(
  'dependents off: a byte typed into an entry stands alone and the stale CRCs are reported; revert puts the saved bytes back',
  { skip: !oracles && 'needs gdisk' },
  async () => {
    const file = await dataAndEspImage(tempDir());
    const hash = fileHash(file);
    const session = await DiskImageSession.open(file);
    try {
      edited(await session.handle({ type: 'editBytes', offset: 1024 + 56, hex: '51', dependents: false, action: 'type' }, settings));
      assert.deepEqual(codes(session), ['gpt-primary-array-crc'], 'exactly the stale CRC');
      assert.ok(session.findings.find((f) => f.code === 'gpt-primary-array-crc')!.fixes.includes('recompute-crcs'));
      edited(await session.handle({ type: 'revertBytes', offset: 1024, length: 128, dependents: false }, settings));
      assert.deepEqual(codes(session), []);
      assert.deepEqual(session.editState().edited, []);
      // With dependents on, the same byte comes with its mirror and four CRCs.
      edited(await session.handle({ type: 'editBytes', offset: 1024 + 56, hex: '51', dependents: true, action: 'type' }, settings));
      assert.deepEqual(codes(session), []);
      assert.equal(session.model!.partitions[0]!.name, 'Qata');
      assert.equal(session.editState().edited.length, 6, 'the byte, its mirror and four CRCs are marked');
      await session.revert();
      assert.equal(fileHash(file), hash);
    } finally {
      await session.close();
    }
  },
);

test(
  'hostile edit messages are refused with an error reply; Restricted Mode refuses edits; a bad value names the field',
  { skip: !oracles && 'needs gdisk' },
  async () => {
    const file = await dataAndEspImage(tempDir());
    const session = await DiskImageSession.open(file);
    try {
      const size = session.source.size;
      for (const raw of [
        { type: 'editBytes', offset: size, hex: '00', dependents: true, action: 'type' },
        { type: 'editBytes', offset: size - 1, hex: '0000', dependents: true, action: 'type' },
        { type: 'editBytes', offset: 0, hex: 'zz', dependents: true, action: 'type' },
        { type: 'editBytes', offset: 0, hex: '0', dependents: true, action: 'type' },
        { type: 'editBytes', offset: 0, hex: '00'.repeat(1024 * 1024 + 1), dependents: true, action: 'type' },
        { type: 'editBytes', offset: 0, hex: '00', dependents: 'yes', action: 'type' },
        { type: 'editBytes', offset: -1, hex: '00', dependents: true, action: 'insert' },
        { type: 'revertBytes', offset: 0, length: 0, dependents: true },
        { type: 'setField', path: '', value: 'x', dependents: true },
        { type: 'setField', path: 'x'.repeat(500), value: 'x', dependents: true },
        { type: 'find', requestId: 1, pattern: '', mode: 'hex', from: 0, direction: 'forward' },
        { type: 'find', requestId: 1, pattern: '45', mode: 'regex', from: 0, direction: 'forward' },
        { type: 'find', requestId: 1, pattern: '45', mode: 'hex', from: size + 1, direction: 'forward' },
      ]) {
        const effect = await session.handle(raw, settings);
        assert.ok(
          effect.kind === 'reply' && effect.message.type === 'error' && /^rejected message/.test(effect.message.message),
          JSON.stringify(raw).slice(0, 80),
        );
      }
      const bad = await session.handle({ type: 'setField', path: 'primaryArray.entries.0.name', value: 'n'.repeat(37), dependents: true }, settings);
      assert.ok(bad.kind === 'reply' && bad.message.type === 'error');
      if (bad.kind === 'reply' && bad.message.type === 'error')
        assert.match(bad.message.message, /^primaryArray\.entries\.0\.name: not changed: .*37 UTF-16 code units long; the field holds 36/);
      session.editBlocked = 'Restricted Mode: trust the workspace to repair images';
      const blocked = await session.handle({ type: 'editBytes', offset: 0, hex: '00', dependents: true, action: 'type' }, settings);
      assert.ok(blocked.kind === 'reply' && blocked.message.type === 'error' && /Restricted Mode/.test(blocked.message.message));
      assert.equal(session.edits.dirty, false);
    } finally {
      await session.close();
    }
  },
);

test('hot exit: the backup of hand edits restores them in a new session', { skip: !oracles && 'needs gdisk' }, async () => {
  const file = await dataAndEspImage(tempDir());
  const first = await DiskImageSession.open(file);
  edited(await first.handle({ type: 'setField', path: 'partition:2.name', value: 'EFI', dependents: true }, settings));
  const backup = first.backupText();
  await first.close();
  const second = await DiskImageSession.open(file);
  try {
    assert.deepEqual(await second.restoreBackup(backup), { restored: 1 });
    assert.equal(second.model!.partitions[1]!.name, 'EFI');
    assert.deepEqual(codes(second), []);
  } finally {
    await second.close();
  }
});

test('find: EFI PART in both header copies, unsaved edits included; a bad pattern is an error reply', { skip: !oracles && 'needs gdisk' }, async () => {
  const file = await dataAndEspImage(tempDir());
  const session = await DiskImageSession.open(file);
  try {
    edited(
      await session.handle({ type: 'editBytes', offset: 0x200000, hex: Buffer.from('EFI PART').toString('hex'), dependents: true, action: 'paste' }, settings),
    );
    const effect = await session.handle({ type: 'find', requestId: 7, pattern: 'EFI PART', mode: 'text', from: 0, direction: 'forward' }, settings);
    assert.equal(effect.kind, 'find');
    if (effect.kind !== 'find') return;
    const progress: number[] = [];
    const result = await effect.run(new AbortController().signal, (done) => progress.push(done));
    assert.ok(result.type === 'findResult');
    if (result.type === 'findResult')
      assert.deepEqual(result.matches, [
        { offset: 512, length: 8 },
        { offset: 0x200000, length: 8 },
        { offset: 64 * 1024 * 1024 - 512, length: 8 },
      ]);
    const wrong = await session.handle({ type: 'find', requestId: 8, pattern: 'zz', mode: 'hex', from: 0, direction: 'forward' }, settings);
    if (wrong.kind !== 'find') throw new Error('expected a find effect');
    const reply = await wrong.run(new AbortController().signal, () => undefined);
    assert.ok(reply.type === 'error' && reply.requestId === 8 && /not a hex pattern/.test(reply.message));
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const cancelled = await effect.run(controller.signal, () => undefined);
    assert.ok(cancelled.type === 'error' && /cancelled/.test(cancelled.message));
  } finally {
    await session.close();
  }
});
