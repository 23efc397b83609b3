// Issue 14 item 5: an Apple Partition Map and a Sun label in the structure
// tree: the label's fields with their byte ranges and hex spans, each
// partition node pointing at its map entry or label slot, findings attached.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { analyzeFile, flipByte } from '../builders/oracles';
import { haveTools } from '../builders/volumes';
import { partedImage } from '../builders/labels';
import { buildStructureTree, statusText } from '../../src/app/structureTree';
import { findNode } from '../builders/tree';

const skip = haveTools('parted') ? false : 'needs parted';

describe('labels in the structure tree', { skip }, () => {
  const dir = tempDir('diskx-label-tree-');

  test('APM: driver descriptor and map entries with fields; partition nodes point at their entries', async () => {
    const image = partedImage(path.join(dir, 'mac.img'), 131072, 'mac', [['boot', '2048s', '20479s']]);
    const { disk, findings } = await analyzeFile(image);
    const { tree, spans } = buildStructureTree(disk, findings);
    const label = findNode(tree, 'label-0')!;
    assert.equal(label.label, 'Apple Partition Map');
    const blockSize = findNode(tree, 'label-0.driverDescriptor.driverDescriptor.blockSize')!;
    assert.equal(blockSize.value, '512');
    assert.equal(blockSize.offset, 2);
    assert.equal(blockSize.length, 2);
    const start = findNode(tree, 'label-0.entry2.entry.startBlock')!;
    assert.equal(start.value, '2048');
    assert.equal(start.offset, 1024 + 8);
    assert.ok(spans.some((s) => s.offset === 1024 + 8 && s.length === 4));
    const partition = findNode(tree, 'partition-2')!;
    assert.equal(partition.offset, 1024);
    assert.match(partition.value!, /Unix file system/);
    assert.match(findNode(tree, 'partitions')!.description!, /APM label/);
    assert.equal(statusText({ scheme: 'apm', sectorSize: 512, profile: null } as never), 'APM · 512 B');
  });

  test('Sun: a bad checksum is attached to the label checksum field', async () => {
    const image = partedImage(path.join(dir, 'sun.img'), 131072, 'sun', [['ext2', '4096s', '20479s']]);
    flipByte(image, 10);
    const { disk, findings } = await analyzeFile(image);
    const { tree, findings: views } = buildStructureTree(disk, findings);
    assert.equal(views[0]?.code, 'sun-label-checksum');
    assert.equal(views[0]?.nodeId, 'label-0.sunLabel.checksum');
    assert.match(findNode(tree, 'label-0')!.description!, /checksum BAD/);
    const p1 = findNode(tree, 'partition-1')!;
    assert.equal(p1.offset, 444, 'the slot of partition 1 in the label (start cylinder at 444)');
    assert.equal(p1.length, 8);
  });
});
