// Crash safety: SIGKILL the writing process after every step of a repair (and of
// an undo) and check the image is old, new, or restored exactly by undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { undoLast, readJournal, NothingToUndoError } from '../../src/core/write/index';
import { tempDir } from '../builders/images';
import { MiB, dataPart, fileHash, imageAndPlan, planToJson } from './helpers';

const child = path.join(__dirname, 'crashChild.ts');

function runChild(mode: 'apply' | 'undo', image: string, planFile: string, killAfter: number) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', child, mode, image, planFile, String(killAfter)], { encoding: 'utf8' });
  return { signal: result.signal, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A 16 MiB image, its plan, the hashes of the old and new images, and the number of steps of a full run. */
function setup(root: string) {
  const a = dataPart(1, 2048n, 10239n);
  const b = dataPart(2, 10240n, 20479n);
  const c = dataPart(3, 20480n, 30000n);
  const template = path.join(root, 'template.img');
  const { plan } = imageAndPlan(template, 16 * MiB, 512, [a, b, c], [a, null, b, null, c], 'restore-esxi-slots');
  const planFile = path.join(root, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(planToJson(plan)));
  const oldHash = fileHash(template);
  const probe = path.join(root, 'probe.img');
  fs.copyFileSync(template, probe);
  const full = runChild('apply', probe, planFile, 0);
  assert.equal(full.status, 0, full.stderr);
  const steps = (JSON.parse(full.stdout) as { steps: string[] }).steps;
  return { template, planFile, oldHash, newHash: fileHash(probe), probe, steps };
}

test('SIGKILL after every step of a write leaves the image old, new, or restored exactly by undo', async () => {
  const root = tempDir();
  const { template, planFile, oldHash, newHash, steps } = setup(root);
  // journal, each write of the backup half, fsync, each write of the primary half, fsync, journal: at least 6 steps.
  assert.ok(steps.length >= 6, steps.join(' '));
  assert.notEqual(oldHash, newHash);
  const seen = new Set<string>();
  for (let n = 1; n <= steps.length; n++) {
    const image = path.join(root, `crash-${n}.img`);
    fs.copyFileSync(template, image);
    const killed = runChild('apply', image, planFile, n);
    assert.equal(killed.signal, 'SIGKILL', `step ${n}: ${killed.stderr}`);
    const hash = fileHash(image);
    const journal = await readJournal(image + '.diskx-journal');
    const state = journal?.entries.at(-1)?.state;
    if (steps[n - 1] === 'lock') {
      // Killed holding the lock, before the journal: the image is old, the lock file is left behind (stale).
      assert.equal(state, undefined);
      assert.equal(hash, oldHash);
      assert.ok(fs.existsSync(image + '.diskx-lock'), 'the dead writer left its lock file');
      await assert.rejects(undoLast(image), NothingToUndoError);
      assert.ok(!fs.existsSync(image + '.diskx-lock'), 'the next writer broke the stale lock and released it');
      seen.add('old');
      continue;
    }
    // Each step completed before the kill: the journal says pending until the last step.
    assert.equal(state, n < steps.length ? 'pending' : 'applied', `step ${n}`);
    if (hash === oldHash) seen.add('old');
    else if (hash === newHash) seen.add('new');
    else seen.add('mixed');
    const undo = await undoLast(image);
    assert.equal(undo.previousState, state);
    assert.equal(fileHash(image), oldHash, `undo after a kill at step ${n} (${steps[n - 1]}) restores the old image`);
  }
  // The kills really landed in the middle of the write, not only before or after it.
  assert.ok(seen.has('mixed'), [...seen].join(','));
});

test('SIGKILL after every step of an undo: running undo again restores the old image exactly', async () => {
  const root = tempDir();
  const { probe, planFile, oldHash } = setup(root);
  const applied = path.join(root, 'applied.img');
  fs.copyFileSync(probe, applied);
  fs.copyFileSync(probe + '.diskx-journal', applied + '.diskx-journal');
  const full = runChild('undo', path.join(root, 'scratch-undo.img'), planFile, 0);
  void full;
  // Count the steps of one complete undo on a copy.
  const countCopy = path.join(root, 'count.img');
  fs.copyFileSync(applied, countCopy);
  fs.copyFileSync(applied + '.diskx-journal', countCopy + '.diskx-journal');
  const counted = runChild('undo', countCopy, planFile, 0);
  assert.equal(counted.status, 0, counted.stderr);
  const undoSteps = (JSON.parse(counted.stdout) as { steps: string[] }).steps.length;
  assert.equal(fileHash(countCopy), oldHash);
  for (let n = 1; n <= undoSteps; n++) {
    const image = path.join(root, `undo-crash-${n}.img`);
    fs.copyFileSync(applied, image);
    fs.copyFileSync(applied + '.diskx-journal', image + '.diskx-journal');
    const killed = runChild('undo', image, planFile, n);
    assert.equal(killed.signal, 'SIGKILL', `step ${n}: ${killed.stderr}`);
    const state = (await readJournal(image + '.diskx-journal'))?.entries.at(-1)?.state;
    if (n === 1) {
      // Killed right after taking the lock: nothing happened yet; the stale lock does not block the next undo.
      assert.equal(state, 'applied');
      await undoLast(image);
      assert.equal(fileHash(image), oldHash);
    } else if (n === undoSteps) {
      assert.equal(state, 'undone');
      assert.equal(fileHash(image), oldHash);
    } else {
      assert.equal(state, 'undoing');
      await undoLast(image);
      assert.equal(fileHash(image), oldHash, `undo again after a kill at undo step ${n}`);
    }
  }
});
