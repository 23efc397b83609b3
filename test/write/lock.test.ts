// One writer per image, and no stale read-modify-write: two writers in one
// process or in two, a holder killed with SIGKILL, and bytes another program
// changes (in the same sector as a patch) between our read and our write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { applyPlans, undoLast, readJournal, ImageChangedError, ImageLockedError, NothingToUndoError, UndoConflictError } from '../../src/core/write/index';
import type { FixPlan } from '../../src/core/patch';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { fileHash, planToJson, readAt, seedImageAndPlan, slotMoveSetup, writeAt } from './helpers';

/** A plan that changes `bytes` at `offset` from what the image holds now. */
function bytePlan(image: string, offset: number, bytes: number[], id: FixPlan['id'] = 'recompute-crcs'): FixPlan {
  return {
    id,
    title: `bytes at ${offset}`,
    description: '',
    patches: [{ offset, before: new Uint8Array(readAt(image, offset, bytes.length)), after: new Uint8Array(bytes) }],
  };
}

// Bytes 200.. of LBA 1 lie after the 92-byte header in its sector: a plan there and
// a plan on the header share a sector but not a byte.
const SAME_SECTOR_A = 512 + 200;
const SAME_SECTOR_B = 512 + 300;

test('two writers at once in one process: the second waits, both repairs land, the journal keeps both in order, undo restores everything', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const original = fileHash(image);
  const p1 = bytePlan(image, SAME_SECTOR_A, [1, 2, 3, 4]);
  const p2 = bytePlan(image, SAME_SECTOR_B, [5, 6, 7, 8], 'relocate-backup');
  // Started together: without a lock both read the journal and the sector before either writes.
  const [r1, r2] = await Promise.all([applyPlans(image, [p1], { sectorSize: 512 }), applyPlans(image, [p2], { sectorSize: 512 })]);
  assert.deepEqual([...readAt(image, SAME_SECTOR_A, 4)], [1, 2, 3, 4], 'the first repair was not reverted by the second');
  assert.deepEqual([...readAt(image, SAME_SECTOR_B, 4)], [5, 6, 7, 8]);
  const journal = await readJournal(r1.journalPath);
  assert.deepEqual(
    journal?.entries.map((e) => [e.id, e.state]),
    [
      [1, 'applied'],
      [2, 'applied'],
    ],
  );
  assert.deepEqual([r1.entryId, r2.entryId].sort(), [1, 2]);
  await undoLast(image);
  await undoLast(image);
  assert.equal(fileHash(image), original);
  await assert.rejects(undoLast(image), NothingToUndoError);
  assert.ok(!fs.existsSync(image + '.diskx-lock'), 'the lock file is gone after the writers');
});

test('a second writer that may not wait fails with ImageLockedError naming the holder, and writes nothing', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const p1 = bytePlan(image, SAME_SECTOR_A, [1, 2, 3, 4]);
  const p2 = bytePlan(image, SAME_SECTOR_B, [5, 6, 7, 8]);
  let second: Promise<unknown> | null = null; // settles to the error
  await applyPlans(image, [p1], {
    sectorSize: 512,
    tool: 'first writer',
    onStep: (step) => {
      if (step.kind === 'lock')
        second = applyPlans(image, [p2], { sectorSize: 512, lockWaitMs: 0 }).then(
          () => null,
          (error: unknown) => error,
        );
    },
  });
  const error = await second!;
  assert.ok(error instanceof ImageLockedError, String(error));
  assert.match(error.message, new RegExp(`being written by first writer \\(pid ${process.pid} on host `));
  assert.match(error.message, /nothing was written/);
  assert.deepEqual([...readAt(image, SAME_SECTOR_B, 4)], [0, 0, 0, 0]);
  assert.equal((await readJournal(image + '.diskx-journal'))?.entries.length, 1);
});

test('no stale read-modify-write: a byte another program changes in the same sector after our read is kept', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const p1 = bytePlan(image, SAME_SECTOR_A, [1, 2, 3, 4]);
  // After the journal is on disk and before our write, another program (ignoring the lock) writes a byte nearby.
  await applyPlans(image, [p1], {
    sectorSize: 512,
    onStep: (step) => {
      if (step.kind === 'journal' && step.state === 'pending') writeAt(image, SAME_SECTOR_B, new Uint8Array([0x99]));
    },
  });
  assert.deepEqual([...readAt(image, SAME_SECTOR_A, 4)], [1, 2, 3, 4]);
  assert.equal(readAt(image, SAME_SECTOR_B, 1)[0], 0x99, "the other program's byte is not reverted");
  // Undo of an applied repair refuses while anything in its sectors changed since (the CRCs cover them) ...
  await assert.rejects(undoLast(image), UndoConflictError);
  // ... and with that byte back, restores only our bytes.
  writeAt(image, SAME_SECTOR_B, new Uint8Array([0]));
  await undoLast(image);
  assert.deepEqual([...readAt(image, SAME_SECTOR_A, 4)], [0, 0, 0, 0]);
});

