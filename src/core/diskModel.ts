// Reads a disk image into our model: protective/DOS MBR (with its EBR chain),
// primary and backup GPT headers and their entry arrays. Everything is parsed
// with the generated Kaitai parsers over small windows; nothing here decides
// what is wrong beyond recording facts (checks.ts turns facts into findings).
import type { ByteSource } from './io/byteSource';
import { readIfPresent } from './io/byteSource';
import { GptHeader as GptHeaderParser } from './generated/GptHeader';
import { GptPartitionArray as GptPartitionArrayParser } from './generated/GptPartitionArray';
import { Mbr as MbrParser } from './generated/Mbr';
import type { Field, StructNode } from './structure';
import type { DiskModel, GptArray, GptAreas, GptEntry, GptHeader, Mbr, MbrRecord, Partition, ReadOptions } from './model';
import { GPT_REVISION_1_0, GPT_SIGNATURE } from './model';
import { findField, parseStruct, readU64le } from './structure';
import { crc32, gptHeaderCrc32 } from './crc32';
import { GPT_ENTRY, GPT_HEADER } from './layout';
import type { FieldSlot } from './layout';
import { formatGuid, ZERO_GUID } from './guid';
import { gptTypeName, isExtendedMbrType, mbrTypeName } from './partitionTypes';
import { LimitError, NotADiskImageError, UsageError } from './errors';
import {
  MAX_EBR_CHAIN,
  MAX_ENTRY_ARRAY_BYTES,
  MAX_IMAGE_BYTES,
  MAX_PARTITION_ENTRIES,
  MAX_PARTITION_ENTRY_SIZE,
  MIN_ENTRY_ARRAY_RESERVED_BYTES,
  MIN_GPT_HEADER_SIZE,
  MIN_PARTITION_ENTRY_SIZE,
  SUPPORTED_SECTOR_SIZES,
} from './limits';
import { detectEsxiLayout } from './esxi';
import { readFatVolumes } from './fat';
import { probePartitions } from './content/diskContents';
import { readStartContent } from './content/wholeDisk';
import { detectMbrSectorSize } from './content/mbrSectorSize';
import { isDosMbr, labelUsableRange, readDiskLabel, readNestedLabels } from './schemes/index';

// The model's types live in model.ts; the reader re-exports them for its callers.
export type * from './model';
export { GPT_REVISION_1_0, GPT_SIGNATURE } from './model';

