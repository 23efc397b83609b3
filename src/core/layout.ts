// Where each field of the GPT header, a partition entry and an MBR sit, read
// from the .ksy specs (formats/) rather than written down again: a blank block is
// parsed once with each generated parser in debug mode, which records every
// field's byte range. The one table of offsets for encoders, fixes, previews and
// the fast paths that read a field without a whole parse.
import { GptHeader as GptHeaderParser } from './generated/GptHeader';
import { GptPartitionArray as GptPartitionArrayParser } from './generated/GptPartitionArray';
import { Mbr as MbrParser } from './generated/Mbr';
import type { Field } from './structure';
import { parseStruct } from './structure';

/** A field's place: byte offset within its structure, and length. */
export interface FieldSlot {
  offset: number;
  length: number;
}

/** The GPT header fields that differ between disks, which an encoder takes from its caller (the rest are fixed or computed). */
export type GptHeaderVariableField =
  | 'myLba'
  | 'alternateLba'
  | 'firstUsableLba'
  | 'lastUsableLba'
  | 'diskGuid'
  | 'partitionEntryLba'
  | 'numPartitionEntries'
  | 'partitionEntrySize'
  | 'partitionEntryArrayCrc32';

/** The GPT header's fields (UEFI 5.3.2, table "GPT Header"), named as in formats/gpt_header.ksy. */
export type GptHeaderField = 'signature' | 'revision' | 'headerSize' | 'headerCrc32' | 'reserved' | GptHeaderVariableField;

/** A partition entry's fields (UEFI 5.3.3), named as in formats/gpt_partition_array.ksy. */
export type GptEntryField = 'typeGuid' | 'uniqueGuid' | 'firstLba' | 'lastLba' | 'attributes' | 'name';

/** An MBR partition record's fields (UEFI 5.2.1, table "Legacy MBR Partition Record"), named as in formats/mbr.ksy. */
export type MbrRecordField = 'status' | 'chsStart' | 'partitionType' | 'chsEnd' | 'lbaStart' | 'numSectors';

/** The MBR block's own fields. */
export type MbrField = 'bootstrapCode' | 'diskSignature' | 'partitions' | 'bootSignature';

/** The smallest block every spec parses: a 512-byte sector. */
const BLOCK = 512;
/** The smallest partition entry (UEFI 5.3.2: 128 x 2^n bytes). */
const ENTRY = 128;

function slots<Name extends string>(fields: Field[], names: readonly Name[], what: string): Readonly<Record<Name, FieldSlot>> {
  const out = {} as Record<Name, FieldSlot>;
  for (const name of names) {
    const field = fields.find((f) => f.name === name);
    // The spec and this list disagree: a build problem, seen by the first test that loads core.
    if (!field) throw new Error(`layout: ${what} has no field ${name} in its spec`);
    out[name] = { offset: field.offset, length: field.length };
  }
  return Object.freeze(out);
}

const header = parseStruct('header', GptHeaderParser, new Uint8Array(BLOCK), 0, [BLOCK]);
const entries = parseStruct('entries', GptPartitionArrayParser, new Uint8Array(ENTRY), 0, [1, ENTRY]);
const mbr = parseStruct('mbr', MbrParser, new Uint8Array(BLOCK), 0, [BLOCK]);
const mbrRecords = mbr.fields.find((f) => f.name === 'partitions')!;

/** GPT header fields by name: `GPT_HEADER.headerCrc32` is { offset: 0x10, length: 4 }. */
export const GPT_HEADER = slots<GptHeaderField>(
  header.fields,
  [
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
  ],
  'the GPT header',
);

/** Partition entry fields by name, relative to the entry's first byte. */
export const GPT_ENTRY = slots<GptEntryField>(
  entries.fields[0]!.children![0]!.children!,
  ['typeGuid', 'uniqueGuid', 'firstLba', 'lastLba', 'attributes', 'name'],
  'a partition entry',
);

/** MBR block fields by name (`MBR.partitions` is the four records, `MBR.bootSignature` the 0x55AA). */
export const MBR = slots<MbrField>(mbr.fields, ['bootstrapCode', 'diskSignature', 'partitions', 'bootSignature'], 'the MBR');

/** MBR partition record fields by name, relative to the record's first byte. */
export const MBR_RECORD = slots<MbrRecordField>(
  mbrRecords.children![0]!.children!.map((f) => ({ ...f, offset: f.offset - mbrRecords.children![0]!.offset })),
  ['status', 'chsStart', 'partitionType', 'chsEnd', 'lbaStart', 'numSectors'],
  'an MBR partition record',
);

/** Bytes of one MBR partition record. */
export const MBR_RECORD_SIZE = mbrRecords.children![0]!.length;
