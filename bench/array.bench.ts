// Large GPT entry arrays: read + check time and memory for arrays a header may
// legally claim (MAX_PARTITION_ENTRIES of 128 bytes, MAX_PARTITION_ENTRY_SIZE
// entries filling MAX_ENTRY_ARRAY_BYTES) next to a normal 128-entry disk. Each
// disk has 3 used slots. Prints numbers; never fails.
//   node --import tsx --expose-gc bench/array.bench.ts
import { readDisk } from '../src/core/diskModel';
import { checkDisk } from '../src/core/checks';
import { encodeGptDisk } from '../src/core/gptEncode';
import type { GptEntryFields } from '../src/core/gptEncode';
import { MemorySource } from '../src/core/io/memorySource';
import { MAX_ENTRY_ARRAY_BYTES, MAX_PARTITION_ENTRIES, MAX_PARTITION_ENTRY_SIZE } from '../src/core/limits';

const MiB = 1024 * 1024;
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 9) || 9);
const gc = (globalThis as { gc?: () => void }).gc;

function image(numEntries: number, entrySize: number): Uint8Array {
  const sectorSize = 512;
  const arraySectors = Math.ceil((numEntries * entrySize) / sectorSize);
  const totalSectors = BigInt(2 * arraySectors + 2048 + 64);
  const first = BigInt(2 + arraySectors);
  const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
  const entry = (n: number, firstLba: bigint): GptEntryFields => ({
    typeGuid: linux,
    uniqueGuid: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    firstLba,
    lastLba: firstLba + 99n,
    name: `part${n}`,
  });
  const slots: (GptEntryFields | null)[] = [entry(1, first), entry(2, first + 100n), null, entry(4, first + 200n)];
  const bytes = new Uint8Array(Number(totalSectors) * sectorSize);
  for (const region of encodeGptDisk({ sectorSize, totalSectors, diskGuid: '11111111-2222-4333-8444-555555555555', slots, numEntries, entrySize }))
    bytes.set(region.bytes, region.offset);
  return bytes;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(label: string, numEntries: number, entrySize: number): Promise<void> {
  const bytes = image(numEntries, entrySize);
  const source = new MemorySource(bytes, `${label}.img`);
  const times: number[] = [];
  const cpu: number[] = [];
  const heap: number[] = [];
  const rss: number[] = [];
  let findings = 0;
  let firstRss = 0;
  for (let i = 0; i < runs + 1; i++) {
    gc?.();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const disk = await readDisk(source);
    findings = checkDisk(disk).length;
    const ms = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    const after = process.memoryUsage();
    if (i === 0) {
      firstRss = after.rss - before.rss; // the first read in this process: what a CLI run pays
      continue;
    }
    times.push(ms);
    cpu.push((c1.user + c1.system) / 1000);
    // Live memory held right after the read (the model is still referenced here).
    heap.push(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers);
    rss.push(after.rss - before.rss);
    void disk;
  }
  const mb = (n: number): string => (n / MiB).toFixed(1).padStart(6);
  const f = (n: number): string => n.toFixed(1).padStart(7);
  console.log(
    `${label.padEnd(26)} wall ${f(median(times))} ms (min ${f(Math.min(...times))})  cpu ${f(median(cpu))} ms  live heap+buffers ${mb(median(heap))} MiB  rss +${mb(firstRss)} MiB first run, +${mb(median(rss))} later  findings ${findings}`,
  );
}

async function benchMain(): Promise<void> {
  console.log(
    `readDisk + checkDisk over an in-memory image (3 used slots), median of ${runs} runs after a warm-up${gc ? '' : ' (run with --expose-gc for steadier memory figures)'}`,
  );
  console.log('wall time varies with machine load; cpu is this process only. live = heapUsed + arrayBuffers held by the model right after the read');
  await measure('128 x 128 bytes (normal)', 128, 128);
  await measure(`${MAX_PARTITION_ENTRIES} x 128 bytes`, MAX_PARTITION_ENTRIES, 128);
  await measure(
    `${MAX_ENTRY_ARRAY_BYTES / MAX_PARTITION_ENTRY_SIZE} x ${MAX_PARTITION_ENTRY_SIZE} bytes`,
    MAX_ENTRY_ARRAY_BYTES / MAX_PARTITION_ENTRY_SIZE,
    MAX_PARTITION_ENTRY_SIZE,
  );
  console.log(`process rss at the end ${(process.memoryUsage().rss / MiB).toFixed(1)} MiB (tsx and the images included)`);
}

void benchMain();
