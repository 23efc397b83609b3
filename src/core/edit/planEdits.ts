// The edit planner: hand edits (field assignments or raw bytes) become one plan
// of patches {offset, before, after}, plus the dependent bytes that keep the
// GPT valid, when asked:
//   - mirror: an entry edited in one array is edited the same way in the other;
//     a header field both copies share (UEFI 5.3.2: DiskGUID, usable range,
//     entry geometry, ...) likewise; per-copy fields (MyLBA, AlternateLBA,
//     PartitionEntryLBA, the CRCs) never are;
//   - reseal: an array whose bytes changed (or whose header now points at other
//     bytes) gets its PartitionEntryArrayCRC32 recomputed, then every header
//     whose bytes changed gets its HeaderCRC32 recomputed (it covers the array
//     CRC, so in that order).
// A CRC the user wrote by hand is never overwritten: an explicit value wins.
// Planning is pure apart from `read` (bytes outside the parsed structures).
import type { DiskModel, GptHeader } from '../diskModel';
import type { FixPlan, Patch } from '../patch';
import { crc32, gptHeaderCrc32 } from '../crc32';
import { findField } from '../structure';
import { MAX_EDIT_ASSIGNMENTS, MAX_ENTRY_ARRAY_BYTES, MIN_GPT_HEADER_SIZE, MIN_PARTITION_ENTRY_SIZE } from '../limits';
import { diffPatches } from '../fixes/shared';
import { EditPlanError, EditValueError } from './errors';
import type { EditableField, StructureName } from './fieldPaths';
import { resolveFieldPath, SHARED_HEADER_FIELDS } from './fieldPaths';
import { formatGuid } from '../guid';
import { formatFieldValue, parseFieldValue } from './fieldKinds';
import { decodeUnsigned, encodeUnsigned, hexText } from './numbers';
import { bytesEqual } from '../bytes';
import { msg } from '../../shared/l10n';

export const HAND_EDIT_ID = 'hand-edit' as const;

/** `PATH=VALUE` as given. */
export interface Assignment {
  path: string;
  value: string;
}

export interface EditOptions {
  /** Recompute the array and header CRCs the edit makes stale (default true). */
  reseal?: boolean;
  /** Apply entry and shared header edits to the other GPT copy too (default true). */
  mirror?: boolean;
}

/** Why a range of bytes changes. */
export type ChangeRole = 'edit' | 'mirror' | 'reseal';

/** One changed field or byte range of the plan, readable on its own. */
export interface PlannedChange {
  role: ChangeRole;
  /** Field path (`backupArray.entries.0.name`) or `bytes 0x200..0x203`. */
  path: string;
  offset: number;
  before: Uint8Array;
  after: Uint8Array;
  /** The values as text (formatted by the field's kind; hex for bytes). */
  from: string;
  to: string;
  /** For a mirror: the edited path; for a reseal: what the CRC covers. */
  because?: string;
}

export interface EditPlanResult {
  plan: FixPlan;
  changes: PlannedChange[];
  /** Things worth saying: edits that change nothing, mirrors that were not possible, CRCs that were already stale. */
  notes: string[];
}

/** Reads image bytes (the planner only needs them when an edit moves or resizes an entry array, or writes outside the tables). */
export type ReadBytes = (offset: number, length: number) => Promise<Uint8Array>;

/** A raw write: `bytes` at `offset` (the hex view), named by `label`. */
interface DirectWrite {
  offset: number;
  after: Uint8Array;
  path: string;
  field?: EditableField;
}

/** Parses `PATH=VALUE` (the first `=` splits). */
export function parseAssignment(text: string): Assignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new EditValueError(msg('"{0}" is not PATH=VALUE', text.length > 60 ? `${text.slice(0, 57)}...` : text));
  return { path: text.slice(0, eq), value: text.slice(eq + 1) };
}

