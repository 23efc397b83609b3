// diskx diff and fix --reference through the built CLI (dist/cli.js): the wiring in
// src/cli/commands/ (diff, fix, fixReference), main's usage errors, real exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { tempDir, writeEsxi5Image } from '../builders/images';

const dir = tempDir('diskx-diff-wiring-');
const GiB = 1024 ** 3;
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const esxiOriginal = writeEsxi5Image(path.join(dir, 'original.img'), { sizeBytes: 6 * GiB });
const esxiCompacted = writeEsxi5Image(path.join(dir, 'compacted.img'), { sizeBytes: 6 * GiB, compacted: true });

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
    });
  });
}

test('dist/cli.js: diff is wired in with its exit codes', async () => {
  const different = await cli(['diff', esxiCompacted, esxiOriginal, '--json']);
  assert.equal(different.status, 1, different.stderr);
  assert.equal(JSON.parse(different.stdout).partitions[3].summary, 'bootbank: slot 3 in A, slot 4 in B');
  const same = await cli(['diff', esxiOriginal, esxiOriginal]);
  assert.equal(same.status, 0, same.stderr);
  const missing = await cli(['diff', esxiOriginal, path.join(dir, 'nope.img')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `diskx: ${path.join(dir, 'nope.img')}: no such file or directory\n`);
  const usage = await cli(['diff', esxiOriginal]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^diskx: diff needs two images: diskx diff A B\n/);
});

test('dist/cli.js: fix --fix copy-slots-from-reference --reference B, then diff exits 0', async () => {
  const journalDir = path.join(dir, 'journals');
  const env = { ...process.env, DISKX_JOURNAL_DIR: journalDir };
  const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env }, (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
      });
    });
  const dry = await run(['fix', esxiCompacted, '--fix', 'copy-slots-from-reference', '--reference', esxiOriginal]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^Dry run \(nothing written; add --write to apply\): Copy partition slots from a reference disk/);
  assert.equal((await run(['diff', esxiCompacted, esxiOriginal])).status, 1);
  const wrote = await run(['fix', esxiCompacted, '--fix', 'copy-slots-from-reference', '--reference', esxiOriginal, '--write']);
  assert.equal(wrote.status, 0, wrote.stderr);
  const after = await run(['diff', esxiCompacted, esxiOriginal]);
  assert.equal(after.status, 0, after.stdout);
  assert.match(after.stdout, /Identical in structure/);
  const undo = await run(['undo', esxiCompacted]);
  assert.equal(undo.status, 0, undo.stderr);
  assert.equal((await run(['diff', esxiCompacted, esxiOriginal])).status, 1);
  const noReference = await run(['fix', esxiCompacted, '--fix', 'copy-slots-from-reference']);
  assert.equal(noReference.status, 2);
  assert.match(noReference.stderr, /needs --reference B/);
});
