// What kind of value each editable field holds, and for each kind how text
// becomes the field's exact bytes (parse, with every limit checked), how the
// bytes read back as text (format: parse(format(b)) gives b again) and a few
// words of meaning (describe: a type name, the attribute names). The CLI's
// `diskx set` and the editor's field editors use the same functions.
import { formatGuid, parseGuid } from '../guid';
import { gptTypeByName, gptTypeName, mbrTypeByName, mbrTypeName } from '../partitionTypes';
import { GPT_NAME_CODE_UNITS, MAX_EDIT_VALUE_CHARS } from '../limits';
import { EditValueError } from './errors';
import { decodeUnsigned, encodeUnsigned, hexText, maxUnsigned, parseByteSize, parseInteger, parseUnsigned, quoteValue } from './numbers';
import { describeAttributes, encodeAttributes, formatAttributes, parseAttributes } from './attributes';

export type { FieldKind } from '../../shared/valueKinds';
import type { FieldKind } from '../../shared/valueKinds';
import { msg } from '../../shared/l10n';

/** What a value may depend on besides its text. */
export interface ValueContext {
  /** Logical block size, for LBAs given in bytes. */
  sectorSize: number;
  /** The field's bytes now (relative attribute changes start from them). */
  current: Uint8Array;
  /** For an end LBA: the start it counts from with `+SIZE` (the entry's StartingLBA, as edited). */
  startLba?: bigint;
  /** For attributes: the entry's partition type, to name its type-specific bits. */
  typeGuid?: string | null;
}

/** Bytes the kind encodes to. */
export function kindLength(kind: FieldKind): number {
  switch (kind.kind) {
    case 'uint':
      return kind.width;
    case 'lba':
    case 'attributes':
      return 8;
    case 'guid':
      return 16;
    case 'utf16':
      return kind.codeUnits * 2;
    case 'mbrType':
    case 'bootIndicator':
      return 1;
    case 'diskSignature':
      return 4;
    case 'ascii':
    case 'hexbytes':
      return kind.length;
  }
}

/** The field's new bytes for `text`; throws EditValueError naming `what` when the text does not fit. */
export function parseFieldValue(kind: FieldKind, text: string, context: ValueContext, what: string): Uint8Array {
  if (text.length > MAX_EDIT_VALUE_CHARS)
    throw new EditValueError(msg('{0}: the value is {1} characters long, more than the {2} accepted', what, text.length, MAX_EDIT_VALUE_CHARS));
  switch (kind.kind) {
    case 'uint':
      return encodeUnsigned(parseUnsigned(text, kind.width, what), kind.width);
    case 'lba':
      return encodeUnsigned(parseLba(text, context, what), 8);
    case 'guid':
      return parseGuidValue(text, kind.partitionType === true, what);
    case 'utf16':
      return encodeName(text, kind.codeUnits, what);
    case 'attributes':
      return encodeAttributes(parseAttributes(text, decodeUnsigned(context.current), what));
    case 'mbrType':
      return Uint8Array.of(parseMbrType(text, what));
    case 'bootIndicator':
      return Uint8Array.of(parseBootIndicator(text, what));
    case 'diskSignature':
      return encodeUnsigned(parseUnsigned(text, 4, what), 4);
    case 'ascii':
      return parseAscii(text, kind.length, what);
    case 'hexbytes':
      return parseHexBytes(text, kind.length, what);
  }
}

/** The canonical text of the field's bytes: parseFieldValue(kind, formatFieldValue(kind, raw)) === raw. */
export function formatFieldValue(kind: FieldKind, raw: Uint8Array): string {
  switch (kind.kind) {
    case 'uint':
      return kind.role === 'crc' || kind.role === 'reserved' ? hexText(decodeUnsigned(raw), kind.width * 2) : decodeUnsigned(raw).toString();
    case 'lba':
      return decodeUnsigned(raw).toString();
    case 'guid':
      return formatGuid(raw);
    case 'utf16':
      return decodeName(raw);
    case 'attributes':
      return formatAttributes(decodeUnsigned(raw));
    case 'mbrType':
    case 'bootIndicator':
      return hexText(raw[0]!, 2);
    case 'diskSignature':
      return hexText(decodeUnsigned(raw), 8);
    case 'ascii':
      return isPrintableAscii(raw) ? String.fromCharCode(...raw) : `0x${hex(raw)}`;
    case 'hexbytes':
      return hex(raw);
  }
}

/** A few words about the value ("Linux filesystem", "required, hidden"), or ''. */
export function describeFieldValue(kind: FieldKind, raw: Uint8Array, context: Pick<ValueContext, 'sectorSize' | 'typeGuid'>): string {
  switch (kind.kind) {
    case 'guid':
      return kind.partitionType ? (gptTypeName(formatGuid(raw)) ?? (raw.every((b) => b === 0) ? 'unused' : 'unknown type')) : '';
    case 'attributes':
      return describeAttributes(decodeUnsigned(raw), context.typeGuid ?? null);
    case 'mbrType':
      return mbrTypeName(raw[0]!) ?? (raw[0] === 0 ? 'unused' : 'unknown type');
    case 'bootIndicator':
      return raw[0] === 0x80 ? 'active' : raw[0] === 0 ? 'not active' : 'invalid (neither 0x00 nor 0x80)';
    case 'lba': {
      const bytes = decodeUnsigned(raw) * BigInt(context.sectorSize);
      return `byte ${hexText(bytes, 1)}`;
    }
    case 'utf16':
      return `${decodeName(raw).length} of ${kindLength(kind) / 2} code units`;
    default:
      return '';
  }
}

