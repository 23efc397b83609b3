// Structural diff of two parsed disks: the MBR and both GPT headers field by
// field (names from the Kaitai field trees), and the partitions matched by
// unique GUID (else type + first LBA) with the slot each one sits in. A slot is
// what ESXi calls a partition by (number = slot + 1), so "same partition,
// other slot" is its own verdict, not a field change.
import type { DiskModel, GptHeader, Partition } from '../model';
import type { Field } from '../structure';
import { formatGuid, ZERO_GUID } from '../guid';
import { formatAttributes, jsonInteger } from '../report';
import type { JsonInteger } from '../report';
import { crc32 } from '../crc32';

/** A compared value as it goes into JSON: exact integers, hex, GUIDs, short text; null when absent. */
export type DiffValue = JsonInteger | null;

/** One compared field: `field` is a dotted path (`primary.partitionEntryArrayCrc32`, `mbr.partitions.0.partitionType`). */
export interface FieldDiff {
  field: string;
  a: DiffValue;
  b: DiffValue;
  equal: boolean;
}

/** A partition field that differs between A and B. */
export interface FieldChange {
  field: string;
  a: DiffValue;
  b: DiffValue;
}

/**
 * same: same slot, same fields. moved-slot: the same partition in another slot
 * (its `changes` may also list changed fields). changed: same slot, fields
 * differ. only-a / only-b: no counterpart on the other side.
 */
export type PartitionStatus = 'same' | 'moved-slot' | 'changed' | 'only-a' | 'only-b';

/** One partition of A and/or B and how they compare. */
export interface PartitionDiff {
  /** Unique GUID (A's when matched); null for MBR partitions. */
  uuid: string | null;
  /** What the partition is for a person: ESXi role, GPT name, type name or number. */
  label: string;
  slotA: number | null;
  slotB: number | null;
  status: PartitionStatus;
  /** How the two sides were paired; null for only-a / only-b. */
  matchedBy: 'uuid' | 'type+firstLba' | null;
  changes: FieldChange[];
  /** One line: "bootbank: slot 3 in A, slot 4 in B". */
  summary: string;
}

/** The whole structural comparison. */
export interface StructuralDiff {
  a: string;
  b: string;
  /** Disk-level facts, the MBR and both GPT headers, every field compared (see `equal`). */
  headers: FieldDiff[];
  partitions: PartitionDiff[];
  /** True when every header field and every partition is the same. */
  identical: boolean;
}

/** A pair of partitions, one from each disk, that are the same partition. */
export interface PartitionMatch {
  a: Partition;
  b: Partition;
  by: 'uuid' | 'type+firstLba';
}

/** Which partitions of A and B are the same one (unique GUID, else type + first LBA), and the leftovers. */
export function matchPartitions(a: readonly Partition[], b: readonly Partition[]): { matches: PartitionMatch[]; onlyA: Partition[]; onlyB: Partition[] } {
  const matches: PartitionMatch[] = [];
  const usedB = new Set<Partition>();
  const matchedA = new Set<Partition>();
  // A GUID identifies a partition only when it is present and unique on its own disk
  // (copied disks sometimes share GUIDs; gpt-duplicate-guid reports that).
  const uniqueByUuid = (list: readonly Partition[]): Map<string, Partition> => {
    const counts = new Map<string, number>();
    for (const p of list) if (p.uuid && p.uuid !== ZERO_GUID) counts.set(p.uuid, (counts.get(p.uuid) ?? 0) + 1);
    const map = new Map<string, Partition>();
    for (const p of list) if (p.uuid && counts.get(p.uuid) === 1) map.set(p.uuid, p);
    return map;
  };
  const bByUuid = uniqueByUuid(b);
  const aByUuid = uniqueByUuid(a);
  for (const p of a) {
    const other = p.uuid && aByUuid.get(p.uuid) === p ? bByUuid.get(p.uuid) : undefined;
    if (other) {
      matches.push({ a: p, b: other, by: 'uuid' });
      usedB.add(other);
      matchedA.add(p);
    }
  }
  const typeKey = (p: Partition): string => `${p.typeGuid ?? `mbr:${p.mbrType}`}@${p.firstLba}`;
  for (const p of a) {
    if (matchedA.has(p)) continue;
    const other = b.find((q) => !usedB.has(q) && typeKey(q) === typeKey(p));
    if (other) {
      matches.push({ a: p, b: other, by: 'type+firstLba' });
      usedB.add(other);
      matchedA.add(p);
    }
  }
  return { matches, onlyA: a.filter((p) => !matchedA.has(p)), onlyB: b.filter((p) => !usedB.has(p)) };
}

