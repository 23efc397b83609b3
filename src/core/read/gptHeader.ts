// Reads one GPT header and the entry array it points to, checks the header's
// fields against UEFI 5.3.2 (recording problems, not throwing), and picks which
// of the two headers the model follows. Also reads the two GPT areas (header
// plus array sectors) as raw bytes for the checks and the diff.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { GptHeader as GptHeaderParser } from '../generated/GptHeader';
import type { GptAreas, GptHeader, Partition } from '../model';
import { GPT_REVISION_1_0, GPT_SIGNATURE } from '../model';
import { findField, parseStruct, readU64le } from '../structure';
import { crc32, gptHeaderCrc32 } from '../crc32';
import { GPT_HEADER } from '../layout';
import { formatGuid } from '../guid';
import { msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import {
  MAX_ENTRY_ARRAY_BYTES,
  MAX_PARTITION_ENTRIES,
  MAX_PARTITION_ENTRY_SIZE,
  MIN_ENTRY_ARRAY_RESERVED_BYTES,
  MIN_GPT_HEADER_SIZE,
  MIN_PARTITION_ENTRY_SIZE,
} from '../limits';
import { parseArray } from './gptEntries';

/** Reads and checks the GPT header at `lba` and the entry array it points to; null without the signature. */
export async function readGptHeader(source: ByteSource, sectorSize: number, lba: bigint, role: 'primary' | 'backup'): Promise<GptHeader | null> {
  const offset = Number(lba) * sectorSize;
  const bytes = await readIfPresent(source, offset, sectorSize);
  if (!bytes || signatureOf(bytes) !== GPT_SIGNATURE) return null;
  const node = parseStruct(`${role}Header`, GptHeaderParser, bytes, offset, [sectorSize]);
  const num = (name: string): number => Number(findField(node.fields, name)!.value);
  const big = (name: string): bigint => findField(node.fields, name)!.value as bigint;
  const headerSize = num('headerSize');
  const header: GptHeader = {
    role,
    lba,
    offset,
    bytes,
    node,
    revision: num('revision'),
    headerSize,
    headerCrc32: num('headerCrc32'),
    computedHeaderCrc32: null,
    headerCrcOk: false,
    reserved: num('reserved'),
    myLba: big('myLba'),
    alternateLba: big('alternateLba'),
    firstUsableLba: big('firstUsableLba'),
    lastUsableLba: big('lastUsableLba'),
    diskGuid: formatGuid(findField(node.fields, 'diskGuid')!.raw),
    partitionEntryLba: big('partitionEntryLba'),
    numPartitionEntries: num('numPartitionEntries'),
    partitionEntrySize: num('partitionEntrySize'),
    partitionEntryArrayCrc32: num('partitionEntryArrayCrc32'),
    invalid: [],
    array: null,
    computedArrayCrc32: null,
    arrayCrcOk: null,
  };
  if (headerSize >= MIN_GPT_HEADER_SIZE && headerSize <= sectorSize) {
    header.computedHeaderCrc32 = gptHeaderCrc32(bytes, headerSize);
    header.headerCrcOk = header.computedHeaderCrc32 === header.headerCrc32;
  }
  validateHeader(header, sectorSize, BigInt(Math.floor(source.size / sectorSize)));
  const arrayBytes = header.numPartitionEntries * header.partitionEntrySize;
  const arrayOffset = Number(header.partitionEntryLba) * sectorSize;
  if (!header.invalid.some((p) => ARRAY_BLOCKING_FIELDS.has(p.field))) {
    const bytesRead = await source.read(arrayOffset, arrayBytes);
    header.computedArrayCrc32 = crc32(bytesRead);
    header.arrayCrcOk = header.computedArrayCrc32 === header.partitionEntryArrayCrc32;
    header.array = parseArray(bytesRead, arrayOffset, header.partitionEntryLba, header.numPartitionEntries, header.partitionEntrySize, role);
  }
  return header;
}

// Problems with these fields make the entry array unreadable (or too big to read).
const ARRAY_BLOCKING_FIELDS = new Set(['numPartitionEntries', 'partitionEntrySize', 'partitionEntryLba']);

function validateHeader(h: GptHeader, sectorSize: number, totalSectors: bigint): void {
  const bad = (field: string, text: Message): void => void h.invalid.push({ field, reason: renderMessage(text), text });
  const hex = (n: number, digits = 0): string => `0x${n.toString(16).padStart(digits, '0')}`;
  if (h.revision !== GPT_REVISION_1_0) bad('revision', msg('revision is {0}, expected 0x00010000', hex(h.revision, 8)));
  if (h.headerSize < MIN_GPT_HEADER_SIZE || h.headerSize > sectorSize)
    bad('headerSize', msg('HeaderSize is {0}, must be between {1} and the block size {2}', h.headerSize, MIN_GPT_HEADER_SIZE, sectorSize));
  if (h.reserved !== 0) bad('reserved', msg('reserved field at 0x14 is {0}, must be zero', hex(h.reserved)));
  if (h.myLba !== h.lba) bad('myLba', msg('MyLBA is {0} but the header sits at LBA {1}', h.myLba, h.lba));
  if (h.numPartitionEntries === 0) bad('numPartitionEntries', msg('NumberOfPartitionEntries is 0'));
  else if (h.numPartitionEntries > MAX_PARTITION_ENTRIES)
    bad('numPartitionEntries', msg('NumberOfPartitionEntries is {0}, more than the {1} we accept', h.numPartitionEntries, MAX_PARTITION_ENTRIES));
  const size = h.partitionEntrySize;
  const powerOfTwoTimes128 =
    size >= MIN_PARTITION_ENTRY_SIZE &&
    size % MIN_PARTITION_ENTRY_SIZE === 0 &&
    ((size / MIN_PARTITION_ENTRY_SIZE) & (size / MIN_PARTITION_ENTRY_SIZE - 1)) === 0;
  if (!powerOfTwoTimes128) bad('partitionEntrySize', msg('SizeOfPartitionEntry is {0}, must be 128 x 2^n', size));
  else if (size > MAX_PARTITION_ENTRY_SIZE)
    bad('partitionEntrySize', msg('SizeOfPartitionEntry is {0}, more than the {1} we accept', size, MAX_PARTITION_ENTRY_SIZE));
  const arrayBytes = h.numPartitionEntries * size;
  const arraySectors = BigInt(Math.ceil(arrayBytes / sectorSize));
  if (!h.invalid.some((p) => p.field === 'numPartitionEntries' || p.field === 'partitionEntrySize') && arrayBytes > MAX_ENTRY_ARRAY_BYTES) {
    bad('numPartitionEntries', msg('the entry array would be {0} bytes, more than the {1} we accept', arrayBytes, MAX_ENTRY_ARRAY_BYTES));
  }
  if (h.partitionEntryLba < 2n || h.partitionEntryLba + arraySectors > totalSectors) {
    bad(
      'partitionEntryLba',
      msg('PartitionEntryLBA {0} puts the {1}-sector entry array outside the disk (LBAs 2..{2})', h.partitionEntryLba, arraySectors, totalSectors - 1n),
    );
  } else if (h.partitionEntryLba <= h.lba && h.lba < h.partitionEntryLba + arraySectors) {
    bad('partitionEntryLba', msg('the entry array at LBA {0} overlaps its own header at LBA {1}', h.partitionEntryLba, h.lba));
  }
  if (h.firstUsableLba > h.lastUsableLba + 1n) bad('firstUsableLba', msg('FirstUsableLBA {0} is after LastUsableLBA {1}', h.firstUsableLba, h.lastUsableLba));
  if (h.role === 'primary' && h.firstUsableLba <= h.lba) bad('firstUsableLba', msg('FirstUsableLBA {0} is not after the header', h.firstUsableLba));
  if (h.lastUsableLba >= totalSectors) bad('lastUsableLba', msg("LastUsableLBA {0} is past the disk's last LBA {1}", h.lastUsableLba, totalSectors - 1n));
  if (h.alternateLba === h.lba) bad('alternateLba', msg('AlternateLBA points at the header itself (LBA {0})', h.lba));
}

export function signatureOf(block: Uint8Array): string {
  const { offset, length } = GPT_HEADER.signature;
  return Buffer.from(block.subarray(offset, offset + length)).toString('latin1');
}

// MyLBA matches and the header CRC is right: the strongest sign this is a real header for this block size.
export function headerSelfConsistent(block: Uint8Array, sectorSize: number, lba: bigint): boolean {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const headerSize = view.getUint32(GPT_HEADER.headerSize.offset, true);
  if (headerSize < MIN_GPT_HEADER_SIZE || headerSize > sectorSize) return false;
  return readU64le(block, GPT_HEADER.myLba.offset) === lba && gptHeaderCrc32(block, headerSize) === view.getUint32(GPT_HEADER.headerCrc32.offset, true);
}

// Sized from the first structurally valid header (its array is already bounded by
// MAX_ENTRY_ARRAY_BYTES), else the 16 KiB UEFI minimum. Usually a page-cache hit:
// these are the sectors the headers and arrays were just read from.
export async function readGptAreas(source: ByteSource, sectorSize: number, totalSectors: bigint, candidates: (GptHeader | null)[]): Promise<GptAreas> {
  const geometry = candidates.find((h): h is GptHeader => !!h && h.invalid.length === 0);
  const arrayBytes = geometry ? geometry.numPartitionEntries * geometry.partitionEntrySize : MIN_ENTRY_ARRAY_RESERVED_BYTES;
  const arraySectors = Math.ceil(arrayBytes / sectorSize);
  const areaBytes = (arraySectors + 1) * sectorSize;
  // Both areas plus the MBR must fit without overlapping.
  if (totalSectors < BigInt(2 * (arraySectors + 1) + 1)) return { arraySectors, primary: null, backup: null };
  const backupOffset = Number(totalSectors - BigInt(arraySectors + 1)) * sectorSize;
  const primaryBytes = await readIfPresent(source, sectorSize, areaBytes);
  const backupBytes = await readIfPresent(source, backupOffset, areaBytes);
  return {
    arraySectors,
    primary: primaryBytes ? { offset: sectorSize, bytes: primaryBytes } : null,
    backup: backupBytes ? { offset: backupOffset, bytes: backupBytes } : null,
  };
}

/** The header the model follows: a healthy one (primary first), else one with a readable array, else any. */
export function chooseActive(primary: GptHeader | null, backup: GptHeader | null): 'primary' | 'backup' | null {
  const healthy = (h: GptHeader | null): boolean => !!h && h.headerCrcOk && h.invalid.length === 0 && h.arrayCrcOk === true;
  if (healthy(primary)) return 'primary';
  if (healthy(backup)) return 'backup';
  if (primary?.array) return 'primary';
  if (backup?.array) return 'backup';
  return primary ? 'primary' : backup ? 'backup' : null;
}

/** The used slots of the active header's array as partitions. */
export function gptPartitions(header: GptHeader | null, sectorSize: number): Partition[] {
  if (!header?.array) return [];
  return header.array.slots
    .filter((e) => e.used)
    .map((e) => ({
      slot: e.slot,
      number: e.number,
      firstLba: e.firstLba,
      lastLba: e.lastLba,
      sizeBytes: e.lastLba >= e.firstLba ? (e.lastLba - e.firstLba + 1n) * BigInt(sectorSize) : 0n,
      typeGuid: e.typeGuid,
      mbrType: null,
      typeName: e.typeName,
      uuid: e.uniqueGuid,
      name: e.name,
      attributes: e.attributes,
    }));
}
