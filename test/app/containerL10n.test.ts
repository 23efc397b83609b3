// A container's read-only and refusal reasons in the user's language: the
// editor's Repairs node of a qcow2 marked dirty, Apply refused through a
// compressed qcow2, a qcow2 whose clusters a snapshot shares and a child whose
// damaged sectors are in its backing file, and the overlapping-tables finding of
// a VHD. Through the Japanese localizer every template has a translation; the
// English session says what the CLI says, as before.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { convertRaw, haveQemuImg } from '../builders/containers';
import { containerTestDisk } from '../builders/containerDisks';
import { runCli } from '../builders/cli';
import { DiskImageSession } from '../../src/app/diskImageSession';
import type { SessionOptions } from '../../src/app/diskImageSession';
import { renderMessage } from '../../src/shared/l10n';
import { JA, japaneseOnly, recording } from './l10nHelpers';

const dir = tempDir('diskx-container-l10n-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const RAW = containerTestDisk(path.join(dir, 'disk.img'), { damage: true });
const NAMES = ['qcow2', 'VHD', 'L1/L2', 'copied', 'lazy', 'refcounts', 'raw', 'convert', 'check', 'img', 'vpc', 'BAT', 'vhd-dynamic'];

async function withSession<T>(file: string, options: Partial<SessionOptions>, use: (session: DiskImageSession) => Promise<T>): Promise<T> {
  const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals'), ...options });
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

/** Apply's refusal of `fix` on `file`, in English and in Japanese (every key asked for has a translation), and the CLI's stderr. */
async function refusal(file: string, fix: 'recompute-crcs'): Promise<{ en: string; ja: string; cli: string }> {
  const en = await withSession(file, {}, async (s) => s.applyFix(fix));
  const { l10n, used } = recording();
  const ja = await withSession(file, { l10n }, async (s) => s.applyFix(fix));
  assert.ok(!en.ok && !ja.ok);
  assert.deepEqual(
    [...used].filter((key) => !(key in JA)),
    [],
  );
  const cli = await runCli(['fix', file, '--fix', fix]);
  assert.equal(cli.status, 1, cli.stdout);
  return { en: en.ok ? '' : en.reason, ja: ja.ok ? '' : ja.reason, cli: cli.stderr };
}

describe("a container's reasons in Japanese", { skip }, () => {
  test('a compressed qcow2: Apply says why in Japanese; the English is the CLI reason', async () => {
    const file = path.join(dir, 'zip.qcow2');
    execFileSync('qemu-img', ['convert', '-c', '-f', 'raw', '-O', 'qcow2', RAW, file]);
    const { en, ja, cli } = await refusal(file, 'recompute-crcs');
    assert.match(
      en,
      /^it would write through the qcow2 container, but virtual bytes \d+\.\.\d+ are stored compressed; a compressed grain or cluster cannot be rewritten in place; repair a raw copy instead: qemu-img convert -f qcow2 -O raw /,
    );
    assert.ok(cli.includes(en), `the CLI says the same: ${cli}`);
    assert.match(ja, /^qcow2 コンテナーを通して書き込むことになりますが、仮想バイト \d+\.\.\d+ は圧縮して格納されています。/);
    assert.match(ja, /代わりに raw 形式のコピーを修復してください: qemu-img convert -f qcow2 -O raw /);
    assert.deepEqual(japaneseOnly(ja, NAMES), [], ja);
  });

  test('a snapshot shares the clusters; a child reads them from its backing file', async () => {
    const shared = convertRaw(RAW, { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' }, path.join(dir, 'snap.qcow2'));
    execFileSync('qemu-img', ['snapshot', '-c', 'keep', shared]);
    const snap = await refusal(shared, 'recompute-crcs');
    assert.match(snap.en, /are shared: the qcow2 cluster at file offset \d+ has refcount 2 \(an internal snapshot or another table shares it\)/);
    assert.match(snap.ja, /は共有されています: ファイルオフセット \d+ の qcow2 クラスターは参照カウントが 2 です/);
    const child = path.join(dir, 'child.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(RAW), '-F', 'raw', child]);
    const parent = await refusal(child, 'recompute-crcs');
    assert.match(
      parent.en,
      /are not allocated in this qcow2 file but read from its parent \((no L2 table|no cluster)\); writing the parent would change every disk based on it/,
    );
    assert.match(parent.ja, /はこの qcow2 ファイルに割り当てられておらず、親から読んでいます \((L2 テーブルなし|クラスターなし)\)/);
    for (const { ja } of [snap, parent]) assert.deepEqual(japaneseOnly(ja, NAMES), [], ja);
  });

  test('a qcow2 marked dirty: the Repairs node says read-only and why, in Japanese', async () => {
    const file = convertRaw(RAW, { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' }, path.join(dir, 'dirty.qcow2'));
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([1]), 0, 1, 72 + 7); // incompatible_features bit 0: dirty (big-endian u64 at 72)
    fs.closeSync(fd);
    const node = async (options: Partial<SessionOptions>) =>
      withSession(file, options, async (s) => s.view.tree[0]!.children!.find((n) => n.id === 'container.writes')!);
    const en = await node({});
    assert.deepEqual(
      [en.value, en.description],
      ['read-only', 'the qcow2 image is marked dirty (its refcounts may be stale); run qemu-img check -r all first'],
    );
    const ja = await node({ l10n: recording().l10n });
    assert.equal(
      ja.description,
      'qcow2 イメージに dirty の印が付いています (参照カウントが古い可能性があります)。先に qemu-img check -r all を実行してください',
    );
    const refused = await refusal(file, 'recompute-crcs');
    assert.match(refused.ja, /qcow2 イメージに dirty の印が付いています/);
  });

  test('a VHD whose BAT gives one block twice: the finding in Japanese, the English message as before', async () => {
    const file = convertRaw(
      RAW,
      { format: 'vhd-dynamic', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' },
      path.join(dir, 'twice.vhd'),
    );
    const read = (offset: number, length: number): Buffer => {
      const out = Buffer.alloc(length);
      const fd = fs.openSync(file, 'r');
      fs.readSync(fd, out, 0, length, offset);
      fs.closeSync(fd);
      return out;
    };
    const table = Number(read(512 + 16, 8).readBigUInt64BE());
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, read(table + 4, 4), 0, 4, table + 8); // block 2 -> block 1's sectors
    fs.closeSync(fd);
    const finding = await withSession(file, {}, async (s) => s.findings.find((f) => f.code === 'container-overlapping-blocks')!);
    assert.match(
      finding.message,
      /^The vhd-dynamic file's tables give the same file bytes to two owners: virtual block 1 \(file bytes \d+\.\.\d+\) and virtual block 2 \(file bytes \d+\.\.\d+\) share \d+ bytes\. A write through one/,
    );
    const ja = renderMessage(finding.text!, JA);
    assert.match(
      ja,
      /^vhd-dynamic ファイルのテーブルが、同じファイルのバイトを 2 つの持ち主に割り当てています: 仮想ブロック 1 \(ファイルのバイト \d+\.\.\d+\) と 仮想ブロック 2/,
    );
    const refused = await refusal(file, 'recompute-crcs');
    assert.match(refused.ja, /テーブルに矛盾があります: 仮想ブロック 1 \(ファイルのバイト \d+\.\.\d+\) と 仮想ブロック 2/);
    assert.ok(refused.cli.includes(refused.en));
  });
});

test("why a file cannot be opened as a disk: the reader's error in the editor's banner, in Japanese", async () => {
  const tiny = path.join(dir, 'tiny.img');
  fs.writeFileSync(tiny, Buffer.alloc(100));
  const qcow = path.join(dir, 'v4.qcow2');
  const header = Buffer.alloc(4096);
  header.write('QFI\xfb', 0, 'latin1');
  header.writeUInt32BE(4, 4); // version 4
  fs.writeFileSync(qcow, header);
  const banners = async (file: string): Promise<{ en: string; ja: string; cli: string }> => {
    const en = await withSession(file, {}, async (s) => s.banner ?? '');
    const { l10n, used } = recording();
    const ja = await withSession(file, { l10n }, async (s) => s.banner ?? '');
    assert.deepEqual(
      [...used].filter((key) => !(key in JA)),
      [],
    );
    return { en, ja, cli: (await runCli(['check', file])).stderr };
  };
  const small = await banners(tiny);
  assert.equal(small.en, 'Not a disk image: this file is too small to be a disk image (100 bytes; an MBR alone needs 512). Showing its bytes as plain hex.');
  assert.equal(
    small.ja,
    'ディスクイメージではありません: このファイルは ディスクイメージとしては小さすぎます (100 バイト。MBR だけでも 512 バイト必要です)。バイト列をそのまま 16 進で表示します。',
  );
  assert.match(small.cli, /is too small to be a disk image \(100 bytes; an MBR alone needs 512\)/);
  const version = await banners(qcow);
  assert.match(version.en, /qcow2 version 4 is not 2 or 3/);
  assert.match(version.ja, /qcow2 のバージョン 4 が 2 でも 3 でもありません/);
  assert.match(version.cli, /qcow2 version 4 is not 2 or 3/);
});
