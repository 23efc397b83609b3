// Sample disk images for `npm start` and the benchmark, written with our own GPT
// encoder into sparse files (no sgdisk needed). Only the MBR, the two GPT headers
// and the two entry arrays are written; everything else is a hole in the file.
import fs from 'node:fs';
import { encodeGptDisk } from '../src/core/gptEncode';
import type { GptDiskSpec, GptEntryFields } from '../src/core/gptEncode';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS } from '../src/core/partitionTypes';

const GiB = 1024 ** 3;
const TYPE_LINUX_FILESYSTEM = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const TYPE_LINUX_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

/** Fixed GUIDs so every sample is byte-for-byte reproducible: guid(3) = 5A4D0003-.... */
function sampleGuid(n: number): string {
  return `5A4D${n.toString(16).padStart(4, '0')}-E5C1-4D15-8A6E-00000000D15C`.toUpperCase();
}

/** Creates (or replaces) a sparse file of `sizeBytes` and writes `regions` into it. */
export function writeSparseFile(file: string, sizeBytes: number, regions: { offset: number; bytes: Uint8Array }[]): string {
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, sizeBytes);
    for (const region of regions) fs.writeSync(fd, region.bytes, 0, region.bytes.length, region.offset);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Writes a consistent GPT disk (protective MBR, primary and backup) as a sparse file. */
export function writeGptSample(file: string, spec: GptDiskSpec): string {
  return writeSparseFile(file, Number(spec.totalSectors) * spec.sectorSize, encodeGptDisk(spec));
}

/**
 * The seven partitions an ESXi 5.0 installer writes, indexed by slot (slot 3,
 * partition 4, stays empty). Sectors as in partedUtil's listing of such a disk.
 */
export function esxi5InstallerSlots(totalSectors: bigint): (GptEntryFields | null)[] {
  const lastUsable = totalSectors - 34n; // 128 entries x 128 bytes = 32 sectors of backup array, then the header
  const part = (n: number, typeGuid: string, firstLba: bigint, lastLba: bigint): GptEntryFields => ({ typeGuid, uniqueGuid: sampleGuid(n), firstLba, lastLba });
  return [
    part(1, TYPE_EFI_SYSTEM, 64n, 8191n), // systemPartition
    part(2, TYPE_MS_BASIC_DATA, 1843200n, 10229759n), // scratch
    part(3, TYPE_VMWARE_VMFS, 10229760n, lastUsable), // VMFS datastore
    null,
    part(5, TYPE_MS_BASIC_DATA, 8224n, 520191n), // bootbank
    part(6, TYPE_MS_BASIC_DATA, 520224n, 1032191n), // altbootbank
    part(7, TYPE_VMWARE_DIAGNOSTIC, 1032224n, 1257471n), // vmkDiagnostic
    part(8, TYPE_MS_BASIC_DATA, 1257504n, 1843199n), // store/locker
  ];
}

/**
 * An ESXi 5.0 boot disk (512-byte sectors, default 8 GiB). With `compacted` it is
 * the broken copy of the ESXi case: the same seven entries moved down into slots 0..6, with
 * every header and CRC updated consistently, so only the slot numbers are wrong.
 */
export function writeEsxi5Sample(file: string, options: { sizeBytes?: number; compacted?: boolean } = {}): string {
  const sizeBytes = options.sizeBytes ?? 8 * GiB;
  const totalSectors = BigInt(Math.floor(sizeBytes / 512));
  const installer = esxi5InstallerSlots(totalSectors);
  const slots = options.compacted ? installer.filter((slot) => slot !== null) : installer;
  return writeGptSample(file, { sectorSize: 512, totalSectors, diskGuid: sampleGuid(0xd15c), slots });
}

/**
 * A plain (non-ESXi) GPT disk of any size from 10 MiB up: an EFI system partition,
 * a swap partition and a Linux root filling the rest, in slots 0, 1 and 3 (a slot
 * gap, which must only ever be reported as information).
 */
export function writePlainGptSample(file: string, sizeBytes: number): string {
  const totalSectors = BigInt(Math.floor(sizeBytes / 512));
  const lastUsable = totalSectors - 34n;
  const swapSectors = totalSectors / 8n - ((totalSectors / 8n) % 2048n);
  const entry = (n: number, typeGuid: string, firstLba: bigint, lastLba: bigint, name: string): GptEntryFields => ({
    typeGuid,
    uniqueGuid: sampleGuid(n),
    firstLba,
    lastLba,
    name,
  });
  const efiEnd = 2048n + 4096n - 1n; // 2 MiB
  const swapEnd = efiEnd + swapSectors;
  const slots = [
    entry(1, TYPE_EFI_SYSTEM, 2048n, efiEnd, 'EFI system'),
    entry(2, TYPE_LINUX_SWAP, efiEnd + 1n, swapEnd, 'swap'),
    null,
    entry(4, TYPE_LINUX_FILESYSTEM, swapEnd + 1n, lastUsable, 'root'),
  ];
  return writeGptSample(file, { sectorSize: 512, totalSectors, diskGuid: sampleGuid(0xb0), slots });
}

/**
 * A GPT disk with `count` Linux partitions of equal size and a gap of a tenth
 * of that after each: the content probes then look at 2 x count volumes.
 */
export function writeManyPartitionSample(file: string, sizeBytes: number, count: number): string {
  const totalSectors = BigInt(Math.floor(sizeBytes / 512));
  const step = ((totalSectors - 4096n) / BigInt(count)) & ~2047n;
  const size = step - ((step / 10n) & ~2047n);
  const slots = Array.from({ length: count }, (_, i): GptEntryFields => ({
    typeGuid: TYPE_LINUX_FILESYSTEM,
    uniqueGuid: sampleGuid(0x100 + i),
    firstLba: 2048n + BigInt(i) * step,
    lastLba: 2048n + BigInt(i) * step + size - 1n,
    name: `data${i + 1}`,
  }));
  return writeGptSample(file, { sectorSize: 512, totalSectors, diskGuid: sampleGuid(0xb1), slots });
}

/** Bytes a sparse file really occupies on disk (st_blocks x 512). */
export function allocatedBytes(file: string): number {
  return fs.statSync(file).blocks * 512;
}

// `node --import tsx scripts/sampleImages.ts esxi5-compacted OUT [SIZE_BYTES]`
// `node --import tsx scripts/sampleImages.ts esxi5 OUT [SIZE_BYTES]`
// `node --import tsx scripts/sampleImages.ts plain OUT SIZE_BYTES`
const invokedAs = process.argv[1] ?? '';
if (/sampleImages\.[cm]?[jt]s$/.test(invokedAs)) {
  const [kind, out, size] = process.argv.slice(2);
  const sizeBytes = size === undefined ? undefined : Number(size);
  if (!out || (sizeBytes !== undefined && !Number.isSafeInteger(sizeBytes))) {
    process.stderr.write('usage: sampleImages.ts esxi5|esxi5-compacted|plain OUT [SIZE_BYTES]\n');
    process.exit(2);
  }
  if (kind === 'esxi5' || kind === 'esxi5-compacted') writeEsxi5Sample(out, { sizeBytes, compacted: kind === 'esxi5-compacted' });
  else if (kind === 'plain') writePlainGptSample(out, sizeBytes ?? 10 * 1024 * 1024);
  else {
    process.stderr.write(`sampleImages.ts: unknown kind "${kind ?? ''}"\n`);
    process.exit(2);
  }
}
