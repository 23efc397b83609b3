// Text from the image or the user never drives the terminal: partition names
// with ESC]0;...BEL (retitle), ESC[2J (clear), a C1 CSI (U+009B), a bidi
// override and a newline are printed as visible escapes; --json escapes every
// control character and still parses back to the exact name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { diskx } from './fixTestHelpers';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b1m\u202egpj.exe\nerror fake';
// Raw controls that must never reach the terminal (newline allowed only as our own line break).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function image(dir: string): string {
  return writeGptImage(path.join(dir, 'hostile.img'), {
    sectorSize: 512,
    totalSectors: 4096n,
    diskGuid: testGuid(0xabc),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 34n, lastLba: 2047n, name: HOSTILE }],
  });
}

test('inspect: a hostile partition name is shown with visible escapes, on its own line', async () => {
  const dir = tempDir();
  const run = await diskx(['inspect', image(dir)]);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, RAW);
  assert.ok(run.stdout.includes('\\x1b]0;pwned\\x07\\x1b[2J\\x9b1m\\u202egpj.exe\\x0aerror fake'), run.stdout);
  assert.ok(!run.stdout.split('\n').some((l) => l.startsWith('error fake')), 'the newline in the name does not start a line');
});

test('inspect --json: every control character escaped, the name parses back exactly', async () => {
  const dir = tempDir();
  const run = await diskx(['inspect', '--json', image(dir)]);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout.replace(/\n/g, ''), RAW);
  assert.ok(run.stdout.includes('\\u009b') && run.stdout.includes('\\u202e') && run.stdout.includes('\\u001b'), run.stdout);
  const doc = JSON.parse(run.stdout) as { partitions: { name: string }[] };
  assert.equal(doc.partitions[0]!.name, HOSTILE);
});

test('an error line naming a hostile path is one line with visible escapes', async () => {
  const dir = tempDir();
  const run = await diskx(['check', path.join(dir, 'no\u001b[2Jsuch\u009b\n.img')]);
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stderr.replace(/\n$/, ''), RAW);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /^diskx: .*no\\x1b\[2Jsuch\\x9b\\x0a\.img: /);
});
