// Structural diff: the seed's compacted ESXi image against its original, header
// field differences, partitions only on one side, matching by type + first LBA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { structuralDiff, matchPartitions } from '../../src/core/diff/structuralDiff';
import { tempDir, testGuid, writeEsxi5Image } from '../builders/images';
import { analyzeBytes, analyzeFile, editBothHeaders, editEntryBoth, smallGptBytes } from '../builders/oracles';
import { parseGuid } from '../../src/core/guid';

const dir = tempDir('diskx-diff-structure-');
const hex32 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

test('compacted ESXi 5.0 image against its original: four entries one slot down, only the CRCs differ', async () => {
  const original = writeEsxi5Image(path.join(dir, 'original.img'));
  const compacted = writeEsxi5Image(path.join(dir, 'compacted.img'), { compacted: true });
  const a = (await analyzeFile(compacted)).disk;
  const b = (await analyzeFile(original)).disk;
  const diff = structuralDiff(a, b);

  assert.equal(diff.identical, false);
  assert.deepEqual(
    diff.partitions.map((p) => p.summary),
    [
      'systemPartition (EFI): slot 0 in both',
      'scratch: slot 1 in both',
      'VMFS datastore: slot 2 in both',
      'bootbank: slot 3 in A, slot 4 in B',
      'altbootbank: slot 4 in A, slot 5 in B',
      'vmkDiagnostic: slot 5 in A, slot 6 in B',
      'store/locker: slot 6 in A, slot 7 in B',
    ],
  );
  assert.deepEqual(
    diff.partitions.map((p) => p.status),
    ['same', 'same', 'same', 'moved-slot', 'moved-slot', 'moved-slot', 'moved-slot'],
  );
  assert.deepEqual(
    diff.partitions.map((p) => p.matchedBy),
    Array(7).fill('uuid'),
  );
  assert.deepEqual(
    diff.partitions.map((p) => p.uuid),
    [1, 2, 3, 5, 6, 7, 8].map(testGuid),
  );
  assert.ok(
    diff.partitions.every((p) => p.changes.length === 0),
    'entries moved unchanged',
  );

  const differing = diff.headers.filter((h) => !h.equal).map(({ field, a: va, b: vb }) => ({ field, a: va, b: vb }));
  assert.deepEqual(differing, [
    { field: 'disk.esxiLayout', a: 'esxi-5 (entries not in their slots)', b: 'esxi-5' },
    { field: 'primary.headerCrc32', a: hex32(a.primary!.headerCrc32), b: hex32(b.primary!.headerCrc32) },
    { field: 'primary.partitionEntryArrayCrc32', a: hex32(a.primary!.partitionEntryArrayCrc32), b: hex32(b.primary!.partitionEntryArrayCrc32) },
    { field: 'backup.headerCrc32', a: hex32(a.backup!.headerCrc32), b: hex32(b.backup!.headerCrc32) },
    { field: 'backup.partitionEntryArrayCrc32', a: hex32(a.backup!.partitionEntryArrayCrc32), b: hex32(b.backup!.partitionEntryArrayCrc32) },
  ]);
  assert.notEqual(a.primary!.partitionEntryArrayCrc32, b.primary!.partitionEntryArrayCrc32);
  // Every header field is compared, with the names of the Kaitai field tree.
  const fields = diff.headers.map((h) => h.field);
  for (const name of [
    'signature',
    'revision',
    'headerSize',
    'headerCrc32',
    'reserved',
    'myLba',
    'alternateLba',
    'firstUsableLba',
    'lastUsableLba',
    'diskGuid',
    'partitionEntryLba',
    'numPartitionEntries',
    'partitionEntrySize',
    'partitionEntryArrayCrc32',
    'reservedTail',
  ]) {
    assert.ok(fields.includes(`primary.${name}`), `primary.${name} compared`);
    assert.ok(fields.includes(`backup.${name}`), `backup.${name} compared`);
  }
  assert.equal(diff.headers.find((h) => h.field === 'backup.myLba')!.a, 16777215);
  assert.equal(diff.headers.find((h) => h.field === 'primary.signature')!.a, 'EFI PART');
  assert.equal(diff.headers.find((h) => h.field === 'primary.diskGuid')!.a, testGuid(0xd15c));
});

test('a disk against itself is identical', async () => {
  const { disk } = await analyzeBytes(smallGptBytes());
  const diff = structuralDiff(disk, disk);
  assert.equal(diff.identical, true);
  assert.deepEqual(
    diff.partitions.map((p) => [p.status, p.slotA, p.slotB]),
    [
      ['same', 0, 0],
      ['same', 1, 1],
      ['same', 3, 3],
    ],
  );
  assert.ok(diff.headers.length > 60 && diff.headers.every((h) => h.equal));
});

test('header field differences are named field by field, primary and backup', async () => {
  const bytesB = smallGptBytes();
  const other = 'ABCDEF01-2345-4678-9ABC-DEF012345678';
  editBothHeaders(bytesB, 512, (view) => new Uint8Array(view.buffer, view.byteOffset + 0x38, 16).set(parseGuid(other)));
  const a = (await analyzeBytes(smallGptBytes())).disk;
  const b = (await analyzeBytes(bytesB)).disk;
  const diff = structuralDiff(a, b);
  assert.equal(diff.identical, false);
  assert.deepEqual(
    diff.headers.filter((h) => !h.equal).map((h) => h.field),
    ['primary.headerCrc32', 'primary.diskGuid', 'backup.headerCrc32', 'backup.diskGuid'],
  );
  const guid = diff.headers.find((h) => h.field === 'backup.diskGuid')!;
  assert.deepEqual([guid.a, guid.b], [testGuid(0xd15c), other]);
  assert.ok(diff.partitions.every((p) => p.status === 'same'));
});

