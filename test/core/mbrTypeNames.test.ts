// Issue 14 item 5: every MBR partition type that sfdisk names has a name here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mbrTypeName } from '../../src/core/partitionTypes';

const listing = spawnSync('sfdisk', ['-T', '--label', 'dos'], { encoding: 'utf8' });

test('every type in `sfdisk -T --label dos` has a name', { skip: listing.status === 0 ? false : 'sfdisk not installed' }, () => {
  const types = listing.stdout
    .split('\n')
    .map((line) => /^\s*([0-9a-f]+)\s+(\S.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ type: parseInt(m[1]!, 16), name: m[2]!.trim() }))
    .filter((t) => t.type !== 0);
  assert.ok(types.length > 90, `sfdisk listed ${types.length} types`);
  const missing = types.filter((t) => mbrTypeName(t.type) === null);
  assert.deepEqual(missing, []);
  // Where we kept no name of our own, the name is sfdisk's.
  assert.equal(mbrTypeName(0xa9), 'NetBSD');
  assert.equal(mbrTypeName(0xbf), types.find((t) => t.type === 0xbf)!.name);
});
