// The structure tree of a disk stored in a container: a "Container" root first
// with the format, sizes, parent and the header/table fields, each naming its
// bytes in the container file; none of these nodes claims a virtual-disk byte
// range (offset 0, length 0) or a hex-view span. Container findings attach to it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { haveQemuImg } from '../builders/containers';
import { containerTestDisk } from '../builders/containerDisks';
import { DiskImageSession } from '../../src/app/diskImageSession';
import type { TreeNode } from '../../src/shared/protocol/editor';

const dir = tempDir('diskx-container-tree-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const RAW = containerTestDisk(path.join(dir, 'disk.img'));

function walk(nodes: TreeNode[], visit: (n: TreeNode) => void): void {
  for (const n of nodes) {
    visit(n);
    if (n.children) walk(n.children, visit);
  }
}

function find(nodes: TreeNode[], id: string): TreeNode | undefined {
  let hit: TreeNode | undefined;
  walk(nodes, (n) => {
    if (n.id === id) hit = n;
  });
  return hit;
}

describe('the container in the structure tree', { skip }, () => {
  test('a qcow2 over a raw backing file: format, sizes, parent and header fields in file bytes, no virtual ranges', async () => {
    const file = path.join(dir, 'child.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(RAW), '-F', 'raw', file]);
    const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
    try {
      const { tree, spans } = session.view;
      const root = tree[0]!;
      assert.equal(root.id, 'container');
      assert.equal(root.value, 'qcow2 v3');
      assert.equal(find(tree, 'container.virtual-size')?.value, `${8 * 1024 * 1024} bytes`);
      assert.equal(find(tree, 'container.parent')?.value, path.join(dir, 'disk.img'));
      const magic = find(tree, 'container.struct-0.magic')!;
      assert.match(magic.description!, /^file bytes 0x0-0x3 of child\.qcow2 \(not in the virtual disk\)$/);
      const l1 = find(tree, 'container.struct-0.l1TableOffset')!;
      assert.match(l1.value!, /^\d+ \(0x[0-9A-F]+\)$/);
      walk([root], (n) => assert.deepEqual([n.offset, n.length], [0, 0], `${n.id} claims no virtual bytes`));
      assert.ok(!spans.some((s) => s.nodeId.startsWith('container')), 'no hex-view span for container fields');
      assert.ok(
        tree.some((n) => n.id !== 'container' && n.length > 0),
        'the disk structures follow as before',
      );
    } finally {
      await session.close();
    }
  });

  test("a VHDX's Repairs node says writes go through the mapping after the header's new DataWriteGuid", async () => {
    const file = path.join(dir, 'disk.vhdx');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vhdx', RAW, file]);
    const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
    try {
      // The allocation figure as inspect gives it (8 MiB blocks: the one block of the 8 MiB disk).
      assert.equal(find(session.view.tree, 'container.allocated')?.value, '8.0 MiB');
      const repairs = find(session.view.tree, 'container.writes')!;
      assert.equal(repairs.value, 'through the mapping');
      assert.match(repairs.description!, /fully present blocks, after the header gets a new DataWriteGuid/);
    } finally {
      await session.close();
    }
  });

  test('a raw image has no container node', async () => {
    const session = await DiskImageSession.open(RAW, { journalDir: path.join(dir, 'journals') });
    try {
      assert.ok(!session.view.tree.some((n) => n.id === 'container'));
    } finally {
      await session.close();
    }
  });

  test('a container finding (two BAT entries to one block) is attached to the container node, with its file bytes', async () => {
    const file = path.join(dir, 'twice.vhd');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=dynamic,force_size=on', RAW, file]);
    const fd = fs.openSync(file, 'r+');
    const header = Buffer.alloc(8);
    fs.readSync(fd, header, 0, 8, 512 + 16);
    const table = Number(header.readBigUInt64BE());
    const entry = Buffer.alloc(4);
    fs.readSync(fd, entry, 0, 4, table + 4);
    fs.writeSync(fd, entry, 0, 4, table + 8);
    fs.closeSync(fd);
    const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
    try {
      const finding = session.view.findings.find((f) => f.code === 'container-overlapping-blocks');
      assert.ok(finding);
      assert.equal(finding.nodeId, 'container');
      assert.equal(finding.file?.path, file);
      assert.deepEqual(session.view.tree[0]!.findings, ['container-overlapping-blocks']);
    } finally {
      await session.close();
    }
  });
});