/** Reads and parses the partition structures of `source`. Throws only when the input is no disk at all. */
export async function readDisk(source: ByteSource, options: ReadOptions = {}): Promise<DiskModel> {
  if (source.size < 512) throw new NotADiskImageError(`is too small to be a disk image (${source.size} bytes; an MBR alone needs 512)`);
  // Beyond 2^53 bytes (8 PiB) byte offsets are no longer exact numbers: the backup at the end could not even be read.
  if (source.size > MAX_IMAGE_BYTES) throw new LimitError('MAX_IMAGE_BYTES (image size in bytes)', source.size, MAX_IMAGE_BYTES);
  if (options.sectorSize !== undefined && !SUPPORTED_SECTOR_SIZES.includes(options.sectorSize)) {
    throw new UsageError(`unsupported sector size ${options.sectorSize} (use 512 or 4096)`);
  }
  let { sectorSize, sectorSizeSource } = options.sectorSize
    ? { sectorSize: options.sectorSize, sectorSizeSource: 'override' as DiskModel['sectorSizeSource'] }
    : await detectSectorSize(source);
  if (sectorSizeSource === 'assumed' && (await detectMbrSectorSize(source)) === 4096) {
    sectorSize = 4096;
    sectorSizeSource = 'detected';
  }
  const totalSectors = BigInt(Math.floor(source.size / sectorSize));
  const lastLba = totalSectors - 1n;
  const mbr = await readMbr(source, sectorSize);

  let primary = totalSectors > 1n ? await readGptHeader(source, sectorSize, 1n, 'primary') : null;
  let backup = await readGptHeader(source, sectorSize, lastLba, 'backup');
  if (!backup && primary && primary.alternateLba !== lastLba && primary.alternateLba > 1n && primary.alternateLba < totalSectors) {
    // The disk grew (or the backup was written elsewhere): look where the primary says.
    backup = await readGptHeader(source, sectorSize, primary.alternateLba, 'backup');
  }
  if (primary && primary.lba === backup?.lba) primary = null; // a 2-sector image: only one header exists

  const activeGpt = chooseActive(primary, backup);
  const active = activeGpt === 'primary' ? primary : activeGpt === 'backup' ? backup : null;
  const primaryIntact = !!primary && primary.headerCrcOk && primary.arrayCrcOk === true && primary.invalid.length === 0;
  // Without a GPT: an Apple, BSD, Sun or SGI label (schemes/), whose first sectors are no volume's.
  const label = primary || backup ? null : await readDiskLabel(source, sectorSize, isDosMbr(mbr));
  const start = label
    ? { content: null, replacesMbr: false }
    : await readStartContent(source, sectorSize, mbr, primary || backup ? { intact: primaryIntact } : null);
  const scheme = primary || backup ? 'gpt' : label ? label.scheme : isDosMbr(mbr) && !start.replacesMbr ? 'mbr' : 'none';
  const partitions =
    scheme === 'gpt' ? gptPartitions(active, sectorSize) : label ? label.partitions : scheme === 'mbr' && mbr ? mbrPartitions(mbr, sectorSize) : [];
  const labels = label ? [label] : scheme === 'mbr' ? await readNestedLabels(source, sectorSize, partitions) : [];
  const usable =
    scheme === 'gpt'
      ? active && active.invalid.length === 0
        ? { firstLba: active.firstUsableLba, lastLba: active.lastUsableLba }
        : null
      : scheme === 'mbr'
        ? { firstLba: 1n, lastLba }
        : label
          ? labelUsableRange(label, sectorSize, lastLba)
          : null;
  const free = await probePartitions(source, sectorSize, partitions, usable);
  const esxi = active?.array ? detectEsxiLayout(active.array.slots) : null;
  const gptAreas = scheme === 'gpt' ? await readGptAreas(source, sectorSize, totalSectors, [active, primary, backup]) : undefined;
  const fatVolumes = await readFatVolumes(source, sectorSize, partitions, esxi);
  return {
    image: source.name,
    sizeBytes: source.size,
    sectorSize,
    sectorSizeSource,
    totalSectors,
    lastLba,
    mbr,
    primary,
    backup,
    activeGpt,
    scheme,
    partitions,
    labels,
    esxi,
    gptAreas,
    fatVolumes,
    content: start.content,
    free,
  };
}