/** Plans field assignments (`diskx set`, the tree's field editors). */
export async function planFieldEdits(disk: DiskModel, assignments: readonly Assignment[], options: EditOptions, read: ReadBytes): Promise<EditPlanResult> {
  if (assignments.length === 0) throw new EditPlanError(msg('nothing to set: give at least one PATH=VALUE'));
  if (assignments.length > MAX_EDIT_ASSIGNMENTS)
    throw new EditPlanError(msg('{0} assignments, more than the {1} accepted at once', assignments.length, MAX_EDIT_ASSIGNMENTS));
  const work = new Working(disk);
  const writes: DirectWrite[] = [];
  for (const { path, value } of assignments) {
    for (const field of resolveFieldPath(disk, path)) {
      if (writes.some((w) => w.field?.path === field.path)) throw new EditPlanError(msg('{0} is assigned twice', field.path));
      // Values that depend on other fields see them as edited so far (`firstLba=2048 lastLba=+1M`).
      const current = work.bytes(field.offset, field.length) ?? field.raw;
      const startLba = field.name === 'lastLba' ? decodeUnsigned(work.bytes(field.offset - 8, 8) ?? new Uint8Array(8)) : undefined;
      const typeBytes = field.name === 'attributes' ? work.bytes(field.offset - 48, 16) : null;
      const typeGuid = typeBytes ? formatGuid(typeBytes) : null;
      const after = parseFieldValue(field.kind, value, { sectorSize: disk.sectorSize, current, startLba, typeGuid }, field.path);
      writes.push({ offset: field.offset, after, path: field.path, field });
      work.write(field.offset, after);
    }
  }
  return finish(disk, work, writes, options, read, assignments.length === 1 ? `Set ${assignments[0]!.path.trim()}` : `Set ${assignments.length} fields`);
}

/** Plans writing `bytes` at `offset` (the hex view's overwrite, paste and fill). */
export async function planByteEdit(disk: DiskModel, offset: number, bytes: Uint8Array, options: EditOptions, read: ReadBytes): Promise<EditPlanResult> {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + bytes.length > disk.sizeBytes || bytes.length === 0) {
    throw new EditValueError(msg('a write of {0} bytes at {1} does not lie inside the image ({2} bytes)', bytes.length, offset, disk.sizeBytes));
  }
  const work = new Working(disk);
  const path = byteRangeName(offset, bytes.length);
  work.write(offset, bytes);
  return finish(disk, work, [{ offset, after: bytes.slice(), path }], options, read, `Edit ${path}`);
}

async function finish(disk: DiskModel, work: Working, writes: DirectWrite[], options: EditOptions, read: ReadBytes, title: string): Promise<EditPlanResult> {
  const notes: string[] = [];
  const changes: PlannedChange[] = [];
  const explicit = (offset: number, length: number): boolean => writes.some((w) => w.offset < offset + length && w.offset + w.after.length > offset);
  const mirrors = options.mirror === false ? [] : mirrorWrites(disk, writes, explicit, notes);
  for (const m of mirrors) work.write(m.offset, m.after);
  const reseals = options.reseal === false ? [] : await resealWrites(disk, work, explicit, read, notes);

  for (const w of writes) changes.push(await change('edit', w, work, read));
  for (const m of mirrors) changes.push({ ...(await change('mirror', m, work, read)), because: m.because });
  for (const r of reseals) changes.push({ ...(await change('reseal', r, work, read)), because: r.because });
  const kept = changes.filter((c) => {
    const same = c.before.every((b, i) => b === c.after[i]);
    if (same && c.role === 'edit') notes.push(`${c.path} already is ${c.to}: nothing to change`);
    return !same;
  });
  for (let i = 0; i < kept.length; i++) {
    for (let j = i + 1; j < kept.length; j++) {
      const [a, b] = [kept[i]!, kept[j]!];
      if (a.offset < b.offset + b.after.length && b.offset < a.offset + a.after.length) {
        throw new EditPlanError(msg('{0} and {1} share bytes (the tables overlap on this disk); edit the bytes in the hex view instead', a.path, b.path));
      }
    }
  }
  const patches: Patch[] = kept.flatMap((c) => diffPatches(c.offset, c.before, c.after, [[0, c.after.length]], disk.sectorSize));
  const description = kept
    .map((c) => describeChange(c))
    .concat(notes)
    .join(' ');
  return { plan: { id: HAND_EDIT_ID, title, description, patches }, changes: kept, notes };
}