/** What a partition is for a person: its ESXi role, else its GPT name, else its type, else its number. */
export function partitionLabel(disk: DiskModel, p: Partition): string {
  const role = disk.esxi?.placements.find((placement) => placement.currentSlot === p.slot)?.role;
  return role ?? (p.name || p.typeName || `partition ${p.number}`);
}

/** Compares two parsed disks structurally; never reads the images again. */
export function structuralDiff(a: DiskModel, b: DiskModel): StructuralDiff {
  const headers = [...diskFields(a, b), ...mbrFields(a, b), ...headerFields('primary', a.primary, b.primary), ...headerFields('backup', a.backup, b.backup)];
  const partitions = partitionDiffs(a, b);
  const identical = headers.every((h) => h.equal) && partitions.every((p) => p.status === 'same');
  return { a: a.image, b: b.image, headers, partitions, identical };
}

function field(name: string, a: DiffValue, b: DiffValue): FieldDiff {
  return { field: name, a, b, equal: a === b };
}

function diskFields(a: DiskModel, b: DiskModel): FieldDiff[] {
  const layout = (d: DiskModel): string | null => (d.esxi ? `${d.esxi.profile}${d.esxi.compacted ? ' (entries not in their slots)' : ''}` : null);
  return [
    field('disk.sizeBytes', a.sizeBytes, b.sizeBytes),
    field('disk.sectorSize', a.sectorSize, b.sectorSize),
    field('disk.scheme', a.scheme, b.scheme),
    field('disk.activeGpt', a.activeGpt, b.activeGpt),
    field('disk.esxiLayout', layout(a), layout(b)),
  ];
}

function mbrFields(a: DiskModel, b: DiskModel): FieldDiff[] {
  if (!a.mbr || !b.mbr) return [field('mbr', a.mbr ? 'present' : null, b.mbr ? 'present' : null)];
  return treeFields('mbr', a.mbr.node.fields, b.mbr.node.fields);
}

function headerFields(role: 'primary' | 'backup', a: GptHeader | null, b: GptHeader | null): FieldDiff[] {
  if (!a || !b) {
    const where = (h: GptHeader | null): DiffValue => (h ? `header at LBA ${h.lba}` : null);
    return [field(role, where(a), where(b))];
  }
  return [
    ...treeFields(role, a.node.fields, b.node.fields),
    // Facts computed from the bytes, so a bad CRC on one side shows even when the stored values agree.
    field(`${role}.headerCrcOk`, String(a.headerCrcOk), String(b.headerCrcOk)),
    field(`${role}.arrayCrcOk`, String(a.arrayCrcOk), String(b.arrayCrcOk)),
  ];
}

/** Every leaf field of two field trees, paired by path (a path present on one side only compares with null). */
function treeFields(prefix: string, a: Field[], b: Field[]): FieldDiff[] {
  const leavesA = leaves(a);
  const leavesB = leaves(b);
  const out: FieldDiff[] = [];
  for (const [path, fa] of leavesA) {
    const fb = leavesB.get(path);
    out.push(field(`${prefix}.${path}`, fieldValue(fa), fb ? fieldValue(fb) : null));
  }
  for (const [path, fb] of leavesB) if (!leavesA.has(path)) out.push(field(`${prefix}.${path}`, null, fieldValue(fb)));
  return out;
}

function leaves(fields: Field[], into = new Map<string, Field>()): Map<string, Field> {
  for (const f of fields) {
    if (f.children && f.children.length > 0) leaves(f.children, into);
    else into.set(f.path, f);
  }
  return into;
}

const HEX_FIELDS = /(crc32|Crc32|revision|diskSignature|partitionType|status)$/;

