// Exact integer and size parsing for hand edits: every value is a BigInt, so a
// u64 keeps all of its bits, and every range is checked before a byte is encoded.
import { EditValueError } from './errors';
import { msg } from '../../shared/l10n';

/** Binary multiples (as sgdisk and parted read them): K = 1024, M = 1024^2, ... */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['b', 1n],
  ['k', 1n << 10n],
  ['kib', 1n << 10n],
  ['m', 1n << 20n],
  ['mib', 1n << 20n],
  ['g', 1n << 30n],
  ['gib', 1n << 30n],
  ['t', 1n << 40n],
  ['tib', 1n << 40n],
  ['p', 1n << 50n],
  ['pib', 1n << 50n],
]);

/** Largest value of an unsigned integer of `bytes` bytes. */
export function maxUnsigned(bytes: number): bigint {
  return (1n << BigInt(bytes * 8)) - 1n;
}

/** Decimal digits or 0x hex digits, nothing else (no sign, no exponent, no separators). */
export function parseInteger(text: string, what: string): bigint {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  if (/^-/.test(t)) throw new EditValueError(msg('{0}: {1} is negative; the field is unsigned', what, quoteValue(t)));
  throw new EditValueError(msg('{0}: {1} is not a whole number (decimal, or hex with 0x)', what, quoteValue(t)));
}

/** parseInteger, checked to fit `bytes` unsigned bytes. */
export function parseUnsigned(text: string, bytes: number, what: string): bigint {
  const value = parseInteger(text, what);
  const max = maxUnsigned(bytes);
  if (value > max) throw new EditValueError(msg('{0}: {1} is out of range for a {2}-bit field (0..{3})', what, quoteValue(text.trim()), bytes * 8, max));
  return value;
}

/** A size or offset with an optional unit (`512M`, `1GiB`, `4096B`, `2048`): bytes, or null when `text` has no unit. */
export function parseByteSize(text: string, what: string): bigint | null {
  const match = /^(0x[0-9a-f]+|[0-9]+)\s*([a-z]+)$/i.exec(text.trim());
  if (!match) return null;
  const unit = UNITS.get(match[2]!.toLowerCase());
  if (unit === undefined)
    throw new EditValueError(msg('{0}: unknown unit "{1}" in {2} (use B, K, M, G, T or P, binary multiples)', what, match[2], quoteValue(text.trim())));
  return BigInt(match[1]!) * unit;
}

/** Little-endian bytes of `value` (which must fit). */
export function encodeUnsigned(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The little-endian unsigned value of `raw`. */
export function decodeUnsigned(raw: Uint8Array): bigint {
  let v = 0n;
  for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
  return v;
}

/** `0x` and upper-case hex padded to `digits`. */
export function hexText(value: bigint | number, digits: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** A value for messages: quoted, and cut when it is long (a hostile value may be megabytes). */
export function quoteValue(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(shown);
}
