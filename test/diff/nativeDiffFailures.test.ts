// The native byte diff helper when things go wrong: a file that shrinks under the
// scan (SIGBUS inside the helper -> the JavaScript path's one-line error), cancel
// (the helper is killed and gone when the diff settles), output that breaks the
// protocol (rejected by a strict parser), and a helper that cannot start
// (missing, not executable, not a program for this machine: the JavaScript path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { byteDiff } from '../../src/core/diff/byteDiff';
import type { ByteDiffOptions } from '../../src/core/diff/byteDiff';
import { NATIVE_DIFF, NativeOutputParser, NativeDiffError } from '../../src/core/diff/nativeDiff';
import { byteDiffInWorker } from '../../src/core/diff/workerDiff';
import { describeError, TruncatedError } from '../../src/core/errors';
import { tempDir } from '../builders/images';
import { sparseFile, writeAt } from '../builders/oracles';
import { withNativeSetup } from './nativeSetup';

const dir = tempDir('diskx-native-fail-');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const helperBuilt = process.platform === 'linux' && fs.existsSync(NATIVE_DIFF.helper);
const skip = helperBuilt ? false : 'the native helper is not built here (no C compiler, or not Linux)';
const linuxOnly = process.platform === 'linux' ? false : 'the native helper runs on Linux only';

async function diffFiles(fileA: string, fileB: string, options: ByteDiffOptions, setup: Partial<typeof NATIVE_DIFF> = {}) {
  const { value, pids } = await withNativeSetup(fileA, fileB, setup, (a, b) =>
    byteDiff(a, b, options).then(
      (result) => ({ result, error: null }),
      (error: unknown) => ({ result: null, error }),
    ),
  );
  return { ...value, pids };
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// Two large sparse files read in full (holes too): the scan runs for many seconds unless stopped.
const bigA = sparseFile(path.join(dir, 'big-a.img'), 64 * GiB);
const bigB = sparseFile(path.join(dir, 'big-b.img'), 64 * GiB);

test('a file that shrinks during the scan: the one-line truncated error, like the JS path, no crash, no hang', { skip }, async () => {
  const shrink = (file: string) => (done: number) => {
    if (done > 0 && fs.statSync(file).size > MiB) fs.truncateSync(file, MiB);
  };
  const native = await diffFiles(bigA, bigB, { skipHoles: false, onProgress: shrink(bigB) });
  assert.equal(native.pids.length, 1, 'the helper ran');
  assert.ok(native.error instanceof TruncatedError, String(native.error));
  assert.match(describeError(native.error), /^truncated: needed \d+ bytes at offset \d+, only 0 available$/);
  assert.ok(gone(native.pids[0]!));
  fs.truncateSync(bigB, 64 * GiB);
  const js = await diffFiles(bigA, bigB, { skipHoles: false, native: false, onProgress: shrink(bigB) });
  assert.ok(js.error instanceof TruncatedError, String(js.error));
  assert.match(describeError(js.error), /^truncated: needed \d+ bytes at offset \d+, only 0 available$/);
  fs.truncateSync(bigB, 64 * GiB);
});

test('cancel mid-scan: rejects with the signal reason, and the helper has exited by then (no orphan)', { skip }, async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  let progressAfterCancel = 0;
  const outcome = await diffFiles(bigA, bigB, {
    skipHoles: false,
    signal: controller.signal,
    onProgress: (done) => {
      if (controller.signal.aborted) progressAfterCancel++;
      else if (done > 0) controller.abort(reason);
    },
  });
  assert.equal(outcome.error, reason);
  assert.equal(outcome.pids.length, 1);
  assert.ok(gone(outcome.pids[0]!), 'the helper process is gone');
  assert.ok(progressAfterCancel <= 1);
});

test('a progress callback that throws: byteDiff rejects with that error and the helper is gone', { skip }, async () => {
  const thrown = new Error('from the callback');
  const outcome = await diffFiles(bigA, bigB, {
    skipHoles: false,
    onProgress: (done) => {
      if (done > 0) throw thrown;
    },
  });
  assert.equal(outcome.error, thrown);
  assert.equal(outcome.pids.length, 1);
  assert.ok(gone(outcome.pids[0]!));
});

