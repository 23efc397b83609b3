// The safe writer's own errors in the user's language: the editor shows
// describeErrorText(error) through its localizer (the host's localError). Each
// error keeps its English message (what the CLI prints) and carries the same
// text as a msg() template whose every key has a Japanese translation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  applyPlans,
  undoLast,
  ImageChangedError,
  JournalCorruptError,
  NothingToUndoError,
  PartitionWriteError,
  UndoConflictError,
  WriteRefusedError,
} from '../../src/core/write/index';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from '../../src/core/write/journal';
import { describeError, describeErrorText } from '../../src/core/errors';
import type { FixPlan } from '../../src/core/patch';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { tempDir, testGuid } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { MiB, imageAndPlan, readAt, writeAt } from '../write/helpers';
import { JA, japaneseOnly, recording } from './l10nHelpers';

const dir = tempDir('diskx-write-l10n-');
const part = (n: number, first: bigint, last: bigint) => ({
  typeGuid: TYPE_MS_BASIC_DATA,
  uniqueGuid: testGuid(n),
  firstLba: first,
  lastLba: last,
  name: `part${n}`,
});

function image(name: string): { image: string; plan: FixPlan } {
  const a = part(1, 2048n, 10239n);
  const b = part(2, 10240n, 20479n);
  return imageAndPlan(path.join(dir, name), 16 * MiB, 512, [a, b], [a, null, b], 'restore-esxi-slots');
}

/** The error `run` rejects with, checked to be `type`. */
async function rejection<T>(run: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof type, String(error));
    return error;
  }
  assert.fail('it did not reject');
}

/** The error as the Japanese editor shows it: every key translated, no English sentence left. */
function japanese(error: unknown, names: string[] = []): string {
  const { l10n, used } = recording();
  const text = l10n.text(describeErrorText(error));
  assert.deepEqual(
    [...used].filter((key) => !(key in JA)),
    [],
  );
  assert.deepEqual(japaneseOnly(text, ['restore-esxi-slots', 'recompute-crcs', 'diskx', 'undo', 'journal', ...names]), [], text);
  return text;
}

test('a byte changed between plan and write: English as before, Japanese in the editor', async () => {
  const { image: file, plan } = image('changed.img');
  const target = plan.patches[0]!.offset;
  writeAt(file, target, new Uint8Array([readAt(file, target, 1)[0]! ^ 0xff]));
  const error = await rejection(applyPlans(file, [plan], { sectorSize: 512 }), ImageChangedError);
  assert.match(
    error.message,
    /^the image changed since fix restore-esxi-slots was planned: byte 0x[0-9A-F]+ is 0x[0-9A-F]{2}, the plan expected 0x[0-9A-F]{2}; nothing was written, plan the fix again$/,
  );
  assert.equal(describeError(error), error.message);
  assert.match(
    japanese(error),
    /^修復 restore-esxi-slots を計画した後にイメージが変わりました: バイト 0x[0-9A-F]+ は 0x[0-9A-F]{2} ですが、計画では 0x[0-9A-F]{2} のはずでした。/,
  );
});

