// recompute-crcs: stale array CRC, stale header CRC and both, in the primary, the
// backup or both, on 512- and 4096-byte sectors. Applied in memory; the result is
// written to a file for sgdisk (512) or fdisk -b 4096 (4Kn). Only CRC bytes may
// change. A header whose fields (not just its CRC) are damaged is never sealed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { crc32, gptHeaderCrc32 } from '../../src/core/crc32';
import { planFix } from '../../src/core/fixes/index';
import type { FindingCode } from '../../src/core/findings';
import type { FixPlan } from '../../src/core/patch';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { analyzeBytes, editHeader, sfdiskJson, smallGptBytes } from '../builders/oracles';
import {
  NEED_ORACLES,
  applyPatches,
  applyToBytes,
  gptRegions,
  load,
  readBytes,
  writeBytes,
  assertFdiskQuiet,
  assertSgdiskHealthy,
  bytesToFile,
  codes,
  differingOffsets,
  problemCodes,
} from './helpers';

const dir = tempDir('diskx-crcs-');
type Damage = 'array-crc' | 'header-crc' | 'both';
type Where = 'primary' | 'backup' | 'both';

/** Header offsets of the copies `where` names. */
function headerOffsets(bytes: Uint8Array, sectorSize: number, where: Where): { role: 'primary' | 'backup'; lba: bigint; offset: number }[] {
  const last = BigInt(bytes.length / sectorSize - 1);
  const all = [
    { role: 'primary' as const, lba: 1n, offset: sectorSize },
    { role: 'backup' as const, lba: last, offset: Number(last) * sectorSize },
  ];
  return all.filter((h) => where === 'both' || h.role === where);
}

/**
 * array-crc: PartitionEntryArrayCRC32 garbled and the header resealed (only the array CRC is stale);
 * header-crc: HeaderCRC32 garbled; both: PartitionEntryArrayCRC32 garbled without resealing.
 */
function damage(bytes: Uint8Array, sectorSize: number, kind: Damage, where: Where): void {
  for (const h of headerOffsets(bytes, sectorSize, where)) {
    if (kind === 'array-crc') editHeader(bytes, sectorSize, h.lba, (v) => v.setUint32(0x58, v.getUint32(0x58, true) ^ 0xdeadbeef, true));
    if (kind === 'header-crc') editHeader(bytes, sectorSize, h.lba, (v) => v.setUint32(0x10, v.getUint32(0x10, true) ^ 0x5a5a5a5a, true), false);
    if (kind === 'both') editHeader(bytes, sectorSize, h.lba, (v) => v.setUint32(0x58, v.getUint32(0x58, true) ^ 0xdeadbeef, true), false);
  }
}

function expectedCodes(kind: Damage, where: Where): FindingCode[] {
  const out: FindingCode[] = [];
  for (const role of where === 'both' ? (['primary', 'backup'] as const) : [where]) {
    if (kind !== 'array-crc') out.push(`gpt-${role}-header-crc`);
    if (kind !== 'header-crc') out.push(`gpt-${role}-array-crc`);
  }
  return out.sort();
}

async function planOn(bytes: Uint8Array): Promise<FixPlan> {
  const { disk } = await analyzeBytes(bytes);
  const result = planFix(disk, 'recompute-crcs');
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.plan;
}

async function refusedOn(bytes: Uint8Array): Promise<string> {
  const { disk } = await analyzeBytes(bytes);
  const result = planFix(disk, 'recompute-crcs');
  assert.equal(result.ok, false, result.ok ? result.plan.description : '');
  return result.ok ? '' : result.reason;
}

/** Every patch lies inside a CRC field (0x10..0x13 or 0x58..0x5B) of a header block. */
function assertOnlyCrcFields(offsets: number[], sectorSize: number): void {
  for (const at of offsets) {
    const inBlock = at % sectorSize;
    assert.ok(
      (inBlock >= 0x10 && inBlock < 0x14) || (inBlock >= 0x58 && inBlock < 0x5c),
      `byte ${at} (0x${inBlock.toString(16)} in its sector) is not a CRC byte`,
    );
  }
}

