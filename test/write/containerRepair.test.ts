// Repairs through containers: written through the container's own mapping into
// allocated, uncompressed, unshared data only; afterwards `qemu-img check` passes
// and `qemu-img convert -O raw` equals the raw image repaired by us; the journal
// records the virtual offsets and the file ranges; undo goes the same way. Where
// a patched sector is not plain allocated data the fix is refused with the reason
// and the conversion, and nothing is written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { convertRaw, haveQemuImg, qemuCheck, qemuToRaw } from '../builders/containers';
import type { ContainerKind } from '../builders/containers';
import { CONTAINER_DISK_BYTES, containerTestDisk } from '../builders/containerDisks';

const dir = tempDir('diskx-container-fix-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const QCOW2: ContainerKind = { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' };
const FIXED_VHD: ContainerKind = { format: 'vhd-fixed', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=fixed,force_size=on' };
const DYNAMIC_VHD: ContainerKind = { format: 'vhd-dynamic', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' };
const env = { DISKX_JOURNAL_DIR: undefined };

/** A damaged raw disk, a container of it, and the raw disk repaired by us with the same fix. */
async function setUp(
  name: string,
  kind: ContainerKind,
  fix: string,
  options: { grow?: number } = {},
): Promise<{ container: string; damagedRaw: Buffer; repairedRaw: Buffer }> {
  const raw = containerTestDisk(path.join(dir, `${name}.img`), { damage: !options.grow });
  if (options.grow) fs.truncateSync(raw, CONTAINER_DISK_BYTES + options.grow);
  const container = convertRaw(raw, kind, path.join(dir, `${name}${kind.suffix}`));
  const damagedRaw = fs.readFileSync(raw);
  const run = await runCli(['fix', raw, '--fix', fix, '--write'], env);
  assert.equal(run.status, 0, run.stderr);
  return { container, damagedRaw, repairedRaw: fs.readFileSync(raw) };
}

describe('repairs through containers', { skip }, () => {
  test('qcow2: recompute-crcs written through the L1/L2 mapping; qemu-img check passes; convert equals our raw repair; undo restores', async () => {
    const { container, damagedRaw, repairedRaw } = await setUp('crc', QCOW2, 'recompute-crcs');
    const metadataBefore = fs.readFileSync(container).subarray(0, 65536);
    const run = await runCli(['fix', container, '--fix', 'recompute-crcs', '--write'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(qemuCheck(container).status, 0, qemuCheck(container).output);
    assert.ok(qemuToRaw(container, path.join(dir, 'crc-after.raw')).equals(repairedRaw), 'qemu-img convert -O raw equals the raw image repaired by diskx');
    assert.ok(fs.readFileSync(container).subarray(0, 65536).equals(metadataBefore), 'the qcow2 header cluster is untouched');
    const journal = JSON.parse(fs.readFileSync(`${container}.diskx-journal`, 'utf8')) as {
      entries: { files: { file: string; start: number; size: number; fileOffset: number }[]; writes: { offset: number }[] }[];
    };
    const entry = journal.entries[0]!;
    const headers = [512, CONTAINER_DISK_BYTES - 512];
    assert.ok(
      entry.writes.length > 0 && entry.writes.every((w) => headers.some((h) => w.offset >= h && w.offset < h + 512)),
      'virtual offsets: inside the two GPT headers',
    );
    assert.deepEqual(
      entry.files.map((f) => f.start).sort((a, b) => a - b),
      headers,
      'file ranges mapped for both header sectors',
    );
    for (const piece of entry.files) {
      assert.equal(piece.file, container);
      assert.notEqual(piece.fileOffset, piece.start, 'the file range differs from the virtual offset');
      const stored = Buffer.from(readFileRange(container, piece.fileOffset, piece.size));
      assert.ok(stored.equals(repairedRaw.subarray(piece.start, piece.start + piece.size)), 'the file range holds the repaired virtual bytes');
    }
    const undo = await runCli(['undo', container], env);
    assert.equal(undo.status, 0, undo.stderr);
    assert.equal(qemuCheck(container).status, 0);
    assert.ok(qemuToRaw(container, path.join(dir, 'crc-undone.raw')).equals(damagedRaw), 'undo through the container restores every byte');
  });

  test("fixed VHD: relocate-backup after the disk grew writes the virtual disk's end, never the footer", async () => {
    const { container, repairedRaw } = await setUp('grown', FIXED_VHD, 'relocate-backup', { grow: 1024 * 1024 });
    const size = fs.statSync(container).size;
    const footer = readFileRange(container, size - 512, 512);
    const run = await runCli(['fix', container, '--fix', 'relocate-backup', '--write'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.statSync(container).size, size);
    assert.ok(Buffer.from(readFileRange(container, size - 512, 512)).equals(Buffer.from(footer)), 'the conectix footer is byte for byte unchanged');
    assert.ok(qemuToRaw(container, path.join(dir, 'grown-after.raw'), 'vpc').equals(repairedRaw));
    const check = await runCli(['check', container]);
    assert.equal(check.status, 0, check.stdout);
  });

  test('dynamic VHD: recompute-crcs through the BAT; qemu-img convert equals our raw repair', async () => {
    const { container, repairedRaw } = await setUp('dyn', DYNAMIC_VHD, 'recompute-crcs');
    const run = await runCli(['fix', container, '--fix', 'recompute-crcs', '--write'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(qemuToRaw(container, path.join(dir, 'dyn-after.raw'), 'vpc').equals(repairedRaw));
  });

  test('monolithicSparse and twoGbMaxExtentSparse VMDK: recompute-crcs through the grain tables; qemu-img check passes; convert equals our raw repair', async () => {
    for (const subformat of ['monolithicSparse', 'twoGbMaxExtentSparse']) {
      const kind: ContainerKind = { format: 'vmdk-sparse', suffix: `-${subformat}.vmdk`, qemuFormat: 'vmdk', options: `subformat=${subformat}` };
      const { container, repairedRaw } = await setUp(`vmdk-${subformat}`, kind, 'recompute-crcs');
      const run = await runCli(['fix', container, '--fix', 'recompute-crcs', '--write'], env);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(qemuCheck(container).status, 0, qemuCheck(container).output);
      assert.ok(qemuToRaw(container, path.join(dir, `vmdk-${subformat}-after.raw`)).equals(repairedRaw), subformat);
    }
  });

  const refusals: { name: string; prepare: () => Promise<{ container: string; fix: string }>; reason: RegExp }[] = [
    {
      name: 'qcow2 whose new backup location is not allocated (the disk grew)',
      prepare: async () => ({ container: (await setUp('refuse-grown', QCOW2, 'relocate-backup', { grow: 1024 * 1024 })).container, fix: 'relocate-backup' }),
      reason: /are not allocated in the qcow2 file/,
    },
    {
      name: 'qcow2 whose clusters an internal snapshot shares',
      prepare: async () => {
        const { container } = await setUp('refuse-snap', QCOW2, 'recompute-crcs');
        execFileSync('qemu-img', ['snapshot', '-c', 'keep', container]);
        return { container, fix: 'recompute-crcs' };
      },
      reason: /refcount 2 \(an internal snapshot/,
    },
    {
      name: 'compressed qcow2',
      prepare: async () => {
        const raw = containerTestDisk(path.join(dir, 'refuse-zip.img'), { damage: true });
        const container = path.join(dir, 'refuse-zip.qcow2');
        execFileSync('qemu-img', ['convert', '-c', '-f', 'raw', '-O', 'qcow2', raw, container]);
        return { container, fix: 'recompute-crcs' };
      },
      reason: /stored compressed/,
    },
    {
      name: 'qcow2 child whose damaged sectors are in its backing file',
      prepare: async () => {
        const raw = containerTestDisk(path.join(dir, 'refuse-base.img'), { damage: true });
        const container = path.join(dir, 'refuse-child.qcow2');
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.basename(raw), '-F', 'raw', container]);
        return { container, fix: 'recompute-crcs' };
      },
      reason: /read from its parent/,
    },
    {
      name: 'streamOptimized VMDK (every grain compressed)',
      prepare: async () => ({
        container: (
          await setUp('refuse-stream', { format: 'vmdk-stream', suffix: '.vmdk', qemuFormat: 'vmdk', options: 'subformat=streamOptimized' }, 'recompute-crcs')
        ).container,
        fix: 'recompute-crcs',
      }),
      reason: /stored compressed/,
    },
  ];
  for (const { name, prepare, reason } of refusals) {
    test(`refused with the reason and the conversion, nothing written: ${name}`, async () => {
      const { container, fix } = await prepare();
      const before = fs.readFileSync(container);
      for (const args of [[], ['--write']]) {
        const run = await runCli(['fix', container, '--fix', fix, ...args], env);
        assert.equal(run.status, 1, run.stdout + run.stderr);
        assert.match(run.stderr, reason);
        assert.match(run.stderr, /repair a raw copy instead: qemu-img convert -f (qcow2|vmdk) -O raw \S+ \S+\.img/);
      }
      assert.ok(before.equals(fs.readFileSync(container)), 'not a byte written');
      assert.ok(!fs.existsSync(`${container}.diskx-journal`), 'no journal');
    });
  }
});

function readFileRange(file: string, offset: number, length: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const out = new Uint8Array(length);
    fs.readSync(fd, out, 0, length, offset);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
