// Every message from the comparison webview is checked before the host acts on
// it, as any untrusted input: shapes, the side named, ranges inside that side's
// image, request ids, fix ids, and no stray fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFromCompareWebview } from '../../src/app/compareMessageValidation';
import { MAX_READ_LENGTH as MAX_COMPARE_READ } from '../../src/shared/protocol/compare';

const sizes = { a: 4096, b: 8192 };
const ok = (raw: unknown) => {
  const result = validateFromCompareWebview(raw, sizes);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.ok ? result.message : null;
};
const bad = (raw: unknown, reason: RegExp) => {
  const result = validateFromCompareWebview(raw, sizes);
  assert.equal(result.ok, false, JSON.stringify(raw));
  if (!result.ok) assert.match(result.reason, reason);
};

test('the messages without fields', () => {
  for (const type of ['ready', 'startScan', 'cancelScan', 'refresh', 'swap']) assert.deepEqual(ok({ type }), { type });
  bad({ type: 'startScan', force: true }, /unexpected fields/);
});

test('readRange: side, request id, range inside that side', () => {
  assert.deepEqual(ok({ type: 'readRange', requestId: 1, side: 'b', offset: 4096, length: 4096 }), {
    type: 'readRange',
    requestId: 1,
    side: 'b',
    offset: 4096,
    length: 4096,
  });
  bad({ type: 'readRange', requestId: 1, side: 'a', offset: 4096, length: 1 }, /past the end of image A/);
  bad({ type: 'readRange', requestId: 1, side: 'a', offset: 4097, length: 1 }, /offset/);
  bad({ type: 'readRange', requestId: 1, side: 'c', offset: 0, length: 1 }, /side/);
  bad({ type: 'readRange', requestId: 1, side: 'a', offset: 0, length: 0 }, /length/);
  bad({ type: 'readRange', requestId: 1, side: 'b', offset: 0, length: MAX_COMPARE_READ + 1 }, /length/);
  bad({ type: 'readRange', requestId: -1, side: 'a', offset: 0, length: 1 }, /requestId/);
  bad({ type: 'readRange', requestId: 2 ** 31, side: 'a', offset: 0, length: 1 }, /requestId/);
  bad({ type: 'readRange', requestId: 1, side: 'a', offset: 1.5, length: 1 }, /offset/);
  bad({ type: 'readRange', requestId: 1, side: 'a', offset: '0', length: 1 }, /offset/);
});

test('applyFix: a fix id, nothing else', () => {
  assert.deepEqual(ok({ type: 'applyFix', fixId: 'copy-slots-from-reference' }), { type: 'applyFix', fixId: 'copy-slots-from-reference' });
  bad({ type: 'applyFix' }, /fixId/);
  bad({ type: 'applyFix', fixId: 'x'.repeat(65) }, /fixId/);
  bad({ type: 'applyFix', fixId: 'Copy Slots' }, /fixId/);
  bad({ type: 'applyFix', fixId: 'copy-slots-from-reference', patches: [] }, /unexpected fields/);
});

test('not messages at all', () => {
  for (const raw of [null, undefined, 3, 'ready', [], [{ type: 'ready' }], { type: 7 }, {}]) bad(raw, /not a message object/);
  bad({ type: 'readFile', path: '/etc/passwd' }, /unknown message type/);
  bad({ type: 'x'.repeat(10_000) }, /^x{40}: unknown/);
});
