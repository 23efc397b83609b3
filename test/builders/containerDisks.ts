// Raw disks for the container tests: an 8 MiB GPT disk with data scattered over
// it (so clusters, grains and blocks of every size are allocated in some places
// and holes in others), made as a sparse file by our encoder.
import { encodeGptDisk } from '../../src/core/gptEncode';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import type { ByteSource } from '../../src/core/io/byteSource';
import { prng } from './oracles';
import { testGuid, writeSparseImage } from './images';

export const CONTAINER_DISK_BYTES = 8 * 1024 * 1024;

/** Where the test data sits: starts of partitions, across 4 KiB / 64 KiB / 1 MiB / 2 MiB boundaries, one sector alone. */
const DATA_REGIONS: [number, number][] = [
  [1024 * 1024, 3000],
  [1024 * 1024 + 65536 - 100, 300],
  [2 * 1024 * 1024 - 2048, 6000],
  [3 * 1024 * 1024 + 4096 * 3 + 17, 1],
  [5 * 1024 * 1024 + 12345, 70000],
  [7 * 1024 * 1024 - 512, 512],
];

/** The GPT disk plus data; `damage` flips one name byte in both entry arrays (both array CRCs stale: recompute-crcs fixes it). */
export function containerTestDisk(file: string, options: { sizeBytes?: number; damage?: boolean } = {}): string {
  const sizeBytes = options.sizeBytes ?? CONTAINER_DISK_BYTES;
  const totalSectors = BigInt(sizeBytes / 512);
  const regions = encodeGptDisk({
    sectorSize: 512,
    totalSectors,
    diskGuid: testGuid(0xc0),
    slots: [
      { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'EFI' },
      null,
      { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(3), firstLba: 4096n, lastLba: BigInt(sizeBytes / 512) - 40n, name: 'data' },
    ],
  });
  const random = prng(0xd15c);
  const data = DATA_REGIONS.filter(([offset, length]) => offset + length < sizeBytes - 64 * 1024).map(([offset, length]) => ({
    offset,
    bytes: Uint8Array.from({ length }, () => Math.floor(random() * 256)),
  }));
  if (options.damage) {
    // Entry 0's name (UTF-16 "E" -> "F") in both arrays; headers keep their CRCs.
    for (const region of regions) {
      if (region.offset === 1024 || region.offset === sizeBytes - 33 * 512) region.bytes[56] = 'F'.charCodeAt(0);
    }
  }
  return writeSparseImage(file, sizeBytes, [...regions, ...data]);
}

/** The whole source, read in 1 MiB pieces. */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  const out = new Uint8Array(source.size);
  for (let at = 0; at < source.size; at += 1024 * 1024) out.set(await source.read(at, Math.min(1024 * 1024, source.size - at)), at);
  return out;
}
