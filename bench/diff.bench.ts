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
// Every timed run is the whole command (process start included), interleaved
// tool by tool, median of DISKX_BENCH_RUNS (default 5) after one warm-up. The
// in-process byteDiff time is printed too, with its peak RSS above the process's
// level before the scan.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { byteDiff } from '../src/core/diff/byteDiff';
import { ScanFileSource } from '../src/core/io/scanSource';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.DISKX_BENCH_MIB ?? 1024) * MiB;
const RUNS = Number(process.env.DISKX_BENCH_RUNS ?? 5);
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
/** CPU seconds (user + system, the pipeline's processes and threads) of the last timed() run, when /usr/bin/time exists. */
let lastCpu: number | null = null;

/** Seconds the shell pipeline takes, start to end; its CPU time goes to lastCpu. */
function timed(pipeline: string): number {
  const start = process.hrtime.bigint();
  const argv = haveTime ? ['/usr/bin/time', '-f', 'cpu=%U+%S', '/bin/sh', '-c', pipeline] : ['/bin/sh', '-c', pipeline];
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${pipeline} failed (${result.status}): ${result.stderr}`);
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(result.stderr ?? '');
  lastCpu = cpu ? Number(cpu[1]) + Number(cpu[2]) : null;
  return seconds;
}

const quote = (file: string): string => `'${file.replace(/'/g, `'\\''`)}'`;

async function inProcess(fileA: string, fileB: string): Promise<{ seconds: number; rssMiB: number; ranges: number; skipped: number }> {
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    const before = process.memoryUsage().rss;
    let peak = before;
    const start = process.hrtime.bigint();
    const result = await byteDiff(a, b, { onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
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

async function runCase(c: Case): Promise<void> {
  const ours = `node ${quote(CLI)} diff ${quote(c.a)} ${quote(c.b)} --bytes --json | cat`;
  const theirs = `cmp ${c.cmpArgs} ${quote(c.a)} ${quote(c.b)} | cat; true`;
  const prepare = (): void => {
    if (c.cold) for (const file of [c.a, c.b]) dropCache(file);
  };
  prepare();
  timed(ours);
  prepare();
  timed(theirs);
  const oursRuns: number[] = [];
  const theirRuns: number[] = [];
  const oursCpu: number[] = [];
  const theirCpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    prepare();
    oursRuns.push(timed(ours));
    if (lastCpu !== null) oursCpu.push(lastCpu);
    prepare();
    theirRuns.push(timed(theirs));
    if (lastCpu !== null) theirCpu.push(lastCpu);
  }
  prepare();
  const inner = await inProcess(c.a, c.b);
  const o = median(oursRuns);
  const t = median(theirRuns);
  console.log('');
  console.log(
    `${c.name}${c.cold ? ' (page cache dropped before every run)' : ''}: ${inner.ranges} differing ranges, ${(inner.skipped / MiB).toFixed(0)} MiB of holes skipped`,
  );
  console.log(`  diskx diff --bytes --json | cat  ${o.toFixed(3)} s   runs ${oursRuns.map((s) => s.toFixed(3)).join(' ')}`);
  console.log(`  cmp ${c.cmpArgs.padEnd(3)} | cat                 ${t.toFixed(3)} s   runs ${theirRuns.map((s) => s.toFixed(3)).join(' ')}`);
  console.log(
    `  byteDiff alone (in process)      ${inner.seconds.toFixed(3)} s   ${(SIZE / inner.seconds / 1e9).toFixed(2)} GB/s, peak RSS +${inner.rssMiB.toFixed(1)} MiB (goal: +64 MiB at most)`,
  );
  console.log(`  ratio: diskx is ${(t / o).toFixed(2)}x the speed of cmp ${c.cmpArgs} (goal: ${c.cold ? '>= 1.0 cold' : '>= 2.0 cached'})`);
  if (oursCpu.length && theirCpu.length) {
    // On a loaded machine wall time mostly measures the neighbours; CPU time is what each tool costs.
    console.log(
      `  CPU time (user + system): diskx ${median(oursCpu).toFixed(3)} s, cmp ${median(theirCpu).toFixed(3)} s: cmp needs ${(median(theirCpu) / median(oursCpu)).toFixed(2)}x ours`,
    );
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-diff-bench-'));
  try {
    console.log(
      `diskx diff --bytes vs GNU cmp, ${SIZE / MiB} MiB per image, median of ${RUNS} after a warm-up, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const a = path.join(dir, 'a.img');
    const b = path.join(dir, 'b.img');
    writeRegular(a, crypto.randomBytes(64 * MiB));
    fs.copyFileSync(a, b);
    await runCase({ name: 'identical', a, b, cmpArgs: '' });
    flip(b, [1000, Math.floor(SIZE / 2) + 7, SIZE - 824]);
    await runCase({ name: 'differing', a, b, cmpArgs: '-l' });
    if (dropCache(a)) await runCase({ name: 'differing-cold', a, b, cmpArgs: '-l', cold: true });
    else console.log('\ndiffering-cold: skipped (dd iflag=nocache could not drop the page cache here)');
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
    await runCase({ name: 'sparse', a: sa, b: sb, cmpArgs: '-l' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  // A benchmark reports; it never fails the build.
  console.log(`diff bench could not finish: ${error instanceof Error ? error.message : String(error)}`);
});
