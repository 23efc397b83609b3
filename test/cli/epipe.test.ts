// `diskx check --json IMAGE | head -c 100`: the reader closes the pipe long before
// a big report is written. Node then emits EPIPE on stdout, which used to crash
// with "Error: write EPIPE" and a stack. Now the CLI stops quietly with the exit
// code the command had; other output errors are one `diskx: ...` line, exit 2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { CLI } from '../builders/cli';
import { tempDir, testGuid } from '../builders/images';
import { encodeGptDisk } from '../../src/core/gptEncode';
import { finalExitCode, watchOutputStreams } from '../../src/cli/main';

const dir = tempDir('diskx-epipe-');

// 2048 used slots, every one past the end of the disk and sharing one GUID: megabytes of findings and partitions.
const noisy = (() => {
  const totalSectors = 8192n;
  const slots = Array.from({ length: 2048 }, (_, i) => ({
    typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    uniqueGuid: testGuid(1),
    firstLba: BigInt(100 + i),
    lastLba: 2n ** 64n - 1n,
    name: `partition with a long name ${i}`,
  }));
  const bytes = new Uint8Array(Number(totalSectors) * 512);
  for (const region of encodeGptDisk({ sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots, numEntries: 2048 }))
    bytes.set(region.bytes, region.offset);
  const file = path.join(dir, 'noisy.img');
  fs.writeFileSync(file, bytes);
  return file;
})();

/** Runs the CLI with stdout piped and destroys our end of the pipe after the first chunk, like `| head -c 100`. */
function runAndCloseEarly(args: string[]): Promise<{ status: number | null; signal: string | null; stderr: string; received: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISKX_DEBUG: undefined } });
    let stderr = '';
    let received = 0;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', (chunk: Buffer) => {
      received = chunk.length;
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stderr, received }));
  });
}

describe('a reader that closes the pipe early (EPIPE)', () => {
  for (const [args, status] of [
    [['check', '--json', noisy], 1],
    [['check', noisy], 1],
    [['inspect', '--json', noisy], 0],
  ] as const) {
    test(`diskx ${args.slice(0, -1).join(' ')} IMAGE | head: exit ${status}, nothing on stderr`, async () => {
      const run = await runAndCloseEarly([...args]);
      assert.ok(run.received > 0, 'the CLI wrote something before the pipe closed');
      assert.equal(run.signal, null);
      assert.ok(!run.stderr.includes('    at '), `stack trace on stderr:\n${run.stderr}`);
      assert.doesNotMatch(run.stderr, /EPIPE/);
      assert.equal(run.stderr, '');
      assert.equal(run.status, status);
    });
  }

  test('the output really is larger than a pipe holds (so the tests above meet EPIPE)', async () => {
    const child = spawn(process.execPath, [CLI, 'check', '--json', noisy], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await new Promise((resolve) => child.on('close', resolve));
    assert.ok(bytes > 1024 * 1024, `only ${bytes} bytes of output`);
  });
});

describe('watchOutputStreams', () => {
  const streams = (): { out: PassThrough; err: PassThrough; errText: () => string } => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    err.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    return { out, err, errText: () => text };
  };
  const failure = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });

  test('EPIPE on stdout or stderr: quiet, the command keeps its exit code', async () => {
    const { out, err, errText } = streams();
    const state = watchOutputStreams(out, err);
    out.emit('error', failure('EPIPE'));
    err.emit('error', failure('EPIPE'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(state, { pipeClosed: true, failed: false });
    assert.equal(errText(), '');
    assert.equal(finalExitCode(1, state), 1);
    assert.equal(finalExitCode(0, state), 0);
  });

  test('any other write error on stdout: one "diskx: ..." line and exit 2', async () => {
    const { out, err, errText } = streams();
    const state = watchOutputStreams(out, err);
    out.emit('error', failure('EIO'));
    out.emit('error', failure('EIO'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(errText(), 'diskx: cannot write to standard output: write EIO\n');
    assert.equal(state.failed, true);
    assert.equal(finalExitCode(0, state), 2);
  });
});
