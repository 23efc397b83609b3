// Reads LBA 0 as an MBR (protective, hybrid, DOS or empty), follows a DOS
// extended partition's EBR chain (bounded by MAX_EBR_CHAIN, loops refused) and
// lists the MBR's partitions, primaries then logicals.
import type { ByteSource } from '../io/byteSource';
import { Mbr as MbrParser } from '../generated/Mbr';
import type { StructNode } from '../structure';
import type { Mbr, MbrRecord, Partition } from '../model';
import { findField, parseStruct } from '../structure';
import { isExtendedMbrType, mbrTypeName } from '../partitionTypes';
import { MAX_EBR_CHAIN } from '../limits';

export async function readMbr(source: ByteSource, sectorSize: number): Promise<Mbr | null> {
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

/** The MBR's partitions: the used primary records, then the logical ones of the EBR chain. */
export function mbrPartitions(mbr: Mbr, sectorSize: number): Partition[] {
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
