// copy-slots-from-reference: the seed's compacted image given the slots of its
// original comes out with both arrays byte-equal to the original and sgdisk
// finds no problem; the reasons it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planCopySlotsFromReference } from '../../src/core/diff/copySlots';
import { structuralDiff } from '../../src/core/diff/structuralDiff';
import { applyPlans } from '../../src/core/write/index';
import { tempDir, testGuid, writeEsxi5Image } from '../builders/images';
import { analyzeBytes, analyzeFile, editEntryBoth, readAt, sgdiskVerify, smallGptBytes } from '../builders/oracles';
import { NEED_ORACLES } from '../fixes/helpers';
import { parseGuid } from '../../src/core/guid';
import type { FixResult } from '../../src/core/patch';
import { localizerOf } from '../../src/shared/l10n';
import type { StringTable } from '../../src/shared/l10n';

const dir = tempDir('diskx-diff-copyslots-');
const JA: StringTable = JSON.parse(
  readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'l10n', 'bundle.l10n.ja.json'), 'utf8'),
);

/** The refusal in Japanese (the editor's rendering of reasonText). */
function japanese(result: FixResult): string {
  assert.ok(!result.ok && result.reasonText, 'a refusal with a message');
  return result.ok ? '' : localizerOf(JA).text(result.reasonText!);
}
const GiB = 1024 ** 3;

function reason(result: FixResult): string {
  assert.equal(result.ok, false, result.ok ? `unexpectedly applies: ${result.plan.description}` : '');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.id, 'copy-slots-from-reference');
  return result.reason;
}

test('the seed case: the compacted image takes the original slots; arrays byte-equal, sgdisk -v clean', { skip: NEED_ORACLES }, async () => {
  const original = writeEsxi5Image(path.join(dir, 'original.img'));
  const compacted = writeEsxi5Image(path.join(dir, 'compacted.img'), { compacted: true });
  const a = (await analyzeFile(compacted)).disk;
  const b = (await analyzeFile(original)).disk;
  const result = planCopySlotsFromReference(a, b);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const { plan } = result;
  assert.equal(plan.id, 'copy-slots-from-reference');
  assert.match(
    plan.description,
    /bootbank slot 3 -> 4 \(partition 4 -> 5\), altbootbank slot 4 -> 5 \(partition 5 -> 6\), vmkDiagnostic slot 5 -> 6 \(partition 6 -> 7\), store\/locker slot 6 -> 7 \(partition 7 -> 8\)/,
  );
  assert.match(plan.description, /Slot 3 becomes empty/);
  // Five entry slots (3..7) and two CRCs per copy; the backup's patches come first (UEFI 5.3.2).
  const arrayBytes = 128 * 128;
  const backupArray = Number(b.backup!.partitionEntryLba) * 512;
  const inPrimary = (offset: number): boolean => offset < 512 + 512 + arrayBytes;
  assert.deepEqual(
    plan.patches.map((p) => p.offset),
    [
      ...[3, 4, 5, 6, 7].map((slot) => backupArray + slot * 128),
      b.backup!.offset + 0x58,
      b.backup!.offset + 0x10,
      ...[3, 4, 5, 6, 7].map((slot) => 1024 + slot * 128),
      512 + 0x58,
      512 + 0x10,
    ],
  );
  assert.ok(plan.patches.slice(0, 7).every((p) => !inPrimary(p.offset)));

  const written = await applyPlans(compacted, [plan], { sectorSize: 512, journalDir: path.join(dir, 'journals') });
  assert.ok(written.sectorsWritten > 0);
  // Both arrays and both headers now hold exactly the original's bytes.
  assert.deepEqual(readAt(compacted, 1024, arrayBytes), readAt(original, 1024, arrayBytes));
  assert.deepEqual(readAt(compacted, backupArray, arrayBytes), readAt(original, backupArray, arrayBytes));
  assert.deepEqual(readAt(compacted, 512, 512), readAt(original, 512, 512));
  assert.deepEqual(readAt(compacted, b.backup!.offset, 512), readAt(original, b.backup!.offset, 512));
  const verdict = sgdiskVerify(compacted);
  assert.equal(verdict.problems, 0, verdict.text);
  assert.doesNotMatch(verdict.text, /ERROR|Problem/, verdict.text);
  const after = (await analyzeFile(compacted)).disk;
  assert.equal(structuralDiff(after, b).identical, true);
  assert.match(reason(planCopySlotsFromReference(after, b)), /already sits in the slot the reference uses/);
});

test('the other way round: the original given the compacted slots (what the seed copy did)', async () => {
  const original = writeEsxi5Image(path.join(dir, 'o2.img'), { sizeBytes: 6 * GiB });
  const compacted = writeEsxi5Image(path.join(dir, 'c2.img'), { sizeBytes: 6 * GiB, compacted: true });
  const result = planCopySlotsFromReference((await analyzeFile(original)).disk, (await analyzeFile(compacted)).disk);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.match(result.plan.description, /bootbank slot 4 -> 3 .*store\/locker slot 7 -> 6/);
  assert.match(result.plan.description, /Slot 7 becomes empty/);
});