/** Process ids of this process's children named diskx-cmp (from /proc). */
function helperChildren(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S (\d+) /.exec(stat);
      if (match && match[1] === 'diskx-cmp' && Number(match[2]) === process.pid) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

test("the compare view's worker uses the helper for plain files; its cancel kills the helper", { skip }, async () => {
  const controller = new AbortController();
  const reason = new Error('cancelled by the test');
  let seen: number[] = [];
  const worker = path.resolve(__dirname, '..', '..', 'dist', 'byteDiffWorker.js');
  const outcome = await byteDiffInWorker(worker, bigA, bigB, {
    maxRanges: 100,
    skipHoles: false,
    signal: controller.signal,
    onProgress: (done) => {
      if (done === 0 || controller.signal.aborted) return;
      seen = helperChildren();
      controller.abort(reason);
    },
  }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.equal(outcome, reason);
  assert.equal(seen.length, 1, 'one diskx-cmp child while the worker scanned');
  assert.ok(gone(seen[0]!), 'and it is gone once the diff settled');
});

/** A stand-in helper: a shell script given the same arguments ($6 is TOTAL). */
function fakeHelper(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const smallA = path.join(dir, 'small-a.img');
const smallB = path.join(dir, 'small-b.img');
fs.writeFileSync(smallA, Buffer.alloc(64 * 1024, 1));
fs.writeFileSync(smallB, Buffer.alloc(64 * 1024, 1));
writeAt(smallB, 100, Uint8Array.of(9, 9));

test('malformed output after the greeting is rejected with one line naming DISKX_NATIVE_DIFF=0', { skip: linuxOnly }, async () => {
  const cases: [string, string][] = [
    ['zero length', `printf 'diskx-cmp 1\\nr 5 0\\ne 0 %s\\n' "$6"`],
    ['overlap', `printf 'diskx-cmp 1\\nr 10 2\\nr 11 1\\ne 0 %s\\n' "$6"`],
    ['adjacent runs', `printf 'diskx-cmp 1\\nr 10 2\\nr 12 1\\ne 0 %s\\n' "$6"`],
    ['leading zero', `printf 'diskx-cmp 1\\nr 010 1\\ne 0 %s\\n' "$6"`],
    ['beyond the end', `printf 'diskx-cmp 1\\nr 65535 2\\ne 0 %s\\n' "$6"`],
    ['no end record', `printf 'diskx-cmp 1\\nr 100 2\\n'`],
    ['after the end', `printf 'diskx-cmp 1\\ne 0 %s\\nr 100 2\\n' "$6"`],
    ['ends early', `printf 'diskx-cmp 1\\ne 0 100\\n'`],
    ['truncated without the cap reached', `printf 'diskx-cmp 1\\nr 100 2\\ne 1 200\\n'`],
    ['unterminated line', `printf 'diskx-cmp 1\\ne 0 %s' "$6"`],
    ['unknown record', `printf 'diskx-cmp 1\\nx 1\\ne 0 %s\\n' "$6"`],
    ['long line', `printf 'diskx-cmp 1\\nr %0100d 1\\n' 1`],
  ];
  for (const [name, body] of cases) {
    const helper = fakeHelper(`bad-${name.replace(/ /g, '-')}`, body);
    const outcome = await diffFiles(smallA, smallB, {}, { helper });
    assert.ok(outcome.error instanceof NativeDiffError, `${name}: ${String(outcome.error)}`);
    const message = describeError(outcome.error);
    assert.match(message, /^the native byte diff helper's output is malformed \(.+\); DISKX_NATIVE_DIFF=0 uses the built-in diff$/, name);
  }
});

test('errors the helper reports: shrunk file, read error, other failures, killed', { skip: linuxOnly }, async () => {
  const run = async (body: string) => (await diffFiles(smallA, smallB, {}, { helper: fakeHelper('err', body) })).error;
  const shrunk = await run(`echo 'diskx-cmp 1'; echo 'truncated b 4096 61440' >&2; exit 3`);
  assert.ok(shrunk instanceof TruncatedError);
  assert.equal(describeError(shrunk), 'truncated: needed 61440 bytes at offset 4096, only 0 available');
  assert.equal(describeError(await run(`echo 'diskx-cmp 1'; echo 'io a' >&2; exit 3`)), 'input/output error while reading');
  assert.equal(
    describeError(await run(`echo 'diskx-cmp 1'; printf 'cannot map file a\\033[31m\\n' >&2; exit 4`)),
    'the native byte diff helper failed (exit 4: cannot map file a?[31m); DISKX_NATIVE_DIFF=0 uses the built-in diff',
  );
  assert.equal(
    describeError(await run(`echo 'diskx-cmp 1'; kill -9 $$`)),
    'the native byte diff helper was killed (SIGKILL); DISKX_NATIVE_DIFF=0 uses the built-in diff',
  );
});

test('a helper that cannot start or does not greet: the JavaScript path, same result', { skip: linuxOnly }, async () => {
  const expected = (await diffFiles(smallA, smallB, { native: false })).result!;
  assert.deepEqual(expected.ranges, [{ offset: 100, length: 2 }]);
  const notExecutable = path.join(dir, 'plain');
  fs.writeFileSync(notExecutable, '#!/bin/sh\necho diskx-cmp 1\n', { mode: 0o644 });
  const garbage = path.join(dir, 'garbage');
  fs.writeFileSync(garbage, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9]), { mode: 0o755 });
  const helpers = {
    missing: path.join(dir, 'no-such-helper'),
    'not executable': notExecutable,
    'not a program for this machine': garbage,
    'exits before greeting': fakeHelper('unusable', `echo 'cannot map the files' >&2; exit 5`),
    'greets wrongly': fakeHelper('other', `echo 'diskx-cmp 2'; exit 0`),
  };
  for (const [name, helper] of Object.entries(helpers)) {
    const outcome = await diffFiles(smallA, smallB, {}, { helper });
    assert.equal(outcome.error, null, `${name}: ${String(outcome.error)}`);
    assert.deepEqual(outcome.result, expected, name);
  }
});

test('DISKX_NATIVE_DIFF=0 never starts the helper; below minBytes it is not started either', { skip }, async () => {
  process.env.DISKX_NATIVE_DIFF = '0';
  try {
    const off = await diffFiles(smallA, smallB, {});
    assert.equal(off.pids.length, 0);
    assert.deepEqual(off.result!.ranges, [{ offset: 100, length: 2 }]);
  } finally {
    delete process.env.DISKX_NATIVE_DIFF;
  }
  assert.equal((await diffFiles(smallA, smallB, {}, { minBytes: 1024 * 1024 })).pids.length, 0);
  assert.equal((await diffFiles(smallA, smallB, {})).pids.length, 1);
});

test('the output parser is strict about numbers and records', () => {
  const lines = (text: string, total = 1000, max = 10) => {
    const parser = new NativeOutputParser(total, max);
    parser.feed(text);
    parser.finish();
    return parser;
  };
  const ok = lines('diskx-cmp 1\nr 0 1\np 500\nr 2 3\np 1000\ne 0 1000\n');
  assert.deepEqual(ok.ranges, [
    { offset: 0, length: 1 },
    { offset: 2, length: 3 },
  ]);
  assert.equal(lines('diskx-cmp 1\nr 0 1\ne 1 5\n', 1000, 1).truncated, true);
  for (const bad of [
    'diskx-cmp 1\nr +1 1\ne 0 1000\n',
    'diskx-cmp 1\nr 1  1\ne 0 1000\n',
    'diskx-cmp 1\nr 1 1 \ne 0 1000\n',
    'diskx-cmp 1\nr 1 1\r\ne 0 1000\n',
    'diskx-cmp 1\nr 1e3 1\ne 0 1000\n',
    'diskx-cmp 1\nr 99999999999999999 1\ne 0 1000\n',
    'diskx-cmp 1\np 600\np 500\ne 0 1000\n',
    'diskx-cmp 1\np 1001\ne 0 1000\n',
    'diskx-cmp 1\ne 2 1000\n',
    'diskx-cmp 1\nr 0 1\ne 1 1\n',
    'diskx-cmp 1\nr 0 1\nr 5 1\ne 1 9\n',
    ' diskx-cmp 1\ne 0 1000\n',
    'diskx-cmp 1\n\ne 0 1000\n',
  ])
    assert.throws(() => lines(bad, 1000, bad.includes('e 1') ? 1 : 10), JSON.stringify(bad));
});
