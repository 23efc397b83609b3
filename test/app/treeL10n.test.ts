// The texts src/app makes (structure tree, disk maps, status text, banner,
// reasons) in the user's language: built with the real Japanese bundle through
// a Localizer they speak Japanese, every template they use has a translation,
// the node ids and byte ranges are the same as in English (the webview selects
// and attaches findings by them), and the specification's field names stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeImage } from '../../src/core/index';
import type { DiskModel } from '../../src/core/model';
import type { Finding } from '../../src/core/findings';
import { buildStructureTree, statusText } from '../../src/app/structureTree';
import { buildDiskMap } from '../../src/app/diskMap';
import { buildCompareMaps } from '../../src/app/compareMap';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { fixLabel } from '../../src/core/fixes/registry';
import { planCopySlotsFromReference } from '../../src/core/diff/copySlots';
import { byteEditTitle, byteEditTitleText } from '../../src/app/handEdits';
import { ENGLISH, localizerOf } from '../../src/shared/l10n';
import type { Localizer } from '../../src/shared/l10n';
import type { TreeNode } from '../../src/shared/protocol/editor';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { sparseFile } from '../builders/oracles';
import { haveTools, placeVolume } from '../builders/volumes';
import { partedImage } from '../builders/labels';
import { JA, recording } from './l10nHelpers';

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;
const dir = tempDir('diskx-tree-l10n-');

async function model(image: string): Promise<{ disk: DiskModel; findings: Finding[] }> {
  const { opened, disk, findings } = await analyzeImage(image);
  await opened.source.close();
  return { disk, findings };
}

function* walk(nodes: TreeNode[]): Generator<TreeNode> {
  for (const node of nodes) {
    yield node;
    if (node.children) yield* walk(node.children);
  }
}

/** Images covering the builders: a compacted ESXi GPT disk, a DOS MBR with an extended partition and a FAT volume, a Sun label. */
function images(): string[] {
  const list = [writeEsxi5Image(path.join(dir, 'esxi.img'), { compacted: true })];
  if (haveTools('sfdisk', 'mkfs.vfat')) {
    const dos = sparseFile(path.join(dir, 'dos.img'), 64 * 1024 * 1024);
    execFileSync('sfdisk', ['-q', dos], { input: 'label: dos\n2048,20480,c\n22528,,5\n24576,8192,83\n' });
    const fat = sparseFile(path.join(dir, 'fat.img'), 10 * 1024 * 1024);
    execFileSync('mkfs.vfat', ['-n', 'BOOT', fat], { stdio: 'ignore' });
    placeVolume(dos, fat, 1024 * 1024);
    list.push(dos);
  }
  if (haveTools('parted')) list.push(partedImage(path.join(dir, 'sun.img'), 131072, 'sun', [['ext2', '2048s', '20479s']]));
  return list;
}

test('every text the tree, the disk maps and the status text are made of has a Japanese translation', async () => {
  const { l10n, used } = recording();
  const files = images();
  for (const file of files) {
    const { disk, findings } = await model(file);
    const view = buildStructureTree(disk, findings, null, l10n);
    buildDiskMap(disk, view.findings, l10n);
    statusText({ name: 'x', sizeBytes: 1, sectorSize: disk.sectorSize, scheme: disk.scheme, profile: null, readOnly: false }, l10n);
  }
  const healthy = await model(writeEsxi5Image(path.join(dir, 'healthy.img')));
  buildCompareMaps((await model(files[0]!)).disk, healthy.disk, l10n);
  assert.ok(used.size > 60, `the builders asked for ${used.size} texts`);
  const untranslated = [...used].filter((key) => /[A-Za-z]{2}/.test(key.replace(/\{\d+\}/g, '')) && !JAPANESE.test(JA[key] ?? ''));
  assert.deepEqual(untranslated, [], 'texts without a Japanese translation');
});

