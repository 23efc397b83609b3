// Copy As texts: hex, a C array that a C compiler reads back to the same bytes,
// base64 as Node decodes it, and UTF-8 text without NUL bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatCopy } from '../../src/app/copyFormats';
import { tempDir } from '../builders/images';

const bytes = new Uint8Array(Array.from({ length: 30 }, (_, i) => (i * 37 + 5) & 0xff));

test('hex and base64', () => {
  assert.equal(formatCopy(new Uint8Array([0x45, 0x46, 0x00, 0xff]), 'hex'), '45 46 00 ff');
  assert.deepEqual(Buffer.from(formatCopy(bytes, 'base64'), 'base64'), Buffer.from(bytes));
});

test('text: UTF-8, invalid sequences as U+FFFD, NUL bytes left out', () => {
  assert.equal(formatCopy(new Uint8Array(Buffer.from('EFI\0 パーティション')), 'text'), 'EFI パーティション');
  assert.equal(formatCopy(new Uint8Array([0x61, 0xff, 0x62]), 'text'), 'a\ufffdb');
});

test('the C array compiles (cc) and prints back the same bytes', (t) => {
  const text = formatCopy(bytes, 'c');
  assert.match(text, /^const unsigned char data\[30\] = \{\n( {2}(0x[0-9a-f]{2}, )*0x[0-9a-f]{2},\n){3}\};$/);
  let cc: string;
  try {
    cc = execFileSync('sh', ['-c', 'command -v cc || command -v gcc'], { encoding: 'utf8' }).trim();
  } catch {
    t.skip('no C compiler');
    return;
  }
  const dir = tempDir('diskx-copy-c-');
  const source = path.join(dir, 'copy.c');
  fs.writeFileSync(source, `#include <stdio.h>\n${text}\nint main(void) { for (unsigned i = 0; i < sizeof data; i++) printf("%02x", data[i]); return 0; }\n`);
  execFileSync(cc, ['-std=c99', '-Wall', '-Werror', '-o', path.join(dir, 'copy'), source]);
  assert.equal(execFileSync(path.join(dir, 'copy'), { encoding: 'utf8' }), Buffer.from(bytes).toString('hex'));
});
