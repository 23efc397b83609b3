// The edit planner on small in-memory disks: direct edits, mirrors, reseals (in
// the right order, and only when asked), explicit CRCs winning, byte edits, and
// the findings the result would produce (none after a resealed, mirrored edit;
// exactly the stale CRC findings without resealing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeBytes, codes as allCodes, smallGptBytes } from '../builders/oracles';
import type { Finding } from '../../src/core/findings';
import type { Patch } from '../../src/core/patch';
import type { EditOptions } from '../../src/core/edit/planEdits';
import { parseAssignment, planByteEdit, planFieldEdits } from '../../src/core/edit/planEdits';
import { EditPathError, EditPlanError, EditValueError } from '../../src/core/edit/errors';
import { planFix } from '../../src/core/fixes/index';
import type { DiskModel } from '../../src/core/diskModel';

function applied(bytes: Uint8Array, patches: Patch[]): Uint8Array {
  const out = bytes.slice();
  for (const p of patches) {
    assert.deepEqual(out.subarray(p.offset, p.offset + p.before.length), p.before, `before of the patch at ${p.offset}`);
    out.set(p.after, p.offset);
  }
  return out;
}

async function plan(bytes: Uint8Array, assignments: string[], options: EditOptions = {}) {
  const { disk } = await analyzeBytes(bytes);
  const read = async (offset: number, length: number): Promise<Uint8Array> => bytes.slice(offset, offset + length);
  const result = await planFieldEdits(disk, assignments.map(parseAssignment), options, read);
  const after = applied(bytes, result.plan.patches);
  return { result, after, ...(await analyzeBytes(after)) };
}

// The small disk has slots 0, 1 and 3: its slot-gap info is not what these tests are about.
const codes = (findings: Finding[]): string[] => allCodes(findings.filter((f) => f.severity !== 'info'));

const roles = (r: { changes: { role: string; path: string }[] }): string[] => r.changes.map((c) => `${c.role} ${c.path}`);

test('partition:N.name edits both arrays, then reseals each array CRC and header CRC: the result checks clean', async () => {
  const bytes = smallGptBytes();
  const { result, disk, findings } = await plan(bytes, ['partition:1.name=bootbank']);
  assert.deepEqual(roles(result), [
    'edit primaryArray.entries.0.name',
    'edit backupArray.entries.0.name',
    'reseal backupHeader.partitionEntryArrayCrc32',
    'reseal backupHeader.headerCrc32',
    'reseal primaryHeader.partitionEntryArrayCrc32',
    'reseal primaryHeader.headerCrc32',
  ]);
  assert.deepEqual(codes(findings), []);
  assert.equal(disk.partitions[0]!.name, 'bootbank');
  const name = result.changes[0]!;
  assert.equal(name.from, 'part1');
  assert.equal(name.to, 'bootbank');
  assert.equal(name.offset, 1024 + 56);
  assert.equal(result.plan.id, 'hand-edit');
  assert.equal(result.plan.title, 'Set partition:1.name');
});

test('an explicit primary entry path is mirrored to the backup; --no-mirror leaves the copies differing', async () => {
  const bytes = smallGptBytes();
  const mirrored = await plan(bytes, ['primaryArray.entries.1.type=linux-swap'.replace('linux-swap', 'swap')]);
  assert.deepEqual(roles(mirrored.result).slice(0, 2), ['edit primaryArray.entries.1.typeGuid', 'mirror backupArray.entries.1.typeGuid']);
  assert.equal(mirrored.result.changes[1]!.because, 'primaryArray.entries.1.typeGuid');
  assert.deepEqual(codes(mirrored.findings), []);
  assert.equal(mirrored.disk.partitions[1]!.typeName, 'Linux swap');
  assert.equal(mirrored.disk.backup!.array!.slots[1]!.typeName, 'Linux swap');

  const alone = await plan(bytes, ['primaryArray.entries.1.type=swap'], { mirror: false });
  assert.deepEqual(roles(alone.result), [
    'edit primaryArray.entries.1.typeGuid',
    'reseal primaryHeader.partitionEntryArrayCrc32',
    'reseal primaryHeader.headerCrc32',
  ]);
  assert.deepEqual(codes(alone.findings), ['gpt-primary-backup-differ']);
});

