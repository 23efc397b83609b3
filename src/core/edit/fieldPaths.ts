// Field paths for hand edits: the names the plans and the tree already use
// (`primaryHeader.diskGuid`, `backupArray.entries.4.name`,
// `mbr.partitions.0.partitionType`), a few short aliases (`mbr.partitions.0.type`,
// `...entries.4.type`), and `partition:N.FIELD` for partition number N in both
// entry arrays. Offsets and lengths come from the Kaitai field trees of the
// model, so an edit lands exactly where the parser read the field.
import type { DiskModel, GptHeader } from '../diskModel';
import { fieldsForSlot } from '../diskModel';
import type { Field } from '../structure';
import { findField } from '../structure';
import { formatGuid } from '../guid';
import { EditPathError } from './errors';
import type { FieldKind } from './fieldKinds';
import { GPT_NAME_KIND, kindLength } from './fieldKinds';
import { msg, msgJoin } from '../../shared/l10n';

export type StructureName = 'mbr' | 'primaryHeader' | 'backupHeader' | 'primaryArray' | 'backupArray';

/** One field a value can be assigned to, where it is and what it holds now. */
export interface EditableField {
  /** Canonical path: `primaryArray.entries.4.name`. */
  path: string;
  structure: StructureName;
  /** The GPT copy (headers and arrays), or null for the MBR. */
  role: 'primary' | 'backup' | null;
  /** Entry slot (arrays) or record index (MBR partitions). */
  index?: number;
  /** The field's name in the spec (`name`, `typeGuid`, `partitionType`). */
  name: string;
  offset: number;
  length: number;
  kind: FieldKind;
  /** The bytes now. */
  raw: Uint8Array;
}

const HEADER_KINDS: Record<string, FieldKind> = {
  signature: { kind: 'ascii', length: 8 },
  revision: { kind: 'uint', width: 4, role: 'reserved' },
  headerSize: { kind: 'uint', width: 4, role: 'count' },
  headerCrc32: { kind: 'uint', width: 4, role: 'crc' },
  reserved: { kind: 'uint', width: 4, role: 'reserved' },
  myLba: { kind: 'lba' },
  alternateLba: { kind: 'lba' },
  firstUsableLba: { kind: 'lba' },
  lastUsableLba: { kind: 'lba' },
  diskGuid: { kind: 'guid' },
  partitionEntryLba: { kind: 'lba' },
  numPartitionEntries: { kind: 'uint', width: 4, role: 'count' },
  partitionEntrySize: { kind: 'uint', width: 4, role: 'count' },
  partitionEntryArrayCrc32: { kind: 'uint', width: 4, role: 'crc' },
};

/** Header fields both copies must agree on (UEFI 5.3.2): an edit of one is mirrored to the other. */
export const SHARED_HEADER_FIELDS: ReadonlySet<string> = new Set([
  'signature',
  'revision',
  'headerSize',
  'reserved',
  'firstUsableLba',
  'lastUsableLba',
  'diskGuid',
  'numPartitionEntries',
  'partitionEntrySize',
]);

const ENTRY_KINDS: Record<string, FieldKind> = {
  typeGuid: { kind: 'guid', partitionType: true },
  uniqueGuid: { kind: 'guid' },
  firstLba: { kind: 'lba' },
  lastLba: { kind: 'lba' },
  attributes: { kind: 'attributes' },
  name: GPT_NAME_KIND,
};

const ENTRY_ALIASES: Record<string, string> = {
  type: 'typeGuid',
  uuid: 'uniqueGuid',
  guid: 'uniqueGuid',
  start: 'firstLba',
  end: 'lastLba',
  attrs: 'attributes',
};

const MBR_KINDS: Record<string, FieldKind> = {
  bootstrapCode: { kind: 'hexbytes', length: 440 },
  diskSignature: { kind: 'diskSignature' },
  reserved: { kind: 'uint', width: 2, role: 'reserved' },
  bootSignature: { kind: 'hexbytes', length: 2 },
};

const RECORD_KINDS: Record<string, FieldKind> = {
  status: { kind: 'bootIndicator' },
  chsStart: { kind: 'hexbytes', length: 3 },
  partitionType: { kind: 'mbrType' },
  chsEnd: { kind: 'hexbytes', length: 3 },
  lbaStart: { kind: 'uint', width: 4 },
  numSectors: { kind: 'uint', width: 4, role: 'count' },
};

