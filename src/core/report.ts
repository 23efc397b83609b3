// JSON shapes of `diskx inspect --json` and `diskx check --json`. Integers above
// 2^53 - 1 are written as decimal strings so no value is ever rounded;
// attribute bits are always a 0x-prefixed 16-digit hex string.
import type { DiskLabel, DiskModel, GptHeader, Partition } from './model';
import type { FatVolume } from './model';
import type { Finding } from './findings';
import type { ContainerInfo } from './io/containerSource';
import type { VolumeContent } from './content/probe';
import type { FreeRegion } from './content/probe';

/** A number when exact in JSON, else its decimal string. */
export type JsonInteger = number | string;

/** Exact JSON form of a (possibly huge) integer. */
export function jsonInteger(value: bigint | number): JsonInteger {
  const big = BigInt(value);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/** 64 attribute bits as `0x` + 16 hex digits. */
export function formatAttributes(attributes: bigint): string {
  return `0x${attributes.toString(16).toUpperCase().padStart(16, '0')}`;
}

/** `{ type, label?, uuid?, sizeBytes?, offset }` of a volume, or null when nothing was recognised. */
export function contentJson(c: VolumeContent | null | undefined) {
  if (!c) return null;
  // Key order as documented: type, label, uuid, sizeBytes, offset.
  return {
    type: c.type,
    ...(c.label !== undefined && { label: c.label }),
    ...(c.uuid !== undefined && { uuid: c.uuid }),
    ...(c.sizeBytes !== undefined && { sizeBytes: jsonInteger(c.sizeBytes) }),
    offset: jsonInteger(c.offset),
  };
}

/** One gap of free space and what was found in it. */
export function freeJson(f: FreeRegion) {
  return { firstLba: jsonInteger(f.firstLba), lastLba: jsonInteger(f.lastLba), content: contentJson(f.content) };
}

/** One partition; `scheme` is the table it comes from (the disk's, or `bsd` for one nested in an MBR slice). */
export function partitionJson(p: Partition, scheme: string): Record<string, unknown> {
  return {
    scheme: p.scheme ?? scheme,
    slot: p.slot,
    number: p.number,
    firstLba: jsonInteger(p.firstLba),
    lastLba: jsonInteger(p.lastLba),
    sizeBytes: jsonInteger(p.sizeBytes),
    typeGuid: p.typeGuid ?? (p.mbrType !== null ? `0x${p.mbrType.toString(16).toUpperCase().padStart(2, '0')}` : (p.typeCode ?? null)),
    typeName: p.typeName,
    uuid: p.uuid,
    name: p.name,
    attributes: formatAttributes(p.attributes),
    content: contentJson(p.content),
    ...(p.contentNote !== undefined ? { contentNote: p.contentNote } : {}),
    ...(p.wholeDisk ? { wholeDisk: true } : {}),
    ...(p.kernelNumber !== undefined ? { kernelNumber: p.kernelNumber } : {}),
    ...(p.children ? { partitions: p.children.map((c) => partitionJson(c, 'bsd')) } : {}),
  };
}

/** A label of the other schemes: where it is and whether its checksum holds. */
export function labelJson(l: DiskLabel) {
  return {
    scheme: l.scheme,
    offset: l.offset,
    length: l.length,
    ...(l.parentNumber !== undefined ? { parent: l.parentNumber } : {}),
    checksum: l.checksum ? { stored: l.checksum.stored, computed: l.checksum.computed, ok: l.checksum.ok } : null,
    partitions: l.partitions.length,
  };
}

export function headerJson(h: GptHeader | null) {
  if (!h) return null;
  return {
    lba: jsonInteger(h.lba),
    offset: h.offset,
    revision: `0x${h.revision.toString(16).padStart(8, '0')}`,
    headerSize: h.headerSize,
    headerCrc32: h.headerCrc32,
    computedHeaderCrc32: h.computedHeaderCrc32,
    myLba: jsonInteger(h.myLba),
    alternateLba: jsonInteger(h.alternateLba),
    firstUsableLba: jsonInteger(h.firstUsableLba),
    lastUsableLba: jsonInteger(h.lastUsableLba),
    diskGuid: h.diskGuid,
    partitionEntryLba: jsonInteger(h.partitionEntryLba),
    numPartitionEntries: h.numPartitionEntries,
    partitionEntrySize: h.partitionEntrySize,
    partitionEntryArrayCrc32: h.partitionEntryArrayCrc32,
    computedArrayCrc32: h.computedArrayCrc32,
    headerCrcOk: h.headerCrcOk,
    arrayCrcOk: h.arrayCrcOk,
    invalid: h.invalid,
  };
}

/** One FAT volume of an ESXi disk: type, label and the Windows telltale folders in its root. */
export function fatVolumeJson(v: FatVolume) {
  return {
    partition: v.partitionNumber,
    slot: v.partitionSlot,
    role: v.role,
    offset: v.offset,
    fatType: v.fatType,
    label: v.label,
    rootEntries: v.rootEntries.length,
    windowsFolders: v.windowsFolders.map((e) => ({ name: e.name, shortName: e.shortName, offset: e.offset, length: e.length })),
    problems: v.problems,
  };
}

/** The `container` object of `inspect --json`: format, virtual size and what else the container says. */
export function containerJson(info: ContainerInfo): Record<string, unknown> {
  return {
    format: info.format,
    virtualSize: jsonInteger(info.virtualSize),
    ...(info.sectorSize !== undefined ? { sectorSize: info.sectorSize } : {}),
    ...(info.allocated !== undefined ? { allocated: jsonInteger(info.allocated) } : {}),
    ...(info.blockSize !== undefined ? { blockSize: info.blockSize } : {}),
    ...(info.version !== undefined ? { version: info.version } : {}),
    ...(info.parent ? { parent: { path: info.parent.path, ...containerJson(info.parent) } } : {}),
    ...(info.snapshots ? { snapshots: info.snapshots } : {}),
    ...(info.readOnlyReason ? { readOnlyReason: info.readOnlyReason } : {}),
    files: info.files,
  };
}

/** The `diskx inspect --json` document; `container` says what stores the disk. */
export function inspectJson(disk: DiskModel, container?: ContainerInfo) {
  return {
    image: disk.image,
    ...(container ? { container: containerJson(container) } : {}),
    sizeBytes: jsonInteger(disk.sizeBytes),
    sectorSize: disk.sectorSize,
    sectorSizeSource: disk.sectorSizeSource,
    totalSectors: jsonInteger(disk.totalSectors),
    scheme: disk.scheme,
    profile: disk.esxi?.profile ?? null,
    activeGpt: disk.activeGpt,
    mbr: disk.mbr
      ? {
          bootSignatureOk: disk.mbr.bootSignatureOk,
          kind: disk.mbr.kind,
          diskSignature: `0x${disk.mbr.diskSignature.toString(16).toUpperCase().padStart(8, '0')}`,
          records: disk.mbr.records.map((r) => ({
            index: r.index,
            status: r.status,
            type: r.type,
            typeName: r.typeName,
            firstLba: r.firstLba,
            sectors: r.sectors,
          })),
        }
      : null,
    partitions: disk.partitions.map((p) => partitionJson(p, disk.scheme)),
    labels: (disk.labels ?? []).map(labelJson),
    free: (disk.free ?? []).map(freeJson),
    content: contentJson(disk.content),
    primary: headerJson(disk.primary),
    backup: headerJson(disk.backup),
    fatVolumes: (disk.fatVolumes ?? []).map(fatVolumeJson),
  };
}

/** The `diskx check --json` document. */
export function checkJson(disk: DiskModel, findings: Finding[]) {
  // The JSON contract: these keys, the message in English.
  return {
    image: disk.image,
    sectorSize: disk.sectorSize,
    findings: findings.map(({ code, severity, message, offset, length, fixes, file }) => ({
      code,
      severity,
      message,
      offset,
      length,
      fixes,
      ...(file ? { file } : {}),
    })),
  };
}
