// The serializer that turns the core's model into the webview's tree and spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeImage } from '../../src/core/index';
import { allNodeIds, attributeNames, buildStructureTree, normalizeSpans, statusText } from '../../src/app/structureTree';
import { formatSizeShort as formatSize } from '../../src/shared/sizeText';
import type { TreeNode } from '../../src/shared/protocol/editor';
import { tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { findNode } from '../builders/tree';

function find(tree: TreeNode[], id: string): TreeNode {
  const node = findNode(tree, id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}
function findOrNull(tree: TreeNode[], id: string): TreeNode | null {
  return findNode(tree, id) ?? null;
}

async function viewOf(image: string) {
  const { opened, disk, findings } = await analyzeImage(image);
  await opened.source.close();
  return { disk, findings, view: buildStructureTree(disk, findings) };
}

test('a compacted ESXi 5 disk: MBR, headers with every field, slots by index, partitions, backup', async () => {
  const dir = tempDir();
  const { view } = await viewOf(writeEsxi5Image(path.join(dir, 'c.img'), { compacted: true }));
  const top = view.tree.map((n) => n.id);
  assert.deepEqual(top, ['mbr', 'primary-header', 'primary-array', 'partitions', 'esxi', 'backup-array', 'backup-header']);
  assert.equal(find(view.tree, 'mbr').label, 'Protective MBR');
  const header = find(view.tree, 'primary-header');
  assert.equal(header.label, 'Primary GPT header');
  assert.deepEqual(
    header.children!.map((c) => c.label),
    [
      'Signature',
      'Revision',
      'HeaderSize',
      'HeaderCRC32',
      'Reserved',
      'MyLBA',
      'AlternateLBA',
      'FirstUsableLBA',
      'LastUsableLBA',
      'DiskGUID',
      'PartitionEntryLBA',
      'NumberOfPartitionEntries',
      'SizeOfPartitionEntry',
      'PartitionEntryArrayCRC32',
      'ReservedTail',
    ],
  );
  const crc = find(view.tree, 'primary-header.HeaderCRC32');
  assert.deepEqual([crc.offset, crc.length, crc.kind], [512 + 0x10, 4, 'crc']);
  assert.match(crc.description!, /^ok/);
  assert.equal(find(view.tree, 'primary-header.Signature').value, '"EFI PART"');
  assert.match(find(view.tree, 'primary-header.PartitionEntryLBA').description!, /byte 0x400/);
  // Slots 0..6 used (compacted), bootbank in slot 3, the rest one collapsed run.
  const slots = find(view.tree, 'primary-array').children!.map((c) => c.id);
  assert.deepEqual(slots, ['slot-0', 'slot-1', 'slot-2', 'slot-3', 'slot-4', 'slot-5', 'slot-6', 'slots-7-127']);
  const slot3 = find(view.tree, 'slot-3');
  assert.match(`${slot3.label} ${slot3.value}`, /Slot 3 \(partition 4\) bootbank · Microsoft basic data · 250 MiB/);
  assert.deepEqual([slot3.offset, slot3.length], [1024 + 3 * 128, 128]);
  assert.equal(find(view.tree, 'slot-3.StartingLBA').value, '8224');
  assert.equal(find(view.tree, 'slots-7-127').value, 'empty');
  assert.match(find(view.tree, 'partition-4').value!, /bootbank/);
  assert.ok(findOrNull(view.tree, 'backup-slot-3'));
  assert.equal(find(view.tree, 'backup-header').value, `LBA ${(8 * 1024 ** 3) / 512 - 1}`);
  // The compaction finding is attached to the array (and shown in the findings list).
  const compacted = view.findings.find((f) => f.code === 'esxi-slot-compacted')!;
  assert.ok(compacted.nodeId);
  assert.ok(find(view.tree, 'primary-array').findings?.includes('esxi-slot-compacted'));
  // Ids are unique.
  const ids = allNodeIds(view.tree);
  assert.equal(new Set(ids).size, ids.length);
});

test('a healthy ESXi 5 disk keeps slot 3 empty as its own node', async () => {
  const dir = tempDir();
  const { view } = await viewOf(writeEsxi5Image(path.join(dir, 'h.img')));
  const slots = find(view.tree, 'primary-array').children!.map((c) => c.id);
  assert.deepEqual(slots, ['slot-0', 'slot-1', 'slot-2', 'slot-3', 'slot-4', 'slot-5', 'slot-6', 'slot-7', 'slots-8-127']);
  assert.equal(find(view.tree, 'slot-3').value, 'empty');
  assert.match(find(view.tree, 'slot-4').value!, /^bootbank/);
  assert.ok(find(view.tree, 'slot-3').findings?.includes('slot-gap'), 'the slot-gap finding sits on the empty slot');
});

test('spans are sorted, disjoint, name their field and node, and carry no bytes', async () => {
  const dir = tempDir();
  const { view } = await viewOf(writeEsxi5Image(path.join(dir, 's.img'), { compacted: true }));
  for (let i = 1; i < view.spans.length; i++) assert.ok(view.spans[i]!.offset >= view.spans[i - 1]!.offset + view.spans[i - 1]!.length);
  const ids = new Set(allNodeIds(view.tree));
  for (const span of view.spans) assert.ok(ids.has(span.nodeId), span.nodeId);
  const crc = view.spans.find((s) => s.offset === 512 + 0x10)!;
  assert.deepEqual([crc.name, crc.kind, crc.nodeId], ['Primary GPT header › HeaderCRC32', 'crc', 'primary-header.HeaderCRC32']);
  // An empty slot's fields point at the collapsed run.
  const emptyType = view.spans.find((s) => s.offset === 1024 + 100 * 128)!;
  assert.equal(emptyType.nodeId, 'slots-7-127');
  // Serialized, the view is small: values and ranges, never the arrays' bytes.
  const json = JSON.stringify(view);
  assert.ok(json.length < 600_000, `${json.length} bytes`);
  assert.doesNotMatch(json, /"raw"|"bytes"/);
});

test('4Kn disks: header at byte 4096, LBAs turned into byte offsets at 4096', async () => {
  const dir = tempDir();
  const image = writeGptImage(path.join(dir, '4k.img'), {
    sectorSize: 4096,
    totalSectors: 65536n,
    diskGuid: testGuid(9),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 256n, lastLba: 1279n, name: 'data' }],
  });
  const { disk, view } = await viewOf(image);
  assert.equal(disk.sectorSize, 4096);
  assert.equal(find(view.tree, 'primary-header').offset, 4096);
  assert.match(find(view.tree, 'primary-header.PartitionEntryLBA').description!, /byte 0x2000/);
  assert.match(find(view.tree, 'partition-1').value!, /4 MiB/);
  assert.match(find(view.tree, 'slot-0').description!, /"data"/);
  assert.equal(statusText({ name: '4k.img', sizeBytes: 0, sectorSize: 4096, scheme: 'gpt', profile: null, readOnly: true }), 'GPT · 4096 B');
});

