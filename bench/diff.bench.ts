// Benchmark (numbers, never pass/fail): `diskx diff A B --bytes --json | cat`
// against GNU cmp on the same files in the same run. cmp's output is always a
// pipe: writing to /dev/null, GNU cmp behaves like `cmp -s` and stops at the
// first difference.
//
// Cases (DISKX_BENCH_MIB sets the image size, default 1024 MiB):
//   identical        equal regular files: `diskx diff --bytes` vs `cmp` (which reads all when nothing differs)
//   differing        three single-byte changes: vs `cmp -l | cat`
//   differing-cold   the same with both files dropped from the page cache before every run of either tool
//   sparse           two sparse files, a few changed ranges: vs `cmp -l | cat`
// Every timed run is the whole command (process start included), in rounds of
// three: ours (with the native helper, dist/native/diskx-cmp, when it is built),
// ours with DISKX_NATIVE_DIFF=0 (the JavaScript path, the fallback) and cmp, in
// turns (so no tool always runs first or last), DISKX_BENCH_RUNS rounds
// (default 7, at least 5) after one warm-up each, with
// CPU time (user + system) and peak RSS from /usr/bin/time, and the load
// average (1, 5, 15 minutes) before and after. The ratio is given twice: of the
// two medians, and the median of the ratios within each round (the runs of a
// round see nearly the same neighbours: on a shared machine the wall-time ratio
// moves with them, the CPU time much less). DISKX_BENCH_CASES=differing,sparse
// runs only the cases named. Peak RSS is also
// given above the CLI's own (`diskx --version`). The in-process byteDiff time
// is printed too, with the helper and on the JavaScript path. NODE_EXTRA_CA_CERTS is removed from the runs' environment:
// when set, every Node start loads that CA store first (tens of ms of CPU),
// which is the machine's setting, not the diff's cost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { byteDiff } from '../src/core/diff/byteDiff';
import { ScanFileSource } from '../src/core/io/scanSource';
import { NATIVE_DIFF } from '../src/core/diff/nativeDiff';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.DISKX_BENCH_MIB ?? 1024) * MiB;
const RUNS = Math.max(5, Number(process.env.DISKX_BENCH_RUNS ?? 7) || 7);
const CASES = process.env.DISKX_BENCH_CASES?.split(',').map((name) => name.trim());
const wanted = (name: string): boolean => !CASES || CASES.includes(name);
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function writeRegular(file: string, seed: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let at = 0; at < SIZE; at += seed.length) {
      seed.writeUInt32LE(at / seed.length, 0); // vary each block so the file is not one pattern repeated
      fs.writeSync(fd, seed, 0, Math.min(seed.length, SIZE - at), at);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function flip(file: string, offsets: number[], length = 1): void {
  const fd = fs.openSync(file, 'r+');
  try {
    for (const offset of offsets) {
      const bytes = Buffer.alloc(length);
      fs.readSync(fd, bytes, 0, length, offset);
      for (let i = 0; i < length; i++) bytes[i] = bytes[i]! ^ 0xa5;
      fs.writeSync(fd, bytes, 0, length, offset);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Drops a file's pages from the page cache (posix_fadvise DONTNEED through GNU dd). */
function dropCache(file: string): boolean {
  return spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0;
}

const haveTime = fs.existsSync('/usr/bin/time');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

interface Timing {
  /** Seconds, start to end. */
  wall: number;
  /** CPU seconds, user + system, of every process and thread of the pipeline (null without /usr/bin/time). */
  cpu: number | null;
  /** Largest peak resident set of the pipeline's processes, MiB (null without /usr/bin/time). */
  rssMiB: number | null;
}

/** Runs a shell pipeline and times it. */
function timed(pipeline: string): Timing {
  const start = process.hrtime.bigint();
  const argv = haveTime ? ['/usr/bin/time', '-f', 'cpu=%U+%S rss=%M', '/bin/sh', '-c', pipeline] : ['/bin/sh', '-c', pipeline];
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${pipeline} failed (${result.status}): ${result.stderr}`);
  const stats = /cpu=([\d.]+)\+([\d.]+) rss=(\d+)/.exec(result.stderr ?? '');
  return { wall, cpu: stats ? Number(stats[1]) + Number(stats[2]) : null, rssMiB: stats ? Number(stats[3]) / 1024 : null };
}

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join('/');

const quote = (file: string): string => `'${file.replace(/'/g, `'\\''`)}'`;

async function inProcess(fileA: string, fileB: string, native: boolean): Promise<{ seconds: number; rssMiB: number; ranges: number; skipped: number }> {
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    const before = process.memoryUsage().rss;
    let peak = before;
    const start = process.hrtime.bigint();
    const result = await byteDiff(a, b, { native, onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { seconds, rssMiB: (Math.max(peak, process.memoryUsage().rss) - before) / MiB, ranges: result.ranges.length, skipped: result.skippedBytes };
  } finally {
    await a.close();
    await b.close();
  }
}

interface Case {
  name: string;
  a: string;
  b: string;
  cmpArgs: string;
  cold?: boolean;
}

/** Peak RSS of the CLI doing nothing (`--version`): what the diff's buffers are measured above. */
let baseRssMiB: number | null = null;

async function runCase(c: Case): Promise<void> {
  const ours = `node ${quote(CLI)} diff ${quote(c.a)} ${quote(c.b)} --bytes --json | cat`;
  const js = `DISKX_NATIVE_DIFF=0 ${ours}`;
  const theirs = `cmp ${c.cmpArgs} ${quote(c.a)} ${quote(c.b)} | cat; true`;
  const prepare = (): void => {
    if (c.cold) for (const file of [c.a, c.b]) dropCache(file);
  };
  const loadBefore = load();
  const pipelines = [ours, js, theirs];
  const runs: Timing[][] = [[], [], []];
  for (const pipeline of pipelines) {
    prepare();
    timed(pipeline);
  }
  for (let run = 0; run < RUNS; run++) {
    // Each tool first, second and third in turn.
    for (let k = 0; k < 3; k++) {
      const which = (run + k) % 3;
      prepare();
      runs[which]!.push(timed(pipelines[which]!));
    }
  }
  const [oursRuns, jsRuns, theirRuns] = runs as [Timing[], Timing[], Timing[]];
  const loadAfter = load();
  prepare();
  const inner = await inProcess(c.a, c.b, true);
  prepare();
  const innerJs = await inProcess(c.a, c.b, false);
  const o = median(oursRuns.map((r) => r.wall));
  const j = median(jsRuns.map((r) => r.wall));
  const t = median(theirRuns.map((r) => r.wall));
  console.log('');
  console.log(
    `${c.name}${c.cold ? ' (page cache dropped before every run)' : ''}: ${inner.ranges} differing ranges, ${(inner.skipped / MiB).toFixed(0)} MiB of holes skipped; load ${loadBefore} -> ${loadAfter}`,
  );
  console.log(`  diskx diff --bytes --json | cat  ${o.toFixed(3)} s   runs ${oursRuns.map((r) => r.wall.toFixed(3)).join(' ')}`);
  console.log(`  the same, DISKX_NATIVE_DIFF=0    ${j.toFixed(3)} s   runs ${jsRuns.map((r) => r.wall.toFixed(3)).join(' ')}`);
  console.log(
    `  ${`${['cmp', c.cmpArgs].filter(Boolean).join(' ')} | cat`.padEnd(33)}${t.toFixed(3)} s   runs ${theirRuns.map((r) => r.wall.toFixed(3)).join(' ')}`,
  );
  console.log(
    `  byteDiff alone (in process)      ${inner.seconds.toFixed(3)} s   ${(SIZE / inner.seconds / 1e9).toFixed(2)} GB/s, peak RSS +${inner.rssMiB.toFixed(1)} MiB (goal: +64 MiB at most)`,
  );
  console.log(
    `  the same, JavaScript path        ${innerJs.seconds.toFixed(3)} s   ${(SIZE / innerJs.seconds / 1e9).toFixed(2)} GB/s, peak RSS +${innerJs.rssMiB.toFixed(1)} MiB`,
  );
  const ratioLine = (label: string, mine: Timing[], m: number): void => {
    const roundRatios = mine.map((r, i) => theirRuns[i]!.wall / r.wall);
    console.log(
      `  ratio: ${label} ${(t / m).toFixed(2)}x the speed of cmp ${c.cmpArgs} (medians; per round: median ${median(roundRatios).toFixed(2)}x, ${Math.min(...roundRatios).toFixed(2)}-${Math.max(...roundRatios).toFixed(2)}x) (goal: ${c.cold ? '>= 1.0 cold' : '>= 2.0 cached'})`,
    );
  };
  ratioLine('diskx is', oursRuns, o);
  ratioLine('the JavaScript path is', jsRuns, j);
  const cpu = (list: Timing[]): number[] => list.map((r) => r.cpu).filter((x): x is number => x !== null);
  const [oursCpu, jsCpu, theirCpu] = [cpu(oursRuns), cpu(jsRuns), cpu(theirRuns)];
  if (oursCpu.length && jsCpu.length && theirCpu.length) {
    // On a loaded machine wall time mostly measures the neighbours; CPU time is what each tool costs.
    console.log(
      `  CPU time (user + system): diskx ${median(oursCpu).toFixed(3)} s, JavaScript path ${median(jsCpu).toFixed(3)} s, cmp ${median(theirCpu).toFixed(3)} s: cmp needs ${(median(theirCpu) / median(oursCpu)).toFixed(2)}x ours`,
    );
  }
  const rss = [...oursRuns, ...jsRuns].map((r) => r.rssMiB).filter((x): x is number => x !== null);
  if (rss.length && baseRssMiB !== null) {
    const peak = Math.max(...rss);
    console.log(`  peak RSS of the CLI: ${peak.toFixed(1)} MiB, +${(peak - baseRssMiB).toFixed(1)} MiB above diskx --version (goal: +64 MiB at most)`);
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-diff-bench-'));
  try {
    console.log(
      `diskx diff --bytes vs GNU cmp, ${SIZE / MiB} MiB per image, median of ${RUNS} interleaved rounds after a warm-up, node ${process.version}, ${os.cpus().length} CPUs, load ${load()} (1/5/15 min), ${new Date().toISOString()}`,
    );
    console.log(
      fs.existsSync(NATIVE_DIFF.helper)
        ? `native helper: ${path.relative(process.cwd(), NATIVE_DIFF.helper)} (diskx uses it for plain files of ${NATIVE_DIFF.minBytes / MiB} MiB or more)`
        : 'native helper: not built (no C compiler?): both diskx lines are the JavaScript path',
    );
    baseRssMiB = median([0, 1, 2].map(() => timed(`node ${quote(CLI)} --version | cat`).rssMiB ?? NaN));
    if (Number.isNaN(baseRssMiB)) baseRssMiB = null;
    const a = path.join(dir, 'a.img');
    const b = path.join(dir, 'b.img');
    writeRegular(a, crypto.randomBytes(64 * MiB));
    fs.copyFileSync(a, b);
    if (wanted('identical')) await runCase({ name: 'identical', a, b, cmpArgs: '' });
    flip(b, [1000, Math.floor(SIZE / 2) + 7, SIZE - 824]);
    if (wanted('differing')) await runCase({ name: 'differing', a, b, cmpArgs: '-l' });
    if (wanted('differing-cold')) {
      if (dropCache(a)) await runCase({ name: 'differing-cold', a, b, cmpArgs: '-l', cold: true });
      else console.log('\ndiffering-cold: skipped (dd iflag=nocache could not drop the page cache here)');
    }
    fs.rmSync(a);
    fs.rmSync(b);
    const sa = path.join(dir, 'sparse-a.img');
    const sb = path.join(dir, 'sparse-b.img');
    for (const file of [sa, sb]) {
      fs.writeFileSync(file, '');
      fs.truncateSync(file, SIZE);
    }
    flip(sa, [4096], 8);
    flip(sb, [4096], 4);
    flip(sb, [SIZE - 1]);
    if (wanted('sparse')) await runCase({ name: 'sparse', a: sa, b: sb, cmpArgs: '-l' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  // A benchmark reports; it never fails the build.
  console.log(`diff bench could not finish: ${error instanceof Error ? error.message : String(error)}`);
});