test('--no-reseal leaves exactly the stale CRC findings, each offering recompute-crcs, which then seals them', async () => {
  const bytes = smallGptBytes();
  const entry = await plan(bytes, ['partition:2.name=scratch'], { reseal: false });
  assert.deepEqual(roles(entry.result), ['edit primaryArray.entries.1.name', 'edit backupArray.entries.1.name']);
  assert.deepEqual(codes(entry.findings), ['gpt-backup-array-crc', 'gpt-primary-array-crc']);
  for (const f of entry.findings.filter((x) => x.severity !== 'info')) assert.ok(f.fixes.includes('recompute-crcs'), f.code);
  const fix = planFix(entry.disk as DiskModel, 'recompute-crcs');
  assert.ok(fix.ok);
  const sealed = await analyzeBytes(applied(entry.after, fix.plan.patches));
  assert.deepEqual(codes(sealed.findings), []);
  assert.equal(sealed.disk.partitions[1]!.name, 'scratch');

  const header = await plan(bytes, ['primaryHeader.diskGuid=01234567-89AB-CDEF-0123-456789ABCDEF'], { reseal: false });
  assert.deepEqual(roles(header.result), ['edit primaryHeader.diskGuid', 'mirror backupHeader.diskGuid']);
  assert.deepEqual(codes(header.findings), ['gpt-backup-header-crc', 'gpt-primary-header-crc']);
});

test('a shared header field is mirrored and both headers resealed; per-copy fields are not mirrored', async () => {
  const bytes = smallGptBytes();
  const guid = await plan(bytes, ['backupHeader.diskGuid=01234567-89AB-CDEF-0123-456789ABCDEF']);
  assert.deepEqual(roles(guid.result), [
    'edit backupHeader.diskGuid',
    'mirror primaryHeader.diskGuid',
    'reseal backupHeader.headerCrc32',
    'reseal primaryHeader.headerCrc32',
  ]);
  assert.deepEqual(codes(guid.findings), []);
  assert.equal(guid.disk.primary!.diskGuid, '01234567-89AB-CDEF-0123-456789ABCDEF');

  const usable = await plan(bytes, ['primaryHeader.lastUsableLba=4000']);
  assert.ok(roles(usable.result).includes('mirror backupHeader.lastUsableLba'));
  const alternate = await plan(bytes, ['primaryHeader.alternateLba=4000']);
  assert.deepEqual(roles(alternate.result), ['edit primaryHeader.alternateLba', 'reseal primaryHeader.headerCrc32']);
});

test('a CRC written by hand wins over resealing; the other CRCs are still kept valid', async () => {
  const bytes = smallGptBytes();
  const r = await plan(bytes, ['primaryHeader.headerCrc32=0x12345678']);
  assert.deepEqual(roles(r.result), ['edit primaryHeader.headerCrc32']);
  assert.equal(r.result.changes[0]!.to, '0x12345678');
  assert.deepEqual(codes(r.findings), ['gpt-primary-header-crc']);
  const both = await plan(bytes, ['partition:1.name=x', 'primaryHeader.partitionEntryArrayCrc32=0']);
  assert.ok(!roles(both.result).includes('reseal primaryHeader.partitionEntryArrayCrc32'));
  assert.ok(roles(both.result).includes('reseal primaryHeader.headerCrc32'), 'the header CRC covers the hand-written array CRC');
  assert.deepEqual(codes(both.findings), ['gpt-primary-array-crc']);
});

test('values see earlier assignments: +SIZE counts from the edited start; attributes change relative bits; type by name', async () => {
  const bytes = smallGptBytes();
  const r = await plan(bytes, [
    'partition:4.firstLba=300',
    'partition:4.lastLba=+10K',
    'partition:4.attributes=+required,+legacy-bios-bootable',
    'partition:4.type=basic-data',
  ]);
  const p4 = r.disk.partitions.find((p) => p.number === 4)!;
  assert.equal(p4.firstLba, 300n);
  assert.equal(p4.lastLba, 319n);
  assert.equal(p4.attributes, 5n);
  assert.equal(p4.typeName, 'Microsoft basic data');
  assert.deepEqual(codes(r.findings), []);
  const hidden = await plan(r.after, ['partition:4.attributes=+hidden,-required']);
  assert.equal(hidden.disk.partitions.find((p) => p.number === 4)!.attributes, 4n | (1n << 62n));
  assert.equal(hidden.result.changes[0]!.to, '0x4000000000000004');
});

test('an edit that changes nothing says so and plans no patch', async () => {
  const r = await plan(smallGptBytes(), ['partition:1.name=part1']);
  assert.equal(r.result.plan.patches.length, 0);
  assert.match(r.result.notes.join(' '), /primaryArray\.entries\.0\.name already is part1: nothing to change/);
});

