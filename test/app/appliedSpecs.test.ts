// User specs in the editor's session: a spec applied at an LBA becomes a root of the
// Structure tree with byte ranges, values, enum names and docs, its leaf fields
// annotate the hex view over our own spans, lazy instances are read when their node
// is opened, an unsaved edit and a changed .ksy are seen after a re-parse, and in
// Restricted Mode nothing is compiled and the node says why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DiskImageSession } from '../../src/app/diskImageSession';
import type { AppliedSpecsHost } from '../../src/app/appliedSpecs';
import { overlaySpans } from '../../src/app/appliedSpecs';
import { SpecCompiler } from '../../src/core/specs/specCompiler';
import type { FieldSpan, TreeNode } from '../../src/shared/protocol/editor';
import { tempDir, writeSparseImage } from '../builders/images';
import { findNode } from '../builders/tree';
import { JA, recording } from './l10nHelpers';

const settings = { bytesPerRow: 16 as const };
const dir = tempDir('diskx-app-specs-');
const compiler = new SpecCompiler();
after(() => compiler.dispose());
let compiles = 0;
const host = (blocked: string | null = null): AppliedSpecsHost => ({ compile: (file) => (compiles++, compiler.compile(file)), blocked: () => blocked });

const spec = path.join(dir, 'boot_record.ksy');
const SPEC_V1 = `meta:
  id: boot_record
  endian: le
seq:
  - id: magic
    contents: BOOT
  - id: version
    type: u2
    doc: Format version.
  - id: kind
    type: u1
    enum: kind
  - id: table_lba
    type: u8
instances:
  table:
    pos: 0x20
    type: u4
enums:
  kind:
    2: loader
`;
fs.writeFileSync(spec, SPEC_V1);
// A DOS disk (one partition at LBA 2048) with our record at LBA 64.
const image = writeSparseImage(path.join(dir, 'disk.img'), 4 * 1024 * 1024, [
  { offset: 446, bytes: new Uint8Array([0, 0, 0, 0, 0x83, 0, 0, 0, 0, 8, 0, 0, 0, 0x10, 0, 0]) },
  { offset: 510, bytes: new Uint8Array([0x55, 0xaa]) },
  { offset: 64 * 512, bytes: new Uint8Array([0x42, 0x4f, 0x4f, 0x54, 3, 0, 2, 0x22, 0, 0, 0, 0, 0, 0, 0]) },
  { offset: 64 * 512 + 0x20, bytes: new Uint8Array([0x78, 0x56, 0x34, 0x12]) },
]);

async function init(session: DiskImageSession): Promise<{ tree: TreeNode[]; spans: FieldSpan[] }> {
  const message = await session.initMessage(settings);
  return { tree: message.tree, spans: message.spans };
}

test('a spec at an LBA: a tree root with values, enums, docs and byte ranges; its spans win over ours', async () => {
  const session = await DiskImageSession.open(image, { specs: host() });
  try {
    const entry = await session.applySpec(spec, 'lba:64');
    assert.equal(entry.problem, null);
    const { tree, spans } = await init(session);
    const root = tree.at(-1)!;
    assert.deepEqual([root.id, root.label, root.value, root.offset, root.length], ['spec-1', 'Spec boot_record', 'at lba:64 (byte 0x8000)', 0x8000, 15]);
    const version = findNode(tree, 'spec-1:version')!;
    assert.deepEqual([version.value, version.doc, version.offset, version.length], ['3', 'Format version.', 0x8004, 2]);
    assert.equal(findNode(tree, 'spec-1:kind')?.description, 'loader');
    assert.equal(findNode(tree, 'spec-1:table_lba')?.value, '34 (0x22)');
    assert.equal(findNode(tree, 'spec-1:magic')?.value, '42 4F 4F 54');
    assert.ok(spans.some((span) => span.nodeId === 'spec-1:version' && span.offset === 0x8004 && span.length === 2));
    // Our MBR spans stay where no spec field lies.
    assert.ok(spans.some((span) => span.offset === 510 && !span.nodeId.startsWith('spec-')));
    const table = findNode(tree, 'spec-1:table')!;
    assert.equal(table.lazy, true);
  } finally {
    await session.close();
  }
});

test('opening a lazy instance reads it: the views get an update with it open', async () => {
  const session = await DiskImageSession.open(image, { specs: host() });
  try {
    await session.applySpec(spec, '0x8000');
    const effect = await session.handle({ type: 'expandNode', nodeId: 'spec-1:table' }, settings);
    assert.deepEqual(effect, { kind: 'changed', notice: null });
    const { tree } = await init(session);
    const table = findNode(tree, 'spec-1:table')!;
    assert.deepEqual([table.lazy, table.value, table.offset, table.length, table.open], [undefined, '305419896 (0x12345678)', 0x8020, 4, true]);
    assert.deepEqual(await session.handle({ type: 'expandNode', nodeId: 'spec-1:version' }, settings), { kind: 'none' }, 'a field that is no instance');
    assert.deepEqual(await session.handle({ type: 'expandNode', nodeId: 'spec-9:x' }, settings), { kind: 'none' }, 'an unknown spec');
    const bad = await session.handle({ type: 'expandNode', nodeId: 42 }, settings);
    assert.ok(bad.kind === 'reply' && bad.message.type === 'error');
  } finally {
    await session.close();
  }
});