// Sized from the first structurally valid header (its array is already bounded by
// MAX_ENTRY_ARRAY_BYTES), else the 16 KiB UEFI minimum. Usually a page-cache hit:
// these are the sectors the headers and arrays were just read from.
async function readGptAreas(source: ByteSource, sectorSize: number, totalSectors: bigint, candidates: (GptHeader | null)[]): Promise<GptAreas> {
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

/** Finds the logical block size: where an `EFI PART` header sits (LBA 1, else the last LBA). */
export async function detectSectorSize(source: ByteSource): Promise<{ sectorSize: number; sectorSizeSource: 'detected' | 'device' | 'assumed' }> {
  const scores: { size: number; score: number }[] = [];
  for (const size of SUPPORTED_SECTOR_SIZES) {
    let score = 0;
    const primary = await readIfPresent(source, size, size);
    if (primary && signatureOf(primary) === GPT_SIGNATURE) score += 2 + (headerSelfConsistent(primary, size, 1n) ? 2 : 0);
    const lastOffset = Math.floor(source.size / size) * size - size;
    const backup = lastOffset > size ? await readIfPresent(source, lastOffset, size) : null;
    if (backup && signatureOf(backup) === GPT_SIGNATURE) score += 1 + (headerSelfConsistent(backup, size, BigInt(lastOffset / size)) ? 1 : 0);
    scores.push({ size, score });
  }
  scores.sort((a, b) => b.score - a.score || a.size - b.size);
  if (scores[0]!.score > 0) return { sectorSize: scores[0]!.size, sectorSizeSource: 'detected' };
  if (source.reportedSectorSize && SUPPORTED_SECTOR_SIZES.includes(source.reportedSectorSize)) {
    return { sectorSize: source.reportedSectorSize, sectorSizeSource: 'device' };
  }
  return { sectorSize: 512, sectorSizeSource: 'assumed' };
}

function signatureOf(block: Uint8Array): string {
  const { offset, length } = GPT_HEADER.signature;
  return Buffer.from(block.subarray(offset, offset + length)).toString('latin1');
}

// MyLBA matches and the header CRC is right: the strongest sign this is a real header for this block size.
function headerSelfConsistent(block: Uint8Array, sectorSize: number, lba: bigint): boolean {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const headerSize = view.getUint32(GPT_HEADER.headerSize.offset, true);
  if (headerSize < MIN_GPT_HEADER_SIZE || headerSize > sectorSize) return false;
  return readU64le(block, GPT_HEADER.myLba.offset) === lba && gptHeaderCrc32(block, headerSize) === view.getUint32(GPT_HEADER.headerCrc32.offset, true);
}

async function readMbr(source: ByteSource, sectorSize: number): Promise<Mbr | null> {
  const bytes = await source.read(0, 512);
  const node = parseStruct('mbr', MbrParser, bytes, 0, [sectorSize]);
  const bootSignatureOk = bytes[510] === 0x55 && bytes[511] === 0xaa;
  const records = mbrRecords(node);
  const nonEmpty = records.filter((r) => r.type !== 0);
  const hasProtective = nonEmpty.some((r) => r.type === 0xee);
  const kind = nonEmpty.length === 0 ? 'empty' : hasProtective ? (nonEmpty.length === 1 ? 'protective' : 'hybrid') : 'dos';
  const mbr: Mbr = {
    node,
    bytes,
    bootSignatureOk,
    diskSignature: Number(findField(node.fields, 'diskSignature')!.value),
    records,
    kind,
    logical: [],
    ebrNodes: [],
    ebrProblems: [],
  };
  if (bootSignatureOk && kind === 'dos') await followEbrChain(source, sectorSize, mbr);
  return mbr;
}

function mbrRecords(node: StructNode): MbrRecord[] {
  const list = findField(node.fields, 'partitions')!.children!;
  return list.map((record, index) => {
    const get = (name: string): number => Number(findField(record.children!, `${record.path}.${name}`)!.value);
    const type = get('partitionType');
    return {
      index,
      offset: record.offset,
      status: get('status'),
      type,
      typeName: mbrTypeName(type),
      firstLba: get('lbaStart'),
      sectors: get('numSectors'),
      field: record,
    };
  });
}

// Logical partitions: each EBR's first record is relative to that EBR, its second
// links to the next EBR relative to the start of the extended partition.
async function followEbrChain(source: ByteSource, sectorSize: number, mbr: Mbr): Promise<void> {
  const extended = mbr.records.find((r) => isExtendedMbrType(r.type));
  if (!extended) return;
  const diskSectors = Math.floor(source.size / sectorSize);
  const extendedStart = extended.firstLba;
  const visited = new Set<number>();
  let ebrLba = extendedStart;
  let number = 5;
  while (true) {
    if (visited.has(ebrLba)) {
      mbr.ebrProblems.push(`EBR chain loops back to LBA ${ebrLba}`);
      return;
    }
    if (visited.size >= MAX_EBR_CHAIN) {
      mbr.ebrProblems.push(`EBR chain longer than ${MAX_EBR_CHAIN} links; stopped following it`);
      return;
    }
    if (ebrLba <= 0 || ebrLba >= diskSectors) {
      mbr.ebrProblems.push(`EBR at LBA ${ebrLba} lies outside the disk (${diskSectors} sectors)`);
      return;
    }
    visited.add(ebrLba);
    const bytes = await source.read(ebrLba * sectorSize, 512);
    const node = parseStruct(`ebr@${ebrLba}`, MbrParser, bytes, ebrLba * sectorSize, [sectorSize]);
    mbr.ebrNodes.push(node);
    if (bytes[510] !== 0x55 || bytes[511] !== 0xaa) {
      mbr.ebrProblems.push(`EBR at LBA ${ebrLba} has no 0x55AA signature`);
      return;
    }
    const [logical, link] = mbrRecords(node);
    if (logical && logical.type !== 0) {
      mbr.logical.push({
        number: number++,
        ebrLba,
        type: logical.type,
        typeName: logical.typeName,
        firstLba: ebrLba + logical.firstLba,
        sectors: logical.sectors,
      });
    }
    if (!link || link.type === 0 || link.firstLba === 0) return;
    ebrLba = extendedStart + link.firstLba;
  }
}

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
  const bad = (field: string, reason: string): void => void h.invalid.push({ field, reason });
  if (h.revision !== GPT_REVISION_1_0) bad('revision', `revision is 0x${h.revision.toString(16).padStart(8, '0')}, expected 0x00010000`);
  if (h.headerSize < MIN_GPT_HEADER_SIZE || h.headerSize > sectorSize)
    bad('headerSize', `HeaderSize is ${h.headerSize}, must be between ${MIN_GPT_HEADER_SIZE} and the block size ${sectorSize}`);
  if (h.reserved !== 0) bad('reserved', `reserved field at 0x14 is 0x${h.reserved.toString(16)}, must be zero`);
  if (h.myLba !== h.lba) bad('myLba', `MyLBA is ${h.myLba} but the header sits at LBA ${h.lba}`);
  if (h.numPartitionEntries === 0) bad('numPartitionEntries', 'NumberOfPartitionEntries is 0');
  else if (h.numPartitionEntries > MAX_PARTITION_ENTRIES)
    bad('numPartitionEntries', `NumberOfPartitionEntries is ${h.numPartitionEntries}, more than the ${MAX_PARTITION_ENTRIES} we accept`);
  const size = h.partitionEntrySize;
  const powerOfTwoTimes128 =
    size >= MIN_PARTITION_ENTRY_SIZE &&
    size % MIN_PARTITION_ENTRY_SIZE === 0 &&
    ((size / MIN_PARTITION_ENTRY_SIZE) & (size / MIN_PARTITION_ENTRY_SIZE - 1)) === 0;
  if (!powerOfTwoTimes128) bad('partitionEntrySize', `SizeOfPartitionEntry is ${size}, must be 128 x 2^n`);
  else if (size > MAX_PARTITION_ENTRY_SIZE) bad('partitionEntrySize', `SizeOfPartitionEntry is ${size}, more than the ${MAX_PARTITION_ENTRY_SIZE} we accept`);
  const arrayBytes = h.numPartitionEntries * size;
  const arraySectors = BigInt(Math.ceil(arrayBytes / sectorSize));
  if (!h.invalid.some((p) => p.field === 'numPartitionEntries' || p.field === 'partitionEntrySize') && arrayBytes > MAX_ENTRY_ARRAY_BYTES) {
    bad('numPartitionEntries', `the entry array would be ${arrayBytes} bytes, more than the ${MAX_ENTRY_ARRAY_BYTES} we accept`);
  }
  if (h.partitionEntryLba < 2n || h.partitionEntryLba + arraySectors > totalSectors) {
    bad(
      'partitionEntryLba',
      `PartitionEntryLBA ${h.partitionEntryLba} puts the ${arraySectors}-sector entry array outside the disk (LBAs 2..${totalSectors - 1n})`,
    );
  } else if (h.partitionEntryLba <= h.lba && h.lba < h.partitionEntryLba + arraySectors) {
    bad('partitionEntryLba', `the entry array at LBA ${h.partitionEntryLba} overlaps its own header at LBA ${h.lba}`);
  }
  if (h.firstUsableLba > h.lastUsableLba + 1n) bad('firstUsableLba', `FirstUsableLBA ${h.firstUsableLba} is after LastUsableLBA ${h.lastUsableLba}`);
  if (h.role === 'primary' && h.firstUsableLba <= h.lba) bad('firstUsableLba', `FirstUsableLBA ${h.firstUsableLba} is not after the header`);
  if (h.lastUsableLba >= totalSectors) bad('lastUsableLba', `LastUsableLBA ${h.lastUsableLba} is past the disk's last LBA ${totalSectors - 1n}`);
  if (h.alternateLba === h.lba) bad('alternateLba', `AlternateLBA points at the header itself (LBA ${h.lba})`);
}

