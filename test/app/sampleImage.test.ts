// The walkthrough's sample: the compacted ESXi 5.0 disk `npm start` makes,
// written sparse, never over an existing file, and read by diskx as the case it
// is (esxi-slot-compacted with the restore-esxi-slots fix); sgdisk agrees the
// GPT itself is consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createSampleImage, SAMPLE_NAME } from '../../src/app/sampleImage';
import { analyzeImage } from '../../src/core/index';
import { tempDir } from '../builders/images';

test('createSampleImage writes the compacted ESXi 5.0 disk sparse, then numbered names, never replacing a file', async () => {
  const folder = tempDir('diskx-sample-');
  const first = createSampleImage(folder);
  assert.equal(path.basename(first), SAMPLE_NAME);
  const stat = fs.statSync(first);
  assert.equal(stat.size, 8 * 1024 ** 3);
  assert.ok(stat.blocks * 512 < 1024 * 1024, `sparse: ${stat.blocks * 512} bytes allocated`);
  const { opened, findings } = await analyzeImage(first);
  await opened.source.close();
  const compacted = findings.find((f) => f.code === 'esxi-slot-compacted');
  assert.ok(compacted, findings.map((f) => f.code).join(', '));
  assert.deepEqual(compacted.fixes, ['restore-esxi-slots']);
  // A file the user already has under the name is kept byte for byte.
  fs.writeFileSync(path.join(folder, 'esxi5-compacted-2.img'), 'mine');
  const third = createSampleImage(folder);
  assert.equal(path.basename(third), 'esxi5-compacted-3.img');
  assert.equal(fs.readFileSync(path.join(folder, 'esxi5-compacted-2.img'), 'utf8'), 'mine');
  assert.equal(fs.statSync(first).size, 8 * 1024 ** 3);
  const sgdisk = spawnSync('sgdisk', ['-v', first], { encoding: 'utf8' });
  if (!sgdisk.error) assert.match(sgdisk.stdout, /No problems found/, sgdisk.stdout);
});
