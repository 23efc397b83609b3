// Fuzzing the write path: seeded mutations of small GPT images whose partitions
// hold a known pattern (headers, arrays and entries set to boundary values, the
// array moved over a partition, the disk grown, CRCs resealed half of the time),
// then every fix the findings offer written through the safe writer, then the
// undo journal mutated (offsets, bytes, states, sector size, identity), then
// undo until nothing is left. Invariants: only DiskxErrors are thrown; no byte
// of any partition ever changes; undoing every applied repair restores the
// image exactly (unless a mutated journal was refused, which writes nothing).
//
// Bounded and seeded: DISKX_FUZZ_WRITE_RUNS images (default 24 in CI; try
// thousands by hand) from DISKX_FUZZ_SEED; a failure names the seed and the
// mutations, and `DISKX_FUZZ_SEED=<seed> DISKX_FUZZ_WRITE_RUNS=1` replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { prng, smallGptBytes } from '../builders/oracles';
import { tempDir } from '../builders/images';
import { analyzeImage } from '../../src/core/index';
import { planFix } from '../../src/core/fixes/index';
import { applyPlans, undoLast, NothingToUndoError } from '../../src/core/write/index';
import { DiskxError } from '../../src/core/errors';
import type { FixId } from '../../src/core/findings';
import { crc32, gptHeaderCrc32 } from '../../src/core/crc32';

const FIRST_SEED = Number(process.env.DISKX_FUZZ_SEED ?? 0x5eed1100);
const RUNS = Number(process.env.DISKX_FUZZ_WRITE_RUNS ?? 24);
const SS = 512;
const SECTORS = 4096; // 2 MiB
// smallGptBytes: partitions 1, 2 and 4 at LBAs 34..133, 134..233, 234..333.
const PARTITIONS = [
  { first: 34, last: 133 },
  { first: 134, last: 233 },
  { first: 234, last: 333 },
];

type Random = () => number;
const int = (random: Random, below: number): number => Math.floor(random() * below);
const pick = <T>(random: Random, list: readonly T[]): T => list[int(random, list.length)]!;

function reseal(bytes: Buffer, headerLba: number): void {
  const at = headerLba * SS;
  const arrayLba = Number(bytes.readBigUInt64LE(at + 0x48));
  const length = bytes.readUInt32LE(at + 0x50) * bytes.readUInt32LE(at + 0x54);
  if (arrayLba < SECTORS && arrayLba * SS + length <= bytes.length && length <= 1 << 20)
    bytes.writeUInt32LE(crc32(bytes.subarray(arrayLba * SS, arrayLba * SS + length)), at + 0x58);
  const size = Math.min(Math.max(bytes.readUInt32LE(at + 0x0c), 92), SS);
  bytes.writeUInt32LE(gptHeaderCrc32(bytes.subarray(at, at + SS), size), at + 0x10);
}

const U64 = [0n, 1n, 2n, 33n, 34n, 133n, 134n, 200n, 4062n, 4063n, 4095n, 4096n, 8191n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];
const HEADER_U64 = [0x18, 0x20, 0x28, 0x30, 0x48];

/** One mutation; returns what it did. */
const MUTATIONS: ((bytes: Buffer, random: Random) => string)[] = [
  (bytes, random) => {
    const header = pick(random, [1, SECTORS - 1]);
    const field = pick(random, HEADER_U64);
    const value = pick(random, U64);
    bytes.writeBigUInt64LE(value, header * SS + field);
    return `header@${header} +0x${field.toString(16)} = ${value}`;
  },
  // The primary array copied over a partition and the header pointed at it (resealed): the array-in-partition case.
  (bytes, random) => {
    const p = pick(random, PARTITIONS);
    const at = p.first + int(random, p.last - p.first - 32);
    bytes.copy(bytes, at * SS, 2 * SS, 2 * SS + 16384);
    bytes.writeBigUInt64LE(BigInt(at), SS + 0x48);
    return `primary array moved to LBA ${at}`;
  },
  // An entry's LBAs set to boundary values (in both arrays).
  (bytes, random) => {
    const slot = pick(random, [0, 1, 2, 3]);
    const field = pick(random, [32, 40]);
    const value = pick(random, U64);
    for (const arrayLba of [2, SECTORS - 33]) bytes.writeBigUInt64LE(value, arrayLba * SS + slot * 128 + field);
    return `slot ${slot} +${field} = ${value}`;
  },
  // Bytes flipped in a header or an array.
  (bytes, random) => {
    const at = pick(random, [0, SS, 2 * SS, (SECTORS - 33) * SS, (SECTORS - 1) * SS]) + int(random, 128);
    bytes[at]! ^= 1 + int(random, 255);
    return `flip 0x${at.toString(16)}`;
  },
];

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Partition data as it must stay: every byte of the original partitions. */
function partitionBytes(file: string): string {
  const bytes = fs.readFileSync(file);
  return PARTITIONS.map((p) => sha(bytes.subarray(p.first * SS, (p.last + 1) * SS))).join(',');
}