test('changing the entry count re-seals the CRC over the array where it now ends (read past the parsed array)', async () => {
  const r = await plan(smallGptBytes(), ['primaryHeader.numPartitionEntries=64']);
  assert.deepEqual(roles(r.result), [
    'edit primaryHeader.numPartitionEntries',
    'mirror backupHeader.numPartitionEntries',
    'reseal backupHeader.partitionEntryArrayCrc32',
    'reseal backupHeader.headerCrc32',
    'reseal primaryHeader.partitionEntryArrayCrc32',
    'reseal primaryHeader.headerCrc32',
  ]);
  assert.ok(!codes(r.findings).some((c) => c.endsWith('-crc')), codes(r.findings).join(','));
  assert.equal(r.disk.primary!.numPartitionEntries, 64);
  await assert.rejects(
    plan(smallGptBytes(), ['primaryHeader.numPartitionEntries=4000000']),
    (e: unknown) => e instanceof EditPlanError && /outside what can be resealed/.test(e.message),
  );
  await assert.rejects(
    plan(smallGptBytes(), ['primaryHeader.headerSize=8']),
    (e: unknown) => e instanceof EditPlanError && /HeaderSize 8 is outside 92\.\.512/.test(e.message),
  );
  const unsealed = await plan(smallGptBytes(), ['primaryHeader.headerSize=8'], { reseal: false });
  assert.ok(codes(unsealed.findings).includes('gpt-header-invalid'));
});

test('byte edits: inside an entry they are mirrored and resealed; outside the tables they stand alone', async () => {
  const bytes = smallGptBytes();
  const { disk } = await analyzeBytes(bytes);
  const read = async (offset: number, length: number): Promise<Uint8Array> => bytes.slice(offset, offset + length);
  const inEntry = await planByteEdit(disk, 1024 + 56, Uint8Array.of(0x51), {}, read);
  assert.deepEqual(roles(inEntry), [
    'edit byte 0x438',
    `mirror byte 0x${((4096 - 33) * 512 + 56).toString(16).toUpperCase()}`,
    'reseal backupHeader.partitionEntryArrayCrc32',
    'reseal backupHeader.headerCrc32',
    'reseal primaryHeader.partitionEntryArrayCrc32',
    'reseal primaryHeader.headerCrc32',
  ]);
  const after = await analyzeBytes(applied(bytes, inEntry.plan.patches));
  assert.deepEqual(codes(after.findings), []);
  assert.equal(after.disk.partitions[0]!.name, 'Qart1');
  const loose = await planByteEdit(disk, 100 * 512, Uint8Array.of(1, 2, 3), {}, read);
  assert.deepEqual(roles(loose), ['edit bytes 0xC800..0xC802']);
  assert.equal(loose.plan.patches.length, 1);
  await assert.rejects(planByteEdit(disk, bytes.length - 1, Uint8Array.of(1, 2), {}, read), EditValueError);
});

test('bad paths, values and combinations fail with one line naming the path', async () => {
  const bytes = smallGptBytes();
  const cases: [string[], new (...a: never[]) => Error, RegExp][] = [
    [['primaryHeader.nope=1'], EditPathError, /primaryHeader\.nope: no such header field/],
    [['primaryArray.entries.128.name=x'], EditPathError, /slot 128 is not in the primary array \(slots 0\.\.127\)/],
    [['primaryArray.entries.x.name=x'], EditPathError, /entries\.SLOT\.FIELD/],
    [['partition:0.name=x'], EditPathError, /start at 1/],
    [['partition:1.color=red'], EditPathError, /no such entry field "color"/],
    [['mbr.partitions.4.type=83'], EditPathError, /I 0\.\.3/],
    [['ebr.x=1'], EditPathError, /unknown field path/],
    [['partition:1.name=' + 'n'.repeat(37)], EditValueError, /primaryArray\.entries\.0\.name: the name is 37 UTF-16 code units long/],
    [['partition:1.firstLba=-5'], EditValueError, /negative/],
    [['mbr.diskSignature=0x100000000'], EditValueError, /out of range for a 32-bit field/],
    [['partition:1.name=a', 'primaryArray.entries.0.name=b'], EditPlanError, /primaryArray\.entries\.0\.name is assigned twice/],
    [['nonsense'], EditValueError, /is not PATH=VALUE/],
  ];
  for (const [assignments, type, pattern] of cases) {
    await assert.rejects(
      (async () =>
        plan(
          bytes,
          assignments.map((a) => a),
        ))(),
      (e: unknown) => e instanceof type && pattern.test(e.message) && !e.message.includes('\n'),
      assignments.join(' '),
    );
  }
});

test('MBR fields: type byte by name, disk signature; no GPT reseal for MBR edits', async () => {
  const bytes = smallGptBytes();
  const r = await plan(bytes, ['mbr.diskSignature=0xCAFEF00D', 'mbr.partitions.1.type=linux']);
  assert.deepEqual(roles(r.result), ['edit mbr.diskSignature', 'edit mbr.partitions.1.partitionType']);
  assert.equal(r.disk.mbr!.diskSignature, 0xcafef00d);
  assert.equal(r.disk.mbr!.records[1]!.type, 0x83);
  assert.ok(codes(r.findings).includes('mbr-not-protective'), 'a second record makes the MBR hybrid');
});
