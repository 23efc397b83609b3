// The comparison's host logic in plain Node (CompareSession is what the panel
// drives): the seed case's structure and fix offer, reads per side, the byte
// scan agreeing with byteDiff, cancel, apply + undo through the journal, images
// that are no disk or of different sizes, and the HTML shell's CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CompareSession } from '../../src/app/compareSession';
import { fieldWords, patchView } from '../../src/app/fixPreview';
import { compareHtml } from '../../src/host/compare/compareHtml';
import { scanLine } from '../../src/host/compare/compareText';
import { renderMessage } from '../../src/shared/l10n';
import { formatBytes } from '../../src/shared/sizeText';
import { byteDiff } from '../../src/core/diff/index';
import { FileSource } from '../../src/core/io/fileSource';
import type { CompareInitMessage, ToCompareWebview } from '../../src/shared/protocol/compare';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { writePlainGptSample } from '../../scripts/sampleImages';

const dir = tempDir('diskx-compare-session-');
const settings = { bytesPerRow: 16 } as const;
const MiB = 1024 * 1024;

/** The first 64 KiB of a file (protective MBR, primary header and array). */
function head(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.alloc(64 * 1024);
    fs.readSync(fd, out, 0, out.length, 0);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function pair(name: string): { compacted: string; original: string } {
  const compacted = writeEsxi5Image(path.join(dir, `${name}-compacted.img`), { compacted: true });
  const original = writeEsxi5Image(path.join(dir, `${name}-original.img`));
  return { compacted, original };
}

async function reply(session: CompareSession, raw: unknown): Promise<ToCompareWebview> {
  const effect = await session.handle(raw, settings);
  assert.equal(effect.kind, 'reply', JSON.stringify(effect));
  if (effect.kind !== 'reply') throw new Error('unreachable');
  return effect.message;
}

async function init(session: CompareSession): Promise<CompareInitMessage> {
  const message = await reply(session, { type: 'ready' });
  assert.equal(message.type, 'init');
  return message as CompareInitMessage;
}

test('the seed case: bootbank moved from slot 3 in A to slot 4 in B, and the fix is offered with a preview', async () => {
  const { compacted, original } = pair('seed');
  const session = await CompareSession.open(compacted, original);
  try {
    const message = await init(session);
    assert.equal(message.a.name, 'seed-compacted.img');
    assert.equal(message.b.name, 'seed-original.img');
    assert.equal(message.a.scheme, 'gpt');
    assert.ok(message.structure);
    const bootbank = message.structure.partitions.find((p) => p.label === 'bootbank');
    assert.ok(bootbank, message.structure.partitions.map((p) => p.summary).join('\n'));
    assert.equal(bootbank.status, 'moved-slot');
    assert.equal(bootbank.summary, 'bootbank: slot 3 in A, slot 4 in B');
    assert.deepEqual([bootbank.slotA, bootbank.slotB], [3, 4]);
    const statuses = message.structure.partitions.map((p) => p.status);
    assert.deepEqual(statuses.filter((s) => s === 'same').length, 3, statuses.join(','));
    assert.deepEqual(statuses.filter((s) => s === 'moved-slot').length, 4, statuses.join(','));
    // Headers: the array CRCs differ, the disk GUIDs do not.
    const crc = message.structure.headers.find((h) => h.field === 'primary.partitionEntryArrayCrc32');
    assert.ok(crc && !crc.equal, JSON.stringify(crc));
    assert.ok(message.structure.headers.some((h) => h.equal));
    assert.equal(message.structure.identical, false);

    assert.ok(message.fix.available, message.fix.available ? '' : message.fix.reason);
    if (!message.fix.available) return;
    assert.equal(message.fix.id, 'copy-slots-from-reference');
    assert.match(message.fix.description, /bootbank slot 3 -> 4/);
    assert.equal(message.fix.readOnlyReason, null);
    const where = message.fix.patches.map((p) => p.what);
    assert.ok(where.includes('backup array: slot 3') && where.includes('primary array: slot 7'), where.join(', '));
    assert.ok(where.includes('primary header: HeaderCRC32') && where.includes('backup header: PartitionEntryArrayCRC32'), where.join(', '));
    assert.ok(where.indexOf('backup array: slot 3') < where.indexOf('primary array: slot 3'), 'backup first (UEFI 5.3.2)');
    const slot3 = message.fix.patches.find((p) => p.what === 'primary array: slot 3')!;
    assert.equal(slot3.offset, 1024 + 3 * 128);
    assert.equal(slot3.lba, 2);
    assert.match(slot3.after, /^(00 ){31}00 …$/, 'slot 3 becomes empty'); // the whole 128-byte entry, first 32 bytes shown
    assert.ok(message.fix.sectorsTouched >= 4);
    assert.equal(message.scan, null);
  } finally {
    await session.close();
  }
});

test('reads come from the side named; bad messages get an error reply and never reach a source', async () => {
  const a = writePlainGptSample(path.join(dir, 'reads-a.img'), 16 * MiB);
  const b = writePlainGptSample(path.join(dir, 'reads-b.img'), 32 * MiB);
  const session = await CompareSession.open(a, b);
  try {
    const fromB = await reply(session, { type: 'readRange', requestId: 7, side: 'b', offset: 32 * MiB - 512, length: 512 });
    assert.equal(fromB.type, 'bytes');
    if (fromB.type !== 'bytes') return;
    assert.equal(fromB.side, 'b');
    assert.equal(fromB.requestId, 7);
    const direct = await FileSource.open(b);
    assert.deepEqual(Buffer.from(fromB.data), Buffer.from(await direct.read(32 * MiB - 512, 512)));
    await direct.close();
    // Offsets valid in B but past the end of A are refused for A.
    const past = await reply(session, { type: 'readRange', requestId: 8, side: 'a', offset: 32 * MiB - 512, length: 512 });
    assert.equal(past.type, 'error');
    if (past.type === 'error') assert.equal(past.requestId, 8);
    for (const bad of [
      null,
      'ready',
      { type: 'nope' },
      { type: 'readRange', requestId: 1, side: 'c', offset: 0, length: 1 },
      { type: 'readRange', requestId: 1, side: 'a', offset: 0, length: 1024 * 1024 },
      { type: 'startScan', extra: 1 },
      { type: 'applyFix', fixId: '../../etc' },
    ]) {
      const answer = await reply(session, bad);
      assert.equal(answer.type, 'error', JSON.stringify(bad));
    }
    assert.deepEqual(await session.handle({ type: 'startScan' }, settings), { kind: 'scan' });
    assert.deepEqual(await session.handle({ type: 'cancelScan' }, settings), { kind: 'cancelScan' });
    assert.deepEqual(await session.handle({ type: 'swap' }, settings), { kind: 'swap' });
    assert.deepEqual(await session.handle({ type: 'refresh' }, settings), { kind: 'refresh' });
    // Not applicable here (two unrelated disks): the apply intent is answered with the reason, nothing is written.
    const refused = await reply(session, { type: 'applyFix', fixId: 'copy-slots-from-reference' });
    assert.equal(refused.type, 'error');
    const unknown = await reply(session, { type: 'applyFix', fixId: 'restore-esxi-slots' });
    assert.equal(unknown.type, 'error');
  } finally {
    await session.close();
  }
});

test('the byte scan agrees with byteDiff, reports progress, handles different sizes, and stops when aborted', async () => {
  const a = writePlainGptSample(path.join(dir, 'scan-a.img'), 16 * MiB);
  const b = path.join(dir, 'scan-b.img');
  fs.copyFileSync(a, b);
  fs.appendFileSync(b, Buffer.alloc(4096, 0xee)); // B is 4 KiB longer
  const fd = fs.openSync(b, 'r+');
  fs.writeSync(fd, Buffer.from([1, 2, 3]), 0, 3, 5 * MiB + 10);
  fs.writeSync(fd, Buffer.from([9]), 0, 1, 100);
  fs.closeSync(fd);
  const session = await CompareSession.open(a, b);
  try {
    const progress: number[] = [];
    const summary = await session.scan(undefined, (done) => progress.push(done));
    const sa = await FileSource.open(a);
    const sb = await FileSource.open(b);
    const expected = await byteDiff(sa, sb);
    await sa.close();
    await sb.close();
    assert.deepEqual(summary.ranges, expected.ranges);
    assert.ok(summary.ranges.length >= 2);
    assert.equal(summary.ranges[0]!.offset <= 100, true);
    assert.deepEqual(summary.tail, { offset: 16 * MiB, length: 4096, in: 'b' });
    assert.equal(summary.identical, false);
    assert.equal(progress.at(-1), 16 * MiB);
    assert.match(renderMessage(scanLine(summary)), /differing range\(s\).*image B has 4096 more byte/);
    // The last scan travels with the next init (the webview can navigate at once).
    assert.deepEqual((await init(session)).scan, summary);

    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await assert.rejects(session.scan(controller.signal), /cancelled/);
  } finally {
    await session.close();
  }
});

test('with the bundled worker the byte scan runs off this thread and gives the in-process summary', async (t) => {
  const worker = path.resolve(__dirname, '..', '..', 'dist', 'byteDiffWorker.js');
  if (!fs.existsSync(worker)) {
    t.skip('dist/byteDiffWorker.js is not built (npm test builds it)');
    return;
  }
  const a = writePlainGptSample(path.join(dir, 'worker-a.img'), 16 * MiB);
  const b = path.join(dir, 'worker-b.img');
  fs.copyFileSync(a, b);
  const fd = fs.openSync(b, 'r+');
  fs.writeSync(fd, Buffer.from([7, 7]), 0, 2, 3 * MiB - 1);
  fs.closeSync(fd);
  const inProcess = await CompareSession.open(a, b);
  const inWorker = await CompareSession.open(a, b, { byteDiffWorker: worker });
  try {
    const expected = await inProcess.scan();
    const progress: number[] = [];
    // The event loop stays free while the worker reads: a timer fires during the scan.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const summary = await inWorker.scan(undefined, (done) => progress.push(done));
    clearInterval(timer);
    assert.deepEqual(summary.ranges, expected.ranges);
    assert.deepEqual(summary.ranges, [{ offset: 3 * MiB - 1, length: 2 }]);
    assert.equal(progress.at(-1), 16 * MiB);
    assert.ok(ticks > 0);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await assert.rejects(inWorker.scan(controller.signal), /cancelled/);
  } finally {
    await inProcess.close();
    await inWorker.close();
  }
});

test('apply the fix to A through the journal, refresh shows the slots equal, undo brings the old slots back', async () => {
  const { compacted, original } = pair('apply');
  const journalDir = path.join(dir, 'journals');
  const before = head(compacted);
  let session = await CompareSession.open(compacted, original, { journalDir });
  try {
    const effect = await session.handle({ type: 'applyFix', fixId: 'copy-slots-from-reference' }, settings);
    assert.equal(effect.kind, 'applyFix');
    if (effect.kind !== 'applyFix') return;
    const written = await session.applyFix(effect.plan);
    assert.ok(written.sectorsWritten > 0);
    assert.ok(written.journalPath.startsWith(journalDir));
    const next = await session.reopen();
    await session.close();
    session = next;
    const after = await init(session);
    assert.ok(after.structure);
    assert.ok(
      after.structure.partitions.every((p) => p.status === 'same'),
      after.structure.partitions.map((p) => p.summary).join('\n'),
    );
    assert.equal(after.fix.available, false);
    if (!after.fix.available) assert.match(after.fix.reason, /already sits in the slot/);
    // The GPT areas of A now equal B's.
    assert.deepEqual(head(compacted), head(original));

    const undone = await session.undo();
    assert.ok(undone.sectorsWritten > 0);
    const again = await session.reopen();
    await session.close();
    session = again;
    const restored = await init(session);
    assert.equal(restored.structure!.partitions.find((p) => p.label === 'bootbank')!.summary, 'bootbank: slot 3 in A, slot 4 in B');
    assert.deepEqual(head(compacted), before);
  } finally {
    await session.close();
  }
});

test('swap makes B the image a fix changes', async () => {
  const { compacted, original } = pair('swap');
  const session = await CompareSession.open(compacted, original);
  const swapped = await session.reopen(true);
  try {
    const message = await init(swapped);
    assert.equal(message.a.name, 'swap-original.img');
    assert.equal(message.structure!.partitions.find((p) => p.label === 'bootbank')!.summary, 'bootbank: slot 4 in A, slot 3 in B');
  } finally {
    await session.close();
    await swapped.close();
  }
});

test('a file that is no disk image still compares byte for byte; every partition only in A, no fix', async () => {
  const disk = writePlainGptSample(path.join(dir, 'plain-disk.img'), 16 * MiB);
  const notes = path.join(dir, 'notes.img');
  fs.writeFileSync(notes, 'These are notes, not a disk image.\n'.repeat(40));
  const session = await CompareSession.open(disk, notes);
  try {
    const message = await init(session);
    assert.ok(message.structure);
    assert.ok(message.structure.partitions.every((p) => p.status === 'only-a'));
    assert.match(message.b.problem ?? '', /no MBR boot signature and no GPT header/);
    assert.equal(message.fix.available, false);
    if (!message.fix.available) assert.match(message.fix.reason, /reference .* has no GPT/);
    const summary = await session.scan();
    assert.equal(summary.tail?.in, 'a');
    assert.equal(summary.comparedBytes, fs.statSync(notes).size);
  } finally {
    await session.close();
  }
  await assert.rejects(CompareSession.open(disk, path.join(dir, 'missing.img')), /ENOENT|no such file/i);
});

test('a patch preview names header fields and array slots from the specs; formatBytes; the HTML shell has the strict CSP', async () => {
  const { compacted, original } = pair('misc');
  const session = await CompareSession.open(compacted, original);
  try {
    const model = session.a.model!;
    const at = (offset: number, length: number) => ({ offset, before: model.primary!.bytes.subarray(0, 0), after: new Uint8Array(length) });
    const crc = patchView(model, { ...at(512 + 0x10, 4), before: new Uint8Array(4) });
    assert.deepEqual(crc.fields, ['primaryHeader.headerCrc32']);
    assert.equal(crc.what, 'primary header: HeaderCRC32');
    const slot = patchView(model, { ...at(1024 + 5 * 128, 128), before: new Uint8Array(128) });
    assert.equal(slot.what, 'primary array: slot 5');
    assert.equal(patchView(model, { ...at(1024 + 5 * 128 + 32, 8), before: new Uint8Array(8) }).what, 'primary array: slot 5 StartingLBA');
    assert.equal(fieldWords(['mbr.bootstrapCode', 'backupHeader']), 'MBR: BootCode; backup header');
  } finally {
    await session.close();
  }
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(8 * 1024 ** 3), '8.0 GiB');
  assert.equal(formatBytes(1536 * 1024), '1.5 MiB');
  const html = compareHtml({
    cspSource: 'vscode-resource:',
    scriptUri: 'x/compare.js',
    styleUri: 'x/compare.css',
    nonce: 'NONCE123',
    title: 'a.img ↔ <b>.img',
  });
  assert.match(html, /default-src 'none'/);
  assert.match(html, /script-src 'nonce-NONCE123'/);
  assert.doesNotMatch(html, /unsafe-(inline|eval)/);
  assert.match(html, /<script nonce="NONCE123" src="x\/compare.js"><\/script>/);
  assert.ok(html.includes('&#60;b&#62;.img'), 'the title is escaped');
});

