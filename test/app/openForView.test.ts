// The one "open, parse or fall back to plain hex" of the editor and the
// comparison: a disk, a file with no partition table, one too small to be a
// disk, an empty file, a missing path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openForView, problemBanner, problemText } from '../../src/app/openForView';
import { tempDir, writeEsxi5Image } from '../builders/images';

const dir = tempDir('diskx-open-for-view-');

test('a disk image opens parsed, with no problem', async () => {
  const disk = writeEsxi5Image(path.join(dir, 'esxi.img'), { compacted: true });
  const view = await openForView(disk);
  try {
    assert.equal(view.kind, 'raw');
    assert.equal(view.model?.scheme, 'gpt');
    assert.equal(view.problem, null);
    assert.ok(view.opened);
  } finally {
    await view.source.close();
  }
});

test('files that are no disk image still open, as plain bytes with the reason', async () => {
  const text = path.join(dir, 'notes.img');
  fs.writeFileSync(text, 'x'.repeat(64 * 1024));
  const noTable = await openForView(text);
  assert.deepEqual(noTable.problem, { stage: 'no-table' });
  assert.equal(noTable.model?.scheme, 'none');
  assert.equal(problemText(noTable.problem!), 'no MBR boot signature and no GPT header');
  assert.match(problemBanner(noTable.problem!), /does not look like a disk image/);
  await noTable.source.close();

  const tiny = path.join(dir, 'tiny.img');
  fs.writeFileSync(tiny, 'abc');
  const small = await openForView(tiny);
  assert.equal(small.kind, 'plain');
  assert.equal(small.model, null);
  assert.equal(small.problem?.stage, 'parse');
  assert.equal(small.source.size, 3);
  assert.match(problemBanner(small.problem!), /^Not a disk image: this file .*too small/);
  await small.source.close();

  const empty = path.join(dir, 'empty.img');
  fs.writeFileSync(empty, '');
  const none = await openForView(empty);
  assert.equal(none.kind, 'plain');
  assert.equal(none.opened, null);
  assert.equal(none.problem?.stage, 'open');
  assert.match(problemBanner(none.problem!), /^Not opened as a disk image: this file is empty/);
  await none.source.close();

  await assert.rejects(openForView(path.join(dir, 'missing.img')), /ENOENT|no such file/i);
});