// Only used slots are parsed field by field with the generated parser: a header
// may legally claim MAX_PARTITION_ENTRIES slots, and parsing all of them (debug
// objects, substreams and Fields for 16384 mostly empty entries) cost seconds and
// 150 MiB. An unused slot (all-zero type GUID, UEFI 5.3.3) is one Field over its
// bytes; fieldsForSlot builds its tree on demand. The array CRC is computed over
// the raw bytes by the caller, as before.
function parseArray(bytes: Uint8Array, offset: number, lba: bigint, count: number, entrySize: number, role: string): GptArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots: GptEntry[] = new Array<GptEntry>(count);
  const entryFields: Field[] = new Array<Field>(count);
  for (let slot = 0; slot < count; slot++) {
    const at = slot * entrySize;
    const raw = bytes.subarray(at, at + entrySize);
    const entry = isZeroRange(raw, GPT_ENTRY.typeGuid.offset, endOf(GPT_ENTRY.typeGuid))
      ? unusedEntry(raw, view, at, offset + at, slot)
      : usedEntry(raw, offset + at, slot);
    slots[slot] = entry;
    entryFields[slot] = entry.field;
  }
  const entries: Field = { name: 'entries', path: 'entries', offset, length: bytes.length, raw: bytes, value: null, children: entryFields };
  return { lba, offset, bytes, node: { name: `${role}Array`, offset, length: bytes.length, fields: [entries] }, slots };
}

