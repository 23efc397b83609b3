// Fuzzing the reader and the checker: thousands of seeded mutations of valid GPT
// images (512-byte and 4Kn sectors). Bytes are flipped in the MBR, the headers
// and the arrays; header, entry and MBR fields are set to boundary values, with
// the CRCs resealed half of the time so the damage gets past the CRC checks and
// reaches the deeper rules. readDisk + checkDisk (+ the JSON reports) must give
// findings or throw a DiskxError; anything else fails with the seed and the
// mutations, so `DISKX_FUZZ_SEED=<seed> DISKX_FUZZ_RUNS=1` replays it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prng, smallGptBytes } from '../builders/oracles';
import { MemorySource } from '../../src/core/io/memorySource';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { checkJson, inspectJson } from '../../src/core/report';
import { FINDING_DESCRIPTIONS } from '../../src/core/findings';
import type { Finding } from '../../src/core/findings';
import { DiskxError } from '../../src/core/errors';
import { crc32, gptHeaderCrc32 } from '../../src/core/crc32';

const FIRST_SEED = Number(process.env.DISKX_FUZZ_SEED ?? 0x5eed0000);
const RUNS = Number(process.env.DISKX_FUZZ_RUNS ?? 750); // images per sector size, each with 1 to 3 mutations

interface Base {
  sectorSize: number;
  bytes: Uint8Array;
  lastLba: number;
}

// Small but complete disks: protective MBR, both headers and 128-entry arrays, three partitions.
const BASES: Base[] = [
  { sectorSize: 512, bytes: smallGptBytes({ sectorSize: 512, totalSectors: 512n }), lastLba: 511 },
  { sectorSize: 4096, bytes: smallGptBytes({ sectorSize: 4096, totalSectors: 320n }), lastLba: 319 },
];

const U64_BOUNDARIES = [0n, 1n, 0x7fffffffn, 0xffffffffn, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
const U32_BOUNDARIES = [0, 1, 92, 127, 128, 0x7fffffff, 0x80000000, 0xffffffff];

// GPT header fields (UEFI 5.3.2) by offset and width.
const HEADER_FIELDS: { name: string; offset: number; width: 4 | 8 }[] = [
  { name: 'revision', offset: 0x08, width: 4 },
  { name: 'headerSize', offset: 0x0c, width: 4 },
  { name: 'headerCrc32', offset: 0x10, width: 4 },
  { name: 'reserved', offset: 0x14, width: 4 },
  { name: 'myLba', offset: 0x18, width: 8 },
  { name: 'alternateLba', offset: 0x20, width: 8 },
  { name: 'firstUsableLba', offset: 0x28, width: 8 },
  { name: 'lastUsableLba', offset: 0x30, width: 8 },
  { name: 'partitionEntryLba', offset: 0x48, width: 8 },
  { name: 'numPartitionEntries', offset: 0x50, width: 4 },
  { name: 'partitionEntrySize', offset: 0x54, width: 4 },
  { name: 'partitionEntryArrayCrc32', offset: 0x58, width: 4 },
];

// Partition entry fields by offset.
const ENTRY_FIELDS: { name: string; offset: number }[] = [
  { name: 'firstLba', offset: 32 },
  { name: 'lastLba', offset: 40 },
  { name: 'attributes', offset: 48 },
];

/** One mutation applied to a copy of a base image; returns what it did, for the failure message. */
type Mutation = (bytes: Uint8Array, base: Base, random: () => number) => string;

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (random: () => number, below: number): number => Math.floor(random() * below);

function u64Value(random: () => number, base: Base): bigint {
  // Also values that are almost right for this disk: the last LBA, one past it, the sector count.
  return pick(random, [...U64_BOUNDARIES, BigInt(base.lastLba), BigInt(base.lastLba + 1), BigInt(base.lastLba - 1), 2n, 34n]);
}

function u32Value(random: () => number, base: Base): number {
  return pick(random, [...U32_BOUNDARIES, base.sectorSize, base.sectorSize + 1, 256, 4096, 8192, 16384, 16385]);
}

const headerOffset = (base: Base, which: 'primary' | 'backup'): number => (which === 'primary' ? 1 : base.lastLba) * base.sectorSize;

/** Reads where a header says its array is, as long as that lies in the image (else null). */
function arrayRange(bytes: Uint8Array, base: Base, which: 'primary' | 'backup'): { offset: number; length: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset + headerOffset(base, which), base.sectorSize);
  const lba = view.getBigUint64(0x48, true);
  const length = view.getUint32(0x50, true) * view.getUint32(0x54, true);
  const offset = Number(lba) * base.sectorSize;
  if (lba > BigInt(base.lastLba) || offset + length > bytes.length) return null;
  return { offset, length };
}

