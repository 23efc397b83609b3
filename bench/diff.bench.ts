// Benchmark (numbers, never pass/fail): our streaming byteDiff against `cmp`
// over 2 GiB, in the same run, on the same files:
//   regular-identical  two regular (non-sparse) 2 GiB files with equal bytes: byteDiff vs cmp
//                      (cmp reads everything when nothing differs, so it is the fair twin)
//   regular-differing  the same with a few changed ranges: byteDiff vs `cmp -l` (which scans
//                      everything and lists every byte); plain `cmp` stops at the first one
//   sparse-differing   two sparse 2 GiB files (holes) with a few changed ranges: same tools
// Files are written once into a temporary folder; one untimed warm-up run of every tool
// first, so every timed run reads from the page cache alike; then the median of 3.
// Peak RSS: ours is the process's RSS above its level before the scan (sampled at every
// chunk); cmp's is its whole max RSS from /usr/bin/time when that exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { byteDiff } from '../src/core/diff/byteDiff';
import { ScanFileSource } from '../src/core/io/scanSource';

const MiB = 1024 * 1024;
const SIZE = 2 * 1024 * MiB;
const RUNS = 3;
const DIFFERENCES = [{ offset: 4096, length: 8 }, { offset: 1_000_000_003, length: 100 }, { offset: SIZE - 1, length: 1 }];

