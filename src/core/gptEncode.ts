// Encoders for GPT structures: the inverse of the parsers, used by fixes (to
// rewrite headers) and by the sample and test image builders.
import { crc32, gptHeaderCrc32 } from './crc32';
import { parseGuid } from './guid';
import { GPT_REVISION_1_0, GPT_SIGNATURE } from './model';
import type { GptHeader } from './model';
import { GPT_HEADER, MBR, MBR_RECORD } from './layout';
import type { GptHeaderVariableField } from './layout';

/** The fields of a GPT header we write, as the model names them (HeaderCRC32 is computed; HeaderSize defaults to 92). */
export type GptHeaderFields = Pick<GptHeader, GptHeaderVariableField> & { headerSize?: number };

/** One logical block holding a GPT header with a correct HeaderCRC32. */
export function encodeGptHeader(fields: GptHeaderFields, sectorSize: number): Uint8Array {
  const block = new Uint8Array(sectorSize);
  const view = new DataView(block.buffer);
  const headerSize = fields.headerSize ?? 92;
  const at = GPT_HEADER;
  block.set(Buffer.from(GPT_SIGNATURE, 'latin1'), at.signature.offset);
  view.setUint32(at.revision.offset, GPT_REVISION_1_0, true);
  view.setUint32(at.headerSize.offset, headerSize, true);
  view.setBigUint64(at.myLba.offset, fields.myLba, true);
  view.setBigUint64(at.alternateLba.offset, fields.alternateLba, true);
  view.setBigUint64(at.firstUsableLba.offset, fields.firstUsableLba, true);
  view.setBigUint64(at.lastUsableLba.offset, fields.lastUsableLba, true);
  block.set(parseGuid(fields.diskGuid), at.diskGuid.offset);
  view.setBigUint64(at.partitionEntryLba.offset, fields.partitionEntryLba, true);
  view.setUint32(at.numPartitionEntries.offset, fields.numPartitionEntries, true);
  view.setUint32(at.partitionEntrySize.offset, fields.partitionEntrySize, true);
  view.setUint32(at.partitionEntryArrayCrc32.offset, fields.partitionEntryArrayCrc32, true);
  view.setUint32(at.headerCrc32.offset, gptHeaderCrc32(block, headerSize), true);
  return block;
}

/** Sets HeaderCRC32 of a header block in place from its current bytes. */
export function resealGptHeader(block: Uint8Array): void {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const headerSize = view.getUint32(GPT_HEADER.headerSize.offset, true);
  view.setUint32(GPT_HEADER.headerCrc32.offset, gptHeaderCrc32(block, headerSize), true);
}

/** A partition entry to encode. */
export interface GptEntryFields {
  typeGuid: string;
  uniqueGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes?: bigint;
  name?: string;
}

/** One partition entry of `entrySize` bytes. */
export function encodeGptEntry(entry: GptEntryFields, entrySize = 128): Uint8Array {
  const bytes = new Uint8Array(entrySize);
  const view = new DataView(bytes.buffer);
  bytes.set(parseGuid(entry.typeGuid), 0);
  bytes.set(parseGuid(entry.uniqueGuid), 16);
  view.setBigUint64(32, entry.firstLba, true);
  view.setBigUint64(40, entry.lastLba, true);
  view.setBigUint64(48, entry.attributes ?? 0n, true);
  const name = Buffer.from((entry.name ?? '').slice(0, 36), 'utf16le');
  bytes.set(name.subarray(0, 72), 56);
  return bytes;
}

/** An entry array: `slots[i]` goes to slot i (null = unused). */
export function encodeGptArray(slots: (GptEntryFields | null)[], numEntries: number, entrySize = 128): Uint8Array {
  if (slots.length > numEntries) throw new RangeError(`${slots.length} slots do not fit ${numEntries} entries`);
  const array = new Uint8Array(numEntries * entrySize);
  slots.forEach((entry, slot) => {
    if (entry) array.set(encodeGptEntry(entry, entrySize), slot * entrySize);
  });
  return array;
}

/** A protective MBR block (UEFI 5.2.3): one 0xEE record from LBA 1 over the disk. */
export function encodeProtectiveMbr(totalSectors: bigint): Uint8Array {
  const block = new Uint8Array(512);
  const view = new DataView(block.buffer);
  const record = MBR.partitions.offset;
  block.set([0x00, 0x02, 0x00], record + MBR_RECORD.chsStart.offset); // CHS start 0/0/2
  block[record + MBR_RECORD.partitionType.offset] = 0xee;
  block.set([0xff, 0xff, 0xff], record + MBR_RECORD.chsEnd.offset); // CHS end: maxed out
  view.setUint32(record + MBR_RECORD.lbaStart.offset, 1, true);
  view.setUint32(record + MBR_RECORD.numSectors.offset, protectiveMbrSectors(totalSectors), true);
  block.set([0x55, 0xaa], MBR.bootSignature.offset);
  return block;
}

/** Sectors a protective MBR record covers: disk size - 1, capped at 0xFFFFFFFF. */
export function protectiveMbrSectors(totalSectors: bigint): number {
  return totalSectors - 1n > 0xffffffffn ? 0xffffffff : Number(totalSectors - 1n);
}

/** A whole GPT disk layout as regions to write; everything else is zero. */
export interface GptDiskSpec {
  sectorSize: number;
  totalSectors: bigint;
  diskGuid: string;
  slots: (GptEntryFields | null)[];
  numEntries?: number;
  entrySize?: number;
}

/** Regions (offset, bytes) of a consistent GPT disk: protective MBR, primary, backup. */
export function encodeGptDisk(spec: GptDiskSpec): { offset: number; bytes: Uint8Array }[] {
  const numEntries = spec.numEntries ?? 128;
  const entrySize = spec.entrySize ?? 128;
  const array = encodeGptArray(spec.slots, numEntries, entrySize);
  const arraySectors = BigInt(Math.ceil(array.length / spec.sectorSize));
  const lastLba = spec.totalSectors - 1n;
  const backupArrayLba = lastLba - arraySectors;
  const common = {
    firstUsableLba: 2n + arraySectors,
    lastUsableLba: backupArrayLba - 1n,
    diskGuid: spec.diskGuid,
    numPartitionEntries: numEntries,
    partitionEntrySize: entrySize,
    partitionEntryArrayCrc32: crc32(array),
  };
  const primary = encodeGptHeader({ ...common, myLba: 1n, alternateLba: lastLba, partitionEntryLba: 2n }, spec.sectorSize);
  const backup = encodeGptHeader({ ...common, myLba: lastLba, alternateLba: 1n, partitionEntryLba: backupArrayLba }, spec.sectorSize);
  const at = (lba: bigint): number => Number(lba) * spec.sectorSize;
  return [
    { offset: 0, bytes: encodeProtectiveMbr(spec.totalSectors) },
    { offset: at(1n), bytes: primary },
    { offset: at(2n), bytes: array },
    { offset: at(backupArrayLba), bytes: array },
    { offset: at(lastLba), bytes: backup },
  ];
}
