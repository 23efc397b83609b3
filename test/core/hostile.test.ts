// Every image is hostile (issue 3 section 9): every count read from disk is checked
// before it drives a read or an allocation. Truncated files,
// zeros, random bytes, headers with absurd counts, sizes and LBAs, partitions
// past the end, EBR chains that loop or never end, VMDK descriptors that lie.
// Each must give findings or a typed DiskxError: never another exception, never
// a hang, and the bytes read (and so the memory used) stay bounded. The same
// files then go through `node dist/cli.js check` and `sgdisk -v`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { haveOracles, tempDir, writeSparseImage } from '../builders/images';
import { editBothHeaders, editEntryBoth, editHeader, prng, smallGptBytes } from '../builders/oracles';
import { CountingSource, SparseMemorySource } from '../builders/countingSource';
import { inBatches, runCli } from '../builders/cli';
import { readDisk } from '../../src/core/diskModel';
import type { DiskModel } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { inspectJson, checkJson } from '../../src/core/report';
import type { Finding, FindingCode } from '../../src/core/findings';
import { DiskxError, NotADiskImageError } from '../../src/core/errors';
import { openImage } from '../../src/core/io/openImage';
import { encodeProtectiveMbr } from '../../src/core/gptEncode';
import { MAX_EBR_CHAIN, MAX_ENTRY_ARRAY_BYTES } from '../../src/core/limits';

const KiB = 1024;
const MiB = 1024 * KiB;
const dir = tempDir('diskx-hostile-');

/** A hostile image: its size and the regions that are not zero. */
interface HostileImage {
  size: number;
  regions: { offset: number; bytes: Uint8Array }[];
}

interface HostileCase {
  name: string;
  image: () => HostileImage;
  /** Finding codes that must appear (or the DiskxError subclass that must be thrown). */
  expect: FindingCode[] | typeof DiskxError;
  /** A finding message that must appear. */
  message?: RegExp;
  /** Bytes the core may read at most (default 256 KiB: a few headers and arrays). */
  maxBytesRead?: number;
}

const whole = (bytes: Uint8Array): HostileImage => ({ size: bytes.length, regions: [{ offset: 0, bytes }] });
const gpt512 = (): Uint8Array => smallGptBytes(); // 2 MiB, last LBA 4095, three partitions in slots 0, 1, 3
const gpt4k = (): Uint8Array => smallGptBytes({ sectorSize: 4096 }); // 2 MiB, last LBA 511
const LAST = 4095n;
const U64_MAX = 2n ** 64n - 1n;

/** A 2 MiB GPT with `edit` applied to both headers (CRCs resealed so only the edit is wrong). */
function bothHeaders(edit: (view: DataView) => void, sectorSize = 512): HostileImage {
  const bytes = sectorSize === 512 ? gpt512() : gpt4k();
  editBothHeaders(bytes, sectorSize, edit);
  return whole(bytes);
}

function primaryHeader(edit: (view: DataView) => void): HostileImage {
  const bytes = gpt512();
  editHeader(bytes, 512, 1n, edit);
  return whole(bytes);
}

/** Writes one MBR/EBR partition record and the 0x55AA signature into the sector at `lba`. */
function mbrRecord(bytes: Uint8Array, lba: number, index: number, type: number, firstLba: number, sectors: number): void {
  const at = lba * 512 + 446 + 16 * index;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  bytes[at + 4] = type;
  view.setUint32(at + 8, firstLba >>> 0, true);
  view.setUint32(at + 12, sectors >>> 0, true);
  bytes[lba * 512 + 510] = 0x55;
  bytes[lba * 512 + 511] = 0xaa;
}

const EXT = 2048; // where the extended partition starts in the EBR cases