test('the Japanese tree of the compacted ESXi disk: our labels translated, field names, ids and byte ranges as in English', async () => {
  const { disk, findings } = await model(path.join(dir, 'esxi.img'));
  const en = buildStructureTree(disk, findings);
  const ja = buildStructureTree(disk, findings, null, localizerOf(JA));
  assert.deepEqual(
    ja.tree.map((n) => n.label),
    [
      '保護 MBR',
      'プライマリ GPT ヘッダー',
      'プライマリのパーティションエントリ配列',
      'パーティション',
      'ESXi のレイアウト',
      'バックアップのパーティションエントリ配列',
      'バックアップ GPT ヘッダー',
    ],
  );
  const enNodes = [...walk(en.tree)];
  const jaNodes = [...walk(ja.tree)];
  assert.deepEqual(
    jaNodes.map((n) => [n.id, n.offset, n.length]),
    enNodes.map((n) => [n.id, n.offset, n.length]),
  );
  assert.deepEqual(
    ja.spans.map((s) => [s.offset, s.length, s.kind, s.nodeId]),
    en.spans.map((s) => [s.offset, s.length, s.kind, s.nodeId]),
  );
  assert.deepEqual(
    ja.findings.map((f) => [f.code, f.nodeId]),
    en.findings.map((f) => [f.code, f.nodeId]),
  );
  // A leaf is a field: its label is the specification's name, in every language.
  const leaves = jaNodes.filter((n) => !n.children);
  for (const leaf of leaves.filter((n) => n.kind)) assert.equal(leaf.label, enNodes.find((e) => e.id === leaf.id)!.label);
  const byId = (id: string): TreeNode => jaNodes.find((n) => n.id === id)!;
  assert.equal(byId('primary-header').description, 'CRC 正常 · バイト 0x200');
  assert.equal(byId('primary-header.HeaderCRC32').description, '正常 · このフィールドを 0 にして HeaderSize バイト分を計算した CRC-32');
  assert.equal(byId('primary-header.AlternateLBA').description, 'もう一方のヘッダーの LBA · バイト 0x1FFFFFE00 (最終 LBA)');
  assert.equal(byId('primary-array').description, '128 スロット中 7 個使用中 · 128 バイトのエントリ · CRC 正常');
  assert.equal(byId('slot-3').label, 'スロット 3 (パーティション 4)');
  assert.equal(byId('slots-7-127').description, '未使用スロット 121 個');
  assert.equal(byId('mbr.records').value, '1 個使用中');
  assert.equal(byId('esxi.1').value, 'スロット 3 (本来はスロット 4)');
  assert.equal(byId('esxi').value, 'ESXi 5 (エントリ詰め込み済み)');
  assert.equal(byId('partitions').description, 'プライマリ GPT から');
  // The span names the status line shows: our structure titles translated, the field names kept.
  assert.ok(ja.spans.some((s) => s.name === 'プライマリ GPT ヘッダー › HeaderCRC32'));
  assert.ok(ja.spans.some((s) => s.name === 'プライマリのパーティションエントリ配列 › スロット 9 (空き) › PartitionTypeGUID'));

  // What is left in Latin letters is a name, not one of our sentences: the field names, the partition
  // types and ESXi roles, acronyms.
  const names = new Set<string>();
  const addWords = (text: string | undefined | null): void => void text?.match(/[A-Za-z][A-Za-z0-9/.-]*/g)?.forEach((w) => names.add(w));
  for (const leaf of enNodes.filter((n) => !n.children || n.kind)) addWords(leaf.label);
  for (const p of disk.partitions) addWords(`${p.typeName ?? ''} ${p.name}`);
  for (const record of disk.mbr?.records ?? []) addWords(record.typeName);
  for (const placement of disk.esxi?.placements ?? []) addWords(placement.role);
  addWords('LBA GPT MBR CRC CRC-32 ESXi UTF-16LE GUID EFI PART MiB GiB KiB Windows diskx');
  for (const node of jaNodes) {
    for (const text of [node.label, node.value, node.description]) {
      const rest = (text ?? '')
        .replace(/"[^"]*"/g, '')
        .replace(/\b0x[0-9A-F]+\b|\b[0-9A-F]{8}(?:-[0-9A-F]{4}){3}-[0-9A-F]{12}\b/gi, '')
        .replace(/[A-Za-z][A-Za-z0-9/.-]*/g, (word) => (names.has(word) ? '' : word));
      assert.doesNotMatch(rest, /[A-Za-z]{3,}/, `English left in ${node.id}: ${JSON.stringify(text)}`);
    }
  }
});