function usedEntry(raw: Uint8Array, offset: number, slot: number): GptEntry {
  const field = parseEntryField(raw, offset, slot);
  const sub = (name: string): Field => field.children!.find((f) => f.name === name)!;
  const typeGuid = formatGuid(sub('typeGuid').raw);
  return {
    slot,
    number: slot + 1,
    offset,
    used: true,
    typeGuid,
    typeName: gptTypeName(typeGuid),
    uniqueGuid: formatGuid(sub('uniqueGuid').raw),
    firstLba: sub('firstLba').value as bigint,
    lastLba: sub('lastLba').value as bigint,
    attributes: readU64le(sub('attributes').raw),
    name: decodeUtf16Name(sub('name').raw),
    raw,
    field,
  };
}

// The same decoding as usedEntry, at the offsets the spec gives (GPT_ENTRY),
// without a parse; `at` is the entry's offset in `view`.
function unusedEntry(raw: Uint8Array, view: DataView, at: number, offset: number, slot: number): GptEntry {
  const field: Field = { name: String(slot), path: `entries.${slot}`, offset, length: raw.length, raw, value: null };
  const blank = isZeroRange(raw, 0, raw.length); // the usual unused slot: nothing to decode
  return {
    slot,
    number: slot + 1,
    offset,
    used: false,
    typeGuid: ZERO_GUID,
    typeName: UNUSED_TYPE_NAME,
    uniqueGuid:
      blank || isZeroRange(raw, GPT_ENTRY.uniqueGuid.offset, endOf(GPT_ENTRY.uniqueGuid))
        ? ZERO_GUID
        : formatGuid(raw.subarray(GPT_ENTRY.uniqueGuid.offset, endOf(GPT_ENTRY.uniqueGuid))),
    firstLba: blank ? 0n : view.getBigUint64(at + GPT_ENTRY.firstLba.offset, true),
    lastLba: blank ? 0n : view.getBigUint64(at + GPT_ENTRY.lastLba.offset, true),
    attributes: blank ? 0n : view.getBigUint64(at + GPT_ENTRY.attributes.offset, true),
    name: blank ? '' : decodeUtf16Name(raw.subarray(GPT_ENTRY.name.offset, endOf(GPT_ENTRY.name))),
    raw,
    field,
  };
}

