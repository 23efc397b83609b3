// The logical block size of a disk with a DOS MBR and no GPT. The MBR counts
// in sectors without saying how big they are, so a 4Kn disk's MBR read with
// 512-byte sectors points at the wrong places: its EBR chain seems broken and
// its partitions hold nothing. Each candidate size is scored by what its
// reading finds where the records point: EBR signatures for extended
// partitions, recognised volumes for the others.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { isExtendedMbrType } from '../partitionTypes';
import { START_PROBES, probeAt } from './index';

/** Primary records looked at (all four). */
const RECORDS = 4;

/** 4096 when the MBR's records make sense only with 4096-byte sectors, else 512. */
export async function detectMbrSectorSize(source: ByteSource): Promise<512 | 4096> {
  const sector = await readIfPresent(source, 0, 512);
  if (!sector || sector[510] !== 0x55 || sector[511] !== 0xaa) return 512;
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const records: { type: number; firstLba: number; sectors: number }[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const at = 446 + i * 16;
    const type = sector[at + 4]!;
    if (type !== 0 && type !== 0xee) records.push({ type, firstLba: view.getUint32(at + 8, true), sectors: view.getUint32(at + 12, true) });
  }
  if (records.length === 0) return 512;
  const score = async (size: number): Promise<number> => {
    let total = 0;
    for (const r of records) {
      const start = r.firstLba * size;
      if (r.firstLba === 0 || start + r.sectors * size > source.size) {
        total -= 2;
        continue;
      }
      if (isExtendedMbrType(r.type)) {
        const ebr = await readIfPresent(source, start, 512);
        total += ebr && ebr[510] === 0x55 && ebr[511] === 0xaa ? 3 : -1;
      } else if (await probeAt(source, start, r.sectors * size, START_PROBES)) {
        total += 3;
      }
    }
    return total;
  };
  // 512 stays the default unless 4096 explains the records strictly better.
  return (await score(4096)) > (await score(512)) ? 4096 : 512;
}