function mutateJournal(file: string, image: string, random: Random): string {
  const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Record<string, unknown>[] };
  const entry = journal.entries.at(-1)!;
  const writes = entry.writes as { offset: number; before: string; after: string }[];
  const w = writes[int(random, writes.length)]!;
  const what = pick(random, [
    'forged partition write',
    'forged partition write',
    'offset into partition',
    'offset',
    'before',
    'state',
    'sectorSize',
    'identity',
    'sectorsAfter',
  ]);
  switch (what) {
    case 'forged partition write': {
      // What an attacker writes: `after` is what the image holds there now, so only the areas check stops it.
      const offset = pick(random, PARTITIONS).first * SS + int(random, 1000);
      const now = fs.readFileSync(image).subarray(offset, offset + 16);
      entry.state = 'applied';
      delete entry.sectorsAfter;
      writes.push({ offset, before: Buffer.alloc(16, 0xee).toString('hex'), after: now.toString('hex') });
      break;
    }
    case 'offset into partition':
      w.offset = pick(random, PARTITIONS).first * SS + int(random, 1000);
      break;
    case 'offset':
      w.offset = int(random, SECTORS * SS);
      break;
    case 'before':
      w.before = w.before.replace(/^../, (h) => ((parseInt(h, 16) ^ 0xff) & 0xff).toString(16).padStart(2, '0'));
      break;
    case 'state':
      entry.state = pick(random, ['pending', 'undoing', 'applied', 'undone', 'bogus']);
      break;
    case 'sectorSize':
      entry.sectorSize = pick(random, [0, 1, 4096, 1e9]);
      break;
    case 'identity':
      entry.identity = pick(random, [['gpt:00000000-0000-0000-0000-000000000000:2097152'], 'x', [1]]);
      break;
    case 'sectorsAfter':
      delete entry.sectorsAfter;
      break;
  }
  fs.writeFileSync(file, JSON.stringify(journal), { mode: 0o600 });
  return `journal ${what}`;
}

test(`write-path fuzz: ${RUNS} mutated images from seed 0x${FIRST_SEED.toString(16)}: fixes and undo never touch partition data, undo is exact`, async (t) => {
  let repairs = 0;
  let tamperedRuns = 0;
  const dir = tempDir();
  const base = Buffer.from(smallGptBytes({ sectorSize: SS, totalSectors: BigInt(SECTORS) }));
  // A recognisable pattern in every partition (smallGptBytes leaves them zero).
  const pattern = prng(7);
  for (const p of PARTITIONS) for (let at = p.first * SS; at < (p.last + 1) * SS; at++) base[at] = 1 + int(pattern, 255);
  for (let run = 0; run < RUNS; run++) {
    const seed = FIRST_SEED + run;
    const random = prng(seed);
    const bytes = Buffer.from(base);
    const done: string[] = [];
    for (let m = 0, count = 1 + int(random, 3); m < count; m++) done.push(pick(random, MUTATIONS)(bytes, random));
    if (random() < 0.5) {
      reseal(bytes, 1);
      reseal(bytes, SECTORS - 1);
      done.push('resealed');
    }
    const image = path.join(dir, `fuzz-${run}.img`);
    fs.writeFileSync(image, bytes);
    if (random() < 0.25) {
      fs.truncateSync(image, 2 * SECTORS * SS);
      done.push('grown to 4 MiB');
    }
    const context = `seed 0x${seed.toString(16)}: ${done.join('; ')}`;
    const original = sha(fs.readFileSync(image));
    const dataBefore = partitionBytes(image);
    const fail = (error: unknown): never => assert.fail(`${context}: ${error instanceof Error ? error.stack : String(error)}`);
    let applied = 0;
    try {
      let analyzed;
      try {
        analyzed = await analyzeImage(image);
      } catch (error) {
        if (error instanceof DiskxError) continue;
        fail(error);
      }
      await analyzed!.opened.source.close();
      const offered = [...new Set(analyzed!.findings.flatMap((f) => f.fixes))] as FixId[];
      for (const id of offered) {
        // Each fix planned on the image as the earlier ones left it.
        let now;
        try {
          now = await analyzeImage(image);
        } catch (error) {
          if (error instanceof DiskxError) break;
          fail(error);
        }
        await now!.opened.source.close();
        const planned = planFix(now!.disk, id);
        if (!planned.ok) continue;
        try {
          const result = await applyPlans(image, [planned.plan], { sectorSize: now!.disk.sectorSize, lockWaitMs: 0 });
          if (result.entryId !== null) applied++;
          if (result.entryId !== null) repairs++;
        } catch (error) {
          if (!(error instanceof DiskxError)) fail(error);
        }
        assert.equal(partitionBytes(image), dataBefore, `${context}: ${id} changed partition data`);
      }
      // Sometimes the journal is tampered with before the undo.
      const journal = image + '.diskx-journal';
      const tampered = applied > 0 && random() < 0.4 ? mutateJournal(journal, image, random) : null;
      if (tampered) tamperedRuns++;
      for (;;) {
        try {
          await undoLast(image, { lockWaitMs: 0 });
        } catch (error) {
          if (error instanceof NothingToUndoError) break;
          if (error instanceof DiskxError && tampered) break;
          fail(error);
        }
        assert.equal(partitionBytes(image), dataBefore, `${context}${tampered ? `; ${tampered}` : ''}: undo changed partition data`);
      }
      if (!tampered) assert.equal(sha(fs.readFileSync(image)), original, `${context}: undoing every repair restores the image`);
    } finally {
      fs.rmSync(image, { force: true });
      fs.rmSync(image + '.diskx-journal', { force: true });
    }
  }
  t.diagnostic(`${repairs} repairs written, ${tamperedRuns} journals tampered with`);
  // The harness must exercise the writer, not only the parser.
  assert.ok(repairs >= RUNS / 4, `only ${repairs} repairs in ${RUNS} runs`);
});
