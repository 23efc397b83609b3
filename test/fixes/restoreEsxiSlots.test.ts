// restore-esxi-slots on ESXi 5 (the seed), 6 with and without partition 9 and 7,
// on 512-byte sectors and (the seed) on 4Kn: after the repair both arrays are
// byte-equal to the undamaged original, every CRC is right, sgdisk and sfdisk
// (fdisk -b 4096 on 4Kn) agree, and each entry moved byte for byte.
// The writer's own sector accounting for the seed (a hand-made plan) is tested in
// test/write/writer.test.ts; here the planner's plan is counted and written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { crc32 } from '../../src/core/crc32';
import { encodeGptDisk } from '../../src/core/gptEncode';
import type { GptEntryFields } from '../../src/core/gptEncode';
import type { DiskModel, GptHeader } from '../../src/core/diskModel';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { FileSource } from '../../src/core/io/fileSource';
import { PatchedSource } from '../../src/core/io/patchedSource';
import { planFix, sectorsTouched } from '../../src/core/fixes/index';
import { applyPlans } from '../../src/core/write/index';
import { esxi5Slots, run, tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import {
  ESXI5_LAYOUT,
  ESXI6_LAYOUT,
  ESXI7_LAYOUT,
  copySparse,
  fdiskList,
  sfdiskAttributes,
  sfdiskJson,
  sgdisk,
  sgdiskLayout,
  sgdiskVerify,
  sparseFile,
} from '../builders/oracles';
import type { NumberedPartition } from '../builders/oracles';
import {
  NEED_ORACLES,
  applyPatches,
  diskxCheck,
  assertSgdiskHealthy,
  assertFdiskQuiet,
  codes,
  gptRegions,
  load,
  planOk,
  planRefused,
  problemCodes,
  readBytes,
  sgdiskImage,
} from './helpers';

const dir = tempDir('diskx-restore-');
const GiB = 1024 ** 3;

interface Case {
  label: string;
  profile: 'esxi-5' | 'esxi-6' | 'esxi-7';
  layout: NumberedPartition[];
  sizeBytes: number;
  sectorSize: number;
}

/**
 * The layout's entries with names and attribute bits (0 "required", 60 and 63
 * type-specific) so a moved entry's bytes are more than GUIDs and LBAs.
 */
function entriesOf(c: Case): Map<number, GptEntryFields> {
  const totalSectors = BigInt(c.sizeBytes / c.sectorSize);
  const lastUsable = totalSectors - 2n - BigInt(16384 / c.sectorSize);
  const entries = new Map<number, GptEntryFields>();
  for (const p of c.layout) {
    entries.set(p.number, {
      typeGuid: p.type,
      uniqueGuid: testGuid(0x500 + p.number),
      firstLba: p.first,
      lastLba: p.last ?? lastUsable,
      attributes: (1n << 63n) | (1n << 60n) | BigInt(p.number % 2),
      name: `esxi part ${p.number} é`,
    });
  }
  return entries;
}

/** Healthy (installer slots) and compacted (on-disk order in slots 0..n-1) images of the same entries. */
function images(c: Case, name: string): { healthy: string; compacted: string } {
  const totalSectors = BigInt(c.sizeBytes / c.sectorSize);
  const entries = entriesOf(c);
  const installer: (GptEntryFields | null)[] = [];
  for (const p of c.layout) {
    while (installer.length < p.number) installer.push(null);
    installer[p.number - 1] = entries.get(p.number)!;
  }
  const compacted = c.layout.map((p) => entries.get(p.number)!);
  const spec = { sectorSize: c.sectorSize, totalSectors, diskGuid: testGuid(0xe51) };
  return {
    healthy: writeGptImage(path.join(dir, `${name}-healthy.img`), { ...spec, slots: installer }),
    compacted: writeGptImage(path.join(dir, `${name}-compacted.img`), { ...spec, slots: compacted }),
  };
}

/** ESXi 5's LBAs in 4096-byte sectors: the same byte ranges (every start is a multiple of 8 sectors). */
const ESXI5_LAYOUT_4K: NumberedPartition[] = ESXI5_LAYOUT.map((p) => ({ ...p, first: p.first / 8n, last: p.last === null ? null : (p.last + 1n) / 8n - 1n }));

const cases: Case[] = [
  { label: 'ESXi 6.x with partition 9 (1,5,6,7,8,9,2,3)', profile: 'esxi-6', layout: ESXI6_LAYOUT, sizeBytes: 16 * GiB, sectorSize: 512 },
  { label: 'ESXi 6.x on small media, no partition 9 (1,5,6,7,8,2,3)', profile: 'esxi-5', layout: ESXI5_LAYOUT, sizeBytes: 8 * GiB, sectorSize: 512 },
  {
    label: 'ESXi 6.x without a datastore (1,5,6,7,8,9,2)',
    profile: 'esxi-6',
    layout: ESXI6_LAYOUT.slice(0, 7).map((p, i) => (i === 6 ? { ...p, last: null } : p)),
    sizeBytes: 16 * GiB,
    sectorSize: 512,
  },
  { label: 'ESXi 7.x (1,5,6,7,8)', profile: 'esxi-7', layout: ESXI7_LAYOUT, sizeBytes: 200 * GiB, sectorSize: 512 },
  {
    label: 'ESXi 7.x on small media, no datastore (1,5,6,7)',
    profile: 'esxi-7',
    layout: ESXI7_LAYOUT.slice(0, 4).map((p, i) => (i === 3 ? { ...p, last: null } : p)),
    sizeBytes: 32 * GiB,
    sectorSize: 512,
  },
  { label: 'ESXi 5.x on a 4Kn disk (1,5,6,7,8,2,3)', profile: 'esxi-5', layout: ESXI5_LAYOUT_4K, sizeBytes: 8 * GiB, sectorSize: 4096 },
];

/** Both CRCs of a header, checked by the model and recomputed here independently. */
function assertCrcsRight(header: GptHeader | null, role: string): void {
  assert.ok(header, `${role} header missing`);
  assert.equal(header.headerCrcOk, true, `${role} HeaderCRC32`);
  assert.equal(header.arrayCrcOk, true, `${role} PartitionEntryArrayCRC32`);
  assert.equal(header.partitionEntryArrayCrc32, crc32(header.array!.bytes));
  assert.deepEqual(header.invalid, []);
}

/** Every entry that moved is, byte for byte, the entry that was in its old slot (primary and backup). */
function assertMovedUnchanged(before: DiskModel, after: DiskModel): number {
  const moves = before.esxi!.placements.filter((p) => p.currentSlot !== p.expectedSlot);
  assert.ok(moves.length > 0);
  for (const role of ['primary', 'backup'] as const) {
    const old = before[role]!.array!.slots;
    const now = after[role]!.array!.slots;
    for (const move of moves) {
      assert.deepEqual(now[move.expectedSlot]!.raw, old[move.currentSlot]!.raw, `${role} slot ${move.currentSlot} -> ${move.expectedSlot}`);
    }
    // The entries that stayed are untouched too; every slot no entry belongs in is all zero.
    const targets = new Set(before.esxi!.placements.map((p) => p.expectedSlot));
    for (const slot of now) {
      if (!targets.has(slot.slot))
        assert.ok(
          slot.raw.every((b) => b === 0),
          `${role} slot ${slot.slot} is not zeroed`,
        );
    }
  }
  return moves.length;
}

describe('restore-esxi-slots', () => {
  test(
    'the seed: ESXi 5.0 compacted, written with applyPlans; 6 sectors, byte-equal to the installer layout, sgdisk/sfdisk agree',
    { skip: NEED_ORACLES },
    async () => {
      const healthy = writeEsxi5Image(path.join(dir, 'seed-healthy.img'));
      const image = writeEsxi5Image(path.join(dir, 'seed.img'), { compacted: true });
      const before = await load(image);
      assert.deepEqual(codes(before.findings), ['esxi-slot-compacted']);
      // Every partition tool calls the seed's disk healthy: that is the whole problem.
      assert.equal(sgdiskVerify(image).problems, 0);
      const { plan } = await planOk(image, 'restore-esxi-slots');
      assert.equal(plan.id, 'restore-esxi-slots');
      assert.match(
        plan.description,
        /slot 3 -> 4 \(bootbank, now partition 5\), slot 4 -> 5 \(altbootbank, now partition 6\), slot 5 -> 6 \(vmkDiagnostic, now partition 7\), slot 6 -> 7 \(store\/locker, now partition 8\)/,
      );
      assert.match(plan.description, /Slot 3 becomes empty/);

      // Only the sectors that change: header + the two array sectors holding slots 3..7, in each copy.
      // (test/write/writer.test.ts proves the writer itself writes only changed sectors, with a hand-made plan.)
      const last = Number(before.disk.lastLba);
      assert.deepEqual(sectorsTouched(plan.patches, 512), [1, 2, 3, last - 32, last - 31, last]);
      // UEFI 5.3.2: the backup's patches come first.
      const firstPrimary = plan.patches.findIndex((p) => p.offset < 64 * 512);
      assert.ok(firstPrimary > 0 && plan.patches.slice(firstPrimary).every((p) => p.offset < 64 * 512), 'backup patches precede primary patches');

      const result = await applyPlans(image, [plan], { sectorSize: 512 });
      assert.equal(result.sectorsWritten, 6);
      // Byte runs inside the patches only, never whole sectors.
      assert.equal(
        result.bytesWritten,
        result.writes.reduce((n, w) => n + w.length, 0),
      );
      assert.ok(result.bytesWritten <= plan.patches.reduce((n, p) => n + p.after.length, 0));

      assert.deepEqual(gptRegions(image, 512), gptRegions(healthy, 512), 'MBR, both headers and both arrays equal the installer layout');
      const after = await load(image);
      assert.deepEqual(problemCodes(after.findings), []);
      assert.ok(!codes(after.findings).includes('esxi-slot-compacted'));
      assert.equal(after.disk.esxi?.compacted, false);
      assertCrcsRight(after.disk.primary, 'primary');
      assertCrcsRight(after.disk.backup, 'backup');
      assert.equal(assertMovedUnchanged(before.disk, after.disk), 4);
      assert.deepEqual(diskxCheck(image), { status: 0, codes: ['esxi-layout', 'slot-gap'] });

      assertSgdiskHealthy(image);
      const sf = sfdiskJson(image).partitions;
      assert.deepEqual(
        sf.map((p) => p.slot + 1),
        [1, 2, 3, 5, 6, 7, 8],
      );
      assert.deepEqual(
        sf.map((p) => p.start),
        [64n, 1843200n, 10229760n, 8224n, 520224n, 1032224n, 1257504n],
      );
      assert.deepEqual(
        sf.map((p) => p.uuid),
        [1, 2, 3, 5, 6, 7, 8].map((n) => testGuid(n)),
      );
    },
  );

  for (const c of cases) {
    test(`${c.label}, ${c.sectorSize}-byte sectors: restored to the installer slots in both copies`, { skip: NEED_ORACLES }, async () => {
      const name = c.label.replace(/[^a-z0-9]+/gi, '-');
      const { healthy, compacted } = images(c, name);
      const before = await load(compacted);
      assert.equal(before.disk.sectorSize, c.sectorSize);
      assert.equal(before.disk.esxi?.profile, c.profile);
      assert.ok(codes(before.findings).includes('esxi-slot-compacted'));

      const { plan } = await planOk(compacted, 'restore-esxi-slots');
      // Each copy: its header, and the array sector(s) holding the moved slots (slots 0..31 share one 4096-byte sector).
      const last = Number(before.disk.lastLba);
      const arraySectors = 16384 / c.sectorSize;
      const slotSectors = (s: number): number => Math.floor((s * 128) / c.sectorSize);
      const movedSlots = c.layout.flatMap((p, i) => (p.number - 1 !== i ? [i, p.number - 1] : []));
      const touchedArray = [...new Set(movedSlots.map(slotSectors))].sort((a, b) => a - b);
      assert.deepEqual(sectorsTouched(plan.patches, c.sectorSize), [
        1,
        ...touchedArray.map((s) => 2 + s),
        ...touchedArray.map((s) => last - arraySectors + s),
        last,
      ]);
      const moved = c.layout.filter((p, i) => p.number - 1 !== i);
      for (const p of moved) assert.match(plan.description, new RegExp(`slot ${c.layout.indexOf(p)} -> ${p.number - 1} \\(`));
      applyPatches(compacted, plan.patches);

      assert.deepEqual(gptRegions(compacted, c.sectorSize), gptRegions(healthy, c.sectorSize), 'byte-equal to the undamaged original');
      const after = await load(compacted);
      assert.deepEqual(problemCodes(after.findings), []);
      assert.ok(codes(after.findings).includes('esxi-layout'));
      assert.equal(after.disk.esxi?.compacted, false);
      assertCrcsRight(after.disk.primary, 'primary');
      assertCrcsRight(after.disk.backup, 'backup');
      assert.equal(assertMovedUnchanged(before.disk, after.disk), moved.length);

      const numbers = c.layout.map((p) => p.number).sort((a, b) => a - b);
      const entries = entriesOf(c);
      if (c.sectorSize === 512) {
        assertSgdiskHealthy(compacted);
        const sf = sfdiskJson(compacted).partitions;
        assert.deepEqual(
          sf.map((p) => p.slot + 1),
          numbers,
        );
        for (const p of sf) {
          const e = entries.get(p.slot + 1)!;
          assert.equal(p.uuid, e.uniqueGuid);
          assert.equal(p.start, e.firstLba);
          assert.equal(p.name, e.name);
          assert.equal(sfdiskAttributes(p.attrs), e.attributes);
        }
      } else {
        // sgdisk and sfdisk do not read 4Kn GPTs from a file: fdisk -b 4096 does.
        const theirs = fdiskList(compacted, 4096);
        assert.equal(theirs.sectorUnit, 4096);
        assert.deepEqual(
          theirs.partitions.map((p) => p.number),
          numbers,
        );
        for (const p of theirs.partitions) {
          assert.equal(p.start, entries.get(p.number)!.firstLba);
          assert.equal(p.end, entries.get(p.number)!.lastLba);
        }
        assertFdiskQuiet(compacted, 4096);
      }
    });
  }

  test(
    'undoes `sgdisk -s` and `sfdisk --reorder` on an ESXi 6 layout made by sgdisk: byte-equal to what sgdisk first wrote',
    { skip: NEED_ORACLES },
    async () => {
      const original = sparseFile(path.join(dir, 'sgdisk6.img'), 16 * GiB);
      await sgdiskLayout(original, ESXI6_LAYOUT);
      const sorted = copySparse(original, path.join(dir, 'sgdisk6-sorted.img'));
      const reordered = copySparse(original, path.join(dir, 'sgdisk6-reordered.img'));
      await sgdisk(sorted, '-s');
      run('sfdisk', ['--reorder', reordered]);
      for (const image of [sorted, reordered]) {
        assert.deepEqual(codes((await load(image)).findings), ['esxi-slot-compacted'], image);
        const { plan } = await planOk(image, 'restore-esxi-slots');
        applyPatches(image, plan.patches);
        assert.deepEqual(gptRegions(image, 512), gptRegions(original, 512), image);
        assert.deepEqual(codes((await load(image)).findings), ['esxi-layout', 'slot-gap']);
        assertSgdiskHealthy(image);
        assert.deepEqual(
          sfdiskJson(image).partitions.map((p) => p.slot + 1),
          [1, 2, 3, 5, 6, 7, 8, 9],
        );
      }
    },
  );

  test('in memory: PatchedSource over the compacted ESXi 7 image reads as healthy; the file is untouched', async () => {
    const c = cases.find((x) => x.profile === 'esxi-7')!;
    const { healthy, compacted } = images(c, 'patched-source');
    const original = gptRegions(compacted, 512);
    const { plan } = await planOk(compacted, 'restore-esxi-slots');
    const source = await FileSource.open(compacted);
    try {
      const patched = new PatchedSource(source, plan.patches);
      const disk = await readDisk(patched);
      assert.deepEqual(problemCodes(checkDisk(disk)), []);
      assert.equal(disk.esxi?.compacted, false);
      assert.deepEqual(disk.primary!.array!.bytes, new Uint8Array(readBytes(healthy, 2 * 512, 16384)));
      assert.deepEqual(disk.backup!.array!.bytes, new Uint8Array(readBytes(healthy, c.sizeBytes - 33 * 512, 16384)));
      // Planning again on the repaired view: nothing left to do.
      const again = planFix(disk, 'restore-esxi-slots');
      assert.equal(again.ok, false);
    } finally {
      await source.close();
    }
    assert.deepEqual(gptRegions(compacted, 512), original);
  });

  test('does not apply to a healthy ESXi disk', async () => {
    const reason = await planRefused(writeEsxi5Image(path.join(dir, 'healthy5.img')), 'restore-esxi-slots');
    assert.match(reason, /every entry already sits in the slot the ESXi 5\.x layout/);
  });

  test('does not apply to a non-ESXi disk with a slot gap', { skip: NEED_ORACLES }, async () => {
    const image = sgdiskImage(path.join(dir, 'linux.img'));
    const { findings } = await load(image);
    assert.deepEqual(codes(findings), ['slot-gap']);
    assert.match(await planRefused(image, 'restore-esxi-slots'), /no ESXi boot-disk layout was recognised/);
  });

  test('refuses while a copy is damaged, naming the fix to run first', async () => {
    const image = writeEsxi5Image(path.join(dir, 'seed-bad-backup.img'), { compacted: true });
    const size = 8 * GiB;
    const crcAt = size - 512 + 0x10;
    const old = readBytes(image, crcAt, 4);
    applyPatches(image, [{ offset: crcAt, before: new Uint8Array(old), after: new Uint8Array([old[0]! ^ 0xff, old[1]!, old[2]!, old[3]!]) }]);
    const reason = await planRefused(image, 'restore-esxi-slots');
    assert.match(reason, /backup header at LBA 16777215: its HeaderCRC32 is wrong; repair it first \(rebuild-backup-from-primary or recompute-crcs\)/);
  });

  test('refuses when the primary and the backup arrays differ (which one to restore is unclear)', async () => {
    const size = 8 * GiB;
    const image = writeEsxi5Image(path.join(dir, 'seed-mixed.img'), { compacted: true });
    // Backup array and header from the installer layout, both valid: two healthy copies that disagree.
    const installer = encodeGptDisk({ sectorSize: 512, totalSectors: BigInt(size / 512), diskGuid: testGuid(0xd15c), slots: esxi5Slots(BigInt(size / 512)) });
    const tail = installer.filter((r) => r.offset >= size / 2);
    applyPatches(
      image,
      tail.map((r) => ({ offset: r.offset, before: new Uint8Array(readBytes(image, r.offset, r.bytes.length)), after: r.bytes })),
    );
    const { disk } = await load(image);
    assert.equal(disk.primary?.arrayCrcOk, true);
    assert.equal(disk.backup?.arrayCrcOk, true);
    assert.match(await planRefused(image, 'restore-esxi-slots'), /primary and backup entry arrays differ/);
  });
});