test('the Japanese disk maps: summary, area titles, the moved ESXi partitions and the compare links', async () => {
  const { disk, findings } = await model(path.join(dir, 'esxi.img'));
  const l10n = localizerOf(JA);
  const map = buildDiskMap(disk, buildStructureTree(disk, findings).findings, l10n);
  assert.equal(map.summary, 'GPT ディスク · 8 GiB · パーティション 7 個 · 512 バイトセクター');
  const bootbank = map.areas.find((a) => a.id === 'partition-4')!;
  assert.deepEqual(bootbank.title.split('\n'), [
    'パーティション 4 (スロット 3)',
    'ESXi bootbank · Microsoft basic data',
    'LBA 8224-520191 · 250 MiB',
    'ESXi は bootbank をスロット 4 (パーティション 5) に置くことを前提にしています',
    '検査結果: esxi-slot-compacted',
  ]);
  assert.equal(map.areas.find((a) => a.id === 'primary-array')!.label, 'エントリ');
  assert.equal(map.areas.find((a) => a.kind === 'free')!.label, '空き');
  // English is what the default gives, byte for byte.
  assert.deepEqual(buildDiskMap(disk, findings, ENGLISH), buildDiskMap(disk, findings));
  const healthy = await model(writeEsxi5Image(path.join(dir, 'healthy-2.img')));
  const maps = buildCompareMaps(disk, healthy.disk, l10n);
  assert.equal(maps.links[0]!.title, 'A のパーティション 4 は B のパーティション 5 です。どちらも LBA 8224 から始まります');
});

test('a session opened with the Japanese localizer sends a Japanese tree, map, status and banner', async () => {
  const l10n = localizerOf(JA);
  const settings = { bytesPerRow: 16 as const };
  const session = await DiskImageSession.open(path.join(dir, 'esxi.img'), { l10n });
  try {
    const init = await session.initMessage(settings);
    assert.equal(init.tree[0]!.label, '保護 MBR');
    assert.equal(init.map!.summary.split(' · ')[0], 'GPT ディスク');
    assert.equal(init.image.profile, 'ESXi 5 (エントリ詰め込み済み)');
    assert.equal(statusText(init.image, l10n), 'GPT · 512 B · ESXi 5 (エントリ詰め込み済み)');
    // The fix preview's description, sentence by sentence in Japanese, the layout's name included.
    const restore = session.preview('restore-esxi-slots');
    assert.ok(restore.ok);
    assert.match(
      restore.description,
      /^プライマリとバックアップの両方の配列で、4 個のエントリを ESXi 5\.x のレイアウト、.* の定めるスロットに戻します: スロット 3 -> 4 \(bootbank、移動後はパーティション 5\)、/,
    );
    assert.match(restore.description, /スロット 3 は空になります \(0 で埋めます\)。/);
    assert.match(restore.description, /512 バイトのセクター 6 個 \(LBA 1\.\.3, 16777183\.\.16777184, 16777215\) に 1296 バイトを書き込みます。$/);
    assert.match(
      session.plan('restore-esxi-slots').ok ? (session.plan('restore-esxi-slots') as { plan: { description: string } }).plan.description : '',
      /^Moves 4 entries back/,
    );
    // Why a fix does not apply: the core's msg() template, translated; the CLI's English stays in `reason`.
    const preview = session.preview('recompute-crcs');
    assert.deepEqual(preview.ok ? null : preview.reason, 'ヘッダーの CRC もエントリ配列の CRC も、すべてバイト列と一致しています');
    const planned = session.plan('rebuild-backup-from-primary');
    assert.equal(planned.ok ? null : planned.reason, 'the backup GPT already equals a copy of the primary at its own position');
    assert.deepEqual(await session.applyFix('rebuild-backup-from-primary'), {
      ok: false,
      reason: 'バックアップ GPT はすでに、自身の位置に置いたプライマリのコピーと同じです',
    });
    // The webview's Apply gets the same as an error reply, the fix's label translated too.
    const reply = await session.handle({ type: 'applyFix', fixId: 'rebuild-backup-from-primary' }, settings);
    assert.equal(
      reply.kind === 'reply' && reply.message.type === 'error' ? reply.message.message : null,
      `${l10n.text(fixLabel('rebuild-backup-from-primary'))}: 適用しませんでした: バックアップ GPT はすでに、自身の位置に置いたプライマリのコピーと同じです`,
    );
    assert.doesNotMatch(l10n.text(fixLabel('rebuild-backup-from-primary')), /[a-z]{4}/);
  } finally {
    await session.close();
  }
  // A file of zeros: no table, so the banner says the bytes are shown as plain hex.
  const zeros = await DiskImageSession.open(sparseFile(path.join(dir, 'zeros.img'), 1024 * 1024), { l10n });
  try {
    assert.match((await zeros.initMessage(settings)).banner ?? '', /^パーティションテーブル \(MBR も GPT ヘッダーも\) がなく.*16 進で表示します。$/);
  } finally {
    await zeros.close();
  }
  // Too short for a disk: plain hex, and the reason no fix applies, in Japanese.
  fs.writeFileSync(path.join(dir, 'short.bin'), Buffer.alloc(100, 0x41));
  const plain = await DiskImageSession.open(path.join(dir, 'short.bin'), { l10n });
  try {
    assert.match((await plain.initMessage(settings)).banner ?? '', /^ディスクイメージではありません: このファイルは .*16 進で表示します。$/);
    assert.equal(plain.blockedReason(), 'このファイルはディスクイメージとして読み込まれていません');
    assert.deepEqual(plain.plan('recompute-crcs'), { ok: false, id: 'recompute-crcs', reason: 'このファイルはディスクイメージとして読み込まれていません' });
  } finally {
    await plain.close();
  }
});

