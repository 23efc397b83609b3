// The fix previews' long descriptions in the user's language: Rebuild primary /
// backup GPT, Move backup GPT to end of disk and the comparison's Copy slots
// from B into A, over disks that take each branch of their wording. The English
// (plan.description, what the CLI prints) is asserted as before; through the
// Japanese localizer every template asked for has a translation and no English
// sentence is left, only names (field names, fix ids, tools, image names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { planFix } from '../../src/core/fixes/index';
import { planCopySlotsFromReference } from '../../src/core/diff/copySlots';
import { previewPlan } from '../../src/app/fixPreview';
import type { DiskModel } from '../../src/core/model';
import type { FixId } from '../../src/core/findings';
import type { FixPlan, FixResult } from '../../src/core/patch';
import { analyzeBytes, analyzeFile, editEntry, editHeader, smallGptBytes } from '../builders/oracles';
import { tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { fatAt, have, wipeTables } from '../builders/recovery';
import { runCli } from '../builders/cli';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { JA, japaneseOnly, recording } from './l10nHelpers';

const dir = tempDir('diskx-fix-l10n-');
const SECTORS = 4096n; // smallGptBytes: 2 MiB of 512-byte sectors

function planned(result: FixResult): FixPlan {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.plan;
}

async function plan(bytes: Uint8Array, id: FixId): Promise<{ disk: DiskModel; plan: FixPlan }> {
  const { disk } = await analyzeBytes(bytes);
  return { disk, plan: planned(planFix(disk, id)) };
}

/** `bytes` as a disk of `sectors` 512-byte sectors: grown with zeros, or cut (a disk that shrank). */
function resized(bytes: Uint8Array, sectors: bigint): Uint8Array {
  const out = new Uint8Array(Number(sectors) * 512);
  out.set(bytes.subarray(0, Math.min(bytes.length, out.length)));
  return out;
}

const cases: [string, () => Promise<{ disk: DiskModel; plan: FixPlan }>][] = [
  [
    'rebuild-primary-from-backup, primary HeaderCRC32 wrong',
    () => {
      const bytes = smallGptBytes();
      editHeader(bytes, 512, 1n, (v) => v.setUint8(0x20, 0x99), false);
      return plan(bytes, 'rebuild-primary-from-backup');
    },
  ],
  [
    'rebuild-primary-from-backup, primary header and array wiped',
    () => {
      const bytes = smallGptBytes();
      bytes.fill(0, 512, 34 * 512);
      return plan(bytes, 'rebuild-primary-from-backup');
    },
  ],
  [
    'rebuild-backup-from-primary, one backup entry differs and its CRC is wrong',
    () => {
      const bytes = smallGptBytes();
      editEntry(bytes, 512, SECTORS - 1n, 1, (v) => v.setUint8(56, 0x58));
      editHeader(bytes, 512, SECTORS - 1n, (v) => v.setUint32(0x58, 1, true));
      return plan(bytes, 'rebuild-backup-from-primary');
    },
  ],
  ['relocate-backup, the disk grew', () => plan(resized(smallGptBytes(), 2n * SECTORS), 'relocate-backup')],
  ['relocate-backup, the disk shrank', () => plan(resized(smallGptBytes(), SECTORS / 2n), 'relocate-backup')],
  [
    'relocate-backup, grown, with a hybrid MBR and an old backup whose entries differ',
    () => {
      const bytes = smallGptBytes();
      editEntry(bytes, 512, SECTORS - 1n, 1, (v) => v.setUint8(56, 0x58));
      bytes[446 + 16 + 4] = 0x0c;
      new DataView(bytes.buffer).setUint32(446 + 16 + 8, 34, true);
      new DataView(bytes.buffer).setUint32(446 + 16 + 12, 100, true);
      return plan(resized(bytes, SECTORS + 4n), 'relocate-backup');
    },
  ],
  [
    'relocate-backup, the right size but the backup header wiped',
    () => {
      const bytes = smallGptBytes();
      bytes.fill(0, Number(SECTORS - 1n) * 512);
      return plan(bytes, 'relocate-backup');
    },
  ],
  [
    "recompute-crcs, the backup's array CRC stale, the primary's fields damaged (left alone, named field by field)",
    () => {
      const bytes = smallGptBytes();
      const backupArray = Number(SECTORS - 33n) * 512;
      bytes[backupArray + 128 + 56] = 0x58; // a backup entry's name: its array CRC is stale
      editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x28, 35n, true), false); // primary FirstUsableLBA, not resealed
      return plan(bytes, 'recompute-crcs');
    },
  ],
  [
    'copy-slots-from-reference, the compacted ESXi disk given its original',
    async () => {
      const a = (await analyzeFile(writeEsxi5Image(path.join(dir, 'compacted.img'), { compacted: true }))).disk;
      const b = (await analyzeFile(writeEsxi5Image(path.join(dir, 'original.img')))).disk;
      return { disk: a, plan: planned(planCopySlotsFromReference(a, b)) };
    },
  ],
];