test('a corrupted header CRC shows the computed value and carries the finding', async () => {
  const dir = tempDir();
  const image = writeEsxi5Image(path.join(dir, 'bad.img'));
  const fd = fs.openSync(image, 'r+');
  fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 512 + 0x10);
  fs.closeSync(fd);
  const { view } = await viewOf(image);
  const crc = find(view.tree, 'primary-header.HeaderCRC32');
  assert.equal(crc.value, '0xEFBEADDE');
  assert.match(crc.description!, /BAD: computed 0x[0-9A-F]{8}/);
  assert.ok(crc.findings?.includes('gpt-primary-header-crc'));
  assert.ok(find(view.tree, 'primary-header').findings?.includes('gpt-primary-header-crc'));
});

test('helpers: sizes, attributes, status text, overlapping spans', () => {
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatSize(250 * 1024 * 1024), '250 MiB');
  assert.equal(formatSize(2 * 1024 ** 4), '2 TiB');
  assert.equal(formatSize(1.5 * 1024 ** 3), '1.5 GiB');
  assert.equal(attributeNames(0n), 'none');
  assert.equal(attributeNames(1n | 4n | (0x8000n << 48n)), 'required, legacy BIOS bootable, type-specific 0x8000');
  assert.equal(statusText({ name: 'x', sizeBytes: 1, sectorSize: 512, scheme: 'gpt', profile: 'ESXi 5', readOnly: true }), 'GPT · 512 B · ESXi 5');
  const spans = normalizeSpans([
    { offset: 10, length: 4, kind: 'crc', name: 'b', nodeId: 'b' },
    { offset: 0, length: 8, kind: 'lba', name: 'a', nodeId: 'a' },
    { offset: 4, length: 8, kind: 'guid', name: 'overlaps a', nodeId: 'c' },
    { offset: 20, length: 0, kind: 'text', name: 'empty', nodeId: 'd' },
  ]);
  assert.deepEqual(
    spans.map((s) => s.nodeId),
    ['a', 'b'],
  );
});

test('a DOS MBR disk with a logical partition: records, EBR and partitions 1 and 5', async () => {
  const dir = tempDir();
  const sector = 512;
  const mbr = new Uint8Array(512);
  const record = (block: Uint8Array, index: number, type: number, first: number, sectors: number): void => {
    const at = 446 + index * 16;
    block[at + 4] = type;
    new DataView(block.buffer).setUint32(at + 8, first, true);
    new DataView(block.buffer).setUint32(at + 12, sectors, true);
  };
  record(mbr, 0, 0x83, 2048, 4096);
  record(mbr, 1, 0x05, 8192, 8192);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  const ebr = new Uint8Array(512);
  record(ebr, 0, 0x83, 63, 1000);
  ebr[510] = 0x55;
  ebr[511] = 0xaa;
  const image = path.join(dir, 'dos.img');
  const fd = fs.openSync(image, 'w');
  fs.ftruncateSync(fd, 32768 * sector);
  fs.writeSync(fd, mbr, 0, 512, 0);
  fs.writeSync(fd, ebr, 0, 512, 8192 * sector);
  fs.closeSync(fd);
  const { disk, view } = await viewOf(image);
  assert.equal(disk.scheme, 'mbr');
  assert.equal(find(view.tree, 'mbr').label, 'MBR (DOS partition table)');
  assert.match(find(view.tree, 'mbr.record-0').value!, /type 0x83/);
  assert.equal(find(view.tree, 'mbr.record-0.StartingLBA').value, '2048');
  assert.ok(findOrNull(view.tree, 'ebr-0'));
  assert.deepEqual(
    find(view.tree, 'partitions').children!.map((c) => c.id),
    ['partition-1', 'partition-2', 'partition-5'],
  );
  assert.equal(findOrNull(view.tree, 'primary-header'), null);
});
