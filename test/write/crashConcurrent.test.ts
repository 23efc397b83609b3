// Crash safety with two writers: writer A holds the lock and is SIGKILLed after
// each of its steps while writer B waits for the lock (and the other way round,
// B killed at each step after A finished). Whatever happens, no entry is lost,
// the image is never a mix of both writers' sectors outside the journal, and
// undoing until nothing is left restores the original image exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { undoLast, readJournal, NothingToUndoError } from '../../src/core/write/index';
import type { FixPlan } from '../../src/core/patch';
import { tempDir } from '../builders/images';
import { MiB, bundledChild, dataPart, fileHash, imageAndPlan, planToJson, readAt } from './helpers';

let child = '';

interface Run {
  pid: number;
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Run {
  if (!child) child = bundledChild(path.join(__dirname, 'writerChild.ts'), tempDir());
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { pid: proc.pid!, exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

async function marker(file: string, run: Run): Promise<void> {
  let gone: unknown = null;
  void run.exited.then((e) => (gone = e));
  while (!fs.existsSync(file)) {
    if (gone) throw new Error(`writer exited before ${path.basename(file)}: ${JSON.stringify(gone)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Applies patches to a copy of `bytes` (the expected image after a plan). */
function applied(bytes: Buffer, plans: FixPlan[]): string {
  const copy = Buffer.from(bytes);
  for (const plan of plans) for (const p of plan.patches) copy.set(p.after, p.offset);
  return createHash('sha256').update(copy).digest('hex');
}

function setup(root: string) {
  const a = dataPart(1, 2048n, 10239n);
  const b = dataPart(2, 10240n, 20479n);
  const template = path.join(root, 'template.img');
  const { plan: planA } = imageAndPlan(template, 16 * MiB, 512, [a, b], [a, null, b], 'restore-esxi-slots');
  // Writer B changes bytes A leaves alone, in sectors A also writes (after each header, in LBA 1 and the last LBA).
  const size = 16 * MiB;
  const planB: FixPlan = {
    id: 'recompute-crcs',
    title: 'writer B',
    description: '',
    patches: [size - 512 + 300, 512 + 300].map((offset) => ({
      offset,
      before: new Uint8Array(readAt(template, offset, 4)),
      after: new Uint8Array([0xb0, 0xb1, 0xb2, 0xb3]),
    })),
  };
  const files = { a: path.join(root, 'a.json'), b: path.join(root, 'b.json') };
  fs.writeFileSync(files.a, JSON.stringify(planToJson(planA)));
  fs.writeFileSync(files.b, JSON.stringify(planToJson(planB)));
  const original = fs.readFileSync(template);
  return { template, files, planA, planB, original, hashes: { old: fileHash(template), a: applied(original, [planA]), ab: applied(original, [planA, planB]) } };
}

/** Undo until nothing is left; the image must then be the original. */
async function undoAll(image: string): Promise<number> {
  let undone = 0;
  for (;;) {
    try {
      await undoLast(image, { lockWaitMs: 0 });
      undone++;
    } catch (error) {
      if (error instanceof NothingToUndoError) return undone;
      throw error;
    }
  }
}

test('two writers, the first killed after each of its steps while the second waits for the lock: nothing lost, undo restores the original', async () => {
  const root = tempDir();
  const s = setup(root);
  // Count A's steps in a run of its own.
  const countImage = path.join(root, 'count.img');
  fs.copyFileSync(s.template, countImage);
  const counted = await start(['apply', countImage, s.files.a, '0', '0', root, 'count']).exited;
  assert.equal(counted.code, 0, counted.stderr);
  const steps = (JSON.parse(counted.stdout) as { steps: string[] }).steps;
  assert.equal(steps[0], 'lock');
  assert.ok(steps.length >= 7, steps.join(' '));

  for (let n = 1; n <= steps.length; n++) {
    const image = path.join(root, `a-killed-${n}.img`);
    fs.copyFileSync(s.template, image);
    const tag = `a${n}`;
    const a = start(['apply', image, s.files.a, String(n), String(n), root, tag]);
    await marker(path.join(root, `${tag}.paused`), a);
    // B starts while A holds the lock, and waits for it.
    const b = start(['apply', image, s.files.b, '0', '0', root, `${tag}-b`]);
    await marker(path.join(root, `${tag}-b.waiting`), b);
    for (const p of s.planB.patches) assert.notDeepEqual([...readAt(image, p.offset, 4)], [...p.after], 'B wrote nothing while A held the lock');
    fs.writeFileSync(path.join(root, `${tag}.go`), '');
    assert.equal((await a.exited).signal, 'SIGKILL', `A at step ${n}`);
    const rb = await b.exited;
    const journal = await readJournal(image + '.diskx-journal');
    if (n === 1) {
      // A died before its journal: B took the stale lock and wrote on the old image.
      assert.equal(rb.code, 0, rb.stderr);
      assert.deepEqual(
        journal?.entries.map((e) => [e.id, e.state, e.fixes[0]?.title]),
        [[1, 'applied', 'writer B']],
      );
    } else if (n < steps.length) {
      // A's entry is pending: B refuses to write over an interrupted repair.
      assert.equal(rb.code, 3, `B after A killed at step ${n} (${steps[n - 1]})`);
      assert.match(rb.stderr, /^PendingRepairError/);
      assert.deepEqual(
        journal?.entries.map((e) => e.state),
        ['pending'],
      );
    } else {
      // A finished (killed after its last step): B applied on top, in serial order.
      assert.equal(rb.code, 0, rb.stderr);
      assert.deepEqual(
        journal?.entries.map((e) => [e.id, e.state]),
        [
          [1, 'applied'],
          [2, 'applied'],
        ],
      );
      assert.equal(fileHash(image), s.hashes.ab, 'both repairs, neither reverting the other');
    }
    assert.ok(!fs.existsSync(image + '.diskx-lock'), 'no lock file left once B is done');
    await undoAll(image);
    assert.equal(fileHash(image), s.hashes.old, `undo restores the original after A was killed at step ${n} (${steps[n - 1]})`);
  }
});

test('two writers, the second killed after each of its steps once the first has finished: undo restores the original', async () => {
  const root = tempDir();
  const s = setup(root);
  const countImage = path.join(root, 'count.img');
  fs.copyFileSync(s.template, countImage);
  assert.equal((await start(['apply', countImage, s.files.a, '0', '0', root, 'count-a']).exited).code, 0);
  const counted = await start(['apply', countImage, s.files.b, '0', '0', root, 'count-b']).exited;
  assert.equal(counted.code, 0, counted.stderr);
  const stepsB = (JSON.parse(counted.stdout) as { steps: string[] }).steps;

  for (let m = 1; m <= stepsB.length; m++) {
    const image = path.join(root, `b-killed-${m}.img`);
    fs.copyFileSync(s.template, image);
    const tag = `b${m}`;
    // A holds the lock (paused after its first step) while B starts and waits; then A finishes and B runs until killed.
    const a = start(['apply', image, s.files.a, '0', '1', root, `${tag}-a`]);
    await marker(path.join(root, `${tag}-a.paused`), a);
    const b = start(['apply', image, s.files.b, String(m), '0', root, tag]);
    await marker(path.join(root, `${tag}.waiting`), b);
    fs.writeFileSync(path.join(root, `${tag}-a.go`), '');
    const ra = await a.exited;
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal((await b.exited).signal, 'SIGKILL', `B at step ${m}`);
    const journal = await readJournal(image + '.diskx-journal');
    const states = journal?.entries.map((e) => e.state);
    if (m === 1) assert.deepEqual(states, ['applied']);
    else assert.deepEqual(states, ['applied', m < stepsB.length ? 'pending' : 'applied'], `B killed at step ${m} (${stepsB[m - 1]})`);
    if (m === 1) assert.equal(fileHash(image), s.hashes.a, 'B killed holding the lock wrote nothing');
    if (m === stepsB.length) assert.equal(fileHash(image), s.hashes.ab);
    await undoAll(image);
    assert.equal(fileHash(image), s.hashes.old, `undo restores the original after B was killed at step ${m} (${stepsB[m - 1]})`);
  }
});
