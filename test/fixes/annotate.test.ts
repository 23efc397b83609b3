// annotatePatch names the fields a patch writes from our Kaitai byte ranges: the
// dry run of `diskx fix` prints them. Checked on the seed's plan (entries by slot,
// PartitionEntryArrayCRC32, HeaderCRC32), on relocate-backup (the new backup where
// nothing was parsed, the MBR size) and on a rebuilt wiped header.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { annotatePatch, planFix, summarizePatchFields } from '../../src/core/fixes/index';
import type { DiskModel } from '../../src/core/diskModel';
import type { FixPlan } from '../../src/core/patch';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { analyzeBytes, smallGptBytes } from '../builders/oracles';
import { bytesToFile, load, planOk, resizeImage } from './helpers';

const dir = tempDir('diskx-annotate-');

function names(disk: DiskModel, plan: FixPlan): string[][] {
  return plan.patches.map((p) => annotatePatch(disk, p));
}

describe('annotatePatch', () => {
  test('the seed plan: entries by slot, then PartitionEntryArrayCRC32 and HeaderCRC32, backup before primary', async () => {
    const image = writeEsxi5Image(path.join(dir, 'seed.img'), { compacted: true });
    const { disk, plan } = await planOk(image, 'restore-esxi-slots');
    const copy = (role: 'backup' | 'primary'): string[][] => [
      [`${role}Array.entries.3`],
      [`${role}Array.entries.4`, `${role}Array.entries.5`, `${role}Array.entries.6`, `${role}Array.entries.7`],
      [`${role}Header.headerCrc32`],
      [`${role}Header.partitionEntryArrayCrc32`],
    ];
    assert.deepEqual(names(disk, plan), [...copy('backup'), ...copy('primary')]);
    // Field offsets as the UEFI table gives them: HeaderCRC32 at 0x10, PartitionEntryArrayCRC32 at 0x58.
    const primaryHeaderPatches = plan.patches.filter((p) => p.offset >= 512 && p.offset < 1024);
    assert.deepEqual(
      primaryHeaderPatches.map((p) => [p.offset - 512, p.after.length]),
      [
        [0x10, 4],
        [0x58, 4],
      ],
    );
    assert.equal(summarizePatchFields(disk, plan.patches[1]!), 'backupArray: entries.4, entries.5, entries.6, entries.7');
    assert.equal(summarizePatchFields(disk, plan.patches[7]!), 'primaryHeader: partitionEntryArrayCrc32');
  });

  test("relocate-backup on a grown disk: the new backup's fields where nothing was parsed, the primary's moved fields, the MBR size", async () => {
    const image = resizeImage(bytesToFile(path.join(dir, 'grown.img'), smallGptBytes()), 4 * 1024 * 1024);
    const { disk, plan } = await planOk(image, 'relocate-backup');
    const all = names(disk, plan).flat();
    assert.deepEqual(
      all.filter((n) => n.startsWith('primaryHeader') || n.startsWith('mbr')),
      ['primaryHeader.headerCrc32', 'primaryHeader.alternateLba', 'primaryHeader.lastUsableLba', 'mbr.partitions.0.numSectors'],
    );
    for (const field of ['signature', 'headerCrc32', 'myLba', 'alternateLba', 'lastUsableLba', 'partitionEntryLba', 'partitionEntryArrayCrc32']) {
      assert.ok(all.includes(`backupHeader.${field}`), `backupHeader.${field} in ${all.join(', ')}`);
    }
    assert.deepEqual(
      all.filter((n) => n.startsWith('backupArray')),
      ['backupArray.entries.0', 'backupArray.entries.1', 'backupArray.entries.3'],
    );
    assert.ok(!all.some((n) => /outside any/.test(n)), 'every byte belongs to a named structure');
  });

  test('rebuild-primary-from-backup over a wiped LBA 1 names the header fields it writes', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, 512, 1024);
    const { disk } = await analyzeBytes(bytes);
    const result = planFix(disk, 'rebuild-primary-from-backup');
    assert.ok(result.ok);
    const all = names(disk, result.plan).flat();
    assert.ok(all.includes('primaryHeader.signature') && all.includes('primaryHeader.myLba') && all.includes('primaryHeader.partitionEntryLba'), all.join());
    assert.ok(
      all.every((n) => n.startsWith('primaryHeader.')),
      all.join(),
    );
  });

  test('bytes outside every structure are named by their LBA', async () => {
    const { disk } = await load(bytesToFile(path.join(dir, 'plain.img'), smallGptBytes()));
    const patch = { offset: 100 * 512 + 7, before: new Uint8Array(3), after: new Uint8Array([1, 2, 3]) };
    assert.deepEqual(annotatePatch(disk, patch), ['3 bytes outside any GPT/MBR structure (LBA 100)']);
  });
});