/** A field's value for display and JSON: integers exact (CRCs and type bytes in hex), GUIDs formatted, short byte strings in hex, long ones summarised. */
export function fieldValue(f: Field): DiffValue {
  if (typeof f.value === 'bigint' || typeof f.value === 'number') {
    if (HEX_FIELDS.test(f.path))
      return `0x${f.value
        .toString(16)
        .toUpperCase()
        .padStart(f.length * 2, '0')}`;
    return jsonInteger(f.value);
  }
  if (typeof f.value === 'string') return f.value;
  const raw = f.raw;
  if (raw.length === 16 && /guid$/i.test(f.name)) return formatGuid(raw);
  if (f.name === 'signature' && raw.every((c) => c >= 0x20 && c < 0x7f)) return Buffer.from(raw).toString('latin1');
  if (raw.length <= 16) return `0x${Buffer.from(raw).toString('hex').toUpperCase()}`;
  // Long byte strings (boot code, reserved tails): equal summaries mean equal bytes with CRC-32 certainty.
  return raw.every((x) => x === 0) ? `${raw.length} zero bytes` : `${raw.length} bytes, crc32 0x${crc32(raw).toString(16).toUpperCase().padStart(8, '0')}`;
}

function partitionDiffs(a: DiskModel, b: DiskModel): PartitionDiff[] {
  const { matches, onlyA, onlyB } = matchPartitions(a.partitions, b.partitions);
  const out: { order: number; diff: PartitionDiff }[] = [];
  for (const m of matches) {
    const changes = partitionChanges(m.a, m.b);
    const moved = m.a.slot !== m.b.slot;
    const label = partitionLabel(a, m.a);
    const status: PartitionStatus = moved ? 'moved-slot' : changes.length > 0 ? 'changed' : 'same';
    const where = moved ? `slot ${m.a.slot} in A, slot ${m.b.slot} in B` : `slot ${m.a.slot} in both`;
    const what = changes.length > 0 ? `; ${changes.map((c) => `${c.field} ${c.a} -> ${c.b}`).join(', ')}` : '';
    out.push({
      order: m.a.slot,
      diff: { uuid: m.a.uuid, label, slotA: m.a.slot, slotB: m.b.slot, status, matchedBy: m.by, changes, summary: `${label}: ${where}${what}` },
    });
  }
  for (const p of onlyA) {
    const label = partitionLabel(a, p);
    out.push({
      order: p.slot,
      diff: {
        uuid: p.uuid,
        label,
        slotA: p.slot,
        slotB: null,
        status: 'only-a',
        matchedBy: null,
        changes: [],
        summary: `${label}: slot ${p.slot} in A, not in B`,
      },
    });
  }
  for (const p of onlyB) {
    const label = partitionLabel(b, p);
    out.push({
      order: Number.MAX_SAFE_INTEGER - 1e6 + p.slot,
      diff: {
        uuid: p.uuid,
        label,
        slotA: null,
        slotB: p.slot,
        status: 'only-b',
        matchedBy: null,
        changes: [],
        summary: `${label}: not in A, slot ${p.slot} in B`,
      },
    });
  }
  return out.sort((x, y) => x.order - y.order).map((x) => x.diff);
}

function partitionChanges(a: Partition, b: Partition): FieldChange[] {
  const pairs: [string, DiffValue, DiffValue][] = [
    ['typeGuid', a.typeGuid ?? mbrType(a), b.typeGuid ?? mbrType(b)],
    ['uuid', a.uuid, b.uuid],
    ['firstLba', jsonInteger(a.firstLba), jsonInteger(b.firstLba)],
    ['lastLba', jsonInteger(a.lastLba), jsonInteger(b.lastLba)],
    ['attributes', formatAttributes(a.attributes), formatAttributes(b.attributes)],
    ['name', a.name, b.name],
  ];
  return pairs.filter(([, x, y]) => x !== y).map(([name, x, y]) => ({ field: name, a: x, b: y }));
}

function mbrType(p: Partition): string | null {
  return p.mbrType === null ? null : `0x${p.mbrType.toString(16).toUpperCase().padStart(2, '0')}`;
}
