// The small GPT images the editor's browser tests open.
import { testGuid, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';

const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

/** `file`: a GPT image of `mib` MiB with one basic data partition "data" at LBAs 2048..4095. */
export function dataDisk(file: string, mib = 8): string {
  return writeGptImage(file, {
    sectorSize: 512,
    totalSectors: 2048n * BigInt(mib),
    diskGuid: testGuid(0x18),
    slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'data' }],
  });
}

/** `file`: an 8 MiB GPT image with two Linux partitions, part1 at LBAs 2048..4095 and part2 at 4096..8191. */
export function twoPartitionDisk(file: string): string {
  const e = (n: number, first: bigint, last: bigint) => ({ typeGuid: LINUX, uniqueGuid: testGuid(n), firstLba: first, lastLba: last, name: `part${n}` });
  return writeGptImage(file, { sectorSize: 512, totalSectors: 8n * 2048n, diskGuid: testGuid(0xd15c), slots: [e(1, 2048n, 4095n), e(2, 4096n, 8191n)] });
}