for (const [label, make] of cases) {
  test(`${label}: the preview describes it in Japanese, every template translated`, async () => {
    const { disk, plan } = await make();
    assert.ok(plan.descriptionText, 'the plan carries its description as a message');
    const { l10n, used } = recording();
    const ja = previewPlan(disk, plan, l10n).description;
    const en = previewPlan(disk, plan).description;
    assert.equal(en, plan.description, 'the English preview is the CLI text');
    assert.deepEqual(
      [...used].filter((key) => !(key in JA)),
      [],
      'templates without a Japanese entry',
    );
    assert.deepEqual(japaneseOnly(ja), [], `English words left in: ${ja}`);
    assert.ok(ja.length > 40 && ja !== en, ja);
  });
}

test('the English descriptions are the ones the CLI printed before they became templates', async () => {
  const grown = (await cases[3]![1]()).plan.description;
  assert.match(
    grown,
    /^The disk's last LBA is 8191 but the primary header's AlternateLBA is 4095 \(the disk grew by 4096 sectors\)\. Writes the backup entry array \(a copy of the primary's 128 entries\) at LBAs 8159\.\.8190 and the backup header at LBA 8191 \(MyLBA 8191, AlternateLBA 1, PartitionEntryLBA 8159\)\. Sets the primary header's AlternateLBA 4095 -> 8191 and LastUsableLBA 4062 -> 8158 /,
  );
  assert.match(grown, / The stale old backup \(header at LBA 4095, array at LBAs 4063\.\.4094\) is left in place untouched, as sgdisk -e does: /);
  assert.match(grown, / Writes \d+ bytes in \d+ 512-byte sectors \(LBAs [\d., ]+\)\.$/);
  const hybrid = (await cases[5]![1]()).plan.description;
  assert.match(hybrid, /Leaves the MBR alone \(it is hybrid, not a plain protective MBR; its records are not ours to resize\)\./);
  assert.match(hybrid, /The old backup header at LBA 4095 lies inside the new backup's sectors/);
  const rebuilt = (await cases[2]![1]()).plan.description;
  assert.match(
    rebuilt,
    /^Rebuilds the backup GPT from the healthy primary copy, as gdisk's recovery menu does \(the backup header at LBA 4095: its entry array CRC is wrong\)\. Writes the backup header at LBA 4095 \(a copy of the primary header with MyLBA 4095, AlternateLBA 1, PartitionEntryLBA 4063, HeaderCRC32 recomputed\) and the 128-entry array at LBA 4063 \(byte-equal to the primary's; 1 entry differs from what is there now\)\. Writes /,
  );
  const copy = (await cases[8]![1]()).plan;
  assert.match(
    copy.description,
    /^Moves 4 entries of .*compacted\.img into the slots the reference .*original\.img uses, in the primary and the backup array: bootbank slot 3 -> 4 /,
  );
  assert.match(
    copy.description,
    / Then recomputes the array CRC and then the header CRC: backup \(LBA \d+\): array CRC 0x[0-9A-F]{8} -> 0x[0-9A-F]{8}, header CRC /,
  );
});

test('a Japanese description reads as Japanese: the grown disk and the copy-slots offer', async () => {
  const grown = (await cases[3]![1]()).plan;
  const text = localizerText(grown);
  assert.match(text, /^ディスクの最後の LBA は 8191 ですが、プライマリヘッダーの AlternateLBA は 4095 です \(ディスクが 4096 セクター大きくなりました\)。/);
  assert.match(text, /sgdisk -e と同じく手を付けずにそのまま残します/);
  const copied = await cases[8]![1]();
  const copy = localizerText(copied.plan);
  // The comparison lists each patch by the fields it writes, in words.
  const whats = previewPlan(copied.disk, copied.plan, recording().l10n).patches.map((p) => p.what);
  assert.ok(whats.includes('バックアップ配列: スロット 4'), whats.join(' | '));
  assert.ok(whats.includes('プライマリヘッダー: PartitionEntryArrayCRC32'), whats.join(' | '));
  assert.ok(previewPlan(copied.disk, copied.plan).patches.some((p) => p.what === 'backup array: slot 4'));
  assert.match(copy, /bootbank スロット 3 -> 4 \(パーティション 4 -> 5\)/);
  assert.match(copy, /スロット 3 は空になります/);
});

test("recompute-crcs' left-alone details: English as before, Japanese through the localizer", async () => {
  const { disk, plan } = await cases[7]![1]();
  assert.match(
    plan.description,
    / Left alone: the primary GPT at LBA 1 has a stale HeaderCRC32 and its content disagrees with the backup header or breaks the layout rules \(FirstUsableLBA 35 vs 34; partition 1 \(LBAs 34\.\.133\) lies outside the usable range 35\.\.4062\), so its bytes, not just its CRCs, are damaged /,
  );
  assert.match(
    previewPlan(disk, plan, recording().l10n).description,
    /FirstUsableLBA が 35 と 34 で異なります、パーティション 1 \(LBA 34\.\.133\) が使用可能範囲 35\.\.4062 の外にあります/,
  );

  // Entries that break UEFI 5.3.3 under a stale array CRC: the refusal lists them.
  const bytes = smallGptBytes();
  const view = new DataView(bytes.buffer);
  view.setBigUint64(1024 + 40, 20n, true); // primary slot 0 EndingLBA 20 < StartingLBA 34
  view.setBigUint64(1024 + 3 * 128 + 40, 9000n, true); // slot 3 EndingLBA past LastUsableLBA
  const { disk: broken } = await analyzeBytes(bytes);
  const refused = planFix(broken, 'recompute-crcs');
  assert.ok(!refused.ok && refused.reasonText);
  assert.equal(
    refused.reason,
    'the primary GPT at LBA 1 has a stale PartitionEntryArrayCRC32 and its content disagrees with the backup header or breaks the layout rules (partition 1 ends (LBA 20) before it starts (LBA 34); partition 4 (LBAs 234..9000) lies outside the usable range 34..4062), so its bytes, not just its CRCs, are damaged and sealing them would make them look valid; rebuild-primary-from-backup rewrites it from the healthy backup copy; no other header has stale CRCs',
  );
  const { l10n, used } = recording();
  const ja = l10n.text(refused.reasonText!);
  assert.match(
    ja,
    /パーティション 1 の終わり \(LBA 20\) が始まり \(LBA 34\) より前にあります、パーティション 4 \(LBA 234\.\.9000\) が使用可能範囲 34\.\.4062 の外にあります/,
  );
  assert.deepEqual(
    [...used].filter((key) => !(key in JA)),
    [],
  );
  assert.deepEqual(japaneseOnly(ja), [], ja);
});

function localizerText(plan: FixPlan): string {
  return recording().l10n.text(plan.descriptionText!);
}

test(
  'rebuild-from-scan: the proposal, its refusal and what it overwrites, in Japanese; English as the CLI prints it',
  { skip: !have('mkfs.vfat') && 'needs dosfstools' },
  async () => {
    const image = path.join(dir, 'lost.img');
    writeGptImage(image, {
      sectorSize: 512,
      totalSectors: 65536n,
      diskGuid: testGuid(0x105),
      slots: [{ typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 34815n, name: 'data' }],
    });
    fatAt(image, 2048n, 32768n, 'DATA');
    const intact = await DiskImageSession.open(image, { journalDir: path.join(dir, 'journals'), l10n: recording().l10n });
    try {
      await intact.scanForLostPartitions();
      const refused = intact.preview('rebuild-from-scan');
      assert.ok(!refused.ok);
      assert.equal(
        refused.reason,
        'ディスクにはまだ CRC の正しい GPT ヘッダーがあります: 置き換えるのではなく、ほかの修復 (diskx check で一覧できます) で直してください',
      );
    } finally {
      await intact.close();
    }
    wipeTables(image);
    const descriptions: string[] = [];
    for (const l10n of [undefined, recording()]) {
      const session = await DiskImageSession.open(image, { journalDir: path.join(dir, 'journals'), ...(l10n ? { l10n: l10n.l10n } : {}) });
      try {
        await session.scanForLostPartitions();
        const preview = session.preview('rebuild-from-scan');
        assert.ok(preview.ok, preview.ok ? '' : preview.reason);
        descriptions.push(preview.ok ? preview.description : '');
        if (l10n)
          assert.deepEqual(
            [...l10n.used].filter((key) => !(key in JA)),
            [],
          );
      } finally {
        await session.close();
      }
    }
    const [en, ja] = descriptions;
    assert.match(
      en!,
      /^A GPT from the scan \(volumes\):\n  1 volume in disk order, numbered from 1 \(no ESXi layout, no intact stray table\); a GPT\n  partition 1 \(slot 0\): LBA 2048\.\.34815, /,
    );
    assert.match(
      ja!,
      /^スキャンから作る GPT \(volumes\):\n  ディスク上の順に 1 個のボリュームを 1 から番号付けします .*\n  パーティション 1 \(スロット 0\): LBA 2048\.\.34815、/,
    );
    const cli = await runCli(['fix', image, '--fix', 'rebuild-from-scan']);
    assert.ok(cli.stdout.includes(en!.split('\n')[1]!), cli.stdout);
  },
);
