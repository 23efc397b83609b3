// The host treats every webview message as untrusted input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFromWebview } from '../../src/app/messageValidation';
import { MAX_CRC_LENGTH, MAX_READ_LENGTH } from '../../src/shared/protocol/editor';

const SIZE = 1024 * 1024;

test('well-formed messages pass and are copied field by field', () => {
  assert.deepEqual(validateFromWebview({ type: 'ready' }, SIZE), { ok: true, message: { type: 'ready' } });
  const read = validateFromWebview({ type: 'readRange', requestId: 7, offset: 512, length: 4096, extra: 'dropped' }, SIZE);
  assert.deepEqual(read, { ok: true, message: { type: 'readRange', requestId: 7, offset: 512, length: 4096 } });
  assert.equal(validateFromWebview({ type: 'crcRange', requestId: 1, offset: 0, length: SIZE }, SIZE).ok, true);
  assert.equal(validateFromWebview({ type: 'copyHex', offset: SIZE - 1, length: 1 }, SIZE).ok, true);
  assert.deepEqual(validateFromWebview({ type: 'copyHex', offset: 0, length: 1, format: 'base64' }, SIZE), {
    ok: true,
    message: { type: 'copyHex', offset: 0, length: 1, format: 'base64' },
  });
  assert.equal(validateFromWebview({ type: 'selection', offset: SIZE, length: 0 }, SIZE).ok, true);
});

test('reads are bounded in length and must lie inside the image', () => {
  const bad = [
    { type: 'readRange', requestId: 1, offset: 0, length: MAX_READ_LENGTH + 1 },
    { type: 'readRange', requestId: 1, offset: 0, length: 0 },
    { type: 'readRange', requestId: 1, offset: SIZE - 10, length: 11 },
    { type: 'readRange', requestId: 1, offset: -1, length: 1 },
    { type: 'readRange', requestId: 1, offset: 1.5, length: 1 },
    { type: 'readRange', requestId: 1, offset: '0', length: 1 },
    { type: 'readRange', requestId: 1, offset: Number.NaN, length: 1 },
    { type: 'readRange', requestId: 1, offset: 2 ** 60, length: 1 },
    { type: 'readRange', requestId: -1, offset: 0, length: 1 },
    { type: 'readRange', offset: 0, length: 1 },
    { type: 'crcRange', requestId: 1, offset: 0, length: MAX_CRC_LENGTH + 1 },
    { type: 'copyHex', offset: 0, length: SIZE + 1 },
    { type: 'copyHex', offset: 0, length: 1, format: 'rtf' },
    { type: 'copyHex', offset: 0, length: 1, format: 1 },
    { type: 'selection', offset: SIZE, length: 1 },
  ];
  for (const message of bad) {
    const result = validateFromWebview(message, SIZE);
    assert.equal(result.ok, false, JSON.stringify(message));
  }
});

test('anything that is not a known message is rejected with a reason', () => {
  for (const raw of [null, undefined, 42, 'ready', [], {}, { type: 7 }, { type: 'writeBytes', offset: 0 }, { type: '__proto__' }]) {
    const result = validateFromWebview(raw, SIZE);
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(result.reason.length > 0);
  }
});

test('fix messages carry only a known fix id; bytes or other fields never pass through', () => {
  for (const type of ['previewFix', 'applyFix'] as const) {
    const good = validateFromWebview({ type, fixId: 'restore-esxi-slots', patches: [{ offset: 0, after: [1] }], bytes: 'ff' }, SIZE);
    assert.deepEqual(good, { ok: true, message: { type, fixId: 'restore-esxi-slots' } }, 'copied field by field');
    for (const fixId of [undefined, 42, '', 'format-disk', 'restore-esxi-slots ', '__proto__', ['recompute-crcs']]) {
      const result = validateFromWebview({ type, fixId }, SIZE);
      assert.equal(result.ok, false, `${type} ${JSON.stringify(fixId)}`);
    }
  }
});
