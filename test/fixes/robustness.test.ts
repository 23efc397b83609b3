// Every fix on disks it does not apply to says why, and on hostile or randomly
// damaged GPTs it never throws; a plan's `before` is always what the image holds,
// and a fix that applied does not apply a second time (it converged).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planFix } from '../../src/core/fixes/index';
import { FIX_IDS } from '../../src/core/findings';
import type { FixId } from '../../src/core/findings';
import { analyzeBytes, editHeader, gptImageBytes, prng, smallGptBytes } from '../builders/oracles';
import { testGuid } from '../builders/images';
import { applyToBytes, problemCodes } from './helpers';

const NOT_APPLICABLE_ON_HEALTHY: Record<FixId, RegExp> = {
  'restore-esxi-slots': /no ESXi boot-disk layout was recognised/,
  'recompute-crcs': /every header CRC and entry array CRC already matches its bytes/,
  'relocate-backup': /the backup GPT already sits at the last LBA/,
  'rebuild-primary-from-backup': /the primary GPT already equals a copy of the backup at its own position/,
  'rebuild-backup-from-primary': /the backup GPT already equals a copy of the primary at its own position/,
};

describe('fixes that do not apply', () => {
  for (const sectorSize of [512, 4096]) {
    test(`a healthy ${sectorSize}-byte-sector GPT: every fix declines, with its reason`, async () => {
      const { disk, findings } = await analyzeBytes(smallGptBytes({ sectorSize }));
      assert.deepEqual(problemCodes(findings), []);
      for (const id of FIX_IDS) {
        const result = planFix(disk, id);
        assert.equal(result.ok, false, id);
        assert.equal(result.ok ? '' : result.id, id);
        assert.match(result.ok ? '' : result.reason, NOT_APPLICABLE_ON_HEALTHY[id], id);
      }
    });
  }

  test('a DOS MBR disk: every fix declines because there is no GPT', async () => {
    const bytes = new Uint8Array(1024 * 1024);
    const view = new DataView(bytes.buffer);
    bytes[446 + 4] = 0x83;
    view.setUint32(446 + 8, 2048, true);
    view.setUint32(446 + 12, 100, true);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    const { disk } = await analyzeBytes(bytes);
    assert.equal(disk.scheme, 'mbr');
    for (const id of FIX_IDS) {
      const result = planFix(disk, id);
      assert.match(result.ok ? '' : result.reason, /the disk has no GPT \(it is partitioned with an MBR\); every fix repairs a GPT/);
    }
  });

  test('a 4Kn GPT read with 512-byte sectors: every fix declines and asks about the sector size', async () => {
    const { disk } = await analyzeBytes(smallGptBytes({ sectorSize: 4096 }), { sectorSize: 512 });
    for (const id of FIX_IDS) {
      const result = planFix(disk, id);
      assert.match(
        result.ok ? '' : result.reason,
        /the MBR is protective, but no "EFI PART" header was found at LBA 1 or at the last LBA with 512-byte sectors; if the sector size is right/,
      );
    }
  });

  test('a model without gptAreas (hand-made): fixes that write where nothing was parsed say so instead of guessing', async () => {
    const bytes = smallGptBytes();
    bytes.fill(0, 512, 1024); // primary header wiped: the rebuild must write where nothing was parsed
    const { disk } = await analyzeBytes(bytes);
    delete disk.gptAreas;
    const result = planFix(disk, 'rebuild-primary-from-backup');
    assert.match(result.ok ? '' : result.reason, /the model holds no bytes for LBA 1 or LBAs 2\.\./);
  });
});

/** Plans every fix; for each that applies, checks its patches against the bytes, applies them and plans it again. */
async function exercise(bytes: Uint8Array, label: string): Promise<number> {
  const { disk } = await analyzeBytes(bytes);
  let applied = 0;
  for (const id of FIX_IDS) {
    const result = planFix(disk, id);
    if (!result.ok) {
      assert.ok(result.reason.length > 10, `${label} ${id}: thin reason`);
      continue;
    }
    applied++;
    for (const p of result.plan.patches) {
      assert.ok(p.offset >= 0 && p.offset + p.after.length <= bytes.length, `${label} ${id}: patch outside the image`);
      assert.ok(p.after.length > 0, `${label} ${id}: empty patch`);
    }
    const fixed = applyToBytes(bytes, result.plan.patches); // asserts every `before`
    const again = planFix((await analyzeBytes(fixed)).disk, id);
    assert.equal(again.ok, false, `${label} ${id} applies twice: ${again.ok ? again.plan.description : ''}`);
  }
  return applied;
}

