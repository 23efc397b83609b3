// The editor's session on container files: a qcow2 or VHDX opens through the same
// openImage as the CLI (the model is the virtual disk), Apply + Save writes a
// repair through the container, and a fix that cannot be written through it
// (a compressed qcow2) is refused at Apply with the reason and the conversion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { haveQemuImg, qemuCheck, qemuToRaw } from '../builders/containers';
import { containerTestDisk } from '../builders/containerDisks';
import { runCli } from '../builders/cli';
import { DiskImageSession } from '../../src/app/diskImageSession';

const dir = tempDir('diskx-container-session-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';

describe('the editor session on containers', { skip }, () => {
  for (const [format, options] of [
    ['qcow2', []],
    ['vhdx', ['-o', 'block_size=1048576']],
  ] as const) {
    test(`a ${format} opens as its virtual disk; Apply and Save write recompute-crcs through the container`, async () => {
      const raw = containerTestDisk(path.join(dir, `disk-${format}.img`), { damage: true });
      const file = path.join(dir, `disk.${format}`);
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', format, ...options, raw, file]);
      const session = await DiskImageSession.open(file, { journalDir: path.join(dir, 'journals') });
      try {
        assert.equal(session.image.kind, 'container');
        assert.equal(session.image.source.size, fs.statSync(raw).size);
        const applied = await session.applyFix('recompute-crcs');
        assert.ok(applied.ok, applied.ok ? '' : applied.reason);
        const written = await session.save();
        assert.ok(written && written.sectorsWritten === 2);
        // A VHDX's header gets its new DataWriteGuid first (the only container metadata diskx writes).
        assert.equal(written.containerWrites.length, format === 'vhdx' ? 1 : 0);
      } finally {
        await session.close();
      }
      assert.equal(qemuCheck(file).status, 0);
      assert.equal((await runCli(['fix', raw, '--fix', 'recompute-crcs', '--write'], { DISKX_JOURNAL_DIR: path.join(dir, 'journals') })).status, 0);
      assert.ok(qemuToRaw(file, path.join(dir, `after-${format}.raw`)).equals(fs.readFileSync(raw)));
    });
  }

  test('a compressed qcow2: Apply refuses with the reason and the conversion; nothing changes', async () => {
    const raw = containerTestDisk(path.join(dir, 'zip.img'), { damage: true });
    const file = path.join(dir, 'zip.qcow2');
    execFileSync('qemu-img', ['convert', '-c', '-f', 'raw', '-O', 'qcow2', raw, file]);
    const before = fs.readFileSync(file);
    const session = await DiskImageSession.open(file);
    try {
      const applied = await session.applyFix('recompute-crcs');
      assert.equal(applied.ok, false);
      assert.match(applied.ok ? '' : applied.reason, /stored compressed.*qemu-img convert -f qcow2 -O raw/);
    } finally {
      await session.close();
    }
    assert.ok(before.equals(fs.readFileSync(file)));
  });
});
