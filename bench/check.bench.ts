// `npm run bench`: how long `diskx check` takes on a small and a huge image, next
// to `sgdisk -v` and to the bare start-up of node. Prints numbers; never fails.
//
// Images are sparse files written with our encoder into .diskx-bench/ (removed at
// the end): a 10 MiB and a 2 TiB plain GPT disk with the same three partitions,
// and a 2 TiB copy of the seed's compacted ESXi 5.0 disk. Every command runs
// BENCH_RUNS times (default 9), interleaved so that drift hits all alike, after one
// warm-up; the median and the range are shown.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeImage } from '../src/core/index';
import { FileSource } from '../src/core/io/fileSource';
import { allocatedBytes, writeEsxi5Sample, writeManyPartitionSample, writePlainGptSample } from '../scripts/sampleImages';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const scratch = path.join(root, '.diskx-bench');
const cli = path.join(root, 'dist', 'cli.js');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 9) || 9);
const inProcessRuns = 51;
const MiB = 1024 ** 2;
const TiB = 1024 ** 4;

// Goals from issue 3, item 11.
const GOAL_SIZE_RATIO = 1.2;
const GOAL_PROCESS_RATIO = 2;
const GOAL_IN_PROCESS_MS = 5;

interface Image {
  label: string;
  file: string;
}

interface Command {
  key: string;
  command: string;
  args: string[];
}

interface Stats {
  median: number;
  min: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

function have(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

/** Wall time of one run of a command, in ms, with its exit status and output. */
function timeOnce(c: Command): { ms: number; status: number | null; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(c.command, c.args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: result.error ? null : result.status, stdout: result.stdout ?? '' };
}

const hasGnuTime = fs.existsSync('/usr/bin/time') && have('/usr/bin/time', ['-f', '%M', 'true']);
const rssPreload = path.join(scratch, 'maxrss.cjs');

/** Peak resident set size of a command in KiB: GNU time if present, else (node only) a preload. */
function peakRssKiB(c: Command): number | null {
  const out = path.join(scratch, 'rss.txt');
  fs.rmSync(out, { force: true });
  if (hasGnuTime) {
    spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, c.command, ...c.args], { stdio: 'ignore' });
  } else if (c.command === process.execPath) {
    spawnSync(c.command, ['-r', rssPreload, ...c.args], { stdio: 'ignore', env: { ...process.env, DISKX_BENCH_RSS: out } });
  } else {
    return null;
  }
  const text = fs.existsSync(out) ? (fs.readFileSync(out, 'utf8').trim().split('\n').pop() ?? '') : '';
  const kib = Number(text);
  return Number.isFinite(kib) && kib > 0 ? kib : null;
}

/** Open + parse + check in this process: the cold first call, then the warm median. */
async function inProcess(file: string): Promise<{ cold: number; warm: Stats; diskReads: number | null; findings: string }> {
  const once = async (): Promise<{ ms: number; diskReads: number | null; findings: string }> => {
    const start = process.hrtime.bigint();
    const { opened, findings } = await analyzeImage(file);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const diskReads = opened.source instanceof FileSource ? opened.source.diskReads : null;
    await opened.source.close();
    return { ms, diskReads, findings: findings.map((f) => `${f.severity} ${f.code}`).join(', ') || 'none' };
  };
  const first = await once();
  const samples: number[] = [];
  for (let i = 0; i < inProcessRuns; i++) samples.push((await once()).ms);
  return { cold: first.ms, warm: stats(samples), diskReads: first.diskReads, findings: first.findings };
}