describe('recompute-crcs', () => {
  for (const sectorSize of [512, 4096]) {
    for (const kind of ['array-crc', 'header-crc', 'both'] as const) {
      for (const where of ['primary', 'backup', 'both'] as const) {
        test(
          `${sectorSize}-byte sectors, stale ${kind} in ${where === 'both' ? 'both headers' : `the ${where}`}: restored exactly, only CRC bytes change`,
          { skip: NEED_ORACLES },
          async () => {
            const original = smallGptBytes({ sectorSize });
            const damaged = original.slice();
            damage(damaged, sectorSize, kind, where);
            assert.deepEqual(problemCodes((await analyzeBytes(damaged)).findings).sort(), expectedCodes(kind, where));

            const plan = await planOn(damaged);
            assertOnlyCrcFields(
              plan.patches.flatMap((p) => Array.from({ length: p.after.length }, (_, i) => p.offset + i)),
              sectorSize,
            );
            assert.ok(plan.patches.length <= (where === 'both' ? 4 : 2), `${plan.patches.length} patches`);
            const fixed = applyToBytes(damaged, plan.patches);

            // The CRCs were the only damage, so the repair is the original, byte for byte.
            assert.deepEqual(fixed, original);
            const changed = differingOffsets(damaged, fixed);
            assertOnlyCrcFields(changed, sectorSize);
            // Exactly the garbled bytes (and, for array-crc, the bytes of the resealed HeaderCRC32 that differ) change.
            let expected = 0;
            for (const h of headerOffsets(damaged, sectorSize, where)) {
              if (kind !== 'header-crc') expected += 4; // 0xdeadbeef flips bits in each of the 4 bytes
              if (kind === 'header-crc') expected += 4; // 0x5a5a5a5a likewise
              if (kind === 'array-crc')
                expected += differingOffsets(damaged.subarray(h.offset + 0x10, h.offset + 0x14), original.subarray(h.offset + 0x10, h.offset + 0x14)).length;
            }
            assert.equal(changed.length, expected);

            const after = await analyzeBytes(fixed);
            assert.deepEqual(problemCodes(after.findings), []);
            const file = bytesToFile(path.join(dir, `${sectorSize}-${kind}-${where}.img`), fixed);
            if (sectorSize === 512) assertSgdiskHealthy(file);
            else assertFdiskQuiet(file, 4096);
          },
        );
      }
    }
  }

  test(
    'an entry renamed in both arrays by hand: the new bytes are trusted, 8 CRC bytes per header at most, sgdisk and sfdisk agree',
    { skip: NEED_ORACLES },
    async () => {
      const bytes = smallGptBytes();
      const last = bytes.length / 512 - 1;
      for (const arrayLba of [2, last - 32]) bytes.set(Buffer.from('renamed\0', 'utf16le'), arrayLba * 512 + 128 + 56); // slot 1's name
      const before = await analyzeBytes(bytes);
      assert.deepEqual(
        problemCodes(before.findings).sort(),
        ['gpt-backup-array-crc', 'gpt-primary-array-crc'],
        'the headers are intact; their array CRCs are stale',
      );
      const plan = await planOn(bytes);
      assert.match(plan.description, /array CRC first, then header CRC/);
      assert.match(plan.description, /trusts the current bytes/);
      const fixed = applyToBytes(bytes, plan.patches);
      const changed = differingOffsets(bytes, fixed);
      assertOnlyCrcFields(changed, 512);
      assert.ok(changed.length > 8 && changed.length <= 16, `${changed.length} bytes`);
      for (const lba of [1, last]) {
        const header = fixed.subarray(lba * 512, lba * 512 + 512);
        const view = new DataView(header.buffer, header.byteOffset, 512);
        const arrayLba = Number(view.getBigUint64(0x48, true));
        assert.equal(view.getUint32(0x58, true), crc32(fixed.subarray(arrayLba * 512, arrayLba * 512 + 16384)));
        assert.equal(view.getUint32(0x10, true), gptHeaderCrc32(header, 92));
      }
      assert.deepEqual(problemCodes((await analyzeBytes(fixed)).findings), []);
      const file = bytesToFile(path.join(dir, 'renamed.img'), fixed);
      assertSgdiskHealthy(file);
      assert.deepEqual(
        sfdiskJson(file).partitions.map((p) => p.name),
        ['part1', 'renamed', 'part4'],
      );
    },
  );

  test(
    'an entry edited in the primary array only: sealed as asked, the copies now differ and rebuild-backup-from-primary finishes it',
    { skip: NEED_ORACLES },
    async () => {
      const bytes = smallGptBytes();
      bytes.set(Buffer.from('edited\0', 'utf16le'), 2 * 512 + 56); // slot 0's name, primary only
      const plan = await planOn(bytes);
      assert.match(plan.description, /rebuild-primary-from-backup restores the other copy from the healthy backup GPT instead/);
      assert.ok(
        plan.patches.every((p) => p.offset < 1024),
        'only the primary header changes',
      );
      const sealed = applyToBytes(bytes, plan.patches);
      const after = await analyzeBytes(sealed);
      assert.deepEqual(problemCodes(after.findings), ['gpt-primary-backup-differ']);
      const rebuild = planFix(after.disk, 'rebuild-backup-from-primary');
      assert.ok(rebuild.ok, rebuild.ok ? '' : rebuild.reason);
      const fixed = applyToBytes(sealed, rebuild.plan.patches);
      assert.deepEqual(problemCodes((await analyzeBytes(fixed)).findings), []);
      const file = bytesToFile(path.join(dir, 'edited-primary.img'), fixed);
      assertSgdiskHealthy(file);
      assert.equal(sfdiskJson(file).partitions[0]?.name, 'edited');
    },
  );

  test(
    "the seed's manual repair: entries moved by hand in both arrays, recompute-crcs does the online CRC calculator's part",
    { skip: NEED_ORACLES },
    async () => {
      const GiB = 1024 ** 3;
      const healthy = writeEsxi5Image(path.join(dir, 'seed-healthy.img'));
      const image = writeEsxi5Image(path.join(dir, 'seed-hand.img'), { compacted: true });
      for (const arrayOffset of [2 * 512, 8 * GiB - 33 * 512]) {
        const moved = readBytes(image, arrayOffset + 3 * 128, 4 * 128); // slots 3..6
        writeBytes(image, arrayOffset + 4 * 128, moved); // to slots 4..7
        writeBytes(image, arrayOffset + 3 * 128, new Uint8Array(128)); // slot 3 emptied
      }
      const { disk, findings } = await load(image);
      assert.deepEqual(problemCodes(findings).sort(), ['gpt-backup-array-crc', 'gpt-primary-array-crc']);
      const result = planFix(disk, 'recompute-crcs');
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.ok(result.plan.patches.length <= 4 && result.plan.patches.every((p) => p.after.length === 4));
      applyPatches(image, result.plan.patches);
      assert.deepEqual(gptRegions(image, 512), gptRegions(healthy, 512));
      assertSgdiskHealthy(image);
      assert.deepEqual(
        sfdiskJson(image).partitions.map((p) => p.slot + 1),
        [1, 2, 3, 5, 6, 7, 8],
      );
    },
  );

  test('does not apply when every CRC is already right', async () => {
    for (const sectorSize of [512, 4096]) {
      assert.match(await refusedOn(smallGptBytes({ sectorSize })), /every header CRC and entry array CRC already matches its bytes/);
    }
  });

  describe('never blesses a damaged header', () => {
    test(
      'MyLBA wrong (structurally invalid) with a stale CRC: refused, pointing at rebuild-primary-from-backup, which repairs it',
      { skip: NEED_ORACLES },
      async () => {
        const original = smallGptBytes();
        const bytes = original.slice();
        editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x18, 5n, true), false);
        const before = await analyzeBytes(bytes);
        const invalid = before.findings.find((f) => f.code === 'gpt-header-invalid');
        assert.ok(invalid && !invalid.fixes.includes('recompute-crcs'), 'the check does not offer recompute-crcs either');
        assert.match(
          await refusedOn(bytes),
          /primary header at LBA 1 is structurally invalid \(myLba\), so sealing it would not repair it; rebuild-primary-from-backup rewrites it from the healthy backup copy/,
        );
        const rebuild = planFix(before.disk, 'rebuild-primary-from-backup');
        assert.ok(rebuild.ok, rebuild.ok ? '' : rebuild.reason);
        const fixed = applyToBytes(bytes, rebuild.plan.patches);
        assert.deepEqual(fixed, original);
        assertSgdiskHealthy(bytesToFile(path.join(dir, 'mylba.img'), fixed));
      },
    );

    test('FirstUsableLBA changed (structurally plausible) with a stale CRC: refused, since it disagrees with the backup', async () => {
      const bytes = smallGptBytes();
      editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x28, 40n, true), false);
      const { disk } = await analyzeBytes(bytes);
      assert.deepEqual(disk.primary?.invalid, [], 'the structural checks accept it');
      assert.match(
        await refusedOn(bytes),
        /primary GPT at LBA 1 has a stale HeaderCRC32 and its content disagrees with the backup header .*\(FirstUsableLBA 40 vs 34; partition 1 \(LBAs 34\.\.133\) lies outside the usable range 40\.\.4062\).*rebuild-primary-from-backup/,
      );
    });

    test('PartitionEntryLBA moved into the usable range with a stale CRC: refused (its array CRC would be computed over partition data)', async () => {
      const bytes = smallGptBytes();
      editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x48, 3n, true), false);
      const { disk } = await analyzeBytes(bytes);
      assert.deepEqual(disk.primary?.invalid, []);
      assert.equal(disk.primary?.arrayCrcOk, false);
      assert.match(await refusedOn(bytes), /entry array at LBAs 3\.\.34 lies inside the usable range 34\.\.4062/);
    });

    for (const [label, edit, expected] of [
      [
        'partition 1 now ends past the disk',
        (v: DataView) => v.setBigUint64(40, 0xffffffffn, true),
        /partition 1 \(LBAs 34\.\.4294967295\) lies outside the usable range 34\.\.4062/,
      ],
      [
        'partition 4 now ends before it starts',
        (v: DataView) => v.setBigUint64(3 * 128 + 40, 100n, true),
        /partition 4 ends \(LBA 100\) before it starts \(LBA 234\)/,
      ],
      [
        'partition 2 now starts inside partition 1',
        (v: DataView) => v.setBigUint64(128 + 32, 100n, true),
        /partition 2 \(LBAs 100\.\.233\) overlaps an earlier one/,
      ],
    ] as const) {
      test(`an entry corrupted in the primary array (${label}): the stale array CRC is not sealed over it; rebuild-primary-from-backup restores it`, async () => {
        const original = smallGptBytes();
        const bytes = original.slice();
        edit(new DataView(bytes.buffer, 2 * 512, 16384));
        const before = await analyzeBytes(bytes);
        assert.deepEqual(problemCodes(before.findings), ['gpt-primary-array-crc']);
        const reason = await refusedOn(bytes);
        assert.match(
          reason,
          /the primary GPT at LBA 1 has a stale PartitionEntryArrayCRC32 and its content disagrees with the backup header or breaks the layout rules/,
        );
        assert.match(reason, expected);
        assert.match(reason, /rebuild-primary-from-backup rewrites it from the healthy backup copy/);
        const rebuild = planFix(before.disk, 'rebuild-primary-from-backup');
        assert.ok(rebuild.ok);
        assert.deepEqual(applyToBytes(bytes, rebuild.plan.patches), original);
      });
    }

    test("an invalid primary is left alone while the backup's stale CRC is recomputed", async () => {
      const original = smallGptBytes();
      const bytes = original.slice();
      const last = BigInt(bytes.length / 512 - 1);
      editHeader(bytes, 512, 1n, (v) => v.setUint32(0x0c, 600, true), false); // HeaderSize > block size
      editHeader(bytes, 512, last, (v) => v.setUint32(0x10, 0x12345678, true), false);
      const plan = await planOn(bytes);
      assert.match(plan.description, /Left alone: the primary header at LBA 1 is structurally invalid \(headerSize\)/);
      assert.deepEqual(
        plan.patches.map((p) => p.offset),
        [Number(last) * 512 + 0x10],
      );
      const sealed = applyToBytes(bytes, plan.patches);
      assert.deepEqual(sealed.subarray(Number(last) * 512), original.subarray(Number(last) * 512));
      const after = await analyzeBytes(sealed);
      assert.equal(after.disk.backup?.headerCrcOk, true);
      assert.ok(codes(after.findings).includes('gpt-header-invalid'));
    });
  });
});