async function change(
  role: ChangeRole,
  w: { offset: number; after: Uint8Array; path: string; field?: EditableField },
  work: Working,
  read: ReadBytes,
): Promise<PlannedChange> {
  const before = work.original(w.offset, w.after.length) ?? new Uint8Array(await read(w.offset, w.after.length));
  const text = (bytes: Uint8Array): string => (w.field ? formatFieldValue(w.field.kind, bytes) : hexBytes(bytes));
  return { role, path: w.path, offset: w.offset, before, after: w.after, from: text(before), to: text(w.after) };
}

function describeChange(c: PlannedChange): string {
  const what = c.role === 'edit' ? 'sets' : c.role === 'mirror' ? `mirrors ${c.because} to` : `reseals (${c.because})`;
  return `${c.role === 'reseal' ? `${c.path} ${what}` : `${what} ${c.path}`}: ${c.from} -> ${c.to}.`;
}

// --- Working copies of the structures the model holds, so mirrors and CRCs see the edited bytes.

interface Region {
  name: StructureName;
  offset: number;
  before: Uint8Array;
  now: Uint8Array;
}

class Working {
  readonly regions: Region[] = [];
  /** Bytes written outside every region (the hex view), kept for CRCs over moved arrays. */
  readonly loose: { offset: number; bytes: Uint8Array }[] = [];

  constructor(disk: DiskModel) {
    const add = (name: StructureName, offset: number, bytes: Uint8Array): void => void this.regions.push({ name, offset, before: bytes, now: bytes.slice() });
    if (disk.mbr) add('mbr', 0, disk.mbr.bytes);
    for (const h of [disk.primary, disk.backup]) {
      if (!h) continue;
      add(h.role === 'primary' ? 'primaryHeader' : 'backupHeader', h.offset, h.bytes);
      if (h.array) add(h.role === 'primary' ? 'primaryArray' : 'backupArray', h.array.offset, h.array.bytes);
    }
  }

  region(name: StructureName): Region | undefined {
    return this.regions.find((r) => r.name === name);
  }

  write(offset: number, bytes: Uint8Array): void {
    let inside = false;
    for (const r of this.regions) {
      const from = Math.max(offset, r.offset);
      const to = Math.min(offset + bytes.length, r.offset + r.now.length);
      if (from >= to) continue;
      r.now.set(bytes.subarray(from - offset, to - offset), from - r.offset);
      inside ||= from === offset && to === offset + bytes.length;
    }
    if (!inside) this.loose.push({ offset, bytes });
  }

  /** The bytes as the model read them at [offset, offset+length) when one region holds them all. */
  original(offset: number, length: number): Uint8Array | null {
    const r = this.regions.find((x) => offset >= x.offset && offset + length <= x.offset + x.before.length);
    return r ? r.before.slice(offset - r.offset, offset - r.offset + length) : null;
  }

  /** The bytes now at [offset, offset+length) when one region holds them all. */
  bytes(offset: number, length: number): Uint8Array | null {
    const r = this.regions.find((x) => offset >= x.offset && offset + length <= x.offset + x.now.length);
    return r ? r.now.slice(offset - r.offset, offset - r.offset + length) : null;
  }

  changed(r: Region, from = 0, to = r.now.length): boolean {
    for (let i = from; i < to; i++) if (r.now[i] !== r.before[i]) return true;
    return false;
  }

  /** `read`, with every edit so far laid over it. */
  async read(read: ReadBytes, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(await read(offset, length));
    for (const piece of [...this.loose, ...this.regions.map((r) => ({ offset: r.offset, bytes: r.now }))]) {
      const from = Math.max(offset, piece.offset);
      const to = Math.min(offset + length, piece.offset + piece.bytes.length);
      if (from < to) out.set(piece.bytes.subarray(from - piece.offset, to - piece.offset), from - offset);
    }
    return out;
  }
}

// --- Mirror: the same bytes in the other copy, where both copies must agree.

interface DependentWrite {
  offset: number;
  after: Uint8Array;
  path: string;
  field?: EditableField;
  because: string;
}

