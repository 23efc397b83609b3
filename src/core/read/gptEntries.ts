// Decodes a GPT partition entry array into slots: used slots parsed field by
// field with the generated parser, unused ones decoded lazily (fieldsForSlot
// builds their field tree when a view needs it).
import { GptPartitionArray as GptPartitionArrayParser } from '../generated/GptPartitionArray';
import type { Field } from '../structure';
import type { GptArray, GptEntry } from '../model';
import { parseStruct, readU64le } from '../structure';
import { GPT_ENTRY } from '../layout';
import type { FieldSlot } from '../layout';
import { formatGuid, ZERO_GUID } from '../guid';
import { gptTypeName } from '../partitionTypes';

// Only used slots are parsed field by field with the generated parser: a header
// may legally claim MAX_PARTITION_ENTRIES slots, and parsing all of them (debug
// objects, substreams and Fields for 16384 mostly empty entries) cost seconds and
// 150 MiB. An unused slot (all-zero type GUID, UEFI 5.3.3) is one Field over its
// bytes; fieldsForSlot builds its tree on demand. The array CRC is computed over
// the raw bytes by the caller, as before.
export function parseArray(bytes: Uint8Array, offset: number, lba: bigint, count: number, entrySize: number, role: string): GptArray {
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
