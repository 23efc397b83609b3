import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzeImage } from '../src/core/index';
import { tempDir, writeEsxi5Image } from './builders/images';

test('the seed case: a compacted ESXi 5 array is flagged with restore-esxi-slots', async () => {
  const dir = tempDir();
  const image = writeEsxi5Image(path.join(dir, 'esxi-compacted.img'), { compacted: true });
  const { opened, disk, findings } = await analyzeImage(image);
  await opened.source.close();
  assert.equal(disk.esxi?.profile, 'esxi-5');
  const compacted = findings.find((f) => f.code === 'esxi-slot-compacted');
  assert.ok(compacted, JSON.stringify(findings));
  assert.deepEqual(compacted.fixes, ['restore-esxi-slots']);
  assert.match(compacted.message, /bootbank is in slot 3 \(partition 4\) but belongs in slot 4 \(partition 5\)/);
});

test('the healthy ESXi 5 layout gives no error or warning', async () => {
  const dir = tempDir();
  const image = writeEsxi5Image(path.join(dir, 'esxi.img'));
  const { opened, findings } = await analyzeImage(image);
  await opened.source.close();
  assert.deepEqual(
    findings.filter((f) => f.severity !== 'info'),
    [],
  );
  assert.deepEqual(findings.map((f) => f.code).sort(), ['esxi-layout', 'slot-gap']);
});