describe('hostile and damaged GPTs', () => {
  test('a primary claiming 0xFFFFFFFF entries of 0x10000000 bytes: no throw, and the backup rebuilds it', async () => {
    const original = smallGptBytes();
    const bytes = original.slice();
    editHeader(bytes, 512, 1n, (v) => (v.setUint32(0x50, 0xffffffff, true), v.setUint32(0x54, 0x10000000, true)));
    await exercise(bytes, 'hostile');
    const result = planFix((await analyzeBytes(bytes)).disk, 'rebuild-primary-from-backup');
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.deepEqual(applyToBytes(bytes, result.plan.patches), original);
  });

  test('a PartitionEntryLBA of 2^63 in the backup: no throw, and the primary rebuilds it', async () => {
    const original = smallGptBytes();
    const bytes = original.slice();
    editHeader(bytes, 512, BigInt(bytes.length / 512 - 1), (v) => v.setBigUint64(0x48, 1n << 63n, true));
    await exercise(bytes, 'lba63');
    const result = planFix((await analyzeBytes(bytes)).disk, 'rebuild-backup-from-primary');
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.deepEqual(applyToBytes(bytes, result.plan.patches), original);
  });

  test('4096 used entries that all overlap, with a stale array CRC: recompute-crcs declines, naming three and "others"', async (t) => {
    const first = 2n + 1024n;
    const entries = Array.from({ length: 4096 }, (_, i) => ({
      typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
      uniqueGuid: testGuid(i + 1),
      firstLba: first + BigInt(i),
      lastLba: first + 5000n,
    }));
    const bytes = gptImageBytes({ sectorSize: 512, totalSectors: 16384n, diskGuid: testGuid(0xabc), slots: entries, numEntries: 4096 });
    bytes[2 * 512 + 56] ^= 1; // a name byte: the primary array CRC goes stale
    const { disk } = await analyzeBytes(bytes);
    const started = performance.now();
    const result = planFix(disk, 'recompute-crcs');
    const elapsed = performance.now() - started;
    assert.match(
      result.ok ? '' : result.reason,
      /partition 2 \(LBAs 1027\.\.6026\) overlaps an earlier one; partition 3 \(LBAs 1028\.\.6026\) overlaps an earlier one; partition 4 \(LBAs 1029\.\.6026\) overlaps an earlier one; and others/,
    );
    t.diagnostic(`planned in ${elapsed.toFixed(1)} ms (reported, not asserted: machines are noisy)`);
  });

  for (const sectorSize of [512, 4096]) {
    test(`${sectorSize}: 60 random header/array mutations: every plan matches the bytes and converges`, async () => {
      const random = prng(0x5eed + sectorSize);
      const original = smallGptBytes({ sectorSize });
      const last = original.length / sectorSize - 1;
      const places = [sectorSize, 2 * sectorSize, last * sectorSize, (last - 16384 / sectorSize) * sectorSize];
      let applied = 0;
      for (let round = 0; round < 60; round++) {
        const bytes = original.slice();
        const mutations = 1 + Math.floor(random() * 4);
        for (let m = 0; m < mutations; m++) {
          const base = places[Math.floor(random() * places.length)]!;
          const at = base + Math.floor(random() * (base === sectorSize || base === last * sectorSize ? 96 : 512));
          bytes[at] = Math.floor(random() * 256);
        }
        applied += await exercise(bytes, `${sectorSize} round ${round}`);
      }
      assert.ok(applied > 20, `only ${applied} plans applied: the mutations are too gentle to exercise the fixes`);
    });
  }

  for (const sectorSize of [512, 4096]) {
    test(`${sectorSize}: repairing 100 randomly damaged disks with the fixes their findings offer never seals damage into a valid-looking GPT`, async () => {
      const random = prng(0xf1 + sectorSize);
      const original = smallGptBytes({ sectorSize });
      const last = original.length / sectorSize - 1;
      const places = [sectorSize, 2 * sectorSize, last * sectorSize, (last - 16384 / sectorSize) * sectorSize];
      let clean = 0;
      for (let round = 0; round < 100; round++) {
        let bytes: Uint8Array = original.slice();
        for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
          const base = places[Math.floor(random() * places.length)]!;
          bytes[base + Math.floor(random() * (base === sectorSize || base === last * sectorSize ? 96 : 512))] = Math.floor(random() * 256);
        }
        const steps: string[] = [];
        for (let step = 0; step < 6; step++) {
          const { disk, findings } = await analyzeBytes(bytes);
          const offered = [...new Set(findings.filter((f) => f.severity !== 'info').flatMap((f) => f.fixes))];
          const plan = offered.map((id) => planFix(disk, id)).find((r) => r.ok);
          if (!plan?.ok) break;
          steps.push(plan.plan.id);
          bytes = applyToBytes(bytes, plan.plan.patches);
        }
        const { disk, findings } = await analyzeBytes(bytes);
        const sealed = (h: typeof disk.primary): boolean => !!h && h.invalid.length === 0 && h.headerCrcOk && h.arrayCrcOk === true;
        // Both copies vouch for themselves: then nothing may be wrong (no corrupted entry or field was blessed).
        if (sealed(disk.primary) && sealed(disk.backup)) {
          assert.deepEqual(problemCodes(findings), [], `round ${round} after ${steps.join(' > ')}`);
          clean++;
        }
      }
      assert.ok(clean > 50, `only ${clean} of 100 disks were repaired`);
    });
  }
});
