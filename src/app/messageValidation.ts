// Messages from the editor's webview are untrusted input: every one is checked for its shape, integer ranges and offsets inside the image
// before the host acts on it. Pure: no `vscode`, so it is tested in plain Node.
import { isScanFixId, SCAN_FIXES } from '../core/fixes/registry';
import type { CopyFormat, FromWebview } from '../shared/protocol/editor';
import {
  COPY_FORMATS,
  MAX_COPY_LENGTH,
  MAX_CRC_LENGTH,
  MAX_EDIT_BYTES,
  MAX_FIELD_PATH_LENGTH,
  MAX_NODE_ID_LENGTH,
  MAX_PATTERN_TEXT_LENGTH,
  MAX_READ_LENGTH,
  MAX_REQUEST_ID,
} from '../shared/protocol/editor';
import { MAX_EDIT_VALUE_CHARS } from '../core/limits';
import { PATTERN_MODES } from '../core/find/pattern';
import { FIX_IDS } from '../core/findings';

export type Validated = { ok: true; message: FromWebview } | { ok: false; reason: string };

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A safe integer in [min, max]. */
export function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Checks `raw` against the protocol for an image of `imageSize` bytes. */
export function validateFromWebview(raw: unknown, imageSize: number): Validated {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not a message object with a string type' };
  const fail = (reason: string): Validated => ({ ok: false, reason: `${String(raw.type)}: ${reason}` });
  // A range [offset, offset+length) inside the image, length between min and max.
  const range = (minLength: number, maxLength: number): { offset: number; length: number } | string => {
    if (!integerIn(raw.offset, 0, Math.max(0, imageSize))) return `offset must be an integer in 0..${imageSize}`;
    if (!integerIn(raw.length, minLength, maxLength)) return `length must be an integer in ${minLength}..${maxLength}`;
    if (raw.offset + raw.length > imageSize) return `range ${raw.offset}+${raw.length} runs past the end of the image (${imageSize} bytes)`;
    return { offset: raw.offset, length: raw.length };
  };
  switch (raw.type) {
    case 'ready':
      if (raw.shown === undefined) return { ok: true, message: { type: 'ready' } };
      if (!integerIn(raw.shown, 0, Number.MAX_SAFE_INTEGER)) return fail('shown must be a non-negative integer');
      return { ok: true, message: { type: 'ready', shown: raw.shown } };
    case 'readRange':
    case 'crcRange': {
      if (!integerIn(raw.requestId, 0, MAX_REQUEST_ID)) return fail('requestId must be a non-negative 31-bit integer');
      const r = range(1, raw.type === 'readRange' ? MAX_READ_LENGTH : MAX_CRC_LENGTH);
      if (typeof r === 'string') return fail(r);
      return { ok: true, message: { type: raw.type, requestId: raw.requestId, offset: r.offset, length: r.length } };
    }
    case 'copyHex': {
      const r = range(1, MAX_COPY_LENGTH);
      if (typeof r === 'string') return fail(r);
      if (raw.format === undefined) return { ok: true, message: { type: 'copyHex', offset: r.offset, length: r.length } };
      if (!(COPY_FORMATS as readonly unknown[]).includes(raw.format)) return fail(`format must be one of ${COPY_FORMATS.join(', ')}`);
      return { ok: true, message: { type: 'copyHex', offset: r.offset, length: r.length, format: raw.format as CopyFormat } };
    }
    case 'selection': {
      const r = range(0, imageSize);
      if (typeof r === 'string') return fail(r);
      return { ok: true, message: { type: 'selection', offset: r.offset, length: r.length } };
    }
    case 'previewFix':
    case 'applyFix': {
      // Only a known fix id: the host plans the bytes itself.
      if (typeof raw.fixId !== 'string' || !((FIX_IDS as readonly string[]).includes(raw.fixId) || isScanFixId(raw.fixId)))
        return fail(`fixId must be one of ${[...FIX_IDS, ...Object.keys(SCAN_FIXES)].join(', ')}`);
      return { ok: true, message: { type: raw.type, fixId: raw.fixId } };
    }
    case 'expandNode':
      if (typeof raw.nodeId !== 'string' || raw.nodeId.length === 0 || raw.nodeId.length > MAX_NODE_ID_LENGTH)
        return fail(`nodeId must be a string of 1..${MAX_NODE_ID_LENGTH} characters`);
      return { ok: true, message: { type: 'expandNode', nodeId: raw.nodeId } };
    case 'editBytes': {
      if (
        typeof raw.hex !== 'string' ||
        raw.hex.length === 0 ||
        raw.hex.length > 2 * MAX_EDIT_BYTES ||
        raw.hex.length % 2 !== 0 ||
        !/^[0-9a-f]*$/i.test(raw.hex)
      )
        return fail(`hex must be 1..${MAX_EDIT_BYTES} bytes as hex digits`);
      if (!integerIn(raw.offset, 0, Math.max(0, imageSize - 1)) || raw.offset + raw.hex.length / 2 > imageSize)
        return fail(`the ${raw.hex.length / 2} bytes at ${String(raw.offset)} do not lie inside the image (${imageSize} bytes)`);
      if (typeof raw.dependents !== 'boolean') return fail('dependents must be true or false');
      if (raw.action !== 'type' && raw.action !== 'paste' && raw.action !== 'fill') return fail('action must be type, paste or fill');
      return { ok: true, message: { type: 'editBytes', offset: raw.offset, hex: raw.hex, dependents: raw.dependents, action: raw.action } };
    }
    case 'revertBytes': {
      const r = range(1, MAX_EDIT_BYTES);
      if (typeof r === 'string') return fail(r);
      if (typeof raw.dependents !== 'boolean') return fail('dependents must be true or false');
      return { ok: true, message: { type: 'revertBytes', offset: r.offset, length: r.length, dependents: raw.dependents } };
    }
    case 'setField':
      if (typeof raw.path !== 'string' || raw.path.length === 0 || raw.path.length > MAX_FIELD_PATH_LENGTH)
        return fail(`path must be a string of 1..${MAX_FIELD_PATH_LENGTH} characters`);
      if (typeof raw.value !== 'string' || raw.value.length > MAX_EDIT_VALUE_CHARS)
        return fail(`value must be a string of at most ${MAX_EDIT_VALUE_CHARS} characters`);
      if (typeof raw.dependents !== 'boolean') return fail('dependents must be true or false');
      return { ok: true, message: { type: 'setField', path: raw.path, value: raw.value, dependents: raw.dependents } };
    case 'find':
      if (!integerIn(raw.requestId, 0, MAX_REQUEST_ID)) return fail('requestId must be a non-negative 31-bit integer');
      if (typeof raw.pattern !== 'string' || raw.pattern.length === 0 || raw.pattern.length > MAX_PATTERN_TEXT_LENGTH)
        return fail(`pattern must be a string of 1..${MAX_PATTERN_TEXT_LENGTH} characters`);
      if (typeof raw.mode !== 'string' || !(PATTERN_MODES as readonly string[]).includes(raw.mode))
        return fail(`mode must be one of ${PATTERN_MODES.join(', ')}`);
      if (!integerIn(raw.from, 0, imageSize)) return fail(`from must be an integer in 0..${imageSize}`);
      if (raw.direction !== 'forward' && raw.direction !== 'backward') return fail('direction must be forward or backward');
      return {
        ok: true,
        message: {
          type: 'find',
          requestId: raw.requestId,
          pattern: raw.pattern,
          mode: raw.mode as (typeof PATTERN_MODES)[number],
          from: raw.from,
          direction: raw.direction,
        },
      };
    case 'cancelFind':
      if (!integerIn(raw.requestId, 0, MAX_REQUEST_ID)) return fail('requestId must be a non-negative 31-bit integer');
      return { ok: true, message: { type: 'cancelFind', requestId: raw.requestId } };
    default:
      return fail('unknown message type');
  }
}
