// What a save no longer repeats, and why that is still exact: the writer parses
// the image under its lock once and parses it "as it will be" only when a write
// lands on bytes that parse read; after a save the editor keeps its model (the
// file now holds the bytes it was read from) instead of parsing twice more. Each
// shortcut is checked against the full parse it replaces, and sgdisk judges the
// saved images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { readDiskOf, patchesMissReads } from '../../src/core/write/readDiskOf';
import { applyPlans } from '../../src/core/write/applyPlans';
import { readJournal, journalPathFor } from '../../src/core/write/journal';
import { diskFingerprint } from '../../src/core/diskAreas';
import { readDisk } from '../../src/core/diskModel';
import { FileSource } from '../../src/core/io/fileSource';
import type { ByteSpan } from '../../src/core/io/dataRanges';
import type { Patch } from '../../src/core/patch';
import { haveOracles, tempDir } from '../builders/images';
import { dataAndEspImage, readAt, sgdiskVerify } from '../builders/oracles';

const MiB = 1024 * 1024;
const settings = { bytesPerRow: 16 as const };
const skip = !haveOracles() && 'needs gdisk';

const patch = (offset: number, length = 1): Patch => ({ offset, before: new Uint8Array(length), after: new Uint8Array(length).fill(1) });

test('patchesMissReads: a patch touching any read byte (ends exclusive) counts; one beside every read does not', () => {
  const reads: ByteSpan[] = [
    { offset: 0, length: 512 },
    { offset: 512, length: 92 },
    { offset: 1024, length: 16384 },
  ];
  assert.equal(patchesMissReads([], reads), true);
  assert.equal(patchesMissReads([patch(604, 420)], reads), true, 'the gap between the header and the array');
  assert.equal(patchesMissReads([patch(1024 + 16384)], reads), true, 'just past the array');
  assert.equal(patchesMissReads([patch(603)], reads), false, 'the header last byte');
  assert.equal(patchesMissReads([patch(1000, 30)], reads), false, 'runs into the array');
  assert.equal(patchesMissReads([patch(5 * MiB), patch(511)], reads), false, 'one of several');
});

test('the parse as it would be after a write beside every byte it read is the parse before (what the writer relies on)', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const reads: ByteSpan[] = [];
  const before = await readDiskOf(file, 512, undefined, [], reads);
  assert.ok(before?.primary && before.backup, 'parsed both GPT copies');
  assert.ok(
    reads.some((r) => r.offset <= 512 && r.offset + r.length >= 512 + 92),
    'the primary header was read',
  );
  const inData = [patch(5 * MiB + 5), patch(7 * MiB, 4096)]; // partition 1, away from what its content probes read
  assert.equal(patchesMissReads(inData, reads), true);
  assert.deepEqual(await readDiskOf(file, 512, undefined, inData), before);
  const onHeader = [patch(512 + 0x38)]; // the disk GUID's first byte
  assert.equal(patchesMissReads(onHeader, reads), false);
});

test('a journaled write outside every structure records the same identity a full second parse gives', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const at = 5 * MiB + 17;
  const plan = { id: 'hand-edit', title: 'Type 1 byte', patches: [{ offset: at, before: readAt(file, at, 1), after: Uint8Array.of(0x5a) }] } as const;
  const model = await readDiskOf(file, 512, undefined);
  const result = await applyPlans(file, [plan as never], { sectorSize: 512, tool: 'test' });
  const journal = await readJournal(await journalPathFor(file, 'raw', {}));
  assert.equal(result.entryId, 1);
  assert.deepEqual(journal!.entries[0]!.identity, [diskFingerprint(model, 64 * MiB)]);
  assert.equal(journal!.entries[0]!.state, 'applied');
  assert.equal(readAt(file, at, 1)[0], 0x5a);
});

async function freshModel(file: string) {
  const source = await FileSource.open(file);
  try {
    return await readDisk(source, { sectorSize: 512 });
  } finally {
    await source.close();
  }
}

test('after a save the session keeps its model, findings and tree: the same as a fresh parse of the saved file', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const session = await DiskImageSession.open(file);
  try {
    const typed = await session.handle({ type: 'editBytes', offset: 3 * MiB + 5, hex: 'c3', dependents: true, action: 'type' }, settings);
    assert.equal(typed.kind, 'edit');
    const view = session.view;
    const generation = (await session.initMessage(settings)).generation;
    await session.save();
    assert.equal(readAt(file, 3 * MiB + 5, 1)[0], 0xc3);
    assert.equal(session.view, view, 'the tree was not built again');
    assert.deepEqual(session.model, await freshModel(file));
    assert.deepEqual(session.editState().edited, []);
    assert.equal(session.edits.dirty, false);
    assert.ok((await session.initMessage(settings)).generation > generation, 'the views learn that the edit state changed');
    // The session reads through the file opened again: the saved byte, not a cached page.
    assert.deepEqual(await session.source.read(3 * MiB + 5, 1), Uint8Array.of(0xc3));

    // A save that changes structures: the model read before the save (from the edited bytes) is what the file parses to.
    const slot = session.view.tree.find((n) => n.id === 'primary-array')!.children!.find((n) => n.id === 'slot-0')!;
    const nameNode = slot.children!.find((n) => n.edit?.path.endsWith('.name'))!;
    assert.equal((await session.handle({ type: 'setField', path: nameNode.edit!.path, value: 'bootbank', dependents: true }, settings)).kind, 'edit');
    await session.save();
    assert.deepEqual(session.model, await freshModel(file));
    assert.equal(session.model!.primary!.array!.slots[0]!.name, 'bootbank');
    assert.equal(sgdiskVerify(file).problems, 0);
    // And editing on after the save still works on the reopened file.
    assert.equal((await session.handle({ type: 'editBytes', offset: 3 * MiB + 6, hex: '3c', dependents: true, action: 'type' }, settings)).kind, 'edit');
    await session.save();
    assert.deepEqual(readAt(file, 3 * MiB + 5, 2), Buffer.from([0xc3, 0x3c]));
  } finally {
    await session.close();
  }
});
