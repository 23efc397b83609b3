// Benchmark (numbers, never pass/fail): the partition scan's throughput against
// `dd if=IMAGE of=/dev/null bs=4M` on the same file in the same run (goal: at
// least half of dd's). The image is a regular file full of data (random bytes
// with a few real volume signatures), so neither tool can skip holes.
// DISKX_BENCH_MIB sets its size (default 4096 MiB), DISKX_BENCH_RUNS the runs
// (default 5, interleaved, median, after one warm-up of each). Besides the wall
// clock it prints each command's CPU time (user + system, from bash's `time`),
// which a loaded machine disturbs less.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.DISKX_BENCH_MIB ?? 4096) * MiB;
const RUNS = Number(process.env.DISKX_BENCH_RUNS ?? 5);
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number;
  /** CPU seconds (user + system) of the command: less sensitive to other load on the machine. */
  cpu: number;
}

/** Runs `command` under bash's `time` (wall, user and system seconds of the child). */
function timed(command: string, args: string[]): Timing {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  // The command's own stderr comes first; bash prints the times as the last line.
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ${quoted} >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const [wall, user, system] = result.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + system! };
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
    const ours = (): Timing => timed(process.execPath, [CLI, 'scan', image, '--json']);
    const dd = (): Timing => timed('dd', [`if=${image}`, 'of=/dev/null', 'bs=4M', 'status=none']);
    ours();
    dd();
    const oursRuns: Timing[] = [];
    const ddRuns: Timing[] = [];
    for (let run = 0; run < RUNS; run++) {
      oursRuns.push(ours());
      ddRuns.push(dd());
    }
    const gbps = (s: number): string => `${(SIZE / s / 1e9).toFixed(2)} GB/s`;
    const line = (name: string, runs: Timing[]): { wall: number; cpu: number } => {
      const wall = median(runs.map((r) => r.wall));
      const cpu = median(runs.map((r) => r.cpu));
      console.log(
        `  ${name.padEnd(18)} ${wall.toFixed(3)} s  ${gbps(wall).padStart(10)}   cpu ${cpu.toFixed(3)} s   runs ${runs.map((r) => r.wall.toFixed(3)).join(' ')}`,
      );
      return { wall, cpu };
    };
    const o = line('diskx scan --json', oursRuns);
    const d = line('dd bs=4M', ddRuns);
    console.log(`  ratio: the scan runs at ${(d.wall / o.wall).toFixed(2)}x dd's throughput (goal: >= 0.5); CPU time ratio ${(d.cpu / o.cpu).toFixed(2)}x`);
    console.log(`  load average after the runs: ${os.loadavg()[0]!.toFixed(1)}`);
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