/** A DOS disk of `sizeBytes` with an extended partition at LBA 2048 and EBRs at the given offsets from it, each linking to `links[i]` (relative to the extended start, 0 = end). */
function ebrChain(sizeBytes: number, ebrs: { at: number; next: number }[]): HostileImage {
  const bytes = new Uint8Array(sizeBytes);
  mbrRecord(bytes, 0, 0, 0x0f, EXT, sizeBytes / 512 - EXT);
  for (const { at, next } of ebrs) {
    mbrRecord(bytes, EXT + at, 0, 0x83, 1, 1); // a one-sector logical partition just after its EBR
    if (next !== 0) mbrRecord(bytes, EXT + at, 1, 0x05, next, 2);
  }
  return whole(bytes);
}

/** `size` random bytes from `seed` (mulberry32, replayable). */
function randomBytes(seed: number, size: number): Uint8Array {
  const next = prng(seed);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) new DataView(bytes.buffer).setUint32(i, Math.floor(next() * 2 ** 32), true);
  return bytes;
}

const CASES: HostileCase[] = [
  // Truncated files.
  { name: 'empty (0 bytes)', image: () => whole(new Uint8Array(0)), expect: NotADiskImageError },
  { name: '1 byte', image: () => whole(Uint8Array.of(0x55)), expect: NotADiskImageError },
  { name: '511 bytes of a GPT disk', image: () => whole(gpt512().slice(0, 511)), expect: NotADiskImageError },
  { name: 'a protective MBR alone (512 bytes)', image: () => whole(gpt512().slice(0, 512)), expect: ['gpt-primary-missing'], message: /0xEE/ },
  { name: 'half a primary header (558 bytes)', image: () => whole(gpt512().slice(0, 512 + 46)), expect: ['gpt-primary-missing'] },
  {
    name: 'primary header whole, entry array cut off after 10 sectors',
    image: () => whole(gpt512().slice(0, 10 * 512)),
    expect: ['gpt-header-invalid', 'gpt-backup-missing'],
    message: /outside the disk/,
  },
  {
    name: '4Kn: entry array cut off after 4 sectors',
    image: () => whole(gpt4k().slice(0, 4 * 4096)),
    expect: ['gpt-header-invalid', 'gpt-backup-missing'],
    message: /outside the disk/,
  },
  { name: 'last byte cut off (the backup header is gone)', image: () => whole(gpt512().slice(0, 2 * MiB - 1)), expect: ['gpt-backup-missing'] },
  // Zeros and noise.
  { name: 'all zeros (1 MiB)', image: () => whole(new Uint8Array(MiB)), expect: ['no-partition-table'] },
  ...[1, 2, 3, 4, 5].map((seed): HostileCase => ({ name: `random bytes (seed ${seed}, 1 MiB)`, image: () => whole(randomBytes(seed, MiB)), expect: [] })),
  ...[6, 7, 8, 9].map((seed): HostileCase => ({
    name: `random bytes with 0x55AA (seed ${seed}): random MBR records, maybe an EBR chain`,
    image: () => {
      const bytes = randomBytes(seed, MiB);
      bytes[446 + 4] = 0x05; // make record 1 an extended partition so the EBR walker meets noise
      bytes[510] = 0x55;
      bytes[511] = 0xaa;
      return whole(bytes);
    },
    expect: [],
  })),
  ...[10, 11, 12, 13].map((seed): HostileCase => ({
    name: `random header fields behind a valid "EFI PART" signature and CRC (seed ${seed})`,
    image: () => {
      const bytes = gpt512();
      const noise = randomBytes(seed, 512);
      bytes.set(noise.subarray(8, 92), 512 + 8);
      editHeader(bytes, 512, 1n, () => {});
      return whole(bytes);
    },
    expect: [],
  })),
  // Entry count and size.
  {
    name: '0xFFFFFFFF entries of 256 MiB (0x10000000) in both headers',
    image: () => bothHeaders((v) => (v.setUint32(0x50, 0xffffffff, true), v.setUint32(0x54, 0x10000000, true))),
    expect: ['gpt-header-invalid'],
    message: /NumberOfPartitionEntries is 4294967295/,
    maxBytesRead: 64 * KiB,
  },
  {
    name: '0xFFFFFFFF entries of 128 bytes',
    image: () => bothHeaders((v) => v.setUint32(0x50, 0xffffffff, true)),
    expect: ['gpt-header-invalid'],
    maxBytesRead: 64 * KiB,
  },
  {
    name: '32768 entries of 128 bytes (4 MiB, more entries than we accept)',
    image: () => bothHeaders((v) => v.setUint32(0x50, 32768, true)),
    expect: ['gpt-header-invalid'],
    message: /more than the 16384/,
    maxBytesRead: 64 * KiB,
  },
  { name: '0 entries', image: () => bothHeaders((v) => v.setUint32(0x50, 0, true)), expect: ['gpt-header-invalid'], message: /NumberOfPartitionEntries is 0/ },
  ...[0, 1, 64, 100, 127, 200, 384, 0x80000001, 0xffffffff].map((size): HostileCase => ({
    name: `entry size ${size}`,
    image: () => bothHeaders((v) => v.setUint32(0x54, size, true)),
    expect: ['gpt-header-invalid'],
    message: /SizeOfPartitionEntry is \d+, must be 128 x 2\^n/,
    maxBytesRead: 64 * KiB,
  })),
  ...[8192, 0x80000000].map((size): HostileCase => ({
    name: `entry size ${size} (128 x 2^n but above our limit)`,
    image: () => bothHeaders((v) => v.setUint32(0x54, size, true)),
    expect: ['gpt-header-invalid'],
    message: new RegExp(`SizeOfPartitionEntry is ${size}, more than the 4096 we accept`),
    maxBytesRead: 64 * KiB,
  })),
  // Where the array is.
  ...[2n ** 63n, U64_MAX, 2n ** 53n, 2n ** 32n, LAST].map((lba): HostileCase => ({
    name: `array LBA ${lba}`,
    image: () => bothHeaders((v) => v.setBigUint64(0x48, lba, true)),
    expect: ['gpt-header-invalid'],
    message: /puts the 32-sector entry array outside the disk/,
    maxBytesRead: 64 * KiB,
  })),
  {
    name: 'array LBA 0 (the MBR)',
    image: () => primaryHeader((v) => v.setBigUint64(0x48, 0n, true)),
    expect: ['gpt-header-invalid'],
    message: /PartitionEntryLBA 0/,
  },
  {
    name: 'array LBA = the primary header itself (1)',
    image: () => primaryHeader((v) => v.setBigUint64(0x48, 1n, true)),
    expect: ['gpt-header-invalid'],
    message: /PartitionEntryLBA 1 puts|overlaps its own header/,
  },
  {
    name: 'backup array overlapping the backup header',
    image: () => {
      const bytes = gpt512();
      editHeader(bytes, 512, LAST, (v) => v.setBigUint64(0x48, LAST - 16n, true));
      return whole(bytes);
    },
    expect: ['gpt-header-invalid'],
    message: /outside the disk|overlaps its own header/,
  },
  {
    name: 'backup array ending exactly on the backup header',
    image: () => {
      const bytes = gpt512();
      editHeader(bytes, 512, LAST, (v) => v.setBigUint64(0x48, LAST - 31n, true));
      return whole(bytes);
    },
    expect: ['gpt-header-invalid'],
    message: /overlaps its own header at LBA 4095/,
  },
  // AlternateLBA.
  {
    name: 'AlternateLBA 2^63 (past the end), backup still at the end',
    image: () => primaryHeader((v) => v.setBigUint64(0x20, 2n ** 63n, true)),
    expect: ['gpt-backup-not-at-end'],
  },
  {
    name: 'AlternateLBA past the end and no backup',
    image: () => {
      const bytes = gpt512();
      editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x20, U64_MAX, true));
      bytes.fill(0, Number(LAST) * 512);
      return whole(bytes);
    },
    expect: ['gpt-backup-missing', 'gpt-backup-not-at-end'],
  },
  {
    name: 'AlternateLBA pointing at the header itself',
    image: () => primaryHeader((v) => v.setBigUint64(0x20, 1n, true)),
    expect: ['gpt-header-invalid'],
    message: /AlternateLBA points at the header itself/,
  },
  {
    name: 'AlternateLBA pointing at the primary array (no backup at the end)',
    image: () => {
      const bytes = gpt512();
      editHeader(bytes, 512, 1n, (v) => v.setBigUint64(0x20, 2n, true));
      bytes.fill(0, Number(LAST) * 512);
      return whole(bytes);
    },
    expect: ['gpt-backup-missing'],
  },
  // HeaderSize and the usable range.
  ...[0, 1, 91, 513, 4096, 0xffffffff].map((size): HostileCase => ({
    name: `HeaderSize ${size}`,
    image: () => bothHeaders((v) => v.setUint32(0x0c, size, true)),
    expect: ['gpt-header-invalid'],
    message: new RegExp(`HeaderSize is ${size}, must be between 92 and the block size 512`),
  })),
  {
    name: '4Kn: HeaderSize 4097',
    image: () => bothHeaders((v) => v.setUint32(0x0c, 4097, true), 4096),
    expect: ['gpt-header-invalid'],
    message: /HeaderSize is 4097/,
  },
  {
    name: 'FirstUsableLBA > LastUsableLBA',
    image: () => bothHeaders((v) => (v.setBigUint64(0x28, 4000n, true), v.setBigUint64(0x30, 100n, true))),
    expect: ['gpt-header-invalid'],
    message: /FirstUsableLBA 4000 is after LastUsableLBA 100/,
  },
  {
    name: 'LastUsableLBA 2^64-1',
    image: () => bothHeaders((v) => v.setBigUint64(0x30, U64_MAX, true)),
    expect: ['gpt-header-invalid'],
    message: /LastUsableLBA 18446744073709551615 is past/,
  },
  {
    name: 'MyLBA 2^63',
    image: () => primaryHeader((v) => v.setBigUint64(0x18, 2n ** 63n, true)),
    expect: ['gpt-header-invalid'],
    message: /MyLBA is 9223372036854775808/,
  },
  // Partitions.
  {
    name: 'partition with first LBA > last LBA',
    image: () => {
      const bytes = gpt512();
      editEntryBoth(bytes, 512, 0, (v) => (v.setBigUint64(32, 500n, true), v.setBigUint64(40, 100n, true)));
      return whole(bytes);
    },
    expect: ['gpt-partition-out-of-range'],
    message: /Partition 1 \(slot 0\) ends \(LBA 100\) before it starts \(LBA 500\)/,
  },
  {
    name: 'partition running to LBA 2^64-1',
    image: () => {
      const bytes = gpt512();
      editEntryBoth(bytes, 512, 3, (v) => v.setBigUint64(40, U64_MAX, true));
      return whole(bytes);
    },
    expect: ['gpt-partition-out-of-range'],
    message: /Partition 4 \(slot 3\) .*runs past the end of the disk/,
  },
  {
    name: 'partition starting at 2^63',
    image: () => {
      const bytes = gpt512();
      editEntryBoth(bytes, 512, 1, (v) => (v.setBigUint64(32, 2n ** 63n, true), v.setBigUint64(40, 2n ** 63n + 10n, true)));
      return whole(bytes);
    },
    expect: ['gpt-partition-out-of-range'],
  },
  {
    name: 'every one of 128 slots used, all spanning the whole LBA range with the same GUID',
    image: () => {
      const bytes = gpt512();
      for (let slot = 0; slot < 128; slot++) {
        editEntryBoth(bytes, 512, slot, (v) => {
          v.setUint32(0, 0x0fc63daf, true);
          v.setUint32(16, 0x12345678, true);
          v.setBigUint64(32, 0n, true);
          v.setBigUint64(40, U64_MAX, true);
        });
      }
      return whole(bytes);
    },
    expect: ['gpt-partition-out-of-range', 'gpt-partition-overlap', 'gpt-duplicate-guid'],
  },
  // MBR and EBR chains.
  {
    name: 'EBR chain looping to itself',
    image: () =>
      ebrChain(2 * MiB, [
        { at: 0, next: 100 },
        { at: 100, next: 100 },
      ]),
    expect: ['mbr-ebr-chain'],
    message: /loops back to LBA 2148/,
  },
  {
    name: 'EBR chain 2-cycle',
    image: () =>
      ebrChain(2 * MiB, [
        { at: 0, next: 100 },
        { at: 100, next: 200 },
        { at: 200, next: 100 },
      ]),
    expect: ['mbr-ebr-chain'],
    message: /loops back to LBA 2148/,
  },
  {
    name: `EBR chain longer than MAX_EBR_CHAIN (${MAX_EBR_CHAIN + 50} links)`,
    image: () =>
      ebrChain(
        2 * MiB,
        Array.from({ length: MAX_EBR_CHAIN + 50 }, (_, i) => ({ at: 2 * i, next: i + 1 < MAX_EBR_CHAIN + 50 ? 2 * (i + 1) : 0 })),
      ),
    expect: ['mbr-ebr-chain'],
    message: new RegExp(`longer than ${MAX_EBR_CHAIN} links`),
    maxBytesRead: 64 * KiB + (MAX_EBR_CHAIN + 1) * 512,
  },
  {
    name: 'MBR extended partition pointing past the end',
    image: () => {
      const bytes = new Uint8Array(MiB);
      mbrRecord(bytes, 0, 1, 0x05, 0xfffffff0, 100);
      return whole(bytes);
    },
    expect: ['mbr-ebr-chain', 'mbr-partition-out-of-range'],
    message: /EBR at LBA 4294967280 lies outside the disk/,
  },
  {
    name: 'MBR extended partition at LBA 0 (the MBR links to itself)',
    image: () => {
      const bytes = new Uint8Array(MiB);
      mbrRecord(bytes, 0, 0, 0x85, 0, 100);
      return whole(bytes);
    },
    expect: ['mbr-ebr-chain', 'mbr-partition-out-of-range'],
  },
  {
    name: 'MBR partition with 0xFFFFFFFF sectors from 0xFFFFFFFF',
    image: () => {
      const bytes = new Uint8Array(MiB);
      mbrRecord(bytes, 0, 2, 0x83, 0xffffffff, 0xffffffff);
      return whole(bytes);
    },
    expect: ['mbr-partition-out-of-range'],
  },
  {
    name: 'protective MBR covering 0xFFFFFFFF sectors of a 2 MiB disk',
    image: () => {
      const bytes = gpt512();
      bytes.set(encodeProtectiveMbr(2n ** 40n), 0);
      return whole(bytes);
    },
    expect: ['mbr-protective-size'],
  },
  {
    name: 'a 2 TiB disk whose headers claim the array at LBA 2^63 (sparse)',
    image: () => {
      const bytes = gpt512();
      editBothHeaders(bytes, 512, (v) => v.setBigUint64(0x48, 2n ** 63n, true));
      const size = 2 * 1024 * 1024 * MiB;
      // Move the backup header to the end of the 2 TiB disk.
      const backup = bytes.slice(Number(LAST) * 512);
      editHeader(backup, 512, 0n, (v) => (v.setBigUint64(0x18, BigInt(size / 512 - 1), true), v.setBigUint64(0x48, 2n ** 63n, true)));
      return {
        size,
        regions: [
          { offset: 0, bytes: bytes.slice(0, 34 * 512) },
          { offset: size - 512, bytes: backup },
        ],
      };
    },
    expect: ['gpt-header-invalid'],
    maxBytesRead: 64 * KiB,
  },
];

