// GPT partition attributes (UEFI 5.3.3, table "Defined GPT Partition Entry -
// Attributes"): bits 0-2 are defined for every partition, bits 48-63 belong to
// the partition type. The type-specific names we know are Microsoft's for basic
// data partitions and ChromeOS's for its kernel partitions (priority, tries and
// successful are small fields, not single bits).
import { EditValueError } from './errors';
import { encodeUnsigned, hexText, maxUnsigned, parseInteger, quoteValue } from './numbers';
import { TYPE_MS_BASIC_DATA } from '../partitionTypes';
import { msg } from '../../shared/l10n';

export const TYPE_CHROMEOS_KERNEL = 'FE3A2A5D-4F32-41A7-B725-ACCC3285A309';

/** One named attribute: `width` bits from `bit`. */
export interface AttributeName {
  /** What users type: `+required`, `-hidden`, `priority=3`. */
  name: string;
  bit: number;
  width: number;
  /** What it means, for the editor's checkboxes. */
  label: string;
  /** The partition type these bits are defined for; null = every partition. */
  type: string | null;
}

export const ATTRIBUTE_NAMES: readonly AttributeName[] = [
  { name: 'required', bit: 0, width: 1, label: 'Required (platform required)', type: null },
  { name: 'no-block-io', bit: 1, width: 1, label: 'No block IO protocol', type: null },
  { name: 'legacy-bios-bootable', bit: 2, width: 1, label: 'Legacy BIOS bootable', type: null },
  { name: 'read-only', bit: 60, width: 1, label: 'Read-only (Microsoft basic data)', type: TYPE_MS_BASIC_DATA },
  { name: 'shadow-copy', bit: 61, width: 1, label: 'Shadow copy (Microsoft basic data)', type: TYPE_MS_BASIC_DATA },
  { name: 'hidden', bit: 62, width: 1, label: 'Hidden (Microsoft basic data)', type: TYPE_MS_BASIC_DATA },
  { name: 'no-drive-letter', bit: 63, width: 1, label: 'No drive letter (Microsoft basic data)', type: TYPE_MS_BASIC_DATA },
  { name: 'priority', bit: 48, width: 4, label: 'Priority 0-15 (ChromeOS kernel)', type: TYPE_CHROMEOS_KERNEL },
  { name: 'tries', bit: 52, width: 4, label: 'Tries left 0-15 (ChromeOS kernel)', type: TYPE_CHROMEOS_KERNEL },
  { name: 'successful', bit: 56, width: 1, label: 'Successful boot (ChromeOS kernel)', type: TYPE_CHROMEOS_KERNEL },
];

const BY_NAME = new Map(ATTRIBUTE_NAMES.map((a) => [a.name, a]));
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['platform-required', 'required'],
  ['no-block-io-protocol', 'no-block-io'],
  ['legacy-boot', 'legacy-bios-bootable'],
  ['bootable', 'legacy-bios-bootable'],
  ['readonly', 'read-only'],
  ['no-automount', 'no-drive-letter'],
]);

function lookup(name: string): AttributeName | undefined {
  const key = name.toLowerCase();
  return BY_NAME.get(ALIASES.get(key) ?? key);
}

const field = (a: AttributeName): bigint => ((1n << BigInt(a.width)) - 1n) << BigInt(a.bit);

/**
 * The new attributes from `text` and the current value: a whole value (`0x...`
 * or decimal, all 64 bits), or changes separated by commas or spaces: `+name`
 * sets, `-name` clears (a name, or a bit number 0-63), `name=N` sets a
 * multi-bit field (`priority=15`).
 */
export function parseAttributes(text: string, current: bigint, what: string): bigint {
  const t = text.trim();
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) {
    const value = parseInteger(t, what);
    if (value > maxUnsigned(8)) throw new EditValueError(msg('{0}: {1} does not fit the 64 attribute bits', what, quoteValue(t)));
    return value;
  }
  const tokens = t.split(/[\s,]+/).filter(Boolean);
  if (tokens.length === 0) throw new EditValueError(msg('{0}: no value (give 0x..., or +name / -name changes)', what));
  let value = current;
  for (const token of tokens) {
    const assign = /^([a-z][a-z0-9-]*)=(.+)$/i.exec(token);
    if (assign) {
      const a = lookup(assign[1]!);
      if (!a) throw new EditValueError(msg('{0}: unknown attribute "{1}" ({2})', what, assign[1], knownNames()));
      const n = parseInteger(assign[2]!, `${what}: ${a.name}`);
      if (n > (1n << BigInt(a.width)) - 1n) throw new EditValueError(msg('{0}: {1} takes 0..{2}, not {3}', what, a.name, (1 << a.width) - 1, n));
      value = (value & ~field(a)) | (n << BigInt(a.bit));
      continue;
    }
    const signed = /^([+-])(.+)$/.exec(token);
    if (!signed) throw new EditValueError(msg('{0}: {1} is neither a value (0x...) nor a change (+name, -name, name=N)', what, quoteValue(token)));
    const mask = bitMask(signed[2]!, what);
    value = signed[1] === '+' ? value | mask : value & ~mask;
  }
  return value;
}

function bitMask(name: string, what: string): bigint {
  if (/^[0-9]+$/.test(name)) {
    const bit = Number(name);
    if (bit > 63) throw new EditValueError(msg('{0}: bit {1} does not exist (bits 0-63)', what, name));
    return 1n << BigInt(bit);
  }
  const a = lookup(name);
  if (!a) throw new EditValueError(msg('{0}: unknown attribute "{1}" ({2}, or a bit number 0-63)', what, name, knownNames()));
  return field(a);
}

function knownNames(): string {
  return ATTRIBUTE_NAMES.map((a) => (a.width > 1 ? `${a.name}=N` : a.name)).join(', ');
}

/** The attribute names defined for a partition of `typeGuid` (the common ones, then its type's). */
export function attributeNamesFor(typeGuid: string | null): AttributeName[] {
  const type = typeGuid?.toUpperCase() ?? null;
  return ATTRIBUTE_NAMES.filter((a) => a.type === null || a.type === type);
}

/** "required, hidden, bit 50" for the bits set in `value` (type-specific names only for their type). */
export function describeAttributes(value: bigint, typeGuid: string | null): string {
  const parts: string[] = [];
  let named = 0n;
  for (const a of attributeNamesFor(typeGuid)) {
    const v = (value & field(a)) >> BigInt(a.bit);
    named |= field(a);
    if (v === 0n) continue;
    parts.push(a.width === 1 ? a.name : `${a.name}=${v}`);
  }
  for (let bit = 0; bit < 64; bit++) {
    const mask = 1n << BigInt(bit);
    if (value & mask && !(named & mask)) parts.push(`bit ${bit}`);
  }
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** Canonical text: 0x and 16 hex digits (as the JSON output writes attributes). */
export function formatAttributes(value: bigint): string {
  return hexText(value, 16);
}

export function encodeAttributes(value: bigint): Uint8Array {
  return encodeUnsigned(value, 8);
}