function mirrorWrites(disk: DiskModel, writes: DirectWrite[], explicit: (offset: number, length: number) => boolean, notes: string[]): DependentWrite[] {
  const out: DependentWrite[] = [];
  for (const w of writes) {
    for (const role of ['primary', 'backup'] as const) {
      const from = role === 'primary' ? disk.primary : disk.backup;
      const to = role === 'primary' ? disk.backup : disk.primary;
      if (!from) continue;
      const other = role === 'primary' ? 'backup' : 'primary';
      if (from.array && inside(w, from.array.offset, from.array.bytes.length)) {
        const rel = w.offset - from.array.offset;
        if (!to?.array) notes.push(`${w.path}: not mirrored, the disk has no readable ${other} entry array.`);
        else if (to.partitionEntrySize !== from.partitionEntrySize || rel + w.after.length > to.array.bytes.length)
          notes.push(`${w.path}: not mirrored, the ${other} array has another entry geometry.`);
        else if (!explicit(to.array.offset + rel, w.after.length)) out.push(mirrored(w, to.array.offset + rel, role, other));
      } else if (inside(w, from.offset, disk.sectorSize)) {
        const rel = w.offset - from.offset;
        const shared = sharedHeaderBytes(from, rel, w.after.length);
        if (!shared) continue;
        if (!to) notes.push(`${w.path}: not mirrored, the disk has no ${other} GPT header.`);
        else if (!explicit(to.offset + rel, w.after.length)) out.push(mirrored(w, to.offset + rel, role, other));
      }
    }
  }
  return out;
}

function mirrored(w: DirectWrite, offset: number, from: 'primary' | 'backup', to: 'primary' | 'backup'): DependentWrite {
  const path = w.path.startsWith(from) ? `${to}${w.path.slice(from.length)}` : byteRangeName(offset, w.after.length);
  return { offset, after: w.after, path, because: w.path, ...(w.field ? { field: { ...w.field, path, offset, role: to } } : {}) };
}

function inside(w: { offset: number; after: Uint8Array }, offset: number, length: number): boolean {
  return w.offset >= offset && w.offset + w.after.length <= offset + length;
}

// True when every byte of [rel, rel+length) of a header lies in a field both copies share.
function sharedHeaderBytes(header: GptHeader, rel: number, length: number): boolean {
  for (const name of SHARED_HEADER_FIELDS) {
    const f = findField(header.node.fields, name);
    if (f && rel >= f.offset - header.offset && rel + length <= f.offset - header.offset + f.length) return true;
  }
  return false;
}

// --- Reseal: array CRCs first, then header CRCs.

async function resealWrites(
  disk: DiskModel,
  work: Working,
  explicit: (offset: number, length: number) => boolean,
  read: ReadBytes,
  notes: string[],
): Promise<DependentWrite[]> {
  const out: DependentWrite[] = [];
  for (const h of [disk.backup, disk.primary]) {
    if (!h) continue;
    const headerName = h.role === 'primary' ? 'primaryHeader' : 'backupHeader';
    const header = work.region(headerName)!;
    const at = (name: string): number => findField(h.node.fields, name)!.offset - h.offset;
    const u32 = (name: string): number => Number(decodeUnsigned(header.now.subarray(at(name), at(name) + 4)));
    const geometryChanged = ['partitionEntryLba', 'numPartitionEntries', 'partitionEntrySize'].some((n) =>
      work.changed(header, at(n), at(n) + (n === 'partitionEntryLba' ? 8 : 4)),
    );
    const array = work.region(h.role === 'primary' ? 'primaryArray' : 'backupArray');
    const arrayChanged = (array && work.changed(array)) || geometryChanged || work.loose.length > 0;
    const arrayCrcAt = h.offset + at('partitionEntryArrayCrc32');
    if (arrayChanged && !explicit(arrayCrcAt, 4)) {
      const bytes = await arrayBytes(disk, h, header, at, array, geometryChanged, work, read);
      if (bytes) {
        const crc = encodeUnsigned(BigInt(crc32(bytes)), 4);
        if (!bytesEqual(crc, header.now.subarray(at('partitionEntryArrayCrc32'), at('partitionEntryArrayCrc32') + 4))) {
          if (h.arrayCrcOk === false)
            notes.push(`The ${h.role} entry array CRC was already stale before this edit: resealing vouches for the array's bytes as they are.`);
          out.push(crcWrite(`${headerName}.partitionEntryArrayCrc32`, arrayCrcAt, crc, `over the ${h.role} entry array`));
          work.write(arrayCrcAt, crc);
        }
      }
    }
    const headerCrcAt = h.offset + at('headerCrc32');
    if (work.changed(header) && !explicit(headerCrcAt, 4)) {
      const size = u32('headerSize');
      if (size < MIN_GPT_HEADER_SIZE || size > disk.sectorSize)
        throw new EditPlanError(
          msg(
            '{0}: HeaderSize {1} is outside {2}..{3}, so HeaderCRC32 cannot be resealed; plan with resealing off',
            headerName,
            size,
            MIN_GPT_HEADER_SIZE,
            disk.sectorSize,
          ),
        );
      const crc = encodeUnsigned(BigInt(gptHeaderCrc32(header.now, size)), 4);
      if (!bytesEqual(crc, header.now.subarray(at('headerCrc32'), at('headerCrc32') + 4))) {
        if (!h.headerCrcOk) notes.push(`The ${h.role} HeaderCRC32 was already stale before this edit: resealing vouches for the header's bytes as they are.`);
        out.push(crcWrite(`${headerName}.headerCrc32`, headerCrcAt, crc, `over the ${h.role} header's ${size} bytes`));
        work.write(headerCrcAt, crc);
      }
    }
  }
  return out;
}

