// The writer and the undo both need the disk model of the image as their writes
// will leave it. readDiskAfter answers with the parse they already made when no
// write touches a byte that parse read, and parses again otherwise; each answer
// is checked here against the full parse it stands for, and undo is run through
// both branches (a data byte: one parse; a header byte: two) with sgdisk judging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchesMissReads, readDiskAfter, readDiskNow, readDiskOf } from '../../src/core/write/readDiskOf';
import { applyPlans } from '../../src/core/write/applyPlans';
import { undoLast } from '../../src/core/write/undo';
import { JournalForeignError } from '../../src/core/write/errors';
import type { Patch } from '../../src/core/patch';
import { haveOracles, tempDir } from '../builders/images';
import { dataAndEspImage, readAt, sgdiskVerify } from '../builders/oracles';

const MiB = 1024 * 1024;
const skip = !haveOracles() && 'needs gdisk';

const flip = (file: string, offset: number, length = 1): Patch => {
  const before = readAt(file, offset, length);
  return { offset, before, after: before.map((b) => b ^ 0xff) };
};

test('readDiskAfter: patches beside every byte the parse read give back that very model, equal to a full parse', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const now = await readDiskNow(file, 512, undefined);
  assert.ok(now.model?.primary && now.model.backup, 'parsed both GPT copies');
  const inData = [flip(file, 5 * MiB + 5), flip(file, 7 * MiB, 4096)];
  const after = await readDiskAfter(file, 512, undefined, now, inData);
  assert.equal(after, now.model, 'no second parse');
  assert.deepEqual(await readDiskOf(file, 512, undefined, inData), after);
});

test('readDiskAfter: a patch on a byte the parse read is parsed again (the backup header, the primary array)', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const now = await readDiskNow(file, 512, undefined);
  const backupName = flip(file, 64 * MiB - 33 * 512 + 56, 2); // first name bytes of the backup array's slot 0
  const primarySlot = flip(file, 1024 + 128 + 56, 2); // the primary array's slot 1 name
  for (const patches of [[backupName], [primarySlot], [flip(file, 5 * MiB), primarySlot]]) {
    const after = await readDiskAfter(file, 512, undefined, now, patches);
    assert.notEqual(after, now.model, 'parsed again');
    assert.deepEqual(after, await readDiskOf(file, 512, undefined, patches));
    assert.notDeepEqual(after, now.model, 'and the bytes it changed show');
  }
});

test('undo of a hand edit in partition data (one parse) restores the byte; of a header edit (two parses) too', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const plan = (patches: Patch[]) => ({ id: 'hand-edit', title: 'Type bytes', patches }) as never;
  const data = 5 * MiB + 17;
  await applyPlans(file, [plan([{ offset: data, before: readAt(file, data, 1), after: Uint8Array.of(0x5a) }])], { sectorSize: 512, tool: 'test' });
  assert.equal(readAt(file, data, 1)[0], 0x5a);
  const revert = (offset: number, length: number): Patch[] => [{ offset, before: readAt(file, offset, length), after: new Uint8Array(length) }];
  assert.equal(patchesMissReads(revert(data, 1), (await readDiskNow(file, 512, undefined)).reads), true, 'the undo parses once');
  // Outside the tables: refused as forged without --allow-data-writes, reverted with it (the data byte check).
  await assert.rejects(undoLast(file), JournalForeignError);
  const undone = await undoLast(file, { allowDataWrites: true });
  assert.equal(undone.bytesWritten, 1);
  assert.equal(readAt(file, data, 1)[0], 0);

  // The primary array's slot 0 name, then its CRCs: writes on what the parse reads.
  const before = await readDiskOf(file, 512, undefined);
  const nameAt = 1024 + 56;
  await applyPlans(file, [plan([{ offset: nameAt, before: readAt(file, nameAt, 2), after: Uint8Array.of(0x41, 0) }])], { sectorSize: 512, tool: 'test' });
  assert.notDeepEqual(await readDiskOf(file, 512, undefined), before);
  assert.equal(patchesMissReads(revert(nameAt, 2), (await readDiskNow(file, 512, undefined)).reads), false, 'the undo parses twice');
  await undoLast(file);
  assert.deepEqual(await readDiskOf(file, 512, undefined), before);
  assert.equal(sgdiskVerify(file).problems, 0);
});