test("copy slots saves through the editor's save path: A changed on disk since it was read is refused, nothing written", async () => {
  const { compacted, original } = pair('changed');
  const journalDir = path.join(dir, 'journals-changed');
  const session = await CompareSession.open(compacted, original, { journalDir });
  try {
    const effect = await session.handle({ type: 'applyFix', fixId: 'copy-slots-from-reference' }, settings);
    assert.equal(effect.kind, 'applyFix');
    if (effect.kind !== 'applyFix') return;
    // Someone else touches A after the comparison read it.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(compacted, later, later);
    const before = head(compacted);
    await assert.rejects(session.applyFix(effect.plan), /changed on disk since it was opened/);
    assert.deepEqual(head(compacted), before, 'A is untouched');
    assert.equal(fs.existsSync(journalDir) ? fs.readdirSync(journalDir).length : 0, 0, 'no journal entry');
    // The refused edit is dropped again: A's view shows the file's bytes.
    assert.deepEqual(Buffer.from(await session.sourceOf('a').read(0, 64 * 1024)), before);
  } finally {
    await session.close();
  }
});

test('undo writes back only what this comparison copied: refused after a swap, refused when A no longer holds the copy', async () => {
  const { compacted, original } = pair('undo-guard');
  const journalDir = path.join(dir, 'journals-undo-guard');
  const before = head(compacted);
  let session = await CompareSession.open(compacted, original, { journalDir });
  try {
    const plan = session.currentPlan();
    if (typeof plan === 'string') assert.fail(plan);
    await session.applyFix(plan);
    const swapped = await session.reopen(true);
    await assert.rejects(swapped.undo(), /no slot copy of .*undo-guard-original\.img to undo/);
    await swapped.close();
    const refreshed = await session.reopen();
    await session.close();
    session = refreshed;
    // Someone rewrites slot 4 of A's primary array after the copy: undo must not overwrite it.
    const fd = fs.openSync(compacted, 'r+');
    fs.writeSync(fd, Buffer.alloc(16, 0xab), 0, 16, 1024 + 4 * 128);
    fs.closeSync(fd);
    const reread = await session.reopen();
    await session.close();
    session = reread;
    const tampered = head(compacted);
    await assert.rejects(session.undo(), /changed|differ|expected/i);
    assert.deepEqual(head(compacted), tampered, 'nothing written');
    assert.notDeepEqual(tampered, before);
  } finally {
    await session.close();
  }
});
