// The shared protocol helpers: request ids that pair replies with requests, the
// request id of a rejected message, and the one HTML escape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REQUEST_ID, PendingRequests, requestIdOf } from '../../src/shared/protocol/common';
import { escapeHtml } from '../../src/shared/html';

test('PendingRequests: fresh ids, each reply settles its request once, clear forgets them all', () => {
  const pending = new PendingRequests<{ offset: number }>();
  const first = pending.issue({ offset: 0 });
  const second = pending.issue({ offset: 4096 });
  assert.notEqual(first, second);
  assert.equal(pending.size, 2);
  assert.deepEqual(pending.settle(second), { offset: 4096 });
  assert.equal(pending.settle(second), undefined, 'a second reply to the same id is stale');
  assert.equal(pending.settle(null), undefined);
  assert.ok(pending.has(first));
  pending.clear();
  assert.equal(pending.settle(first), undefined);
  assert.equal(pending.size, 0);
});

test('PendingRequests: ids stay positive 31-bit integers, wrapping instead of growing', () => {
  const pending = new PendingRequests<number>();
  (pending as unknown as { nextId: number }).nextId = MAX_REQUEST_ID;
  assert.equal(pending.issue(1), MAX_REQUEST_ID);
  assert.equal(pending.issue(2), 1);
});

test('requestIdOf takes a safe integer id from anything, else null', () => {
  assert.equal(requestIdOf({ type: 'readRange', requestId: 7 }), 7);
  assert.equal(requestIdOf({ requestId: '7' }), null);
  assert.equal(requestIdOf({ requestId: 1.5 }), null);
  assert.equal(requestIdOf(null), null);
  assert.equal(requestIdOf('x'), null);
});

test('escapeHtml turns every markup character into a character reference', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
});