test('a patched byte changed between the journal and the write: nothing of ours stays, the entry is dropped', async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  const original = fileHash(image);
  let target = -1;
  await assert.rejects(
    applyPlans(image, [plan], {
      sectorSize: 512,
      onStep: (step) => {
        // Once the backup half is written, someone changes a primary byte we are about to write.
        if (step.kind === 'fsync' && step.group === 'backup') {
          target = 512 + 0x10; // primary HeaderCRC32
          writeAt(image, target, new Uint8Array([readAt(image, target, 1)[0]! ^ 0xff]));
        }
      },
    }),
    (error: unknown) => error instanceof ImageChangedError && /what was written is restored/.test(error.message),
  );
  // Only the other program's byte differs from the original image.
  writeAt(image, target, new Uint8Array([readAt(image, target, 1)[0]! ^ 0xff]));
  assert.equal(fileHash(image), original, 'the backup half we wrote was put back');
  assert.deepEqual((await readJournal(image + '.diskx-journal'))?.entries ?? [], []);
});

test('undo writes only our bytes: a byte another program changes in the same sector during the undo is kept', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  await applyPlans(image, [bytePlan(image, SAME_SECTOR_A, [1, 2, 3, 4])], { sectorSize: 512 });
  await undoLast(image, {
    onStep: (step) => {
      if (step.kind === 'journal' && step.state === 'undoing') writeAt(image, SAME_SECTOR_B, new Uint8Array([0x77]));
    },
  });
  assert.deepEqual([...readAt(image, SAME_SECTOR_A, 4)], [0, 0, 0, 0]);
  assert.equal(readAt(image, SAME_SECTOR_B, 1)[0], 0x77);
});

// ---- across processes: the CLI against a writer in another process ----

const child = path.join(__dirname, 'writerChild.ts');

function startWriter(args: string[]): { proc: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { proc, exited };
}

/** Resolves once `file` exists; rejects if the child exits first. */
async function markerOf(file: string, exited: Promise<{ code: number | null; stderr: string }>): Promise<void> {
  let gone: { code: number | null; stderr: string } | null = null;
  void exited.then((e) => (gone = e));
  while (!fs.existsSync(file)) {
    if (gone) throw new Error(`the writer exited before ${path.basename(file)}: ${JSON.stringify(gone)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the CLI sees a lock held by another process: exit 2, one line naming it; after that holder is killed (-9) the CLI writes', async () => {
  const dir = tempDir();
  const { image, plan, regions } = seedImageAndPlan(path.join(dir, 'img.img'));
  const planFile = path.join(dir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(planToJson(plan)));
  const original = fileHash(image, regions);
  // The holder stops right after taking the lock (step 1) and is killed there when we say go.
  const holder = startWriter(['apply', image, planFile, '1', '1', dir, 'holder']);
  await markerOf(path.join(dir, 'holder.paused'), holder.exited);

  const refused = await runCli(['fix', image, '--fix', 'restore-esxi-slots', '--write'], { DISKX_LOCK_WAIT_MS: '0' });
  assert.equal(refused.status, 2, refused.stderr);
  const lines = refused.stderr.trim().split('\n');
  assert.equal(lines.length, 1, refused.stderr);
  assert.match(
    lines[0]!,
    new RegExp(
      `^diskx: .*img\\.img: the image is being written by test writer holder \\(pid ${holder.proc.pid} on host .*\\); nothing was written, try again when it has finished \\(lock .*img\\.img\\.diskx-lock\\)$`,
    ),
  );
  assert.equal(fileHash(image, regions), original);

  fs.writeFileSync(path.join(dir, 'holder.go'), '');
  assert.equal((await holder.exited).signal, 'SIGKILL');
  assert.ok(fs.existsSync(image + '.diskx-lock'), 'the killed holder left its lock file');
  const written = await runCli(['fix', image, '--fix', 'restore-esxi-slots', '--write'], { DISKX_LOCK_WAIT_MS: '0' });
  assert.equal(written.status, 0, written.stderr);
  assert.ok(!fs.existsSync(image + '.diskx-lock'));
  assert.equal((await runCli(['check', image])).status, 0);
});

test('a lock file from another host is never broken automatically: the error says which file to remove', async () => {
  const dir = tempDir();
  const { image, plan } = slotMoveSetup(dir);
  fs.writeFileSync(
    image + '.diskx-lock',
    JSON.stringify({ pid: 4242, host: 'elsewhere.example', bootId: 'x', startTicks: '1', tool: 'diskx fix', since: '2026-01-01T00:00:00.000Z' }),
  );
  await assert.rejects(applyPlans(image, [plan], { sectorSize: 512, lockWaitMs: 0 }), (error: unknown) => {
    assert.ok(error instanceof ImageLockedError);
    assert.match(
      error.message,
      /locked by diskx fix \(pid 4242 on host elsewhere\.example, since 2026-01-01T00:00:00\.000Z\), which cannot be checked from here .* remove .*img\.img\.diskx-lock$/,
    );
    return true;
  });
  // A dead process of this host is stale: gone at once.
  fs.writeFileSync(
    image + '.diskx-lock',
    JSON.stringify({
      pid: 2 ** 30,
      host: (await import('node:os')).hostname(),
      bootId: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      startTicks: '1',
      tool: 'diskx fix',
      since: '',
    }),
  );
  await applyPlans(image, [plan], { sectorSize: 512, lockWaitMs: 0 });
  assert.ok(!fs.existsSync(image + '.diskx-lock'));
});

test('DISKX_LOCK_WAIT_MS must be a number of milliseconds', async () => {
  const dir = tempDir();
  const { image } = slotMoveSetup(dir);
  const run = await runCli(['fix', image, '--fix', 'restore-esxi-slots', '--write'], { DISKX_LOCK_WAIT_MS: 'soon' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^diskx: DISKX_LOCK_WAIT_MS must be a whole number of milliseconds/);
});
