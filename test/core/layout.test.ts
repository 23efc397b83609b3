// The layout table (src/core/layout.ts) comes from the .ksy specs; here it is
// checked against the offsets the UEFI specification states (5.2.1, 5.3.2, 5.3.3),
// so a spec edit that moved a field would be caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT_ENTRY, GPT_HEADER, MBR, MBR_RECORD, MBR_RECORD_SIZE } from '../../src/core/layout';

test('GPT header fields sit where UEFI 5.3.2 puts them', () => {
  const at = Object.fromEntries(Object.entries(GPT_HEADER).map(([name, slot]) => [name, [slot.offset, slot.length]]));
  assert.deepEqual(at, {
    signature: [0x00, 8],
    revision: [0x08, 4],
    headerSize: [0x0c, 4],
    headerCrc32: [0x10, 4],
    reserved: [0x14, 4],
    myLba: [0x18, 8],
    alternateLba: [0x20, 8],
    firstUsableLba: [0x28, 8],
    lastUsableLba: [0x30, 8],
    diskGuid: [0x38, 16],
    partitionEntryLba: [0x48, 8],
    numPartitionEntries: [0x50, 4],
    partitionEntrySize: [0x54, 4],
    partitionEntryArrayCrc32: [0x58, 4],
  });
});

test('partition entry and MBR fields sit where UEFI 5.3.3 and 5.2.1 put them', () => {
  assert.deepEqual(
    Object.values(GPT_ENTRY).map((s) => [s.offset, s.length]),
    [
      [0, 16],
      [16, 16],
      [32, 8],
      [40, 8],
      [48, 8],
      [56, 72],
    ],
  );
  assert.deepEqual(MBR.partitions, { offset: 446, length: 64 });
  assert.deepEqual(MBR.bootSignature, { offset: 510, length: 2 });
  assert.equal(MBR_RECORD_SIZE, 16);
  assert.deepEqual(MBR_RECORD.numSectors, { offset: 12, length: 4 });
  assert.deepEqual(MBR_RECORD.chsEnd, { offset: 5, length: 3 });
  assert.deepEqual(MBR_RECORD.partitionType, { offset: 4, length: 1 });
});