test('an unsaved edit and a saved change to the .ksy are both parsed again', async () => {
  const own = path.join(dir, 'changing.ksy');
  fs.writeFileSync(own, SPEC_V1.replace('id: boot_record', 'id: changing'));
  const session = await DiskImageSession.open(image, { specs: host() });
  try {
    await session.applySpec(own, 'lba:64');
    await session.applyPlan({
      id: 'recompute-crcs',
      title: 'set version',
      description: 'test edit',
      patches: [{ offset: 0x8004, before: new Uint8Array([3]), after: new Uint8Array([9]) }],
    });
    assert.equal(findNode((await init(session)).tree, 'spec-1:version')?.value, '9', 'the spec reads the document with its unsaved edits');
    fs.writeFileSync(
      own,
      SPEC_V1.replace('id: boot_record', 'id: changing').replace('  - id: version\n    type: u2', '  - id: version\n    type: u1\n  - id: flags\n    type: u1'),
    );
    const touched = await session.recompileSpecs(own);
    assert.equal(touched.length, 1);
    const { tree } = await init(session);
    assert.deepEqual([findNode(tree, 'spec-1:version')?.length, findNode(tree, 'spec-1:flags')?.offset], [1, 0x8005]);
    assert.deepEqual(await session.recompileSpecs(path.join(dir, 'other.ksy')), [], 'a .ksy nobody uses changes nothing');
    fs.writeFileSync(own, 'meta:\n  id: changing\nseq:\n  - id: a\n    type: u4\n');
    await session.recompileSpecs(own);
    const broken = (await init(session)).tree.at(-1)!;
    assert.match(broken.description ?? '', /^changing\.ksy: .*changing\.ksy:5:11: \/seq\/0\/type: unable to use type 'u4' without default endianness$/);
    assert.equal(session.specs.list[0]!.compileError?.location?.line, 5);
  } finally {
    await session.close();
  }
});

test('Restricted Mode: the spec is listed with the reason and never compiled', async () => {
  const before = compiles;
  const session = await DiskImageSession.open(image, { specs: host('Restricted Mode: trust the workspace') });
  try {
    await session.applySpec(spec, 'lba:64');
    const root = (await init(session)).tree.at(-1)!;
    assert.equal(root.description, 'boot_record.ksy: Restricted Mode: trust the workspace');
    assert.equal(root.children, undefined);
    assert.equal(compiles, before);
    assert.deepEqual(session.specs.state(), [{ spec, at: 'lba:64' }], 'still remembered for when the workspace is trusted');
  } finally {
    await session.close();
  }
});

test('placements the image does not have, and removing a spec', async () => {
  const session = await DiskImageSession.open(image, { specs: host() });
  try {
    const missing = await session.applySpec(spec, 'partition:3');
    assert.match(missing.problem ?? '', /there is no partition 3 \(partitions: 1\)/);
    assert.equal(await session.removeSpec(missing.key), true);
    assert.equal(await session.removeSpec(missing.key), false);
    assert.deepEqual(session.specs.state(), []);
    assert.equal(
      (await init(session)).tree.some((node) => node.id.startsWith('spec-')),
      false,
    );
  } finally {
    await session.close();
  }
});

test('overlaySpans: the spec field wins where it overlaps ours, ours stay elsewhere', () => {
  const span = (offset: number, length: number, nodeId: string): FieldSpan => ({ offset, length, kind: 'other', name: nodeId, nodeId });
  const merged = overlaySpans([span(0, 4, 'a'), span(4, 4, 'b'), span(8, 4, 'c'), span(20, 2, 'd')], [span(6, 4, 'spec-1:x')]);
  assert.deepEqual(
    merged.map((s) => s.nodeId),
    ['a', 'spec-1:x', 'd'],
  );
});

test("a spec's tree root and notes, and a placement the disk does not have, in the user's language", async () => {
  const { l10n, used } = recording();
  const session = await DiskImageSession.open(image, { specs: host(), l10n });
  try {
    assert.equal((await session.applySpec(spec, 'lba:64')).problem, null);
    const { tree } = await init(session);
    const root = tree.at(-1)!;
    assert.deepEqual([root.label, root.value], ['構造定義 boot_record', '位置 lba:64 (バイト 0x8000)']);
    assert.match(root.description ?? '', /^boot_record\.ksy · 15 バイト$/);
    const table = findNode(tree, 'spec-1:table')!;
    assert.deepEqual([table.value, table.description], ['まだ読んでいません (開くと読みます)', 'インスタンス']);
    const missing = await session.applySpec(spec, 'partition:7');
    assert.equal(missing.problem, '--at partition:7: パーティション 7 はありません (パーティション: 1)');
    assert.deepEqual(
      [...used].filter((key) => !(key in JA)),
      [],
    );
  } finally {
    await session.close();
  }
});
