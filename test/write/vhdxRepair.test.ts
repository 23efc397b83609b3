// Repairs through a VHDX: the data of fully present blocks is written in place
// after the header update the format requires (VHDX 1.0, 2.2.2: a new
// FileWriteGuid and DataWriteGuid before the first data write, in the
// non-current header slot with the sequence number + 1 and its CRC-32C, flushed
// first). Checked with qemu-img (check, and convert -O raw against the raw disk
// repaired by us); the journal holds the header's old and new bytes, undo
// restores the whole file byte for byte; a SIGKILL after any step leaves a
// VHDX qemu-img accepts, and undo restores it exactly. Unallocated sectors and
// a non-empty log are refused with the conversion to use.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { haveQemuImg, qemuCheck, qemuToRaw } from '../builders/containers';
import { CONTAINER_DISK_BYTES, containerTestDisk } from '../builders/containerDisks';
import { analyzeImage } from '../../src/core/index';
import { planFix } from '../../src/core/fixes/index';
import { readJournal, undoLast } from '../../src/core/write/index';
import { crc32c } from '../../src/core/crc32c';
import { bundledChild, fileHash, planToJson, readAt, writeAt } from './helpers';

const dir = tempDir('diskx-vhdx-fix-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const env = { DISKX_JOURNAL_DIR: undefined };
const KiB = 1024;
const SLOTS = [64 * KiB, 128 * KiB];

/**
 * The damaged raw disk, it stored in a VHDX made by qemu-img, and the raw disk
 * repaired by us. A fixed VHDX is made by `create` and filled with `convert -n`;
 * a dynamic one by `convert`, which leaves the raw disk's holes unallocated.
 */
async function setUp(name: string, options: string, fix = 'recompute-crcs', grow = 0): Promise<{ vhdx: string; raw: string; repairedRaw: Buffer }> {
  const raw = containerTestDisk(path.join(dir, `${name}.img`), { damage: grow === 0 });
  if (grow) fs.truncateSync(raw, CONTAINER_DISK_BYTES + grow);
  const vhdx = path.join(dir, `${name}.vhdx`);
  fs.rmSync(vhdx, { force: true });
  if (options.includes('subformat=fixed')) {
    execFileSync('qemu-img', ['create', '-q', '-f', 'vhdx', '-o', options, vhdx, String(fs.statSync(raw).size)]);
    execFileSync('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'vhdx', raw, vhdx]);
  } else {
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vhdx', '-o', options, raw, vhdx]);
  }
  const repaired = path.join(dir, `${name}-repaired.img`);
  fs.copyFileSync(raw, repaired);
  const run = await runCli(['fix', repaired, '--fix', fix, '--write'], env);
  assert.equal(run.status, 0, run.stderr);
  return { vhdx, raw, repairedRaw: fs.readFileSync(repaired) };
}

interface Header {
  at: number;
  valid: boolean;
  sequence: bigint;
  fileWriteGuid: string;
  dataWriteGuid: string;
  logGuid: string;
  bytes: Buffer;
}

/** Both header slots, read from the spec's offsets (signature 0, checksum 4, sequence 8, file/data/log GUIDs 16/32/48). */
function headers(file: string): Header[] {
  return SLOTS.map((at) => {
    const bytes = readAt(file, at, 4 * KiB);
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(0, 4);
    const valid = bytes.subarray(0, 4).toString('latin1') === 'head' && crc32c(copy) === bytes.readUInt32LE(4);
    const hex = (from: number) => bytes.subarray(from, from + 16).toString('hex');
    return { at, valid, sequence: bytes.readBigUInt64LE(8), fileWriteGuid: hex(16), dataWriteGuid: hex(32), logGuid: hex(48), bytes };
  });
}

function current(file: string): Header {
  return headers(file)
    .filter((h) => h.valid)
    .sort((a, b) => (a.sequence > b.sequence ? -1 : 1))[0]!;
}

describe('repairs through a VHDX', { skip }, () => {
  for (const [label, options] of [
    ['fixed VHDX (qemu-img create -o subformat=fixed)', 'subformat=fixed'],
    ['dynamic VHDX with 1 MiB blocks, the repaired sectors in allocated blocks', 'subformat=dynamic,block_size=1048576'],
  ] as const) {
    test(`${label}: header updated first, qemu-img check passes, convert equals our raw repair, undo restores the file`, async () => {
      const name = options.startsWith('subformat=fixed') ? 'fixed' : 'dynamic';
      const { vhdx, repairedRaw } = await setUp(name, options);
      const original = fs.readFileSync(vhdx);
      const old = current(vhdx);
      const run = await runCli(['fix', vhdx, '--fix', 'recompute-crcs', '--write'], env);
      assert.equal(run.status, 0, run.stderr);
      const other = SLOTS.find((s) => s !== old.at)!;
      assert.match(
        run.stdout,
        new RegExp(
          `First updated the VHDX header at ${other / KiB} KiB \\(sequence ${old.sequence + 1n}, new FileWriteGuid and DataWriteGuid\\) in \\S+ \\(file bytes 0x${other.toString(16)}\\.\\.\\+4096\\), fsynced\\.\\nWrote 2 sectors`,
        ),
      );
      assert.equal(qemuCheck(vhdx).status, 0, qemuCheck(vhdx).output);
      assert.ok(qemuToRaw(vhdx, path.join(dir, `${name}-after.raw`)).equals(repairedRaw), 'qemu-img convert -O raw equals the raw image repaired by diskx');

      // The new header: the other slot, sequence + 1, valid CRC-32C, new write GUIDs, the rest as it was.
      const now = current(vhdx);
      assert.equal(now.at, other);
      assert.equal(now.sequence, old.sequence + 1n);
      assert.notEqual(now.dataWriteGuid, old.dataWriteGuid);
      assert.notEqual(now.fileWriteGuid, old.fileWriteGuid);
      assert.equal(now.logGuid, '0'.repeat(32));
      assert.ok(now.bytes.subarray(64).equals(old.bytes.subarray(64)), 'log version, version, log length and offset, reserved: unchanged');
      assert.ok(readAt(vhdx, old.at, 4096).equals(old.bytes), 'the old header slot is untouched');
      const after = fs.readFileSync(vhdx);
      const changedOutsideData = [...Array(1024 * KiB).keys()].filter((i) => after[i] !== original[i] && (i < other || i >= other + 4096));
      assert.deepEqual(changedOutsideData, [], 'nothing else of the header area, region tables or log changed');

      // The journal: virtual offsets of the runs and the container header's old and new bytes.
      const entry = (await readJournal(`${vhdx}.diskx-journal`))!.entries[0]!;
      assert.ok(entry.writes.every((w) => w.offset === 512 + 0x10 || w.offset === 512 + 0x58 || w.offset >= CONTAINER_DISK_BYTES - 512));
      assert.equal(entry.containerWrites?.length, 1);
      const header = entry.containerWrites![0]!;
      assert.equal(header.file, vhdx);
      assert.equal(header.offset, other);
      assert.equal(header.before, original.subarray(other, other + 4096).toString('hex'));
      assert.equal(header.after, after.subarray(other, other + 4096).toString('hex'));

      const undo = await runCli(['undo', vhdx], env);
      assert.equal(undo.status, 0, undo.stderr);
      assert.match(undo.stdout, new RegExp(`Then put back the VHDX header at ${other / KiB} KiB as it was before the repair`));
      assert.ok(fs.readFileSync(vhdx).equals(original), 'undo restores every byte of the VHDX file, its header included');
      assert.equal(qemuCheck(vhdx).status, 0);
    });
  }

  test('refused with the reason and the conversion, nothing written: sectors in a block the BAT does not hold', async () => {
    const { vhdx } = await setUp('grown', 'subformat=dynamic,block_size=1048576', 'relocate-backup', 1024 * KiB);
    const before = fs.readFileSync(vhdx);
    for (const args of [[], ['--write']]) {
      const run = await runCli(['fix', vhdx, '--fix', 'relocate-backup', ...args], env);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /are not allocated in the vhdx file \(BAT state [0-3], PAYLOAD_BLOCK_[A-Z_]+\); writing them would need new metadata/);
      assert.match(run.stderr, /repair a raw copy instead: qemu-img convert -f vhdx -O raw \S+ \S+\.img/);
    }
    assert.ok(before.equals(fs.readFileSync(vhdx)), 'not a byte written');
    assert.ok(!fs.existsSync(`${vhdx}.diskx-journal`), 'no journal');
  });

  test('a journal whose header write points elsewhere in the file, or is malformed, is refused and nothing is written', async () => {
    const { vhdx } = await setUp('forged', 'subformat=fixed');
    const run = await runCli(['fix', vhdx, '--fix', 'recompute-crcs', '--write'], env);
    assert.equal(run.status, 0, run.stderr);
    const journalFile = `${vhdx}.diskx-journal`;
    const good = fs.readFileSync(journalFile, 'utf8');
    const repaired = fs.readFileSync(vhdx);
    const forge = (change: (write: Record<string, unknown>) => void): void => {
      const journal = JSON.parse(good) as { entries: { containerWrites: Record<string, unknown>[] }[] };
      change(journal.entries[0]!.containerWrites[0]!);
      fs.writeFileSync(journalFile, JSON.stringify(journal));
    };
    forge((w) => (w.offset = 1024 * KiB)); // the metadata region, not a header slot
    let undo = await runCli(['undo', vhdx], env);
    assert.equal(undo.status, 2, undo.stdout + undo.stderr);
    assert.match(undo.stderr, /it would write file bytes 1048576\.\.\+4096 of \S+, which hold no container metadata diskx updates/);
    forge((w) => (w.file = path.join(dir, 'elsewhere.img')));
    undo = await runCli(['undo', vhdx], env);
    assert.equal(undo.status, 2, undo.stdout + undo.stderr);
    assert.match(undo.stderr, /elsewhere\.img, which hold no container metadata/);
    forge((w) => (w.after = 'zz'));
    undo = await runCli(['undo', vhdx], env);
    assert.equal(undo.status, 2, undo.stdout + undo.stderr);
    assert.match(undo.stderr, /malformed container write/);
    assert.ok(fs.readFileSync(vhdx).equals(repaired), 'not a byte written');
  });

  test('undo refuses once another program wrote the VHDX (qemu-io updates its headers): exit 1, nothing written', async () => {
    const { vhdx } = await setUp('later', 'subformat=fixed');
    assert.equal((await runCli(['fix', vhdx, '--fix', 'recompute-crcs', '--write'], env)).status, 0);
    execFileSync('qemu-io', ['-f', 'vhdx', '-c', 'write -P 0x55 4M 512', vhdx], { stdio: 'ignore' });
    const after = fs.readFileSync(vhdx);
    const undo = await runCli(['undo', vhdx], env);
    assert.equal(undo.status, 1, undo.stdout + undo.stderr);
    assert.match(undo.stderr, /cannot undo: the VHDX header at (64|128) KiB has changed \(another program opened the file for writing\)/);
    assert.ok(fs.readFileSync(vhdx).equals(after), 'not a byte written');
  });

  test('refused with the reason, nothing written: a log not yet replayed', async () => {
    const { vhdx } = await setUp('logged', 'subformat=fixed');
    for (const at of SLOTS) {
      const header = readAt(vhdx, at, 4096);
      header.fill(0x5a, 48, 64);
      header.writeUInt32LE(0, 4);
      header.writeUInt32LE(crc32c(header), 4);
      writeAt(vhdx, at, header);
    }
    const before = fs.readFileSync(vhdx);
    const run = await runCli(['fix', vhdx, '--fix', 'recompute-crcs', '--write'], env);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /the VHDX log is not empty .* must be replayed first/);
    assert.ok(before.equals(fs.readFileSync(vhdx)), 'not a byte written');
  });
});