interface Outcome {
  disk?: DiskModel;
  findings?: Finding[];
  error?: DiskxError;
  source: CountingSource;
}

/** Reads and checks a hostile image; fails on anything but findings or a DiskxError. */
async function survive(c: HostileCase): Promise<Outcome> {
  const { size, regions } = c.image();
  const source = new CountingSource(new SparseMemorySource(size, regions, `${c.name}.img`));
  let disk: DiskModel;
  try {
    disk = await readDisk(source);
  } catch (error) {
    assert.ok(error instanceof DiskxError, `${c.name}: untyped ${String((error as Error)?.stack ?? error)}`);
    return { error, source };
  }
  let findings: Finding[];
  try {
    findings = checkDisk(disk);
    // The JSON documents must be producible too (BigInt fields, huge values).
    JSON.stringify(inspectJson(disk));
    JSON.stringify(checkJson(disk, findings));
  } catch (error) {
    assert.fail(`${c.name}: checkDisk/report threw ${String((error as Error)?.stack ?? error)}`);
  }
  return { disk, findings, source };
}

describe('hostile images: findings or a typed error, bounded reads', () => {
  test('a healthy image reads little (the baseline the bounds are set against)', async () => {
    const source = new CountingSource(new SparseMemorySource(2 * MiB, [{ offset: 0, bytes: gpt512() }]));
    const disk = await readDisk(source);
    assert.deepEqual(
      checkDisk(disk).filter((f) => f.severity !== 'info'),
      [],
    );
    assert.ok(source.bytesRead < 128 * KiB, `a healthy 2 MiB image read ${source.bytesRead} bytes`);
    assert.ok(source.largestRead <= 16 * KiB + 512, `largest read ${source.largestRead}`);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const { findings, error, source } = await survive(c);
      if (typeof c.expect === 'function') {
        assert.ok(error instanceof c.expect, `${c.name}: expected ${c.expect.name}, got ${error ? error.name : JSON.stringify(findings?.map((f) => f.code))}`);
        assert.match(error!.message, /\S/);
      } else {
        assert.ok(findings, `${c.name}: expected findings, got ${error?.name}: ${error?.message}`);
        for (const code of c.expect)
          assert.ok(
            findings.some((f) => f.code === code),
            `${c.name}: expected ${code} in ${JSON.stringify(findings, null, 1)}`,
          );
        if (c.message)
          assert.ok(
            findings.some((f) => c.message!.test(f.message)),
            `${c.name}: no finding matches ${c.message} in ${JSON.stringify(
              findings.map((f) => f.message),
              null,
              1,
            )}`,
          );
        // Anything hostile is at least worth a warning: a damaged image never reads as clean.
        if (c.expect.length > 0)
          assert.ok(
            findings.some((f) => f.severity !== 'info'),
            `${c.name}: only info findings`,
          );
        for (const f of findings) {
          assert.ok(Number.isSafeInteger(f.offset) && f.offset >= 0, `${c.name}: finding ${f.code} has offset ${f.offset}`);
          assert.ok(Number.isSafeInteger(f.length) && f.length >= 0, `${c.name}: finding ${f.code} has length ${f.length}`);
        }
      }
      const maxBytesRead = c.maxBytesRead ?? 256 * KiB;
      assert.ok(source.bytesRead <= maxBytesRead, `${c.name}: read ${source.bytesRead} bytes in ${source.reads} reads (limit ${maxBytesRead})`);
      assert.ok(source.largestRead <= MAX_ENTRY_ARRAY_BYTES, `${c.name}: one read of ${source.largestRead} bytes`);
      // The sources above allocate only what is read; 32 MiB leaves room for the model and GC lag.
      assert.ok(source.arrayBufferGrowth < 32 * MiB, `${c.name}: arrayBuffers grew by ${source.arrayBufferGrowth} bytes`);
    });
  }

  test('rss stays bounded over every hostile image read 5 times', async () => {
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 5; round++) for (const c of CASES) await survive(c);
    const growth = process.memoryUsage().rss - before;
    assert.ok(growth < 256 * MiB, `rss grew by ${Math.round(growth / MiB)} MiB`);
  });
});

