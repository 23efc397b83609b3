// Container byte sources against qemu-img: the virtual bytes we read equal
// `qemu-img convert -O raw` (whole disk and reads across every kind of block
// boundary), partitions and findings equal the raw image's, `inspect --json`
// describes the container; qcow2 backing chains, snapshots, compression,
// encryption; hostile tables give one clear error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { convertRaw, haveQemuImg, qemuToRaw } from '../builders/containers';
import type { ContainerKind } from '../builders/containers';
import { containerTestDisk, readAll } from '../builders/containerDisks';
import { openImage } from '../../src/core/io/openImage';
import { NotADiskImageError, UnsupportedImageError } from '../../src/core/errors';

const dir = tempDir('diskx-containers-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const RAW = containerTestDisk(path.join(dir, 'disk.img'));

const READABLE: ContainerKind[] = [
  { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' },
  { format: 'qcow2', suffix: '-v2-4k.qcow2', qemuFormat: 'qcow2', options: 'compat=0.10,cluster_size=4096' },
  { format: 'qcow2', suffix: '-512.qcow2', qemuFormat: 'qcow2', options: 'cluster_size=512' },
  { format: 'vhd-fixed', suffix: '-fixed.vhd', qemuFormat: 'vpc', options: 'subformat=fixed,force_size=on' },
  { format: 'vhd-dynamic', suffix: '-dynamic.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' },
  { format: 'vhd-dynamic', suffix: '-chs.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic' },
  { format: 'vmdk-sparse', suffix: '-mono.vmdk', qemuFormat: 'vmdk', options: 'subformat=monolithicSparse' },
  { format: 'vmdk-sparse', suffix: '-split.vmdk', qemuFormat: 'vmdk', options: 'subformat=twoGbMaxExtentSparse' },
  { format: 'vmdk-stream', suffix: '-stream.vmdk', qemuFormat: 'vmdk', options: 'subformat=streamOptimized' },
  { format: 'vdi', suffix: '-dynamic.vdi', qemuFormat: 'vdi' },
  { format: 'vdi', suffix: '-static.vdi', qemuFormat: 'vdi', options: 'static=on' },
  { format: 'vhdx', suffix: '.vhdx', qemuFormat: 'vhdx' },
  { format: 'vhdx', suffix: '-4k.vhdx', qemuFormat: 'vhdx', options: 'log_size=1048576,block_size=1048576' },
];

async function jsonOf(args: string[]): Promise<Record<string, unknown>> {
  const run = await runCli([...args, '--json']);
  assert.ok(run.status === 0 || run.status === 1, `${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Odd reads that straddle cluster/block boundaries of every size we build (512 B .. 2 MiB). */
const STRADDLES = [
  [0, 512],
  [511, 2],
  [4095, 4099],
  [65535, 3],
  [65536 - 700, 70000],
  [2 * 1024 * 1024 - 5, 10],
  [3 * 1024 * 1024 + 17, 1024 * 1024],
] as const;

describe('containers read as their virtual disk, byte for byte as qemu-img converts them', { skip }, () => {
  for (const kind of READABLE) {
    test(`${kind.format} (${kind.options ?? 'defaults'})`, async () => {
      const file = convertRaw(RAW, kind, path.join(dir, `disk${kind.suffix}`));
      const oracle = qemuToRaw(file, path.join(dir, `oracle${kind.suffix}.raw`), kind.qemuFormat);
      const opened = await openImage(file);
      try {
        assert.equal(opened.kind, 'container');
        assert.equal(opened.container.format, kind.format);
        assert.equal(opened.source.size, oracle.length, 'virtual size from the container, not the file length');
        assert.ok(Buffer.from(await readAll(opened.source)).equals(oracle), 'every virtual byte equals qemu-img convert -O raw');
        for (const [offset, length] of STRADDLES) {
          if (offset + length > oracle.length) continue;
          assert.ok(Buffer.from(await opened.source.read(offset, length)).equals(oracle.subarray(offset, offset + length)), `read(${offset}, ${length})`);
        }
      } finally {
        await opened.source.close();
      }
      const [ours, raw] = await Promise.all([jsonOf(['inspect', file]), jsonOf(['inspect', RAW])]);
      assert.equal((ours.container as { format: string }).format, kind.format);
      assert.equal((ours.container as { virtualSize: number }).virtualSize, oracle.length);
      if (oracle.length === fs.statSync(RAW).size) {
        assert.deepEqual(ours.partitions, raw.partitions);
        const [checkOurs, checkRaw] = await Promise.all([jsonOf(['check', file]), jsonOf(['check', RAW])]);
        const codes = (doc: Record<string, unknown>) => (doc.findings as { code: string; offset: number }[]).map((f) => `${f.code}@${f.offset}`);
        assert.deepEqual(codes(checkOurs), codes(checkRaw));
      }
    });
  }

  test('a zlib-compressed qcow2 (qemu-img convert -c) reads the same bytes', async () => {
    const file = path.join(dir, 'compressed.qcow2');
    execFileSync('qemu-img', ['convert', '-c', '-f', 'raw', '-O', 'qcow2', RAW, file]);
    const opened = await openImage(file);
    try {
      assert.ok(Buffer.from(await readAll(opened.source)).equals(fs.readFileSync(RAW)));
    } finally {
      await opened.source.close();
    }
  });
});

describe('qcow2 backing chains, snapshots and encryption', { skip }, () => {
  test('a child over a qcow2 base over a raw file: unallocated clusters read from the parents', async () => {
    const base = path.join(dir, 'chain-base.qcow2');
    const mid = path.join(dir, 'chain-mid.qcow2');
    const child = path.join(dir, 'chain-child.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(RAW), '-F', 'raw', base]);
    execFileSync('qemu-io', ['-c', 'write -P 0xa5 1048576 65536', base], { stdio: 'ignore' });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(base), '-F', 'qcow2', mid]);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(mid), '-F', 'qcow2', child]);
    execFileSync('qemu-io', ['-c', 'write -P 0x5a 1081344 4096', '-c', 'write -P 0x11 3145728 512', child], { stdio: 'ignore' });
    const oracle = qemuToRaw(child, path.join(dir, 'chain.raw'));
    const opened = await openImage(child);
    try {
      assert.ok(Buffer.from(await readAll(opened.source)).equals(oracle));
      assert.equal(opened.container.parent?.format, 'qcow2');
      assert.equal(opened.container.parent?.parent?.parent?.format, 'raw');
      assert.deepEqual(
        opened.dataFiles,
        [child, mid, base, RAW].map((f) => fs.realpathSync(f)).map((f, i) => (i === 0 ? child : f)),
      );
    } finally {
      await opened.source.close();
    }
    const doc = await jsonOf(['inspect', child]);
    assert.equal((doc.container as { parent: { path: string } }).parent.path, mid);
  });

  test('a backing file that is missing, or a chain that loops: one clear line, exit 2', async () => {
    const orphan = path.join(dir, 'orphan.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'gone.qcow2', '-F', 'qcow2', orphan, '4M']);
    await assert.rejects(openImage(orphan), (e: unknown) => e instanceof NotADiskImageError && /gone\.qcow2 .*does not exist/.test(e.message));
    const a = path.join(dir, 'loop-a.qcow2');
    const b = path.join(dir, 'loop-b.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', a, '4M']);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-a.qcow2', '-F', 'qcow2', b, '4M']);
    execFileSync('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-b', 'loop-b.qcow2', '-F', 'qcow2', a]);
    await assert.rejects(openImage(a), (e: unknown) => e instanceof NotADiskImageError && /loops/.test(e.message));
    const run = await runCli(['check', b]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^diskx: .*loop-b\.qcow2: the chain of parents loops: [^\n]+\n$/);
  });

  test('internal snapshots are listed', async () => {
    const file = convertRaw(RAW, READABLE[0]!, path.join(dir, 'snap.qcow2'));
    execFileSync('qemu-img', ['snapshot', '-c', 'before-repair', file]);
    execFileSync('qemu-img', ['snapshot', '-c', 'second', file]);
    const doc = await jsonOf(['inspect', file]);
    const snapshots = (doc.container as { snapshots: { id: string; name: string }[] }).snapshots;
    assert.deepEqual(
      snapshots.map((s) => s.name),
      ['before-repair', 'second'],
    );
    assert.deepEqual(
      snapshots.map((s) => s.id),
      ['1', '2'],
    );
  });

  test('an encrypted qcow2 (AES or LUKS in crypt_method) is refused with a clear error', async () => {
    // The header's crypt_method (u32 at byte 32) set on a plain image: what we refuse is the header,
    // and a real LUKS image costs seconds of key stretching to make.
    for (const [method, name] of [
      [1, 'AES-CBC'],
      [2, 'LUKS'],
    ] as const) {
      const file = convertRaw(RAW, READABLE[0]!, path.join(dir, `crypt-${method}.qcow2`));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(method);
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, header, 0, 4, 32);
      fs.closeSync(fd);
      await assert.rejects(openImage(file), (e: unknown) => e instanceof UnsupportedImageError && e.message.includes(`encrypted qcow2 image (${name})`));
    }
  });
});