/** Recomputes the array CRC (when the array is in the image) and the header CRC, as a tool that "fixes CRCs" would. */
function reseal(bytes: Uint8Array, base: Base, which: 'primary' | 'backup'): void {
  const at = headerOffset(base, which);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, base.sectorSize);
  const array = arrayRange(bytes, base, which);
  if (array) view.setUint32(0x58, crc32(bytes.subarray(array.offset, array.offset + array.length)), true);
  const headerSize = Math.min(Math.max(view.getUint32(0x0c, true), 92), base.sectorSize);
  view.setUint32(0x10, gptHeaderCrc32(bytes.subarray(at, at + base.sectorSize), headerSize), true);
}

const REGIONS = ['mbr', 'primary header', 'primary array', 'backup header', 'backup array'] as const;

function regionRange(base: Base, region: (typeof REGIONS)[number]): { offset: number; length: number } {
  const arrayBytes = 128 * 128;
  switch (region) {
    case 'mbr':
      return { offset: 0, length: 512 };
    case 'primary header':
      return { offset: base.sectorSize, length: 92 };
    case 'primary array':
      return { offset: 2 * base.sectorSize, length: arrayBytes };
    case 'backup header':
      return { offset: base.lastLba * base.sectorSize, length: 92 };
    case 'backup array':
      return { offset: base.lastLba * base.sectorSize - arrayBytes, length: arrayBytes };
  }
}

const MUTATIONS: Mutation[] = [
  // Flip one to four bytes somewhere a structure lives.
  (bytes, base, random) => {
    const region = pick(random, REGIONS);
    const range = regionRange(base, region);
    const count = 1 + int(random, 4);
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = range.offset + int(random, range.length);
      bytes[at]! ^= 1 + int(random, 255);
      offsets.push(at);
    }
    return `flip ${region} bytes at ${offsets.map((o) => `0x${o.toString(16)}`).join(',')}`;
  },
  // A header field to a boundary value, CRC resealed or not, in one header or both.
  (bytes, base, random) => {
    const field = pick(random, HEADER_FIELDS);
    const which = pick(random, ['primary', 'backup', 'both'] as const);
    const sealed = random() < 0.5;
    const value = field.width === 8 ? u64Value(random, base) : u32Value(random, base);
    for (const header of which === 'both' ? (['primary', 'backup'] as const) : [which]) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + headerOffset(base, header), base.sectorSize);
      if (field.width === 8) view.setBigUint64(field.offset, value as bigint, true);
      else view.setUint32(field.offset, value as number, true);
      if (sealed && field.name !== 'headerCrc32') reseal(bytes, base, header);
    }
    return `${which} ${field.name} = ${value}${sealed ? ' (resealed)' : ''}`;
  },
  // An entry field to a boundary value, in a used or unused slot, CRCs resealed or not.
  (bytes, base, random) => {
    const field = pick(random, ENTRY_FIELDS);
    const slot = pick(random, [0, 1, 2, 3, 127, int(random, 128)]);
    const value = u64Value(random, base);
    const sealed = random() < 0.7;
    for (const header of ['primary', 'backup'] as const) {
      const array = regionRange(base, `${header} array`); // where the valid image has it, whatever the header says now
      new DataView(bytes.buffer, bytes.byteOffset + array.offset + slot * 128, 128).setBigUint64(field.offset, value, true);
      if (sealed) reseal(bytes, base, header);
    }
    return `slot ${slot} ${field.name} = ${value}${sealed ? ' (resealed)' : ''}`;
  },
  // A used slot given a type GUID that makes it ESXi-like, or an unused slot made used with garbage.
  (bytes, base, random) => {
    const slot = int(random, 8);
    const type = pick(random, [
      [0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b], // EFI system
      [0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7], // basic data
      Array.from({ length: 16 }, () => int(random, 256)),
    ]);
    for (const header of ['primary', 'backup'] as const) {
      const array = regionRange(base, `${header} array`);
      bytes.set(type, array.offset + slot * 128);
      reseal(bytes, base, header);
    }
    return `slot ${slot} type = ${Buffer.from(type).toString('hex')} (resealed)`;
  },
  // An MBR record: type, start or size to boundary values (extended types make the EBR walker run).
  (bytes, _base, random) => {
    const record = int(random, 4);
    const at = 446 + 16 * record;
    const type = pick(random, [0x00, 0xee, 0x05, 0x0f, 0x85, 0x83, 0x07, int(random, 256)]);
    const start = pick(random, [0, 1, 2, 63, 0x7fffffff, 0xffffffff, int(random, 600)]);
    const size = pick(random, [0, 1, 0x7fffffff, 0xffffffff, int(random, 600)]);
    bytes[at + 4] = type;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at + 8, start, true);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at + 12, size, true);
    if (random() < 0.3) bytes.fill(0, 510, 512);
    return `MBR record ${record} type 0x${type.toString(16)} start ${start} size ${size}`;
  },
  // A whole header or array wiped.
  (bytes, base, random) => {
    const region = pick(random, REGIONS);
    const range = regionRange(base, region);
    bytes.fill(pick(random, [0x00, 0xff]), range.offset, range.offset + range.length);
    return `fill ${region}`;
  },
];