const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)) + ' ms';
const fmtStats = (s: Stats | undefined): string => (s ? `${fmtMs(s.median)} (${fmtMs(s.min).replace(' ms', '')}-${fmtMs(s.max)})` : 'n/a');
const fmtKiB = (kib: number | null | undefined): string => (kib ? `${(kib / 1024).toFixed(1)} MiB` : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) {
    console.log('bench: dist/cli.js is missing; run `npm run build` first (npm run bench does)');
    return;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(
    rssPreload,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.DISKX_BENCH_RSS, String(process.resourceUsage().maxRSS)));\n",
  );

  const images: Image[] = [
    { label: '10 MiB GPT', file: writePlainGptSample(path.join(scratch, 'small-10MiB.img'), 10 * MiB) },
    { label: '2 TiB GPT', file: writePlainGptSample(path.join(scratch, 'large-2TiB.img'), 2 * TiB) },
    { label: '2 TiB ESXi 5, compacted', file: writeEsxi5Sample(path.join(scratch, 'esxi5-compacted-2TiB.img'), { sizeBytes: 2 * TiB, compacted: true }) },
    // Issue 14: every partition and gap is probed for its contents (40 volumes here).
    { label: '2 TiB, 20 partitions + gaps', file: writeManyPartitionSample(path.join(scratch, 'twenty-2TiB.img'), 2 * TiB, 20) },
  ];
  const hasSgdisk = have('sgdisk', ['--version']);

  const floor: Command = { key: 'floor', command: process.execPath, args: ['-e', '0'] };
  const loadOnly: Command = { key: 'load', command: process.execPath, args: [cli, '--version'] };
  const perImage = images.map((image, i) => ({
    image,
    check: { key: `check${i}`, command: process.execPath, args: [cli, 'check', image.file] } as Command,
    sgdisk: hasSgdisk ? ({ key: `sgdisk${i}`, command: 'sgdisk', args: ['-v', image.file] } as Command) : null,
  }));
  const all: Command[] = [floor, loadOnly, ...perImage.flatMap((p) => (p.sgdisk ? [p.check, p.sgdisk] : [p.check]))];

  console.log(`diskx check benchmark: node ${process.version}, ${os.cpus().length} cores, ${runs} runs per command (median, min-max)`);
  console.log(
    `images (sparse, in ${path.relative(root, scratch)}/): ${images.map((im) => `${im.label} = ${(allocatedBytes(im.file) / 1024).toFixed(0)} KiB allocated`).join('; ')}`,
  );
  if (!hasSgdisk) console.log('sgdisk not found (apt-get install -y gdisk): its rows show n/a');

  const samples = new Map<string, number[]>(all.map((c) => [c.key, []]));
  const statuses = new Map<string, number | null>();
  const outputs = new Map<string, string>();
  for (const c of all) timeOnce(c); // warm-up: page cache, node's own start-up files
  for (let round = 0; round < runs; round++) {
    for (const c of all) {
      const { ms, status, stdout } = timeOnce(c);
      samples.get(c.key)!.push(ms);
      statuses.set(c.key, status);
      outputs.set(c.key, stdout);
    }
  }
  const timed = (c: Command | null): Stats | undefined => (c ? stats(samples.get(c.key)!) : undefined);
  const rss = (c: Command | null): number | null => {
    if (!c) return null;
    const values = [0, 1, 2].map(() => peakRssKiB(c)).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };

  const measured = [];
  for (const p of perImage) measured.push({ ...p, inProcess: await inProcess(p.image.file), checkRss: rss(p.check), sgdiskRss: rss(p.sgdisk) });

  const sgdiskVerdict = (c: Command | null): string => {
    if (!c) return 'n/a';
    const out = outputs.get(c.key) ?? '';
    const problems = /Identified (\d+) problems?/.exec(out);
    return problems ? `${problems[1]} problems` : /No problems found/.test(out) ? 'no problems' : 'unparsed';
  };

  const rows: string[][] = [['', ...measured.map((m) => m.image.label)]];
  rows.push(['diskx check (whole process)', ...measured.map((m) => fmtStats(timed(m.check)))]);
  rows.push(['sgdisk -v (baseline process)', ...measured.map((m) => fmtStats(timed(m.sgdisk)))]);
  rows.push(['analyzeImage in-process, warm', ...measured.map((m) => fmtStats(m.inProcess.warm))]);
  rows.push(['analyzeImage in-process, 1st', ...measured.map((m) => fmtMs(m.inProcess.cold))]);
  rows.push(['disk reads (64 KiB pages)', ...measured.map((m) => `${m.inProcess.diskReads ?? 'n/a'} + 1 head read`)]);
  rows.push(['peak RSS, diskx check', ...measured.map((m) => fmtKiB(m.checkRss))]);
  rows.push(['peak RSS, sgdisk -v', ...measured.map((m) => fmtKiB(m.sgdiskRss))]);
  rows.push(['diskx check exit / findings', ...measured.map((m) => `${statuses.get(m.check.key)} / ${m.inProcess.findings}`)]);
  rows.push(['sgdisk -v verdict', ...measured.map((m) => sgdiskVerdict(m.sgdisk))]);
  console.log('');
  console.log(table(rows));
  console.log('');
  const floorStats = timed(floor)!;
  const loadStats = timed(loadOnly)!;
  console.log(
    table([
      ['node -e 0 (process floor)', fmtStats(floorStats), `peak RSS ${fmtKiB(rss(floor))}`],
      ['diskx --version (bundle load)', fmtStats(loadStats), `peak RSS ${fmtKiB(rss(loadOnly))}`],
    ]),
  );

  const small = measured[0]!;
  const large = measured[1]!;
  const smallCheck = timed(small.check)!.median;
  const largeCheck = timed(large.check)!.median;
  const worstInProcess = Math.max(...measured.map((m) => m.inProcess.warm.median));
  const worstCold = Math.max(...measured.map((m) => m.inProcess.cold));
  const smallIn = small.inProcess.warm.median;
  const largeIn = large.inProcess.warm.median;
  const goals: [string, string, string, string][] = [
    [
      'diskx check process, 2 TiB / 10 MiB',
      `<= ${GOAL_SIZE_RATIO.toFixed(2)}x`,
      `${(largeCheck / smallCheck).toFixed(2)}x`,
      largeCheck / smallCheck <= GOAL_SIZE_RATIO ? 'met' : 'MISSED',
    ],
    [
      '  same, in-process (warm)',
      `<= ${GOAL_SIZE_RATIO.toFixed(2)}x`,
      `${(largeIn / smallIn).toFixed(2)}x`,
      largeIn / smallIn <= GOAL_SIZE_RATIO ? 'met' : 'MISSED',
    ],
    [
      'diskx check process (2 TiB) / node -e 0',
      `<= ${GOAL_PROCESS_RATIO.toFixed(2)}x`,
      `${(largeCheck / floorStats.median).toFixed(2)}x`,
      largeCheck / floorStats.median <= GOAL_PROCESS_RATIO ? 'met' : 'MISSED',
    ],
    [
      'in-process open+parse+check, warm (worst image)',
      `< ${GOAL_IN_PROCESS_MS} ms`,
      fmtMs(worstInProcess),
      worstInProcess < GOAL_IN_PROCESS_MS ? 'met' : 'MISSED',
    ],
    ['  same, first call in a fresh process (cold JIT)', '(no goal)', fmtMs(worstCold), 'info'],
  ];
  const many = measured[3]!;
  const manyCheck = timed(many.check)!.median;
  goals.push([
    'content probes: 20 partitions + gaps / 2 TiB GPT (3)',
    '(no goal)',
    `${(manyCheck / largeCheck).toFixed(2)}x process, ${(many.inProcess.warm.median / largeIn).toFixed(2)}x in-process`,
    'info',
  ]);
  console.log('\nGoals (issue 3, item 11):');
  console.log(table([['goal', 'target', 'measured', ''], ...goals]));
  console.log(
    `\nstart-up share: node -e 0 ${fmtMs(floorStats.median)}, bundle load +${fmtMs(loadStats.median - floorStats.median)}, check work +${fmtMs(largeCheck - loadStats.median)}`,
  );
}

process.on('SIGINT', () => {
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(130);
});

main()
  .catch((error: unknown) => console.log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
  .finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
