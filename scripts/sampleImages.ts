// Sample disk images for `npm start` and the benchmark, written with our own GPT
// encoder into sparse files (no sgdisk needed). Only the MBR, the two GPT headers
// and the two entry arrays are written; everything else is a hole in the file.
import fs from 'node:fs';
import type { GptEntryFields } from '../src/core/gptEncode';
import { TYPE_EFI_SYSTEM } from '../src/core/partitionTypes';
import { sampleGuid, writeEsxi5Sample, writeGptSample } from '../src/app/sampleImage';
// The ESXi sample is the extension's too (the walkthrough's Create Sample Disk Image).
export { esxi5InstallerSlots, writeEsxi5Sample, writeGptSample, writeSparseFile } from '../src/app/sampleImage';

const TYPE_LINUX_FILESYSTEM = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const TYPE_LINUX_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

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
