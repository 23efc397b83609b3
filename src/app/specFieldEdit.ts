// Setting a field of a user's Kaitai spec by value: the text becomes the field's
// exact bytes (an integer of its width, sign and byte order; text in its encoding,
// zero-padded to a fixed size; raw bytes as hex), or an error naming the field.
// Pure: the session turns the bytes into a patch and pushes it as an edit.
import { EditValueError } from '../core/edit/errors';
import { parseFieldValue } from '../core/edit/fieldKinds';
import { MAX_SPEC_EDIT_BYTES } from '../core/limits';
import type { SpecField, SpecFieldEncoding } from '../core/specs/specTypes';

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
  if (value < min || value > max) throw new EditValueError(`${what}: ${t} does not fit a ${signed ? 'signed' : 'unsigned'} ${bytes}-byte integer (${min}..${max})`);
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
    if (/[^\x00-\x7f]/.test(text)) throw new EditValueError(`${what}: ASCII text only`);
    bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  } else if (encoding === 'utf8') {
    bytes = new TextEncoder().encode(text);
  } else {
    bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) (bytes[2 * i] = text.charCodeAt(i) & 0xff), (bytes[2 * i + 1] = text.charCodeAt(i) >> 8);
  }
  const room = terminated ? length - (encoding === 'utf16le' ? 2 : 1) : length;
  // A zero-terminated string keeps its length: a shorter one would move every field after it.
  if (terminated && bytes.length !== room) throw new EditValueError(`${what}: ${bytes.length} bytes; this zero-terminated text must stay ${room} bytes long (the fields after it would move)`);
  if (bytes.length > room) throw new EditValueError(`${what}: ${bytes.length} bytes of text; the field has ${room}`);
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}