interface Failure {
  seed: number;
  sectorSize: number;
  mutations: string[];
  error: string;
}

async function fuzzOne(base: Base, seed: number): Promise<{ failure: Failure | null; findings: Finding[] | null }> {
  const random = prng(seed);
  const bytes = base.bytes.slice();
  const mutations: string[] = [];
  const count = 1 + int(random, 3);
  for (let i = 0; i < count; i++) mutations.push(pick(random, MUTATIONS)(bytes, base, random));
  try {
    const disk = await readDisk(new MemorySource(bytes, `fuzz-${seed}.img`));
    const findings = checkDisk(disk);
    JSON.stringify(inspectJson(disk));
    JSON.stringify(checkJson(disk, findings));
    for (const f of findings) {
      if (!(f.code in FINDING_DESCRIPTIONS)) throw new Error(`unknown finding code ${f.code}`);
      if (!Number.isSafeInteger(f.offset) || f.offset < 0 || !Number.isSafeInteger(f.length) || f.length < 0)
        throw new Error(`finding ${f.code} has range ${f.offset}+${f.length}`);
    }
    return { failure: null, findings };
  } catch (error) {
    if (error instanceof DiskxError) return { failure: null, findings: null };
    return { failure: { seed, sectorSize: base.sectorSize, mutations, error: String((error as Error)?.stack ?? error) }, findings: null };
  }
}

describe('fuzz: mutated GPT images give findings or a DiskxError', () => {
  test('the unmutated bases are clean (so findings below come from the mutations)', async () => {
    for (const base of BASES) {
      const disk = await readDisk(new MemorySource(base.bytes.slice()));
      assert.equal(disk.sectorSize, base.sectorSize);
      assert.deepEqual(
        checkDisk(disk).filter((f) => f.severity !== 'info'),
        [],
      );
    }
  });

  for (const base of BASES) {
    test(`${RUNS} mutations of a ${base.sectorSize}-byte-sector GPT`, async () => {
      const failures: Failure[] = [];
      let withProblems = 0;
      let typedErrors = 0;
      for (let run = 0; run < RUNS; run++) {
        const seed = FIRST_SEED + run;
        const { failure, findings } = await fuzzOne(base, seed);
        if (failure) failures.push(failure);
        else if (findings === null) typedErrors++;
        else if (findings.some((f) => f.severity !== 'info')) withProblems++;
      }
      assert.deepEqual(
        failures.slice(0, 5).map((f) => `seed ${f.seed} (${f.sectorSize}): ${f.mutations.join(' + ')}\n${f.error}`),
        [],
        `${failures.length} of ${RUNS} mutations threw something other than a DiskxError; replay one with DISKX_FUZZ_SEED=<seed> DISKX_FUZZ_RUNS=1`,
      );
      // The mutations must actually damage things: most of them are found.
      assert.ok(withProblems + typedErrors > RUNS * 0.6, `only ${withProblems} findings with problems and ${typedErrors} typed errors in ${RUNS} runs`);
    });
  }
});
