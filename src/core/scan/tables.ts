// Partition tables met during the scan away from where they belong: a GPT
// header left at an old end of a grown disk, a copy shifted by a RAID rebuild,
// an EBR of a lost extended partition. Parsed with the same reader as the
// disk's own tables; CRCs tell whether a copy can be trusted.
import type { ByteSource } from '../io/byteSource';
import { readGptHeader } from '../diskModel';
import { mbrTypeName } from '../partitionTypes';
import { looksLikeMbrTable } from './signatures';

/** One used entry of a stray GPT array, in its slot. */
export interface StrayGptEntry {
  slot: number;
  typeGuid: string;
  uniqueGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes: bigint;
  name: string;
}

/** One used record of a stray MBR or EBR sector. */
export interface StrayMbrRecord {
  index: number;
  type: number;
  typeName: string | null;
  firstLba: number;
  sectors: number;
  bootable: boolean;
}

export type StrayTable =
  | {
      kind: 'gpt';
      /** LBA the header was found at. */
      lba: bigint;
      myLba: bigint;
      alternateLba: bigint;
      /** found LBA - MyLBA: non-zero when the disk's contents moved (a shifted copy). */
      shift: bigint;
      headerCrcOk: boolean;
      arrayCrcOk: boolean | null;
      diskGuid: string;
      firstUsableLba: bigint;
      lastUsableLba: bigint;
      numPartitionEntries: number;
      partitionEntrySize: number;
      entries: StrayGptEntry[];
    }
  | {
      kind: 'mbr';
      lba: bigint;
      diskSignature: number;
      records: StrayMbrRecord[];
    };

/** The GPT header at byte `at` with its entries, or null when it is not one. */
export async function readStrayGpt(source: ByteSource, sectorSize: number, at: number): Promise<StrayTable | null> {
  if (at % sectorSize !== 0) return null;
  const lba = BigInt(at / sectorSize);
  let header = await readGptHeader(source, sectorSize, lba, lba === 1n ? 'primary' : 'backup').catch(() => null);
  if (!header || header.invalid.some((p) => p.field === 'headerSize')) return null;
  // A copy whose contents moved (MyLBA is not where it was found): its array moved with it, by the
  // same number of sectors. Read it through a view shifted back, where the header sits at its MyLBA.
  if (header.headerCrcOk && header.myLba !== lba && header.myLba >= 1n && header.myLba <= BigInt(Number.MAX_SAFE_INTEGER) / BigInt(sectorSize)) {
    const view = shiftedView(source, (Number(lba) - Number(header.myLba)) * sectorSize);
    const moved = await readGptHeader(view, sectorSize, header.myLba, header.myLba === 1n ? 'primary' : 'backup').catch(() => null);
    if (moved && moved.headerCrcOk) header = { ...moved, lba };
  }
  const entries: StrayGptEntry[] = (header.array?.slots ?? [])
    .filter((e) => e.used)
    .map((e) => ({
      slot: e.slot,
      typeGuid: e.typeGuid,
      uniqueGuid: e.uniqueGuid,
      firstLba: e.firstLba,
      lastLba: e.lastLba,
      attributes: e.attributes,
      name: e.name,
    }));
  return {
    kind: 'gpt',
    lba,
    myLba: header.myLba,
    alternateLba: header.alternateLba,
    shift: lba - header.myLba,
    headerCrcOk: header.headerCrcOk,
    arrayCrcOk: header.arrayCrcOk,
    diskGuid: header.diskGuid,
    firstUsableLba: header.firstUsableLba,
    lastUsableLba: header.lastUsableLba,
    numPartitionEntries: header.numPartitionEntries,
    partitionEntrySize: header.partitionEntrySize,
    entries,
  };
}

/** The MBR or EBR records in the sector at byte `at`, or null when they are not plausible. */
export async function readStrayMbr(source: ByteSource, sectorSize: number, at: number): Promise<StrayTable | null> {
  if (at % sectorSize !== 0 || at + 512 > source.size) return null;
  const bytes = await source.read(at, 512);
  if (!looksLikeMbrTable(bytes, 0)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: StrayMbrRecord[] = [];
  for (let index = 0; index < 4; index++) {
    const base = 446 + index * 16;
    const type = bytes[base + 4]!;
    if (type === 0) continue;
    records.push({
      index,
      type,
      typeName: mbrTypeName(type),
      firstLba: view.getUint32(base + 8, true),
      sectors: view.getUint32(base + 12, true),
      bootable: bytes[base] === 0x80,
    });
  }
  return { kind: 'mbr', lba: BigInt(at / sectorSize), diskSignature: view.getUint32(440, true), records };
}

/**
 * `source` as it was before its contents moved by `by` bytes (positive: they now
 * start later): byte x of the view is byte x + by of the source; bytes before the
 * source's start read as zeros, the view ends where the source does.
 */
function shiftedView(source: ByteSource, by: number): ByteSource {
  return {
    name: source.name,
    size: source.size - by,
    read: async (offset, length) => {
      const from = offset + by;
      if (from >= 0) return source.read(from, length);
      const out = new Uint8Array(length);
      const skip = -from;
      if (skip < length) out.set(await source.read(0, length - skip), skip);
      return out;
    },
    close: async () => {},
  };
}