test('a plan reaching into a partition, undo with nothing to undo and after the bytes changed', async () => {
  const { image: file, plan } = image('undo.img');
  const offset = 10240 * 512 + 3;
  const intoData: FixPlan = {
    id: 'recompute-crcs',
    title: 't',
    description: '',
    patches: [{ offset, before: new Uint8Array(readAt(file, offset, 1)), after: new Uint8Array([0x5a]) }],
  };
  const inPartition = await rejection(applyPlans(file, [intoData], { sectorSize: 512 }), PartitionWriteError);
  assert.match(
    inPartition.message,
    /^refusing to write recompute-crcs: byte 0x500003 lies in partition 2 \(LBAs 10240\.\.20479, primary array\), and no repair writes/,
  );
  assert.match(
    japanese(inPartition),
    /^recompute-crcs は書き込みません: バイト 0x500003 は パーティション 2 \(LBA 10240\.\.20479、プライマリ配列\) の中にあり/,
  );

  const nothing = await rejection(undoLast(file), NothingToUndoError);
  assert.equal(nothing.message, `nothing to undo (no applied repair in ${file}.diskx-journal)`);
  assert.equal(japanese(nothing, [file]), `元に戻すものはありません (${file}.diskx-journal に適用済みの修復はありません)`);

  const result = await applyPlans(file, [plan], { sectorSize: 512 });
  const w = result.writes[0]!;
  writeAt(file, w.offset + 7, new Uint8Array([readAt(file, w.offset + 7, 1)[0]! ^ 0xff]));
  const conflict = await rejection(undoLast(file), UndoConflictError);
  assert.match(conflict.message, /^cannot undo: the bytes the repair wrote have changed at byte 0x[0-9A-F]+ since the repair; nothing was written \(journal /);
  assert.match(japanese(conflict, [file]), /^元に戻せません: 修復の後、バイト 0x[0-9A-F]+ で修復が書き込んだバイト列が変わりました。何も書き込んでいません/);
});

test('a read-only file, and a file changed behind the editor: Save refuses in Japanese', async () => {
  const { image: file, plan } = image('readonly.img');
  fs.chmodSync(file, 0o444);
  const refused = await rejection(applyPlans(file, [plan], { sectorSize: 512 }), WriteRefusedError);
  assert.equal(refused.message, `${file} is read-only; refusing to write without --allow-device (nothing was written)`);
  assert.equal(japanese(refused, [file]), `${file} は読み取り専用です。--allow-device なしでは書き込みません (何も書き込んでいません)`);
  // The editor asks before writing a read-only file (toolbar tooltip, Save confirmation). Root passes
  // access(W_OK), where the editor's read-only hint comes from, so only another user sees it.
  if (process.getuid?.() !== 0) {
    const asks = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals'), l10n: recording().l10n });
    try {
      assert.equal(asks.saveNeedsConfirmation(), 'readonly.img は読み取り専用です');
    } finally {
      await asks.close();
    }
  }
  fs.chmodSync(file, 0o644);

  const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals'), l10n: recording().l10n });
  try {
    assert.ok((await session.editBytes(0x1b8, Uint8Array.of(0x12), false, 'type')).ok); // the MBR's disk signature
    fs.appendFileSync(file, Buffer.alloc(512));
    assert.match((await session.changedOnDisk()) ?? '', /^its size went from \d+ to \d+ bytes$/);
    const error = await session.save({ allowDevice: false }).then(
      () => assert.fail('saved'),
      (e: unknown) => e,
    );
    assert.match(String((error as Error).message), /changed on disk since it was opened \(its size went from \d+ to \d+ bytes\); nothing was written$/);
    assert.match(
      japanese(error, [file]),
      /は開いた後にディスク上で変更されました \(サイズが \d+ バイトから \d+ バイトに変わりました\)。何も書き込んでいません$/,
    );
  } finally {
    await session.close();
  }
});

test("a field edit the value does not fit: the editor's refusal in Japanese, the English as diskx set says it", async () => {
  const { image: file } = image('field.img');
  const reasons = async (l10n?: ReturnType<typeof recording>['l10n']): Promise<string[]> => {
    const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals'), ...(l10n ? { l10n } : {}) });
    try {
      const out: string[] = [];
      for (const [field, value] of [
        ['primaryHeader.firstUsableLba', 'abc'],
        ['primaryArray.entries.0.name', 'x'.repeat(40)],
        ['primaryArray.entries.200.name', 'a'],
      ] as const) {
        const outcome = await session.setField(field, value, true);
        assert.ok(!outcome.ok);
        out.push(outcome.ok ? '' : outcome.reason);
      }
      return out;
    } finally {
      await session.close();
    }
  };
  assert.deepEqual(await reasons(), [
    'primaryHeader.firstUsableLba: "abc" is not a whole number (decimal, or hex with 0x)',
    'primaryArray.entries.0.name: the name is 40 UTF-16 code units long; the field holds 36',
    'primaryArray.entries.200.name: slot 200 is not in the primary array (slots 0..127)',
  ]);
  const { l10n, used } = recording();
  assert.deepEqual(await reasons(l10n), [
    'primaryHeader.firstUsableLba: "abc" は整数 (10 進数、または 0x を付けた 16 進数) ではありません',
    'primaryArray.entries.0.name: 名前は UTF-16 のコード単位で 40 個ですが、フィールドに入るのは 36 個です',
    'primaryArray.entries.200.name: スロット 200 はプライマリ配列にありません (スロットは 0..127)',
  ]);
  assert.deepEqual(
    [...used].filter((key) => !(key in JA)),
    [],
  );
});

test('a damaged undo journal: the reason inside the refusal is Japanese too', async () => {
  const { image: file } = image('journal.img');
  fs.writeFileSync(`${file}.diskx-journal`, JSON.stringify({ format: JOURNAL_FORMAT, version: 99, image: file, entries: [] }));
  const error = await rejection(undoLast(file), JournalCorruptError);
  assert.equal(
    error.message,
    `the undo journal ${file}.diskx-journal cannot be read (version 99 is not ${JOURNAL_VERSION}); move it aside only once you know the image is fine`,
  );
  assert.equal(
    japanese(error, [file]),
    `元に戻すためのジャーナル ${file}.diskx-journal を読めません (バージョン 99 が ${JOURNAL_VERSION} ではありません)。イメージに問題がないと確かめてから別の場所に移してください`,
  );
});