interface Sample {
  seconds: number;
  rssExtraMiB: number | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function writeRegular(file: string, seed: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let at = 0; at < SIZE; at += seed.length) {
      // Vary each block so the file is not one pattern repeated.
      seed.writeUInt32LE(at / seed.length, 0);
      fs.writeSync(fd, seed, 0, Math.min(seed.length, SIZE - at), at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function applyDifferences(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    for (const d of DIFFERENCES) {
      const old = Buffer.alloc(d.length);
      fs.readSync(fd, old, 0, d.length, d.offset);
      for (let i = 0; i < d.length; i++) old[i] = old[i]! ^ 0xa5;
      fs.writeSync(fd, old, 0, d.length, d.offset);
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function ours(fileA: string, fileB: string): Promise<Sample & { ranges: number; identical: boolean }> {
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    const before = process.memoryUsage().rss;
    let peak = before;
    const start = process.hrtime.bigint();
    const result = await byteDiff(a, b, { onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, rssExtraMiB: (peak - before) / MiB, ranges: result.ranges.length, identical: result.identical };
  } finally {
    await a.close();
    await b.close();
  }
}

const haveTime = fs.existsSync('/usr/bin/time');

function cmp(args: string[]): Sample {
  const command = haveTime ? '/usr/bin/time' : 'cmp';
  const argv = haveTime ? ['-f', 'maxrss_kib=%M', 'cmp', ...args] : args;
  const start = process.hrtime.bigint();
  // stdout must be a pipe: GNU cmp writing to /dev/null acts as `cmp -s` and stops at the first difference.
  const result = spawnSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * MiB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`cmp ${args.join(' ')} failed: ${result.stderr}`);
  const rss = /maxrss_kib=(\d+)/.exec(result.stderr ?? '');
  return { seconds, rssExtraMiB: rss ? Number(rss[1]) / 1024 : null };
}

function gbps(seconds: number): string {
  return `${(SIZE / seconds / 1e9).toFixed(2)} GB/s`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-diff-bench-'));
  try {
    console.log(`diskx byteDiff vs cmp, ${SIZE / MiB} MiB per image, median of ${RUNS} (after one warm-up), node ${process.version}, ${os.cpus().length} CPUs`);
    const seed = crypto.randomBytes(64 * MiB);
    const regularA = path.join(dir, 'regular-a.img');
    const regularB = path.join(dir, 'regular-b.img');
    const sparseA = path.join(dir, 'sparse-a.img');
    const sparseB = path.join(dir, 'sparse-b.img');
    // Each case writes its pair and removes it afterwards, so at most two images compete for the page cache.
    const cases: { name: string; a: string; b: string; cmpArgs: string[]; make: () => void }[] = [
      {
        name: 'regular-identical',
        a: regularA,
        b: regularB,
        cmpArgs: [],
        make: () => {
          writeRegular(regularA, seed);
          fs.copyFileSync(regularA, regularB);
        },
      },
      { name: 'regular-differing', a: regularA, b: regularB, cmpArgs: ['-l'], make: () => applyDifferences(regularB) },
      {
        name: 'sparse-differing',
        a: sparseA,
        b: sparseB,
        cmpArgs: ['-l'],
        make: () => {
          fs.rmSync(regularA);
          fs.rmSync(regularB);
          for (const file of [sparseA, sparseB]) {
            fs.writeFileSync(file, '');
            fs.truncateSync(file, SIZE);
          }
          applyDifferences(sparseB);
        },
      },
    ];
    let t = Date.now();
    for (const c of cases) {
      t = Date.now();
      c.make();
      await ours(c.a, c.b); // warm-up: both files into the page cache
      cmp([...c.cmpArgs, c.a, c.b]);
      const oursRuns: Awaited<ReturnType<typeof ours>>[] = [];
      const cmpRuns: Sample[] = [];
      const cmpFirst: Sample[] = [];
      for (let run = 0; run < RUNS; run++) {
        oursRuns.push(await ours(c.a, c.b));
        cmpRuns.push(cmp([...c.cmpArgs, c.a, c.b]));
        if (c.cmpArgs.length > 0) cmpFirst.push(cmp([c.a, c.b]));
      }
      const oursSeconds = median(oursRuns.map((r) => r.seconds));
      const cmpSeconds = median(cmpRuns.map((r) => r.seconds));
      const oursRss = Math.max(...oursRuns.map((r) => r.rssExtraMiB ?? 0));
      const cmpRss = cmpRuns.map((r) => r.rssExtraMiB).filter((v): v is number => v !== null);
      console.log('');
      console.log(`${c.name}: ${oursRuns[0]!.identical ? 'identical' : `${oursRuns[0]!.ranges} differing ranges`}`);
      console.log(`  byteDiff          ${oursSeconds.toFixed(3)} s  ${gbps(oursSeconds)}  peak RSS +${oursRss.toFixed(1)} MiB   runs ${oursRuns.map((r) => r.seconds.toFixed(3)).join(' ')}`);
      console.log(`  cmp ${c.cmpArgs.join(' ').padEnd(13)} ${cmpSeconds.toFixed(3)} s  ${gbps(cmpSeconds)}  max RSS ${cmpRss.length ? `${Math.max(...cmpRss).toFixed(1)} MiB` : 'n/a'}   runs ${cmpRuns.map((r) => r.seconds.toFixed(3)).join(' ')}`);
      if (cmpFirst.length > 0) console.log(`  cmp (stops at the first difference, byte ${DIFFERENCES[0]!.offset + 1}) ${median(cmpFirst.map((r) => r.seconds)).toFixed(3)} s`);
      console.log(`  best of ${RUNS}: byteDiff ${Math.min(...oursRuns.map((r) => r.seconds)).toFixed(3)} s, cmp ${Math.min(...cmpRuns.map((r) => r.seconds)).toFixed(3)} s`);
      console.log(`  ratio: byteDiff is ${(cmpSeconds / oursSeconds).toFixed(2)}x the speed of cmp${c.cmpArgs.length ? ' -l' : ''} (goal >= 1.00); RSS goal +64 MiB: ${oursRss < 64 ? 'met' : 'MISSED'}  (case took ${((Date.now() - t) / 1000).toFixed(0)} s with writing)`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  // A benchmark reports; it never fails the build.
  console.log(`diff bench could not finish: ${error instanceof Error ? error.message : String(error)}`);
});