const RECORD_ALIASES: Record<string, string> = { type: 'partitionType', boot: 'status', start: 'lbaStart', size: 'numSectors' };

/** The fields `path` names: one, or two for `partition:N.FIELD` when both arrays exist. */
export function resolveFieldPath(disk: DiskModel, path: string): EditableField[] {
  const p = path.trim();
  const short = /^partition:(\d+)\.([A-Za-z]+)$/.exec(p);
  if (short) return resolvePartition(disk, Number(short[1]), short[2]!, p);
  const [structure, ...rest] = p.split('.');
  switch (structure) {
    case 'primaryHeader':
    case 'backupHeader':
      return [headerField(disk, structure, rest, p)];
    case 'primaryArray':
    case 'backupArray':
      return [arrayField(disk, structure, rest, p)];
    case 'mbr':
      return [mbrField(disk, rest, p)];
    default:
      throw new EditPathError(
        msg(
          'unknown field path "{0}" (start with primaryHeader., backupHeader., primaryArray.entries.N., backupArray.entries.N., mbr. or partition:N.)',
          clip(p),
        ),
      );
  }
}

function headerOf(disk: DiskModel, role: 'primary' | 'backup', path: string): GptHeader {
  const header = role === 'primary' ? disk.primary : disk.backup;
  if (!header)
    throw new EditPathError(
      role === 'primary'
        ? msg('{0}: the disk has no primary GPT header to edit', clip(path))
        : msg('{0}: the disk has no backup GPT header to edit', clip(path)),
    );
  return header;
}

function headerField(disk: DiskModel, structure: 'primaryHeader' | 'backupHeader', rest: string[], path: string): EditableField {
  const role = structure === 'primaryHeader' ? 'primary' : 'backup';
  const header = headerOf(disk, role, path);
  const name = rest.join('.');
  const kind = HEADER_KINDS[name] ?? (name === 'reservedTail' ? { kind: 'hexbytes' as const, length: disk.sectorSize - 92 } : undefined);
  const field = kind ? findField(header.node.fields, name) : undefined;
  if (!kind || !field) throw new EditPathError(msg('{0}: no such header field ({1})', clip(path), [...Object.keys(HEADER_KINDS), 'reservedTail'].join(', ')));
  return make(`${structure}.${name}`, structure, role, undefined, name, field, kind);
}

function arrayField(disk: DiskModel, structure: 'primaryArray' | 'backupArray', rest: string[], path: string): EditableField {
  const role = structure === 'primaryArray' ? 'primary' : 'backup';
  if (rest[0] !== 'entries' || rest.length !== 3 || !/^\d+$/.test(rest[1]!))
    throw new EditPathError(
      msg('{0}: an entry field is {1}.entries.SLOT.FIELD (FIELD one of {2})', clip(path), structure, Object.keys(ENTRY_KINDS).join(', ')),
    );
  return entryField(disk, role, Number(rest[1]), rest[2]!, path);
}

function entryField(disk: DiskModel, role: 'primary' | 'backup', slot: number, fieldName: string, path: string): EditableField {
  const header = headerOf(disk, role, path);
  const invalidReasons = msgJoin(
    header.invalid.map((p) => p.text ?? p.reason),
    '; ',
  );
  if (!header.array)
    throw new EditPathError(
      role === 'primary'
        ? msg("{0}: the primary header's entry array could not be read ({1})", clip(path), invalidReasons)
        : msg("{0}: the backup header's entry array could not be read ({1})", clip(path), invalidReasons),
    );
  if (!Number.isSafeInteger(slot) || slot >= header.array.slots.length)
    throw new EditPathError(
      role === 'primary'
        ? msg('{0}: slot {1} is not in the primary array (slots 0..{2})', clip(path), slot, header.array.slots.length - 1)
        : msg('{0}: slot {1} is not in the backup array (slots 0..{2})', clip(path), slot, header.array.slots.length - 1),
    );
  const name = ENTRY_ALIASES[fieldName] ?? fieldName;
  const kind = ENTRY_KINDS[name];
  const entry = fieldsForSlot(header.array, slot);
  const field = kind ? entry.children?.find((f) => f.name === name) : undefined;
  if (!kind || !field)
    throw new EditPathError(msg('{0}: no such entry field "{1}" ({2}; or type, uuid, start, end)', clip(path), fieldName, Object.keys(ENTRY_KINDS).join(', ')));
  const structure = role === 'primary' ? 'primaryArray' : 'backupArray';
  return make(`${structure}.entries.${slot}.${name}`, structure, role, slot, name, field, kind);
}

