// Benchmark (numbers, never pass/fail): the partition scan's throughput against
// `dd if=IMAGE of=/dev/null bs=4M` on the same file in the same run (goal: at
// least half of dd's). The image is a regular file full of data (random bytes
// with a few real volume signatures), so neither tool can skip holes.
// DISKX_BENCH_MIB sets its size (default 4096 MiB), DISKX_BENCH_RUNS the runs
// (default 3, interleaved, median, after one warm-up of each).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.DISKX_BENCH_MIB ?? 4096) * MiB;
const RUNS = Number(process.env.DISKX_BENCH_RUNS ?? 3);
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-scan-bench-'));
  try {
    const image = path.join(dir, 'data.img');
    const block = crypto.randomBytes(64 * MiB);
    const fd = fs.openSync(image, 'w');
    for (let at = 0; at < SIZE; at += block.length) {
      block.writeUInt32LE(at / block.length, 0);
      fs.writeSync(fd, block, 0, Math.min(block.length, SIZE - at), at);
    }
    fs.closeSync(fd);
    console.log(
      `diskx scan vs dd bs=4M, ${SIZE / MiB} MiB of data (no holes), median of ${RUNS} after a warm-up, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const ours = (): number => timed(process.execPath, [CLI, 'scan', image, '--json']);
    const dd = (): number => timed('dd', [`if=${image}`, 'of=/dev/null', 'bs=4M', 'status=none']);
    ours();
    dd();
    const oursRuns: number[] = [];
    const ddRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      oursRuns.push(ours());
      ddRuns.push(dd());
    }
    const o = median(oursRuns);
    const d = median(ddRuns);
    const gbps = (s: number): string => `${(SIZE / s / 1e9).toFixed(2)} GB/s`;
    console.log(`  diskx scan --json  ${o.toFixed(3)} s  ${gbps(o)}   runs ${oursRuns.map((s) => s.toFixed(3)).join(' ')}`);
    console.log(`  dd bs=4M           ${d.toFixed(3)} s  ${gbps(d)}   runs ${ddRuns.map((s) => s.toFixed(3)).join(' ')}`);
    console.log(`  ratio: the scan runs at ${(d / o).toFixed(2)}x dd's throughput (goal: >= 0.5)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  // A benchmark reports; it never fails the build.
  console.log(`scan bench could not finish: ${error instanceof Error ? error.message : String(error)}`);
}