describe('hostile VMDK descriptors', () => {
  const descriptor = (name: string, extents: string[], createType = 'monolithicFlat'): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      [
        '# Disk DescriptorFile',
        'version=1',
        'CID=fffffffe',
        'parentCID=ffffffff',
        `createType="${createType}"`,
        '',
        '# Extent description',
        ...extents,
        '',
      ].join('\n'),
    );
    return file;
  };

  test('an extent that does not exist: NotADiskImageError naming it', async () => {
    const file = descriptor('missing.vmdk', ['RW 4096 FLAT "missing-flat.vmdk" 0']);
    await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && /"missing-flat\.vmdk", which does not exist/.test(e.message));
  });

  test('a descriptor that names itself as its extent: NotADiskImageError', async () => {
    const file = descriptor('self.vmdk', [
      'RW 1 FLAT "self.vmdk" 0',
      ...Array.from({ length: 40 }, (_, i) => `# padding line ${i} so the descriptor is longer than a sector`),
    ]);
    assert.ok(fs.statSync(file).size >= 512);
    await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && /itself/.test(e.message));
  });

  test('an extent that is a directory: NotADiskImageError, not EISDIR from a read', async () => {
    fs.mkdirSync(path.join(dir, 'extent-dir'), { recursive: true });
    const file = descriptor('dir-extent.vmdk', ['RW 1 FLAT "extent-dir" 0']);
    await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && /extent-dir/.test(e.message));
  });

  for (const [name, line, message] of [
    ['sectors beyond 2^53 bytes', 'RW 99999999999999999999 FLAT "data-flat.vmdk" 0', /too large/],
    ['2^40 sectors of a 1 MiB extent', `RW ${2 ** 40} FLAT "data-flat.vmdk" 0`, /holds 1048576 bytes, the descriptor says/],
    ['an offset of 2^60 sectors', `RW 2048 FLAT "data-flat.vmdk" ${2 ** 60}`, /"data-flat\.vmdk" at offset \d+ sectors is too large/],
  ] as const) {
    test(`absurd sizes: ${name}`, async () => {
      fs.writeFileSync(path.join(dir, 'data-flat.vmdk'), new Uint8Array(MiB));
      const file = descriptor(`absurd-${name.replace(/\W+/g, '-')}.vmdk`, [line]);
      await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && message.test(e.message));
    });
  }

  test('the same descriptors through the CLI: exit 2, one "diskx: FILE: ..." line each', async () => {
    const names = ['missing.vmdk', 'self.vmdk', 'dir-extent.vmdk', 'absurd-sectors-beyond-2-53-bytes.vmdk'];
    const runs = await inBatches(names, 4, (name) => runCli(['check', path.join(dir, name)]));
    runs.forEach((run, index) => {
      const file = path.join(dir, names[index]!);
      assert.ok(fs.existsSync(file), `${file} made by the tests above`);
      assert.equal(run.status, 2, `${file}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.ok(!run.stderr.includes('    at '), run.stderr);
      assert.match(run.stderr, new RegExp(`^diskx: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: VMDK [^\n]+\n$`));
    });
  });

  test('more extents than MAX_VMDK_EXTENTS: NotADiskImageError before any is opened', async () => {
    const file = descriptor(
      'many.vmdk',
      Array.from({ length: 1100 }, () => 'RW 1 FLAT "missing-flat.vmdk" 0'),
    );
    await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && /more than 1024 extents/.test(e.message));
  });
});

describe('hostile images through the CLI and sgdisk', () => {
  const skipSgdisk = !haveOracles() && 'sgdisk not installed';
  // Every case but the noise variants beyond the first of each kind: each file costs a Node start.
  const throughCli = CASES.filter((c) => !/^random .*\(seed (2|3|4|5|7|8|9|11|12|13)\b/.test(c.name));
  const files = throughCli.map((c, index) => {
    const { size, regions } = c.image();
    return { c, file: writeSparseImage(path.join(dir, `hostile-${String(index).padStart(2, '0')}.img`), size, regions) };
  });

  test('diskx check: exit 1 with findings or exit 2 with one "diskx: " line; never a stack trace', async () => {
    assert.equal(files.length, CASES.length - 10, 'the noise sample lost its filter');
    const runs = await inBatches(files, 4, ({ file }) => runCli(['check', file]));
    runs.forEach((run, index) => {
      const { c, file } = files[index]!;
      const context = `${c.name} (${file}): status ${run.status}, stdout ${run.stdout.slice(0, 300)} stderr ${run.stderr}`;
      assert.ok(!/\n\s+at /.test(run.stdout + run.stderr), `stack trace: ${context}`);
      assert.ok(!/internal error/.test(run.stderr), context);
      if (typeof c.expect === 'function') {
        assert.equal(run.status, 2, context);
        assert.match(run.stderr, new RegExp(`^diskx: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\\n]+\\n$`), context);
        assert.equal(run.stdout, '', context);
      } else {
        assert.ok(run.status === 1 || (run.status === 0 && c.expect.length === 0), context);
        assert.equal(run.stderr, '', context);
        for (const code of c.expect) assert.match(run.stdout, new RegExp(`\\b${code}\\b`), context);
      }
    });
  });

  test('diskx check --json on hostile images is valid JSON whose findings match the core', async () => {
    // A sample (every process costs a Node start): one case of each kind of damage.
    const withFindings = files.filter(({ c }) => typeof c.expect !== 'function' && c.expect.length > 0).filter((_, index) => index % 6 === 0);
    assert.ok(withFindings.length >= 6);
    const runs = await inBatches(withFindings, 4, ({ file }) => runCli(['check', '--json', file]));
    runs.forEach((run, index) => {
      const { c } = withFindings[index]!;
      const parsed = JSON.parse(run.stdout) as { findings: Finding[] };
      for (const code of c.expect as FindingCode[])
        assert.ok(
          parsed.findings.some((f) => f.code === code),
          `${c.name}: ${code} missing from --json`,
        );
    });
  });

  test('sgdisk -v 1.0.9 aborts on 0xFFFFFFFF entries of 256 MiB; diskx check reports it', { skip: skipSgdisk }, async (t) => {
    const aborted: string[] = [];
    const hung: string[] = [];
    for (const { c, file } of files) {
      // sgdisk 1.0.9 spins for minutes on 32768 entries; a timeout keeps the oracle from stalling the suite.
      const result = spawnSync('sgdisk', ['-v', file], { encoding: 'utf8', timeout: 5_000 });
      if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') hung.push(c.name);
      else if (result.signal || /bad_alloc|terminate called/.test(result.stderr ?? '')) aborted.push(c.name);
    }
    t.diagnostic(`sgdisk -v aborts on: ${aborted.join('; ') || 'none'}`);
    t.diagnostic(`sgdisk -v still running after 5 s on: ${hung.join('; ') || 'none'}`);
    const version = spawnSync('sgdisk', ['--version'], { encoding: 'utf8' }).stdout;
    if (/1\.0\.9\b/.test(version))
      assert.ok(aborted.includes('0xFFFFFFFF entries of 256 MiB (0x10000000) in both headers'), `sgdisk aborted on: ${aborted.join('; ')}`);
    const huge = files.find(({ c }) => c.name.startsWith('0xFFFFFFFF entries of 256 MiB'))!;
    const run = await runCli(['check', huge.file]);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /NumberOfPartitionEntries is 4294967295/);
  });
});