test('hand edit titles: English as before, Japanese in the edit list and in a refusal', async () => {
  assert.deepEqual(
    [byteEditTitle('type', 0x200, 4), byteEditTitle('paste', 0x1000, 16), byteEditTitle('fill', 0, 1), byteEditTitle('revert', 0x1be, 2)],
    ['Type 4 bytes at 0x200', 'Paste 16 bytes at 0x1000', 'Fill 1 byte at 0x0', 'Revert 2 bytes at 0x1BE to the saved bytes'],
  );
  const l10n = localizerOf(JA);
  assert.equal(l10n.text(byteEditTitleText('type', 0x200, 4)), '0x200 に 4 バイトを入力');
  assert.equal(l10n.text(byteEditTitleText('revert', 0x1be, 1)), '0x1BE の 1 バイトを保存済みのバイトに戻す');
  const file = writeEsxi5Image(path.join(dir, 'hand-edit.img'));
  const session = await DiskImageSession.open(file, { l10n });
  try {
    const effect = await session.handle({ type: 'editBytes', offset: 0x100000, hex: 'ab', dependents: true, action: 'type' }, { bytesPerRow: 16 });
    assert.equal(effect.kind, 'edit');
    assert.equal(session.edits.current.at(-1)!.plan.title, 'Type 1 byte at 0x100000', 'the stored (journal) title stays English');
    assert.deepEqual(session.editState().applied, ['0x100000 に 1 バイトを入力']);
  } finally {
    await session.close();
  }
});

test("a GPT header field's INVALID reason: English in the model as before, Japanese in the tree", async () => {
  const file = writeEsxi5Image(path.join(dir, 'bad-revision.img'));
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from([0x00, 0x00, 0x02, 0x00]), 0, 4, 512 + 8); // primary header Revision 0x00020000
  fs.closeSync(fd);
  const { disk, findings } = await model(file);
  assert.deepEqual(
    disk.primary!.invalid.map((p) => [p.field, p.reason]),
    [['revision', 'revision is 0x00020000, expected 0x00010000']],
  );
  const described = (l10n: Localizer): string[] =>
    [...walk(buildStructureTree(disk, findings, null, l10n).tree)].map((n) => n.description ?? '').filter((d) => /INVALID|不正/.test(d));
  assert.deepEqual(
    described(localizerOf(JA)).map((d) => d.split(' · ')[0]),
    ['不正: リビジョンが 0x00020000 です。0x00010000 のはずです'],
  );
  assert.deepEqual(
    described(ENGLISH).map((d) => d.split(' · ')[0]),
    ['INVALID: revision is 0x00020000, expected 0x00010000'],
  );
});

test('the compare copy-slots refusal reasons: English as before, Japanese through the localizer', async () => {
  const { disk } = await model(writeEsxi5Image(path.join(dir, 'same-slots.img')));
  const same = planCopySlotsFromReference(disk, disk);
  assert.ok(!same.ok);
  assert.equal(same.reason, `every partition of ${disk.image} already sits in the slot the reference uses`);
  assert.equal(localizerOf(JA).text(same.reasonText!), `${disk.image} のパーティションはすべて、参照イメージと同じスロットにすでにあります`);
});
