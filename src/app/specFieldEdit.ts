// Setting a field of a user's Kaitai spec by value: the text becomes the field's
// exact bytes (an integer of its width, sign and byte order; text in its encoding,
// zero-padded to a fixed size; raw bytes as hex), or an error naming the field.
// Pure: the session turns the bytes into a patch and pushes it as an edit.
import type { ByteSource } from '../core/io/byteSource';
import type { FixPlan } from '../core/patch';
import { describeError } from '../core/errors';
import { HAND_EDIT_ID } from '../core/edit/planEdits';
import { EditValueError } from '../core/edit/errors';
import { parseFieldValue } from '../core/edit/fieldKinds';
import { MAX_SPEC_EDIT_BYTES } from '../core/limits';
import type { SpecField, SpecFieldEncoding } from '../core/specs/specTypes';
import type { AppliedSpecs } from './appliedSpecs';

/** The plan setting spec field `nodeId` to `text` (one patch over its bytes), or why not. */
export async function planSpecFieldEdit(specs: AppliedSpecs, source: ByteSource, nodeId: string, text: string): Promise<FixPlan | string> {
  const found = specs.field(nodeId);
  const encoding = found?.field.edit;
  if (!found || !encoding) return 'this node is no field of a structure spec that can be set by value';
  const { entry, field } = found;
  const what = `${entry.result?.id ?? 'spec'}.${field.path}`;
  let after: Uint8Array;
  try {
    after = encodeSpecValue(encoding, text, field.length, what);
  } catch (error) {
    return describeError(error);
  }
  const before = await source.read(field.offset, field.length);
  if (before.every((byte, i) => byte === after[i])) return 'it changes no byte';
  const shown = text.trim().length > 40 ? `${text.trim().slice(0, 40)}…` : text.trim();
  const title = `Set ${what} = ${shown}`;
  return {
    id: HAND_EDIT_ID,
    title,
    description: `${title} (${field.length} bytes at 0x${field.offset.toString(16)}, from ${entry.spec}).`,
    patches: [{ offset: field.offset, before, after }],
  };
}

/** The text a value editor for spec field `nodeId` starts from, or null when it has none. */
export async function specFieldEditText(specs: AppliedSpecs, source: ByteSource, nodeId: string): Promise<string | null> {
  const found = specs.field(nodeId);
  if (!found?.field.edit) return null;
  return editText(found.field, await source.read(found.field.offset, Math.min(found.field.length, MAX_SPEC_EDIT_BYTES)));
}

/** The field's bytes for `text`; throws EditValueError saying why the text does not fit. */
export function encodeSpecValue(encoding: SpecFieldEncoding, text: string, length: number, what: string): Uint8Array {
  if (length > MAX_SPEC_EDIT_BYTES) throw new EditValueError(`${what}: ${length} bytes is more than the ${MAX_SPEC_EDIT_BYTES} a field can be set to by value`);
  switch (encoding.kind) {
    case 'int':
      return encodeInteger(text, encoding.bytes, encoding.signed, encoding.le, what);
    case 'text':
      return encodeText(text, encoding.encoding, encoding.terminated, length, what);
    case 'bytes':
      return parseFieldValue({ kind: 'hexbytes', length }, text, { sectorSize: 512, current: new Uint8Array(length) }, what);
  }
}

/** The text an editor starts from: the value as shown, or the bytes as hex. */
export function editText(field: SpecField, raw: Uint8Array): string {
  if (field.edit?.kind === 'bytes') return Array.from(raw, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return field.value === undefined ? '' : String(field.value);
}

function encodeInteger(text: string, bytes: number, signed: boolean, le: boolean, what: string): Uint8Array {
  const t = text.trim();
  const match = /^(-)?(0x[0-9a-f]+|[0-9]+)$/i.exec(t);
  if (!match) throw new EditValueError(`${what}: "${t}" is not a whole number (decimal, or hex with 0x)`);
  const value = (match[1] ? -1n : 1n) * BigInt(match[2]!);
  const bits = BigInt(bytes * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (value < min || value > max)
    throw new EditValueError(`${what}: ${t} does not fit a ${signed ? 'signed' : 'unsigned'} ${bytes}-byte integer (${min}..${max})`);
  let rest = BigInt.asUintN(bytes * 8, value);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    out[le ? i : bytes - 1 - i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function encodeText(text: string, encoding: 'ascii' | 'utf8' | 'utf16le', terminated: boolean, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (encoding === 'ascii') {
    if ([...text].some((char) => char.charCodeAt(0) > 0x7f)) throw new EditValueError(`${what}: ASCII text only`);
    bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  } else if (encoding === 'utf8') {
    bytes = new TextEncoder().encode(text);
  } else {
    bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      bytes[2 * i] = text.charCodeAt(i) & 0xff;
      bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
    }
  }
  const room = terminated ? length - (encoding === 'utf16le' ? 2 : 1) : length;
  // A zero-terminated string keeps its length: a shorter one would move every field after it.
  if (terminated && bytes.length !== room)
    throw new EditValueError(`${what}: ${bytes.length} bytes; this zero-terminated text must stay ${room} bytes long (the fields after it would move)`);
  if (bytes.length > room) throw new EditValueError(`${what}: ${bytes.length} bytes of text; the field has ${room}`);
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}
