// Helpers around the Debian tools we cross-check against (sgdisk, sfdisk,
// fdisk), byte-level damage for image files, in-memory images and a seeded
// PRNG. Everything here is test code: it may throw on misuse.
import fs from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { encodeGptDisk } from '../../src/core/gptEncode';
import { crc32, gptHeaderCrc32 } from '../../src/core/crc32';
import type { GptDiskSpec, GptEntryFields } from '../../src/core/gptEncode';
import { MemorySource } from '../../src/core/io/memorySource';
import { readDisk } from '../../src/core/diskModel';
import type { DiskModel, ReadOptions } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import type { Finding } from '../../src/core/findings';
import { analyzeImage } from '../../src/core/index';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS, TYPE_VMWARE_VMFSL } from '../../src/core/partitionTypes';
import { testGuid } from './images';

/** A partition as sfdisk --json lists it, with the slot taken from the node name's suffix. */
export interface SfdiskPartition {
  slot: number;
  start: bigint;
  size: bigint;
  type: string;
  uuid: string;
  name: string;
  attrs: string;
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    id: string;
    sectorsize?: number;
    firstlba?: number;
    lastlba?: number;
    partitions?: { node: string; start: number; size: number; type: string; uuid?: string; name?: string; attrs?: string }[];
  };
}