const UNUSED_TYPE_NAME = gptTypeName(ZERO_GUID);

/**
 * The full field tree of one slot (`entries.<slot>` with typeGuid, uniqueGuid,
 * firstLba, lastLba, attributes, name and any reserved tail, absolute ranges):
 * the stored one for a used slot, parsed from the spec on demand for an unused one.
 */
export function fieldsForSlot(array: GptArray, slot: number): Field {
  const entry = array.slots[slot];
  if (!entry) throw new RangeError(`slot ${slot} is not in an array of ${array.slots.length} entries`);
  return entry.field.children ? entry.field : parseEntryField(entry.raw, entry.offset, slot);
}

/**
 * Parses one partition entry (`raw`: SizeOfPartitionEntry bytes read at absolute
 * `offset`) with the generated array parser as a one-entry array, and names the
 * result as slot `slot` of a whole array (`entries.<slot>.firstLba`).
 */
export function parseEntryField(raw: Uint8Array, offset: number, slot: number): Field {
  const node = parseStruct('entry', GptPartitionArrayParser, raw, offset, [1, raw.length]);
  return renamed(node.fields[0]!.children![0]!, String(slot), `entries.${slot}`);
}

function renamed(field: Field, name: string, path: string): Field {
  const out: Field = { name, path, offset: field.offset, length: field.length, raw: field.raw, value: field.value };
  if (field.children) out.children = field.children.map((child) => renamed(child, child.name, `${path}.${child.name}`));
  return out;
}

/** The first byte after a field. */
const endOf = (slot: FieldSlot): number => slot.offset + slot.length;

function isZeroRange(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Decodes a UTF-16LE partition name up to its first zero code unit. */
export function decodeUtf16Name(raw: Uint8Array): string {
  if (raw.length < 2 || (raw[0] === 0 && raw[1] === 0)) return ''; // unused slots: no Buffer per entry
  let end = 0;
  while (end + 1 < raw.length && (raw[end] !== 0 || raw[end + 1] !== 0)) end += 2;
  return Buffer.from(raw.subarray(0, end)).toString('utf16le');
}

function chooseActive(primary: GptHeader | null, backup: GptHeader | null): 'primary' | 'backup' | null {
  const healthy = (h: GptHeader | null): boolean => !!h && h.headerCrcOk && h.invalid.length === 0 && h.arrayCrcOk === true;
  if (healthy(primary)) return 'primary';
  if (healthy(backup)) return 'backup';
  if (primary?.array) return 'primary';
  if (backup?.array) return 'backup';
  return primary ? 'primary' : backup ? 'backup' : null;
}

function gptPartitions(header: GptHeader | null, sectorSize: number): Partition[] {
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

function mbrPartitions(mbr: Mbr, sectorSize: number): Partition[] {
  const primaries = mbr.records
    .filter((r) => r.type !== 0)
    .map((r) => ({ slot: r.index, number: r.index + 1, type: r.type, typeName: r.typeName, firstLba: r.firstLba, sectors: r.sectors, status: r.status }));
  const logical = mbr.logical.map((l) => ({
    slot: l.number - 1,
    number: l.number,
    type: l.type,
    typeName: l.typeName,
    firstLba: l.firstLba,
    sectors: l.sectors,
    status: 0,
  }));
  return [...primaries, ...logical].map((p) => ({
    slot: p.slot,
    number: p.number,
    firstLba: BigInt(p.firstLba),
    lastLba: BigInt(p.firstLba) + BigInt(p.sectors) - 1n,
    sizeBytes: BigInt(p.sectors) * BigInt(sectorSize),
    typeGuid: null,
    mbrType: p.type,
    typeName: p.typeName,
    uuid: null,
    name: '',
    attributes: BigInt(p.status),
  }));
}
