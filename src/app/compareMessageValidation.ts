// Messages from the comparison webview are untrusted input: shape, integer
// ranges, the side named, and offsets inside that side's image are checked
// before the host acts. Pure: no `vscode`, tested in plain Node.
import type { FromCompareWebview, Side } from '../shared/protocol/compare';
import { MAX_READ_LENGTH, MAX_REQUEST_ID } from '../shared/protocol/compare';
import { integerIn, isRecord } from './messageValidation';

export type ValidatedCompare = { ok: true; message: FromCompareWebview } | { ok: false; reason: string };

const MAX_FIX_ID_LENGTH = 64;

/** Checks `raw` against the comparison protocol for images of `sizes.a` and `sizes.b` bytes. */
export function validateFromCompareWebview(raw: unknown, sizes: Record<Side, number>): ValidatedCompare {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not a message object with a string type' };
  const type = raw.type;
  const fail = (reason: string): ValidatedCompare => ({ ok: false, reason: `${type.slice(0, 40)}: ${reason}` });
  // Messages without fields must carry none (a stray field is a sign of a confused or hostile sender).
  const bare = (message: FromCompareWebview): ValidatedCompare => (Object.keys(raw).length === 1 ? { ok: true, message } : fail('unexpected fields'));
  switch (type) {
    case 'ready':
      return bare({ type: 'ready' });
    case 'startScan':
      return bare({ type: 'startScan' });
    case 'cancelScan':
      return bare({ type: 'cancelScan' });
    case 'refresh':
      return bare({ type: 'refresh' });
    case 'swap':
      return bare({ type: 'swap' });
    case 'readRange': {
      if (!integerIn(raw.requestId, 0, MAX_REQUEST_ID)) return fail('requestId must be a non-negative 31-bit integer');
      if (raw.side !== 'a' && raw.side !== 'b') return fail('side must be "a" or "b"');
      const size = sizes[raw.side];
      if (!integerIn(raw.offset, 0, Math.max(0, size))) return fail(`offset must be an integer in 0..${size}`);
      if (!integerIn(raw.length, 1, MAX_READ_LENGTH)) return fail(`length must be an integer in 1..${MAX_READ_LENGTH}`);
      if (raw.offset + raw.length > size) return fail(`range ${raw.offset}+${raw.length} runs past the end of image ${raw.side.toUpperCase()} (${size} bytes)`);
      return { ok: true, message: { type: 'readRange', requestId: raw.requestId, side: raw.side, offset: raw.offset, length: raw.length } };
    }
    case 'applyFix': {
      if (typeof raw.fixId !== 'string' || raw.fixId.length === 0 || raw.fixId.length > MAX_FIX_ID_LENGTH || !/^[a-z0-9-]+$/.test(raw.fixId))
        return fail('fixId must be a fix id such as copy-slots-from-reference');
      if (Object.keys(raw).length !== 2) return fail('unexpected fields');
      return { ok: true, message: { type: 'applyFix', fixId: raw.fixId } };
    }
    default:
      return fail('unknown message type');
  }
}