function resolvePartition(disk: DiskModel, number: number, fieldName: string, path: string): EditableField[] {
  if (disk.scheme !== 'gpt')
    throw new EditPathError(msg('{0}: partition:N names GPT entries and this disk has no GPT; use mbr.partitions.I.FIELD', clip(path)));
  const roles = (['primary', 'backup'] as const).filter((r) => (r === 'primary' ? disk.primary : disk.backup)?.array);
  if (roles.length === 0) throw new EditPathError(msg('{0}: no readable GPT entry array', clip(path)));
  if (number < 1) throw new EditPathError(msg('{0}: partition numbers start at 1', clip(path)));
  return roles.map((role) => entryField(disk, role, number - 1, fieldName, path));
}

function mbrField(disk: DiskModel, rest: string[], path: string): EditableField {
  const mbr = disk.mbr;
  if (!mbr) throw new EditPathError(msg('{0}: the disk has no MBR sector', clip(path)));
  if (rest[0] === 'partitions') {
    if (rest.length !== 3 || !/^[0-3]$/.test(rest[1]!))
      throw new EditPathError(
        msg(
          '{0}: an MBR record field is mbr.partitions.I.FIELD with I 0..3 (FIELD one of {1}; or type, boot, start, size)',
          clip(path),
          Object.keys(RECORD_KINDS).join(', '),
        ),
      );
    const name = RECORD_ALIASES[rest[2]!] ?? rest[2]!;
    const kind = RECORD_KINDS[name];
    const field = kind ? findField(mbr.node.fields, `partitions.${rest[1]}.${name}`) : undefined;
    if (!kind || !field) throw new EditPathError(msg('{0}: no such MBR record field "{1}" ({2})', clip(path), rest[2], Object.keys(RECORD_KINDS).join(', ')));
    return make(`mbr.partitions.${rest[1]}.${name}`, 'mbr', null, Number(rest[1]), name, field, kind);
  }
  const name = rest.join('.');
  const kind = MBR_KINDS[name];
  const field = kind ? findField(mbr.node.fields, name) : undefined;
  if (!kind || !field) throw new EditPathError(msg('{0}: no such MBR field ({1}, partitions.I.FIELD)', clip(path), Object.keys(MBR_KINDS).join(', ')));
  return make(`mbr.${name}`, 'mbr', null, undefined, name, field, kind);
}

function make(
  path: string,
  structure: StructureName,
  role: 'primary' | 'backup' | null,
  index: number | undefined,
  name: string,
  field: Field,
  kind: FieldKind,
): EditableField {
  if (field.length !== kindLength(kind))
    throw new EditPathError(msg('{0}: the field has {1} bytes, not the {2} its kind needs', path, field.length, kindLength(kind)));
  return { path, structure, role, ...(index === undefined ? {} : { index }), name, offset: field.offset, length: field.length, kind, raw: field.raw.slice() };
}

/** The partition type GUID of an entry field's slot, from its raw entry bytes (for naming attribute bits). */
export function entryTypeGuid(disk: DiskModel, field: EditableField): string | null {
  if (field.index === undefined || !field.role || !field.structure.endsWith('Array')) return null;
  const array = (field.role === 'primary' ? disk.primary : disk.backup)?.array;
  const entry = array?.slots[field.index];
  return entry ? formatGuid(entry.raw.subarray(0, 16)) : null;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The kind of value a field holds, by the structure it is in and its spec name; null when it cannot be edited by value. */
export function editableKind(structure: 'header' | 'entry' | 'mbr' | 'record', name: string, sectorSize: number): FieldKind | null {
  switch (structure) {
    case 'header':
      return HEADER_KINDS[name] ?? (name === 'reservedTail' ? { kind: 'hexbytes', length: sectorSize - 92 } : null);
    case 'entry':
      return ENTRY_KINDS[name] ?? null;
    case 'mbr':
      return MBR_KINDS[name] ?? null;
    case 'record':
      return RECORD_KINDS[name] ?? null;
  }
}
