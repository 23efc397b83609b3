// The UEFI names (and value kinds) of the MBR and GPT fields, keyed by the
// .ksy ids, for the tree's labels and the fix preview's field names. The names
// are the specification's and stay English; the meanings are translated (english()).
import type { FieldKind } from '../../shared/protocol/editor';
import { english } from '../../shared/l10n';

// UEFI names of the header fields (table 5-5), keyed by the .ksy ids.
export const HEADER_FIELDS: Record<string, { name: string; kind: FieldKind; meaning: string }> = {
  signature: { name: 'Signature', kind: 'signature', meaning: english('must be "EFI PART"') },
  revision: { name: 'Revision', kind: 'count', meaning: english('0x00010000 = GPT 1.0') },
  headerSize: { name: 'HeaderSize', kind: 'count', meaning: english('bytes covered by HeaderCRC32 (92..block size)') },
  headerCrc32: { name: 'HeaderCRC32', kind: 'crc', meaning: english('CRC-32 over HeaderSize bytes with this field zero') },
  reserved: { name: 'Reserved', kind: 'reserved', meaning: english('must be zero') },
  myLba: { name: 'MyLBA', kind: 'lba', meaning: english('LBA of this header') },
  alternateLba: { name: 'AlternateLBA', kind: 'lba', meaning: english('LBA of the other header') },
  firstUsableLba: { name: 'FirstUsableLBA', kind: 'lba', meaning: english('first LBA a partition may use') },
  lastUsableLba: { name: 'LastUsableLBA', kind: 'lba', meaning: english('last LBA a partition may use') },
  diskGuid: { name: 'DiskGUID', kind: 'guid', meaning: english('identifies the disk') },
  partitionEntryLba: { name: 'PartitionEntryLBA', kind: 'lba', meaning: english('first LBA of the entry array') },
  numPartitionEntries: { name: 'NumberOfPartitionEntries', kind: 'count', meaning: english('slots in the entry array') },
  partitionEntrySize: { name: 'SizeOfPartitionEntry', kind: 'count', meaning: english('bytes per entry (128 x 2^n)') },
  partitionEntryArrayCrc32: { name: 'PartitionEntryArrayCRC32', kind: 'crc', meaning: english('CRC-32 over the whole entry array') },
  reservedTail: { name: 'ReservedTail', kind: 'reserved', meaning: english('rest of the block, must be zero') },
};

// UEFI names of the entry fields (table 5-6).
export const ENTRY_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  typeGuid: { name: 'PartitionTypeGUID', kind: 'guid' },
  uniqueGuid: { name: 'UniquePartitionGUID', kind: 'guid' },
  firstLba: { name: 'StartingLBA', kind: 'lba' },
  lastLba: { name: 'EndingLBA', kind: 'lba' },
  attributes: { name: 'Attributes', kind: 'flags' },
  name: { name: 'PartitionName', kind: 'text' },
};

export const MBR_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  bootstrapCode: { name: 'BootCode', kind: 'code' },
  diskSignature: { name: 'UniqueMBRDiskSignature', kind: 'other' },
  reserved: { name: 'Unknown', kind: 'reserved' },
  bootSignature: { name: 'Signature', kind: 'signature' },
};

export const RECORD_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  status: { name: 'BootIndicator', kind: 'flags' },
  chsStart: { name: 'StartingCHS', kind: 'other' },
  partitionType: { name: 'OSType', kind: 'other' },
  chsEnd: { name: 'EndingCHS', kind: 'other' },
  lbaStart: { name: 'StartingLBA', kind: 'lba' },
  numSectors: { name: 'SizeInLBA', kind: 'count' },
};

/**
 * The UEFI name of a field, given its spec id and the structure it is in
 * ("headerCrc32" of a GPT header is "HeaderCRC32"); the id itself when the
 * tables have no name for it.
 */
export function uefiFieldName(structure: 'header' | 'entry' | 'mbr' | 'record', id: string): string {
  const table = structure === 'header' ? HEADER_FIELDS : structure === 'entry' ? ENTRY_FIELDS : structure === 'mbr' ? MBR_FIELDS : RECORD_FIELDS;
  return table[id]?.name ?? id;
}