test('LastUsableLBA and MBR fields: exact integers, hex type bytes', async () => {
  const bytesB = smallGptBytes();
  editBothHeaders(bytesB, 512, (view) => view.setBigUint64(0x30, 4000n, true));
  bytesB[446 + 4] = 0x83; // the protective record's type
  const diff = structuralDiff((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk);
  const get = (field: string) => diff.headers.find((h) => h.field === field)!;
  assert.deepEqual([get('primary.lastUsableLba').a, get('primary.lastUsableLba').b], [4062, 4000]);
  assert.deepEqual([get('backup.lastUsableLba').a, get('backup.lastUsableLba').b], [4062, 4000]);
  assert.deepEqual([get('mbr.partitions.0.partitionType').a, get('mbr.partitions.0.partitionType').b], ['0xEE', '0x83']);
  assert.equal(get('mbr.partitions.0.partitionType').equal, false);
});

test('only-a and only-b: a partition removed in B and another added', async () => {
  const bytesB = smallGptBytes();
  editEntryBoth(bytesB, 512, 3, (entry) => new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength).fill(0));
  editEntryBoth(bytesB, 512, 2, (entry) => {
    new Uint8Array(entry.buffer, entry.byteOffset, 16).set(parseGuid('0FC63DAF-8483-4772-8E79-3D69D8477DE4'));
    new Uint8Array(entry.buffer, entry.byteOffset + 16, 16).set(parseGuid(testGuid(9)));
    entry.setBigUint64(32, 1000n, true);
    entry.setBigUint64(40, 1099n, true);
  });
  const diff = structuralDiff((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk);
  assert.deepEqual(
    diff.partitions.map((p) => [p.status, p.uuid, p.slotA, p.slotB]),
    [
      ['same', testGuid(1), 0, 0],
      ['same', testGuid(2), 1, 1],
      ['only-a', testGuid(4), 3, null],
      ['only-b', testGuid(9), null, 2],
    ],
  );
  assert.equal(diff.partitions[2]!.summary, 'part4: slot 3 in A, not in B');
  assert.equal(diff.partitions[3]!.summary, 'Linux filesystem: not in A, slot 2 in B');
  assert.equal(diff.identical, false);
});

test('without a shared GUID, partitions match by type + first LBA and the GUID shows as a change', async () => {
  const bytesB = smallGptBytes();
  editEntryBoth(bytesB, 512, 1, (entry) => new Uint8Array(entry.buffer, entry.byteOffset + 16, 16).set(parseGuid(testGuid(22))));
  const diff = structuralDiff((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk);
  const p = diff.partitions[1]!;
  assert.deepEqual([p.status, p.matchedBy, p.slotA, p.slotB], ['changed', 'type+firstLba', 1, 1]);
  assert.deepEqual(p.changes, [{ field: 'uuid', a: testGuid(2), b: testGuid(22) }]);
  assert.equal(p.summary, `part2: slot 1 in both; uuid ${testGuid(2)} -> ${testGuid(22)}`);
});

test('moved-slot combines with changed fields', async () => {
  // B: part1 moved from slot 0 to slot 2, renamed and with attribute bit 60 set.
  const bytesB = smallGptBytes();
  const entryBytes = (bytes: Uint8Array, slot: number): Uint8Array => bytes.slice(1024 + slot * 128, 1024 + (slot + 1) * 128);
  const moved = entryBytes(bytesB, 0);
  editEntryBoth(bytesB, 512, 0, (entry) => new Uint8Array(entry.buffer, entry.byteOffset, 128).fill(0));
  editEntryBoth(bytesB, 512, 2, (entry) => {
    new Uint8Array(entry.buffer, entry.byteOffset, 128).set(moved);
    new Uint8Array(entry.buffer, entry.byteOffset + 56, 72).set(Buffer.from('renamed\0', 'utf16le'));
    entry.setBigUint64(48, 1n << 60n, true);
  });
  const diff = structuralDiff((await analyzeBytes(smallGptBytes())).disk, (await analyzeBytes(bytesB)).disk);
  const p = diff.partitions.find((x) => x.uuid === testGuid(1))!;
  assert.deepEqual([p.status, p.slotA, p.slotB], ['moved-slot', 0, 2]);
  assert.deepEqual(p.changes, [
    { field: 'attributes', a: '0x0000000000000000', b: '0x1000000000000000' },
    { field: 'name', a: 'part1', b: 'renamed' },
  ]);
  assert.equal(p.summary, 'part1: slot 0 in A, slot 2 in B; attributes 0x0000000000000000 -> 0x1000000000000000, name part1 -> renamed');
});

test('matchPartitions: a GUID used twice on one disk does not identify a partition', async () => {
  const { disk } = await analyzeBytes(smallGptBytes());
  const [p0, p1, p3] = disk.partitions as [(typeof disk.partitions)[0], (typeof disk.partitions)[0], (typeof disk.partitions)[0]];
  const dup = { ...p1, uuid: p0.uuid };
  const { matches, onlyA, onlyB } = matchPartitions([p0, dup, p3], [p0, p1, p3]);
  assert.deepEqual(
    matches.map((m) => [m.a.slot, m.b.slot, m.by]),
    [
      [3, 3, 'uuid'],
      [0, 0, 'type+firstLba'],
      [1, 1, 'type+firstLba'],
    ],
  );
  assert.deepEqual([onlyA.length, onlyB.length], [0, 0]);
});
