// Search patterns: what `diskx find` and the editor's Ctrl+F look for, as bytes
// with a mask (0xFF = this byte must match, 0x00 = any byte). One text may give
// several patterns: a GUID is looked for in both byte orders.
import { parseGuid } from '../guid';
import { MAX_FIND_PATTERN_BYTES } from '../limits';
import { EditValueError } from '../edit/errors';
import { encodeUnsigned, maxUnsigned, parseInteger } from '../edit/numbers';

export type { PatternMode } from '../../shared/valueKinds';
import type { PatternMode } from '../../shared/valueKinds';

export const PATTERN_MODES: readonly PatternMode[] = ['hex', 'text', 'utf16', 'guid', 'u16', 'u32', 'u64'];

export interface SearchPattern {
  bytes: Uint8Array;
  /** 0xFF where the byte must equal `bytes`, 0 where any byte matches (`??`). */
  mask: Uint8Array;
  /** Which form this is ("GUID, on-disk mixed-endian order"), for results. */
  label: string;
}

/** The patterns `text` stands for in `mode`; throws EditValueError for an empty, malformed or too long pattern. */
export function parsePattern(text: string, mode: PatternMode): SearchPattern[] {
  if (text.length > MAX_FIND_PATTERN_BYTES * 3)
    throw new EditValueError(`the pattern is ${text.length} characters long, more than the ${MAX_FIND_PATTERN_BYTES * 3} accepted`);
  const patterns = build(text, mode);
  for (const p of patterns) {
    if (p.bytes.length === 0) throw new EditValueError('the pattern is empty');
    if (p.bytes.length > MAX_FIND_PATTERN_BYTES)
      throw new EditValueError(`the pattern is ${p.bytes.length} bytes long, more than the ${MAX_FIND_PATTERN_BYTES} accepted`);
    if (p.mask.every((m) => m === 0)) throw new EditValueError('the pattern has only ?? wildcards: give at least one byte');
  }
  return patterns;
}

function build(text: string, mode: PatternMode): SearchPattern[] {
  switch (mode) {
    case 'hex':
      return [hexPattern(text)];
    case 'text':
      return [literal(new TextEncoder().encode(text), 'text (UTF-8)')];
    case 'utf16': {
      const bytes = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        bytes[2 * i] = text.charCodeAt(i) & 0xff;
        bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
      }
      return [literal(bytes, 'text (UTF-16LE)')];
    }
    case 'guid': {
      const t = text.trim().replace(/^\{(.*)\}$/, '$1');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t))
        throw new EditValueError(`"${clip(t)}" is not a GUID (8-4-4-4-12 hex digits)`);
      const disk = parseGuid(t);
      const plain = Uint8Array.from(t.replace(/-/g, '').match(/../g)!, (h) => parseInt(h, 16));
      const out = [literal(disk, 'GUID, mixed-endian (as GPT stores it)')];
      if (!disk.every((b, i) => b === plain[i])) out.push(literal(plain, 'GUID, big-endian (RFC 4122 byte order)'));
      return out;
    }
    case 'u16':
    case 'u32':
    case 'u64': {
      const bytes = mode === 'u16' ? 2 : mode === 'u32' ? 4 : 8;
      const value = parseInteger(text, `a ${mode} value`);
      if (value > maxUnsigned(bytes)) throw new EditValueError(`${text.trim()} does not fit a ${mode}`);
      return [literal(encodeUnsigned(value, bytes), `${mode}, little-endian`)];
    }
  }
}

function literal(bytes: Uint8Array, label: string): SearchPattern {
  return { bytes, mask: new Uint8Array(bytes.length).fill(0xff), label };
}

// "45 46 49", "454649", "45 ?? 49": pairs of hex digits or ??, spaces anywhere between pairs.
function hexPattern(text: string): SearchPattern {
  const digits = text.replace(/[\s,]+/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-f]{2}|\?\?)*$/i.test(digits))
    throw new EditValueError(`"${clip(text.trim())}" is not a hex pattern (pairs of hex digits, ?? for any byte; --text, --utf16 or --guid for other kinds)`);
  const n = digits.length / 2;
  const bytes = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const pair = digits.slice(2 * i, 2 * i + 2);
    if (pair !== '??') {
      bytes[i] = parseInt(pair, 16);
      mask[i] = 0xff;
    }
  }
  return { bytes, mask, label: 'hex bytes' };
}

/** "45 46 ?? 49" */
export function patternText(p: SearchPattern): string {
  return Array.from(p.bytes, (b, i) => (p.mask[i] ? b.toString(16).padStart(2, '0') : '??')).join(' ');
}

/** True when the pattern can match bytes that are all zero (then holes cannot be skipped). */
export function matchesZeros(p: SearchPattern): boolean {
  return p.bytes.every((b, i) => p.mask[i] === 0 || b === 0);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