test('refuses: no GPT on either side', async () => {
  const mbrOnly = new Uint8Array(1024 * 1024);
  mbrOnly.set([0x00, 0x20, 0x21, 0x00, 0x83, 0xff, 0xff, 0xff], 446);
  new DataView(mbrOnly.buffer).setUint32(446 + 8, 2048, true);
  new DataView(mbrOnly.buffer).setUint32(446 + 12, 10, true);
  mbrOnly[510] = 0x55;
  mbrOnly[511] = 0xaa;
  const mbr = (await analyzeBytes(mbrOnly)).disk;
  const gpt = (await analyzeBytes(smallGptBytes())).disk;
  assert.equal(mbr.scheme, 'mbr');
  assert.equal(reason(planCopySlotsFromReference(mbr, gpt)), 'memory.img has no GPT (it is partitioned with an MBR), so it has no slots to rearrange');
  assert.equal(
    japanese(planCopySlotsFromReference(mbr, gpt)),
    'memory.img には GPT がなく (MBR でパーティション分割されています)、並べ替えるスロットがありません',
  );
  assert.match(reason(planCopySlotsFromReference(gpt, mbr)), /the reference memory\.img has no GPT/);
});

test('refuses: a partition of A is missing in the reference', async () => {
  const bytesB = smallGptBytes();
  editEntryBoth(bytesB, 512, 3, (entry) => new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength).fill(0));
  const text = reason(planCopySlotsFromReference((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk));
  assert.match(text, /a partition of memory\.img is missing in the reference/);
  assert.ok(text.includes(`part4 (slot 3, ${testGuid(4)})`), text);
  assert.equal(text, `a partition of memory.img is missing in the reference, so there is no slot to copy for part4 (slot 3, ${testGuid(4)})`);
  assert.equal(
    japanese(planCopySlotsFromReference((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk)),
    `memory.img のパーティション 1 つが参照イメージにないため、part4 (スロット 3、${testGuid(4)}) のコピー先スロットがありません`,
  );
});

test('refuses: slots already identical', async () => {
  const { disk } = await analyzeBytes(smallGptBytes());
  assert.match(reason(planCopySlotsFromReference(disk, disk)), /every partition of memory\.img already sits in the slot the reference uses/);
});

test('refuses: A has a damaged GPT copy', async () => {
  const bytesA = smallGptBytes();
  bytesA[1024 + 130] ^= 0xff; // inside the primary array, CRC left stale
  const text = reason(planCopySlotsFromReference((await analyzeBytes(bytesA)).disk, (await analyzeBytes(smallGptBytes())).disk));
  assert.match(text, /the primary GPT of memory\.img is damaged/);
});

test('applies in memory: B uses other slots and has an extra partition; entries move byte for byte', async () => {
  // B: part4 in slot 2 instead of 3, part1 in slot 5, plus a partition A lacks in slot 0.
  const bytesA = smallGptBytes();
  const bytesB = smallGptBytes();
  const entry = (bytes: Uint8Array, slot: number): Uint8Array => bytes.slice(1024 + slot * 128, 1024 + (slot + 1) * 128);
  const part1 = entry(bytesB, 0);
  const part4 = entry(bytesB, 3);
  const set = (slot: number, bytes: Uint8Array): void =>
    editEntryBoth(bytesB, 512, slot, (view) => new Uint8Array(view.buffer, view.byteOffset, 128).set(bytes));
  set(3, new Uint8Array(128));
  set(2, part4);
  set(5, part1);
  const extra = entry(bytesB, 5).slice();
  extra.set(parseGuid(testGuid(77)), 16);
  new DataView(extra.buffer).setBigUint64(32, 1500n, true);
  new DataView(extra.buffer).setBigUint64(40, 1600n, true);
  set(0, extra);
  const a = (await analyzeBytes(bytesA)).disk;
  const b = (await analyzeBytes(bytesB)).disk;
  const result = planCopySlotsFromReference(a, b);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.match(result.plan.description, /The reference has 1 partition that memory\.img lacks; it is not created/);
  for (const patch of result.plan.patches) bytesA.set(patch.after, patch.offset);
  const moved = (await analyzeBytes(bytesA)).disk;
  assert.deepEqual(
    moved.partitions.map((p) => [p.slot, p.uuid]),
    [
      [1, testGuid(2)],
      [2, testGuid(4)],
      [5, testGuid(1)],
    ],
  );
  assert.deepEqual(entry(bytesA, 2), part4);
  assert.deepEqual(entry(bytesA, 5), part1);
  assert.deepEqual(entry(bytesA, 0), new Uint8Array(128));
  assert.deepEqual(entry(bytesA, 3), new Uint8Array(128));
  assert.equal(moved.primary!.headerCrcOk && moved.primary!.arrayCrcOk && moved.backup!.headerCrcOk && moved.backup!.arrayCrcOk, true);
  assert.deepEqual(
    structuralDiff(moved, b).partitions.map((p) => p.status),
    ['same', 'same', 'same', 'only-b'],
  );
});