/** Runs sfdisk --json on an image. */
export function sfdiskJson(image: string): { label: string; id: string; partitions: SfdiskPartition[] } {
  const text = execFileSync('sfdisk', ['--json', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // Parse sizes as BigInt: 2 TiB disks are fine as numbers, but never trust that.
  const parsed = JSON.parse(text) as SfdiskJson;
  const table = parsed.partitiontable;
  const partitions = (table.partitions ?? []).map((p) => {
    const suffix = /(\d+)$/.exec(p.node);
    if (!suffix) throw new Error(`sfdisk node without a number: ${p.node}`);
    return {
      slot: Number(suffix[1]) - 1,
      start: BigInt(p.start),
      size: BigInt(p.size),
      type: p.type.toUpperCase(),
      uuid: (p.uuid ?? '').toUpperCase(),
      name: p.name ?? '',
      attrs: p.attrs ?? '',
    };
  });
  return { label: table.label, id: table.id, partitions };
}

/** sfdisk's attrs string ("RequiredPartition LegacyBIOSBootable GUID:48,60") as bits. */
export function sfdiskAttributes(attrs: string): bigint {
  let bits = 0n;
  for (const word of attrs.split(/\s+/).filter(Boolean)) {
    if (word === 'RequiredPartition') bits |= 1n;
    else if (word === 'NoBlockIOProtocol') bits |= 2n;
    else if (word === 'LegacyBIOSBootable') bits |= 4n;
    else if (word.startsWith('GUID:')) for (const n of word.slice(5).split(',')) bits |= 1n << BigInt(Number(n));
    else throw new Error(`unknown sfdisk attribute ${word}`);
  }
  return bits;
}

/** What `sgdisk -v` says: the four CRC verdicts and the problem count (0 = "No problems found"). */
export interface SgdiskVerdict {
  mainHeader: 'OK' | 'ERROR' | null;
  backupHeader: 'OK' | 'ERROR' | null;
  mainTable: 'OK' | 'ERROR' | null;
  backupTable: 'OK' | 'ERROR' | null;
  problems: number | null;
  text: string;
}

/** Runs `sgdisk -v` (which exits 0 either way) and parses its report. */
export function sgdiskVerify(image: string): SgdiskVerdict {
  const result = spawnSync('sgdisk', ['-v', image], { encoding: 'utf8' });
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const verdict = (label: string): 'OK' | 'ERROR' | null => {
    const match = new RegExp(`^${label}: (OK|ERROR)`, 'm').exec(text);
    return match ? (match[1] as 'OK' | 'ERROR') : null;
  };
  const problems = /No problems found/.test(text) ? 0 : /Identified (\d+) problems?/.exec(text) ? Number(/Identified (\d+) problems?/.exec(text)![1]) : null;
  return {
    mainHeader: verdict('Main header'),
    backupHeader: verdict('Backup header'),
    mainTable: verdict('Main partition table'),
    backupTable: verdict('Backup partition table'),
    problems,
    text,
  };
}

/**
 * Runs sgdisk with arguments on an image; rejects with its output when it fails.
 * Async because every writing sgdisk run sleeps about a second after syncing:
 * tests build their images concurrently.
 */
export function sgdisk(image: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sgdisk', [...args, image], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`sgdisk ${args.join(' ')} failed: ${error.message} ${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `dir/name`: a 64 MiB sparse image sgdisk partitions as "data" (10 MiB at LBA 2048) and "esp" (5 MiB, EFI System, after it). */
export async function dataAndEspImage(dir: string, name = 'disk.img'): Promise<string> {
  const file = sparseFile(path.join(dir, name), 64 * 1024 * 1024);
  await sgdisk(file, '-n', '1:2048:+10M', '-c', '1:data', '-n', '2:0:+5M', '-t', '2:ef00', '-c', '2:esp');
  return file;
}

/** sgdisk -i N without the post-write sleep (it only reads). */
function sgdiskInfo(image: string, number: number): string {
  return execFileSync('sgdisk', ['-i', String(number), image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The attribute flags `sgdisk -i N` reports, exactly (16 hex digits). */
export function sgdiskAttributes(image: string, number: number): bigint {
  const text = sgdiskInfo(image, number);
  const match = /Attribute flags: ([0-9A-Fa-f]{16})/.exec(text);
  if (!match) throw new Error(`no attribute flags in sgdisk -i output: ${text}`);
  return BigInt(`0x${match[1]}`);
}

/** Makes an empty sparse file of `sizeBytes`. */
export function sparseFile(file: string, sizeBytes: number): string {
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, sizeBytes);
  fs.closeSync(fd);
  return file;
}

/** Reads `length` bytes of a file at `offset`. */
export function readAt(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, offset);
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes bytes into a file at `offset` without truncating it. */
export function writeAt(file: string, offset: number, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/** Inverts every bit of one byte of a file. */
export function flipByte(file: string, offset: number): void {
  const old = readAt(file, offset, 1)[0]!;
  writeAt(file, offset, Uint8Array.of(old ^ 0xff));
}

/** Copies a (sparse) image keeping it sparse. */
export function copySparse(from: string, to: string): string {
  execFileSync('cp', ['--sparse=always', from, to]);
  return to;
}

/** Opens, parses and checks an image file, closing it again. */
export async function analyzeFile(file: string, options: ReadOptions = {}): Promise<{ disk: DiskModel; findings: Finding[] }> {
  const { opened, disk, findings } = await analyzeImage(file, options);
  await opened.source.close();
  return { disk, findings };
}

/** Parses and checks bytes in memory. */
export async function analyzeBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<{ disk: DiskModel; findings: Finding[] }> {
  const disk = await readDisk(new MemorySource(bytes, 'memory.img'), options);
  return { disk, findings: checkDisk(disk) };
}

/** A whole GPT disk in memory (keep it small: every byte is allocated). */
export function gptImageBytes(spec: GptDiskSpec): Uint8Array {
  const bytes = new Uint8Array(Number(spec.totalSectors) * spec.sectorSize);
  for (const region of encodeGptDisk(spec)) bytes.set(region.bytes, region.offset);
  return bytes;
}

/** A small healthy disk in memory: 2 MiB (or `totalSectors`), three Linux partitions in slots 0, 1, 3. */
export function smallGptBytes(options: { sectorSize?: number; totalSectors?: bigint } = {}): Uint8Array {
  const sectorSize = options.sectorSize ?? 512;
  const totalSectors = options.totalSectors ?? BigInt((2 * 1024 * 1024) / sectorSize);
  const first = sectorSize === 512 ? 34n : 6n;
  const linux = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
  const e = (n: number, firstLba: bigint, lastLba: bigint): GptEntryFields => ({
    typeGuid: linux,
    uniqueGuid: testGuid(n),
    firstLba,
    lastLba,
    name: `part${n}`,
  });
  return gptImageBytes({
    sectorSize,
    totalSectors,
    diskGuid: testGuid(0xd15c),
    slots: [e(1, first, first + 99n), e(2, first + 100n, first + 199n), null, e(4, first + 200n, first + 299n)],
  });
}

/** Code names of findings (sorted, unique) for compact assertions. */
export function codes(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.code))].sort();
}

/** Findings that make `diskx check` exit 1. */
export function problems(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}

/** `length` bytes from a seeded xorshift32 generator (a zero seed counts as 1): the same "random" bytes on every run. */
export function seededBytes(seed: number, length: number): Buffer {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so fuzz failures can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One partition of an ESXi layout with its partition number (slot = number - 1). */
export interface NumberedPartition {
  number: number;
  type: string;
  first: bigint;
  /** Inclusive; null = up to the last usable LBA. */
  last: bigint | null;
}

/** ESXi 5.5/6.x on larger media: 1,5,6,7,8,9,2,3 (on-disk order). */
export const ESXI6_LAYOUT: NumberedPartition[] = [
  { number: 1, type: TYPE_EFI_SYSTEM, first: 64n, last: 8191n },
  { number: 5, type: TYPE_MS_BASIC_DATA, first: 8224n, last: 520191n },
  { number: 6, type: TYPE_MS_BASIC_DATA, first: 520224n, last: 1032191n },
  { number: 7, type: TYPE_VMWARE_DIAGNOSTIC, first: 1032224n, last: 1257471n },
  { number: 8, type: TYPE_MS_BASIC_DATA, first: 1257504n, last: 1843199n },
  { number: 9, type: TYPE_VMWARE_DIAGNOSTIC, first: 1843200n, last: 7086079n },
  { number: 2, type: TYPE_MS_BASIC_DATA, first: 7086080n, last: 15472639n },
  { number: 3, type: TYPE_VMWARE_VMFS, first: 15472640n, last: null },
];

/** ESXi 5.x: 1,5,6,7,8,2,3. */
export const ESXI5_LAYOUT: NumberedPartition[] = [
  { number: 1, type: TYPE_EFI_SYSTEM, first: 64n, last: 8191n },
  { number: 5, type: TYPE_MS_BASIC_DATA, first: 8224n, last: 520191n },
  { number: 6, type: TYPE_MS_BASIC_DATA, first: 520224n, last: 1032191n },
  { number: 7, type: TYPE_VMWARE_DIAGNOSTIC, first: 1032224n, last: 1257471n },
  { number: 8, type: TYPE_MS_BASIC_DATA, first: 1257504n, last: 1843199n },
  { number: 2, type: TYPE_MS_BASIC_DATA, first: 1843200n, last: 10229759n },
  { number: 3, type: TYPE_VMWARE_VMFS, first: 10229760n, last: null },
];

/** ESXi 7.x/8.x on media > 142 GB: 1,5,6,7,8 with 4 GiB bootbanks, OSDATA and a datastore. */
export const ESXI7_LAYOUT: NumberedPartition[] = [
  { number: 1, type: TYPE_EFI_SYSTEM, first: 64n, last: 204863n },
  { number: 5, type: TYPE_MS_BASIC_DATA, first: 208896n, last: 8597503n },
  { number: 6, type: TYPE_MS_BASIC_DATA, first: 8597504n, last: 16986111n },
  { number: 7, type: TYPE_VMWARE_VMFSL, first: 16986112n, last: 268435455n },
  { number: 8, type: TYPE_VMWARE_VMFS, first: 268435456n, last: null },
];

/** Slots (index = number - 1) of a numbered layout, for the encoder. */
export function layoutSlots(
  layout: NumberedPartition[],
  totalSectors: bigint,
  options: { compacted?: boolean; sectorSize?: number } = {},
): (GptEntryFields | null)[] {
  const arraySectors = BigInt(16384 / (options.sectorSize ?? 512));
  const lastUsable = totalSectors - 2n - arraySectors;
  const entry = (p: NumberedPartition): GptEntryFields => ({
    typeGuid: p.type,
    uniqueGuid: testGuid(p.number),
    firstLba: p.first,
    lastLba: p.last ?? lastUsable,
  });
  if (options.compacted) return layout.map(entry); // on-disk order into slots 0..n-1, as a list-minded tool writes them
  const slots: (GptEntryFields | null)[] = [];
  for (const p of layout) {
    while (slots.length < p.number) slots.push(null);
    slots[p.number - 1] = entry(p);
  }
  return slots;
}

/** Makes a layout with sgdisk on an existing (sparse, blank) file; alignment 32 keeps ESXi's LBAs exact. */
export async function sgdiskLayout(image: string, layout: NumberedPartition[]): Promise<void> {
  const args = ['-a', '32'];
  for (const p of layout) args.push('-n', `${p.number}:${p.first}:${p.last ?? 0}`, '-t', `${p.number}:${p.type}`);
  await sgdisk(image, ...args);
}

/** Feeds keystrokes to interactive fdisk (e.g. `fdisk -b 4096`) and returns its output. */
export function fdiskKeys(image: string, keys: string, sectorSize = 512): string {
  const result = spawnSync('fdisk', ['-b', String(sectorSize), image], { encoding: 'utf8', input: keys });
  if (result.status !== 0) throw new Error(`fdisk failed (${result.status}): ${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `fdisk -b N -l` partitions: device suffix, start, end, sectors. */
export function fdiskList(
  image: string,
  sectorSize: number,
): { sectorUnit: number; label: string | null; partitions: { number: number; start: bigint; end: bigint; sectors: bigint }[] } {
  const text = execFileSync('fdisk', ['-b', String(sectorSize), '-l', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const unit = /Units: sectors of 1 \* (\d+) = /.exec(text);
  const label = /Disklabel type: (\w+)/.exec(text)?.[1] ?? null;
  const partitions: { number: number; start: bigint; end: bigint; sectors: bigint }[] = [];
  const escaped = image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${escaped}(\\d+)\\s+\\*?\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)`).exec(line);
    if (match) partitions.push({ number: Number(match[1]), start: BigInt(match[2]!), end: BigInt(match[3]!), sectors: BigInt(match[4]!) });
  }
  return { sectorUnit: unit ? Number(unit[1]) : 0, label, partitions };
}

/** A DataView over a header block inside `bytes` at `offset`. */
function viewAt(bytes: Uint8Array, offset: number, length: number): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, length);
}

/** Edits the GPT header at LBA `lba` in memory, then (by default) recomputes its HeaderCRC32 so only the edit is wrong. */
export function editHeader(bytes: Uint8Array, sectorSize: number, lba: bigint, edit: (view: DataView) => void, reseal = true): void {
  const offset = Number(lba) * sectorSize;
  const view = viewAt(bytes, offset, sectorSize);
  edit(view);
  if (reseal) {
    // HeaderSize may be hostile: cover at most the block, at least the 92 defined bytes.
    const headerSize = Math.min(Math.max(view.getUint32(0x0c, true), 92), sectorSize);
    view.setUint32(0x10, gptHeaderCrc32(bytes.subarray(offset, offset + sectorSize), headerSize), true);
  }
}

/** Edits entry `slot` of the array a header points at, then recomputes the array CRC and the header CRC. */
export function editEntry(bytes: Uint8Array, sectorSize: number, headerLba: bigint, slot: number, edit: (view: DataView) => void): void {
  const header = viewAt(bytes, Number(headerLba) * sectorSize, sectorSize);
  const arrayOffset = Number(header.getBigUint64(0x48, true)) * sectorSize;
  const count = header.getUint32(0x50, true);
  const size = header.getUint32(0x54, true);
  edit(viewAt(bytes, arrayOffset + slot * size, size));
  editHeader(bytes, sectorSize, headerLba, (v) => v.setUint32(0x58, crc32(bytes.subarray(arrayOffset, arrayOffset + count * size)), true));
}

/** Applies the same entry edit to the primary (LBA 1) and the backup (last LBA) arrays. */
export function editEntryBoth(bytes: Uint8Array, sectorSize: number, slot: number, edit: (view: DataView) => void): void {
  editEntry(bytes, sectorSize, 1n, slot, edit);
  editEntry(bytes, sectorSize, BigInt(bytes.length / sectorSize - 1), slot, edit);
}

/** Applies the same header edit to both headers. */
export function editBothHeaders(bytes: Uint8Array, sectorSize: number, edit: (view: DataView) => void): void {
  editHeader(bytes, sectorSize, 1n, edit);
  editHeader(bytes, sectorSize, BigInt(bytes.length / sectorSize - 1), edit);
}