// --- LBAs: plain numbers are LBAs; a unit makes a byte offset; +SIZE counts from the start.
function parseLba(text: string, context: ValueContext, what: string): bigint {
  const t = text.trim();
  const relative = t.startsWith('+');
  const body = relative ? t.slice(1).trim() : t;
  const bytes = parseByteSize(body, what);
  let sectors: bigint;
  if (bytes === null) sectors = parseInteger(body, what);
  else {
    if (bytes % BigInt(context.sectorSize) !== 0n)
      throw new EditValueError(msg('{0}: {1} is {2} bytes, not a whole number of {3}-byte sectors', what, quoteValue(t), bytes, context.sectorSize));
    sectors = bytes / BigInt(context.sectorSize);
  }
  let lba = sectors;
  if (relative) {
    if (context.startLba === undefined)
      throw new EditValueError(msg('{0}: {1} is a size, which only an ending LBA takes (counted from its starting LBA)', what, quoteValue(t)));
    if (sectors === 0n) throw new EditValueError(msg('{0}: a size of 0 gives no partition', what));
    lba = context.startLba + sectors - 1n;
  }
  if (lba > maxUnsigned(8)) throw new EditValueError(msg('{0}: {1} gives LBA {2}, out of range for a 64-bit field', what, quoteValue(t), lba));
  return lba;
}

// --- GUIDs: the usual text (braces allowed), or a partition type's name.
function parseGuidValue(text: string, partitionType: boolean, what: string): Uint8Array {
  const t = text.trim().replace(/^\{(.*)\}$/, '$1');
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t)) return parseGuid(t);
  if (partitionType) {
    const guid = gptTypeByName(t);
    if (guid) return parseGuid(guid);
    throw new EditValueError(
      msg(
        '{0}: {1} is neither a GUID (8-4-4-4-12 hex digits) nor a known partition type name (linux, efi, vmfs, basic-data, ...; diskx set --help lists them)',
        what,
        quoteValue(t),
      ),
    );
  }
  throw new EditValueError(msg('{0}: {1} is not a GUID (8-4-4-4-12 hex digits)', what, quoteValue(t)));
}

// --- UTF-16 names: code units counted as the disk stores them; no NUL inside, no lone surrogate.
function encodeName(text: string, codeUnits: number, what: string): Uint8Array {
  if (text.length > codeUnits) throw new EditValueError(msg('{0}: the name is {1} UTF-16 code units long; the field holds {2}', what, text.length, codeUnits));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw new EditValueError(msg('{0}: the name contains a NUL character (it would end the name there)', what));
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new EditValueError(msg('{0}: the name contains a lone UTF-16 surrogate at {1}', what, i));
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new EditValueError(msg('{0}: the name contains a lone UTF-16 surrogate at {1}', what, i));
    }
  }
  const out = new Uint8Array(codeUnits * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

/** The name up to its first zero code unit (as the parser decodes it). */
export function decodeName(raw: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const c = raw[i]! | (raw[i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Code units of a GPT partition name. */
export const GPT_NAME_KIND: FieldKind = { kind: 'utf16', codeUnits: GPT_NAME_CODE_UNITS };

// --- MBR bytes.
function parseMbrType(text: string, what: string): number {
  const t = text.trim();
  if (/^(0x)?[0-9a-f]{1,2}$/i.test(t)) return parseInt(t.replace(/^0x/i, ''), 16);
  const named = mbrTypeByName(t);
  if (named !== null) return named;
  throw new EditValueError(
    msg(
      '{0}: {1} is neither a type byte (hex, as fdisk shows it: 83 or 0x83) nor a known MBR type name (linux, ntfs, fat32, efi, gpt, ...)',
      what,
      quoteValue(t),
    ),
  );
}

function parseBootIndicator(text: string, what: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'active' || t === 'bootable') return 0x80;
  if (t === 'none' || t === 'inactive') return 0;
  return Number(parseUnsigned(t, 1, what));
}

// --- Raw bytes and ASCII.
function parseHexBytes(text: string, length: number, what: string): Uint8Array {
  const t = text.trim().replace(/^0x/i, '');
  if (t.toLowerCase() === 'zeros') return new Uint8Array(length);
  const digits = t.replace(/[\s:]+/g, '');
  if (!/^[0-9a-f]*$/i.test(digits) || digits.length % 2 !== 0)
    throw new EditValueError(msg('{0}: {1} is not hex bytes (pairs of hex digits, spaces allowed)', what, quoteValue(text.trim())));
  if (digits.length / 2 !== length)
    throw new EditValueError(msg('{0}: {1} bytes given; the field has {2} (or write "zeros")', what, digits.length / 2, length));
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function parseAscii(text: string, length: number, what: string): Uint8Array {
  if (/^0x[0-9a-f]*$/i.test(text.trim())) return parseHexBytes(text, length, what);
  if (!/^[\x20-\x7e]*$/.test(text)) throw new EditValueError(msg('{0}: {1} is not printable ASCII (or give the bytes as 0x...)', what, quoteValue(text)));
  if (text.length !== length) throw new EditValueError(msg('{0}: {1} has {2} characters; the field has {3}', what, quoteValue(text), text.length, length));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function isPrintableAscii(raw: Uint8Array): boolean {
  return raw.every((b) => b >= 0x20 && b < 0x7f);
}

function hex(raw: Uint8Array): string {
  let s = '';
  for (const b of raw) s += b.toString(16).padStart(2, '0');
  return s;
}
