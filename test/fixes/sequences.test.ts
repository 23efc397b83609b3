// Fixes planned one after another over a PatchedSource (plan A, lay its patches
// over the image, re-read, plan B) and written together: the seed's whole story
// (a compacted ESXi 5.0 disk on a RAID rebuilt larger) in either order, and a
// compacted disk whose backup is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import type { FixId } from '../../src/core/findings';
import type { FixPlan } from '../../src/core/patch';
import { planFix } from '../../src/core/fixes/index';
import { FileSource } from '../../src/core/io/fileSource';
import { PatchedSource } from '../../src/core/io/patchedSource';
import { applyPlans, undoLast } from '../../src/core/write/index';
import { tempDir, testGuid, writeEsxi5Image } from '../builders/images';
import { sfdiskJson } from '../builders/oracles';
import { NEED_ORACLES, assertSgdiskHealthy, codes, diskxCheck, load, problemCodes, readBytes, resizeImage, writeBytes } from './helpers';

const dir = tempDir('diskx-sequence-');
const GiB = 1024 ** 3;

/** Plans `ids` in order, each on the image as the earlier plans leave it (nothing is written). */
async function planSequence(image: string, ids: FixId[]): Promise<FixPlan[]> {
  const source = new PatchedSource(await FileSource.open(image));
  try {
    const plans: FixPlan[] = [];
    for (const id of ids) {
      const result = planFix(await readDisk(source), id);
      assert.ok(result.ok, result.ok ? '' : `${id}: ${result.reason}`);
      plans.push(result.plan);
      source.add(result.plan.patches);
    }
    assert.deepEqual(problemCodes(checkDisk(await readDisk(source))), [], 'the planned result is clean before anything is written');
    return plans;
  } finally {
    await source.close();
  }
}

describe('fixes in sequence', () => {
  for (const order of [
    ['restore-esxi-slots', 'relocate-backup'],
    ['relocate-backup', 'restore-esxi-slots'],
  ] as FixId[][]) {
    test(`the seed story, compacted and grown from 8 to 10 GiB: ${order.join(' then ')}, written in one go`, { skip: NEED_ORACLES }, async () => {
      const healthy = writeEsxi5Image(path.join(dir, `healthy-${order[0]}.img`));
      const image = writeEsxi5Image(path.join(dir, `story-${order[0]}.img`), { compacted: true });
      resizeImage(image, 10 * GiB);
      const before = await load(image);
      assert.deepEqual(problemCodes(before.findings).sort(), [
        'esxi-slot-compacted',
        'gpt-backup-not-at-end',
        'gpt-last-usable-mismatch',
        'gpt-last-usable-mismatch',
        'mbr-protective-size',
      ]);

      const compactedHead = readBytes(image, 0, 34 * 512);
      const compactedOldTail = readBytes(image, 8 * GiB - 33 * 512, 33 * 512);
      const plans = await planSequence(image, order);
      const result = await applyPlans(image, plans, { sectorSize: 512 });
      assert.deepEqual(result.fixIds, order);

      const after = await load(image);
      assert.deepEqual(problemCodes(after.findings), []);
      assert.deepEqual(codes(after.findings), ['esxi-layout', 'slot-gap']);
      // Both arrays hold the installer's slots, byte for byte; the backup now ends the 10 GiB disk.
      const installerArray = readBytes(healthy, 2 * 512, 16384);
      assert.deepEqual(readBytes(image, 2 * 512, 16384), installerArray);
      assert.deepEqual(readBytes(image, 10 * GiB - 33 * 512, 16384), installerArray);
      assert.equal(after.disk.backup?.lba, BigInt((10 * GiB) / 512 - 1));
      assertSgdiskHealthy(image);
      assert.deepEqual(
        sfdiskJson(image).partitions.map((p) => [p.slot + 1, p.uuid]),
        [1, 2, 3, 5, 6, 7, 8].map((n) => [n, testGuid(n)]),
      );
      assert.deepEqual(diskxCheck(image), { status: 0, codes: ['esxi-layout', 'slot-gap'] });

      // One journal entry for both plans: diskx undo reverts them together, exactly.
      await undoLast(image);
      assert.deepEqual(readBytes(image, 0, 34 * 512), compactedHead);
      assert.deepEqual(readBytes(image, 8 * GiB - 33 * 512, 33 * 512), compactedOldTail);
      assert.deepEqual(readBytes(image, 10 * GiB - 33 * 512, 33 * 512), Buffer.alloc(33 * 512));
      assert.deepEqual(problemCodes((await load(image)).findings).sort(), problemCodes(before.findings).sort());
    });
  }

  test(
    'compacted with the backup destroyed: restore-esxi-slots rewrites the primary only (and says so), rebuild-backup-from-primary completes it',
    { skip: NEED_ORACLES },
    async () => {
      const healthy = writeEsxi5Image(path.join(dir, 'healthy-nobackup.img'));
      const image = writeEsxi5Image(path.join(dir, 'nobackup.img'), { compacted: true });
      writeBytes(image, 8 * GiB - 33 * 512, new Uint8Array(33 * 512));
      assert.ok(codes((await load(image)).findings).includes('gpt-backup-missing'));
      const plans = await planSequence(image, ['restore-esxi-slots', 'rebuild-backup-from-primary']);
      assert.match(plans[0]!.description, /in the primary array only \(there is no backup GPT; rebuild it afterwards\)/);
      assert.ok(
        plans[0]!.patches.every((p) => p.offset < 64 * 512),
        'restore-esxi-slots touches only the primary',
      );
      await applyPlans(image, plans, { sectorSize: 512 });
      assert.deepEqual(readBytes(image, 0, 34 * 512), readBytes(healthy, 0, 34 * 512));
      assert.deepEqual(readBytes(image, 8 * GiB - 33 * 512, 33 * 512), readBytes(healthy, 8 * GiB - 33 * 512, 33 * 512));
      assert.deepEqual(problemCodes((await load(image)).findings), []);
      assertSgdiskHealthy(image);
      assert.deepEqual(
        sfdiskJson(image).partitions.map((p) => p.slot + 1),
        [1, 2, 3, 5, 6, 7, 8],
      );
    },
  );
});