describe('crash safety of a write through a VHDX', { skip }, () => {
  const child = () => bundledChild(path.join(__dirname, 'crashChild.ts'), dir);
  const runChild = (script: string, mode: 'apply' | 'undo', image: string, planFile: string, killAfter: number) =>
    spawnSync(process.execPath, [script, mode, image, planFile, String(killAfter)], { encoding: 'utf8' });

  test('SIGKILL after every step of the write, then of the undo: a valid VHDX each time, undo restores every byte', async () => {
    const script = child();
    const { vhdx, raw } = await setUp('crash', 'subformat=dynamic,block_size=1048576');
    const analyzed = await analyzeImage(raw);
    await analyzed.opened.source.close();
    const planned = planFix(analyzed.disk, 'recompute-crcs');
    assert.ok(planned.ok);
    const planFile = path.join(dir, 'crash-plan.json');
    fs.writeFileSync(planFile, JSON.stringify(planToJson(planned.plan)));
    const oldHash = fileHash(vhdx);

    const probe = path.join(dir, 'crash-probe.vhdx');
    fs.copyFileSync(vhdx, probe);
    const full = runChild(script, 'apply', probe, planFile, 0);
    assert.equal(full.status, 0, full.stderr);
    const steps = (JSON.parse(full.stdout) as { steps: string[] }).steps;
    // The header (and its flush) before the first byte of data.
    assert.match(steps.join(' '), /^lock journal metadata fsync (write )+fsync (write )+fsync journal$/);

    for (let n = 1; n <= steps.length; n++) {
      const image = path.join(dir, `crash-${n}.vhdx`);
      fs.copyFileSync(vhdx, image);
      const killed = runChild(script, 'apply', image, planFile, n);
      assert.equal(killed.signal, 'SIGKILL', `step ${n}: ${killed.stderr}`);
      assert.equal(qemuCheck(image, 'vhdx').status, 0, `a valid VHDX after a kill at step ${n} (${steps[n - 1]})`);
      if (n === 1) {
        fs.rmSync(`${image}.diskx-lock`, { force: true });
        assert.equal(fileHash(image), oldHash);
        continue;
      }
      await undoLast(image);
      assert.equal(fileHash(image), oldHash, `undo after a kill at step ${n} (${steps[n - 1]}) restores every byte`);
    }

    // The undo of the complete write, killed after each of its steps and run again.
    const counted = path.join(dir, 'crash-undo-count.vhdx');
    fs.copyFileSync(probe, counted);
    fs.copyFileSync(`${probe}.diskx-journal`, `${counted}.diskx-journal`);
    const undoRun = runChild(script, 'undo', counted, planFile, 0);
    assert.equal(undoRun.status, 0, undoRun.stderr);
    const undoSteps = (JSON.parse(undoRun.stdout) as { steps: string[] }).steps;
    assert.match(undoSteps.join(' '), /^lock journal (write )+fsync (write )+fsync metadata fsync journal$/, 'the header is put back last');
    assert.equal(fileHash(counted), oldHash);
    for (let n = 1; n < undoSteps.length; n++) {
      const image = path.join(dir, `undo-crash-${n}.vhdx`);
      fs.copyFileSync(probe, image);
      fs.copyFileSync(`${probe}.diskx-journal`, `${image}.diskx-journal`);
      const killed = runChild(script, 'undo', image, planFile, n);
      assert.equal(killed.signal, 'SIGKILL', `undo step ${n}: ${killed.stderr}`);
      assert.equal(qemuCheck(image, 'vhdx').status, 0, `a valid VHDX after a kill at undo step ${n}`);
      await undoLast(image);
      assert.equal(fileHash(image), oldHash, `undo again after a kill at undo step ${n} (${undoSteps[n - 1]})`);
    }
  });
});
