// Builders for test images: sparse files written with our encoder or with sgdisk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { GptEntryFields } from '../../src/core/gptEncode';
import { writeGptSample as writeGptImage, writeSparseFile as writeSparseImage } from '../../src/app/sampleImage';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS } from '../../src/core/partitionTypes';

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = 'diskx-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The sparse-file writers are the sample image's, under the names the tests use.
export { writeGptImage, writeSparseImage };

/** Deterministic GUIDs for tests: guid(1) = 00000001-0000-4000-8000-0000000000D1. */
export function testGuid(n: number): string {
  return `${n.toString(16).padStart(8, '0')}-0000-4000-8000-0000000000D1`.toUpperCase();
}

const GiB = 1024 ** 3;

/** The seven partitions of an ESXi 5.0 boot disk, in ESXi's slots (slot 3 empty). */
export function esxi5Slots(totalSectors: bigint): (GptEntryFields | null)[] {
  const lastUsable = totalSectors - 34n;
  const e = (n: number, type: string, first: bigint, last: bigint, name = ''): GptEntryFields => ({
    typeGuid: type,
    uniqueGuid: testGuid(n),
    firstLba: first,
    lastLba: last,
    name,
  });
  return [
    e(1, TYPE_EFI_SYSTEM, 64n, 8191n),
    e(2, TYPE_MS_BASIC_DATA, 1843200n, 10229759n),
    e(3, TYPE_VMWARE_VMFS, 10229760n, lastUsable),
    null,
    e(5, TYPE_MS_BASIC_DATA, 8224n, 520191n),
    e(6, TYPE_MS_BASIC_DATA, 520224n, 1032191n),
    e(7, TYPE_VMWARE_DIAGNOSTIC, 1032224n, 1257471n),
    e(8, TYPE_MS_BASIC_DATA, 1257504n, 1843199n),
  ];
}

/** The seed's case: the same entries moved down into slots 0..6 (slot 3 no longer empty). */
export function compactSlots<T>(slots: (T | null)[]): (T | null)[] {
  return slots.filter((s) => s !== null);
}

/** An ESXi 5.0 boot disk image of `sizeBytes` (default 8 GiB), healthy or compacted. */
export function writeEsxi5Image(file: string, options: { sizeBytes?: number; compacted?: boolean } = {}): string {
  const sizeBytes = options.sizeBytes ?? 8 * GiB;
  const totalSectors = BigInt(sizeBytes / 512);
  const slots = esxi5Slots(totalSectors);
  return writeGptImage(file, { sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots: options.compacted ? compactSlots(slots) : slots });
}

/** True when the Debian tools (gdisk, fdisk) are installed. */
export function haveOracles(): boolean {
  try {
    execFileSync('sgdisk', ['--version'], { stdio: 'ignore' });
    execFileSync('sfdisk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command and returns its stdout (stderr folded in on failure). */
export function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
