// Container files whose tables give the same file bytes to two owners (two
// entries to one block, a block over the table itself): `check` reports a
// `container-overlapping-blocks` finding located in the container file, and a
// repair is refused before anything is written. A VHDX with a log to replay
// gives `container-log-not-replayed`. Images made by qemu-img, then damaged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { convertRaw, haveQemuImg } from '../builders/containers';
import type { ContainerKind } from '../builders/containers';
import { containerTestDisk } from '../builders/containerDisks';
import { crc32c } from '../../src/core/crc32c';
import { FileLayout, layoutRefusal } from '../../src/core/io/containerLayout';

const dir = tempDir('diskx-container-layout-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const RAW = containerTestDisk(path.join(dir, 'disk.img'), { damage: true });

interface CheckDoc {
  findings: { code: string; severity: string; offset: number; length: number; message: string; file?: { path: string; offset: number; length: number } }[];
}

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

function read(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  const out = Buffer.alloc(length);
  fs.readSync(fd, out, 0, length, offset);
  fs.closeSync(fd);
  return out;
}

/** Checks `file`: the overlap finding names the file and the bytes, a repair is refused and writes nothing. */
async function expectOverlap(file: string, owner: RegExp): Promise<void> {
  const check = await runCli(['check', file, '--json']);
  assert.equal(check.status, 1, check.stderr);
  const finding = (JSON.parse(check.stdout) as CheckDoc).findings.find((f) => f.code === 'container-overlapping-blocks');
  assert.ok(finding, check.stdout);
  assert.equal(finding.severity, 'error');
  assert.deepEqual([finding.offset, finding.length], [0, 0], 'no virtual offset is claimed');
  assert.equal(finding.file?.path, file);
  assert.ok(finding.file.length > 0);
  assert.match(finding.message, owner);
  const text = await runCli(['check', file]);
  assert.match(
    text.stdout,
    new RegExp(`container-overlapping-blocks  in \\S+ at file byte 0x${finding.file.offset.toString(16).toUpperCase()} \\(\\+${finding.file.length}\\)`),
  );
  const before = fs.readFileSync(file);
  const fix = await runCli(['fix', file, '--fix', 'recompute-crcs', '--write']);
  assert.equal(fix.status, 1, fix.stdout + fix.stderr);
  assert.match(fix.stdout + fix.stderr, /its tables are inconsistent: .* share file bytes/);
  assert.ok(fs.readFileSync(file).equals(before), 'nothing written');
}

const kinds: Record<string, ContainerKind> = {
  vhd: { format: 'vhd-dynamic', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' },
  qcow2: { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' },
  vdi: { format: 'vdi', suffix: '.vdi', qemuFormat: 'vdi' },
  vmdk: { format: 'vmdk-sparse', suffix: '.vmdk', qemuFormat: 'vmdk', options: 'subformat=monolithicSparse' },
  vhdx: { format: 'vhdx', suffix: '.vhdx', qemuFormat: 'vhdx', options: 'block_size=1048576' },
};

function make(name: string, kind: ContainerKind): string {
  return convertRaw(RAW, kind, path.join(dir, `${name}${kind.suffix}`));
}

describe('overlapping table entries are found and block every write', { skip }, () => {
  test('a clean image has no container finding and repairs as before', async () => {
    for (const kind of Object.values(kinds)) {
      const file = make(`clean-${kind.qemuFormat}`, kind);
      const doc = JSON.parse((await runCli(['check', file, '--json'])).stdout) as CheckDoc;
      assert.deepEqual(
        doc.findings.filter((f) => f.code.startsWith('container-')),
        [],
        kind.format,
      );
    }
  });

  test('VHD: two BAT entries to one block; a BAT entry pointing at the BAT', async () => {
    const twice = make('vhd-twice', kinds.vhd!);
    const table = Number(read(twice, 512 + 16, 8).readBigUInt64BE());
    patch(twice, table + 4 * 2, read(twice, table + 4, 4)); // block 2 -> block 1's sectors
    await expectOverlap(twice, /virtual block 1 \(file bytes \d+\.\.\d+\) and virtual block 2/);
    const overTable = make('vhd-over-bat', kinds.vhd!);
    const bat = Buffer.alloc(4);
    bat.writeUInt32BE(Math.floor(table / 512));
    patch(overTable, table + 4 * 1, bat);
    await expectOverlap(overTable, /the BAT \(file bytes/);
  });

  test('qcow2: two L2 entries to one cluster', async () => {
    const file = make('qcow2-twice', kinds.qcow2!);
    const l1 = Number(read(file, 40, 8).readBigUInt64BE());
    const l2 = Number(read(file, l1, 8).readBigUInt64BE() & 0x00ff_ffff_ffff_fe00n);
    const entries = read(file, l2, 65536);
    const used = [...Array(8192).keys()].filter((i) => entries.readBigUInt64BE(i * 8) !== 0n);
    assert.ok(used.length >= 2);
    patch(file, l2 + used[1]! * 8, entries.subarray(used[0]! * 8, used[0]! * 8 + 8));
    await expectOverlap(file, new RegExp(`virtual cluster ${used[0]} .* and virtual cluster ${used[1]}`));
  });

  test('VDI: two block map entries to one block', async () => {
    const file = make('vdi-twice', kinds.vdi!);
    const map = read(file, 0x154, 4).readUInt32LE(); // offsetBlocks (VDI header 1.1)
    const entries = read(file, map, 8 * 4);
    const used = [...Array(8).keys()].filter((i) => entries.readUInt32LE(i * 4) < 0xfffffffe);
    patch(file, map + used[1]! * 4, entries.subarray(used[0]! * 4, used[0]! * 4 + 4));
    await expectOverlap(file, new RegExp(`virtual block ${used[0]} .* and virtual block ${used[1]}`));
  });

  test('sparse VMDK: two grain table entries to one grain', async () => {
    const file = make('vmdk-twice', kinds.vmdk!);
    const gd = Number(read(file, 56, 8).readBigUInt64LE()) * 512;
    const gt = read(file, gd, 4).readUInt32LE() * 512;
    const entries = read(file, gt, 512 * 4);
    const used = [...Array(512).keys()].filter((i) => entries.readUInt32LE(i * 4) > 1);
    patch(file, gt + used[1]! * 4, entries.subarray(used[0]! * 4, used[0]! * 4 + 4));
    await expectOverlap(file, new RegExp(`virtual grain ${used[0]} .* and virtual grain ${used[1]}`));
  });

  test('VHDX: a log to replay is a container-log-not-replayed warning located at the log', async () => {
    const file = make('vhdx-log', kinds.vhdx!);
    let log: { offset: number; length: number } | null = null;
    for (const at of [64 * 1024, 128 * 1024]) {
      const header = read(file, at, 4096);
      header.fill(0x5a, 48, 64); // log GUID: not zero
      header.writeUInt32LE(0, 4);
      header.writeUInt32LE(crc32c(header), 4);
      patch(file, at, header);
      log = { offset: Number(header.readBigUInt64LE(72)), length: header.readUInt32LE(68) };
    }
    const check = await runCli(['check', file, '--json']);
    assert.equal(check.status, 1, check.stderr);
    const finding = (JSON.parse(check.stdout) as CheckDoc).findings.find((f) => f.code === 'container-log-not-replayed');
    assert.ok(finding, check.stdout);
    assert.equal(finding.severity, 'warning');
    assert.deepEqual(finding.file, { path: file, offset: log!.offset, length: log!.length });
    assert.match(finding.message, /log GUID 5A5A5A5A-5A5A-5A5A-5A5A-5A5A5A5A5A5A/);
    const inspect = JSON.parse((await runCli(['inspect', file, '--json'])).stdout) as { container: { readOnlyReason: string } };
    assert.match(inspect.container.readOnlyReason, /log is not empty/);
  });
});

describe('FileLayout', () => {
  test('overlaps: every pair counted, the first few listed; adjacent ranges are no overlap', () => {
    const layout = new FileLayout('x.vhd');
    layout.metadata('the BAT', 1024, 512);
    layout.block(0, 1536, 1024);
    layout.block(1, 2560, 1024); // adjacent to block 0
    layout.block(2, 2000, 100); // inside block 0
    layout.block(3, 1500, 30); // inside the BAT
    const { overlaps, total } = layout.overlaps();
    assert.equal(total, 2);
    assert.deepEqual(
      overlaps.map((o) => [o.first.split(' (')[0], o.second.split(' (')[0], o.fileOffset, o.length]),
      [
        ['the BAT', 'virtual block 3', 1500, 30],
        ['virtual block 0', 'virtual block 2', 2000, 100],
      ],
    );
    assert.match(layoutRefusal({ kind: 'checked', overlaps, total })!, /the BAT \(file bytes 1024\.\.1535\) and virtual block 3 .* \(2 such overlaps\)/);
    assert.equal(layoutRefusal({ kind: 'checked', overlaps: [], total: 0 }), null);
    assert.match(
      layoutRefusal({ kind: 'too-large', why: 'its BAT of 99 entries is larger than MAX_LAYOUT_SCAN_BYTES' })!,
      /could not check .* MAX_LAYOUT_SCAN_BYTES/,
    );
  });
});

describe('qcow2: one pass over the tables gives the layout check and the allocation figure', { skip }, () => {
  // qemu-img map lists the clusters the image itself holds (depth 0, data): their total is what we count as allocated.
  const qemuAllocated = (file: string): number =>
    (JSON.parse(execFileSync('qemu-img', ['map', '--output=json', file], { encoding: 'utf8' })) as { length: number; depth: number; data: boolean }[])
      .filter((m) => m.data && m.depth === 0)
      .reduce((sum, m) => sum + m.length, 0);
  for (const [label, args] of [
    ['64 KiB clusters (one L2 table)', []],
    ['512-byte clusters (256 L2 tables)', ['-o', 'cluster_size=512']],
    ['compressed clusters', ['-c']],
  ] as const) {
    test(`${label}: inspect's allocated equals qemu-img map, check finds no overlap`, async () => {
      const file = path.join(dir, `alloc-${label.replace(/\W+/g, '-')}.qcow2`);
      fs.rmSync(file, { force: true });
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', ...args, RAW, file]);
      const inspect = JSON.parse((await runCli(['inspect', file, '--json'])).stdout) as { container: { allocated: number } };
      assert.equal(inspect.container.allocated, qemuAllocated(file));
      const doc = JSON.parse((await runCli(['check', file, '--json'])).stdout) as CheckDoc;
      assert.deepEqual(
        doc.findings.filter((f) => f.code.startsWith('container-')),
        [],
      );
    });
  }
});
