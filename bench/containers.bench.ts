// `npm run bench:containers`: open + check of a 2 TiB disk stored in each container
// format we read (qcow2, sparse VMDK, streamOptimized VMDK, and VHDX / dynamic VHD
// when they are readable), next to the same disk as a raw sparse file, measured in
// the same run. Prints the median per image and its ratio to raw (goal: 1.5x).
// Never fails. The raw disk is the seed's compacted ESXi 5.0 layout scaled to 2 TiB
// (a sparse file), converted with qemu-img (which skips its holes).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeImage } from '../src/core/index';
import { READABLE_CONTAINERS } from '../src/core/io/containerOpen';
import { writeEsxi5Sample } from '../scripts/sampleImages';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const scratch = path.join(root, '.diskx-bench-containers');
const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 21) || 21);
const TiB = 1024 ** 4;
const GOAL_RATIO = 1.5;

interface Image {
  label: string;
  file: string;
}

async function openAndCheck(file: string): Promise<number> {
  const start = performance.now();
  const { opened, findings } = await analyzeImage(file);
  await opened.source.close();
  if (findings.length === 0) throw new Error(`${file}: expected the compacted-slot finding`);
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  try {
    const raw = path.join(scratch, 'esxi5-2t.img');
    writeEsxi5Sample(raw, { sizeBytes: 2 * TiB, compacted: true });
    const images: Image[] = [{ label: 'raw (sparse file)', file: raw }];
    const conversions: [string, string, string, string[]][] = [
      ['qcow2', 'qcow2', 'esxi5-2t.qcow2', []],
      ['vmdk-sparse', 'vmdk', 'esxi5-2t.vmdk', ['-o', 'subformat=monolithicSparse']],
      ['vmdk-stream', 'vmdk', 'esxi5-2t-stream.vmdk', ['-o', 'subformat=streamOptimized']],
      ['vhdx', 'vhdx', 'esxi5-2t.vhdx', []],
      ['vdi', 'vdi', 'esxi5-2t.vdi', []],
    ];
    for (const [format, qemuFormat, name, options] of conversions) {
      if (!READABLE_CONTAINERS.has(format)) {
        console.log(`(${format}: not read by this build, skipped)`);
        continue;
      }
      const file = path.join(scratch, name);
      const t = performance.now();
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', qemuFormat, ...options, raw, file]);
      console.log(`made ${name} with qemu-img in ${((performance.now() - t) / 1000).toFixed(1)} s (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
      images.push({ label: format, file });
    }
    // One warm-up each, then interleaved runs so drift hits all alike.
    for (const image of images) await openAndCheck(image.file);
    const times = new Map<string, number[]>(images.map((i) => [i.label, []]));
    for (let r = 0; r < runs; r++) for (const image of images) times.get(image.label)!.push(await openAndCheck(image.file));
    const base = median(times.get(images[0]!.label)!);
    console.log(`\nopen + check of a 2 TiB ESXi 5 disk, median of ${runs} runs in one process:`);
    for (const image of images) {
      const m = median(times.get(image.label)!);
      const ratio = m / base;
      console.log(
        `  ${image.label.padEnd(20)} ${m.toFixed(2).padStart(8)} ms   ${ratio.toFixed(2)}x raw${image === images[0] ? '' : ratio <= GOAL_RATIO ? '   (goal <= 1.5x: met)' : '   (goal <= 1.5x: NOT met)'}`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
