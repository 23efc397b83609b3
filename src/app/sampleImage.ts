// The sample broken disk: an ESXi 5.0 boot disk whose GPT entries were compacted
// (the case this project started from), written with our own GPT encoder into a
// sparse file. `npm start` (scripts/sampleImages.ts) and the walkthrough's
// Create Sample Disk Image command both make it from here. Only the MBR, the two
// GPT headers and the two entry arrays are written; the rest is a hole.
import fs from 'node:fs';
import path from 'node:path';
import { encodeGptDisk } from '../core/gptEncode';
import type { GptDiskSpec, GptEntryFields } from '../core/gptEncode';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS } from '../core/partitionTypes';
import { DiskxError } from '../core/errors';
import { msg } from '../shared/l10n';

const GiB = 1024 ** 3;
/** The sample's file name. */
export const SAMPLE_NAME = 'esxi5-compacted.img';
/** How many numbered names (esxi5-compacted-2.img, ...) createSampleImage tries before giving up. */
const MAX_SAMPLE_NAMES = 100;

/** Fixed GUIDs so every sample is byte-for-byte reproducible: guid(3) = 5A4D0003-.... */
export function sampleGuid(n: number): string {
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
 * Writes the compacted ESXi 5.0 sample into `folder` under a name no file has
 * yet (esxi5-compacted.img, then -2, -3, ...): an existing file is never
 * replaced. Returns the path written.
 */
export function createSampleImage(folder: string): string {
  fs.mkdirSync(folder, { recursive: true });
  for (let n = 1; n <= MAX_SAMPLE_NAMES; n++) {
    const file = path.join(folder, n === 1 ? SAMPLE_NAME : SAMPLE_NAME.replace(/\.img$/, `-${n}.img`));
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx'); // exclusive: fails if the name is taken
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    fs.closeSync(fd);
    return writeEsxi5Sample(file, { compacted: true });
  }
  throw new DiskxError(msg('{0} already holds {1} sample images; remove some first', folder, MAX_SAMPLE_NAMES));
}