// The entry array the header describes now: the working copy when the geometry is unchanged, else read (bounded) where it now points.
async function arrayBytes(
  disk: DiskModel,
  h: GptHeader,
  header: Region,
  at: (name: string) => number,
  array: Region | undefined,
  geometryChanged: boolean,
  work: Working,
  read: ReadBytes,
): Promise<Uint8Array | null> {
  if (!geometryChanged && array) return work.loose.length > 0 ? work.read(read, array.offset, array.now.length) : array.now;
  const num = Number(decodeUnsigned(header.now.subarray(at('numPartitionEntries'), at('numPartitionEntries') + 4)));
  const size = Number(decodeUnsigned(header.now.subarray(at('partitionEntrySize'), at('partitionEntrySize') + 4)));
  const lba = decodeUnsigned(header.now.subarray(at('partitionEntryLba'), at('partitionEntryLba') + 8));
  const bytes = num * size;
  const role = h.role === 'primary' ? 'primaryHeader' : 'backupHeader';
  if (size < MIN_PARTITION_ENTRY_SIZE || num === 0 || bytes > MAX_ENTRY_ARRAY_BYTES) {
    throw new EditPlanError(
      msg(
        '{0}: the entry array would be {1} x {2} bytes, outside what can be resealed (at most {3} bytes, entries of at least {4}); plan with resealing off',
        role,
        num,
        size,
        MAX_ENTRY_ARRAY_BYTES,
        MIN_PARTITION_ENTRY_SIZE,
      ),
    );
  }
  const offset = lba * BigInt(disk.sectorSize);
  if (offset + BigInt(bytes) > BigInt(disk.sizeBytes))
    throw new EditPlanError(msg('{0}: the entry array at LBA {1} would end past the disk, so its CRC cannot be resealed; plan with resealing off', role, lba));
  return work.read(read, Number(offset), bytes);
}

function crcWrite(path: string, offset: number, after: Uint8Array, because: string): DependentWrite {
  const field: EditableField = {
    path,
    structure: path.startsWith('primary') ? 'primaryHeader' : 'backupHeader',
    role: path.startsWith('primary') ? 'primary' : 'backup',
    name: path.split('.')[1]!,
    offset,
    length: 4,
    kind: { kind: 'uint', width: 4, role: 'crc' },
    raw: new Uint8Array(0),
  };
  return { offset, after, path, field, because };
}

function byteRangeName(offset: number, length: number): string {
  return length === 1 ? `byte ${hexText(offset, 1)}` : `bytes ${hexText(offset, 1)}..${hexText(offset + length - 1, 1)}`;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
