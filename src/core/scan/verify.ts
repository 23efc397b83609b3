// A boot sector alone does not place a volume: FAT32 and exFAT keep a copy a few
// sectors in, NTFS one at its end, and an image file stored inside another
// volume has boot sectors of its own. A boot-sector volume is believed at
// `start` only when the structure its BPB points to is where it says, relative
// to `start`: the first FAT (media byte, then 0xFF fill) or the $MFT's first
// record ("FILE"). A copy read at the wrong start points at the wrong place.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/**
 * True when the volume whose boot sector bytes are `boot` really starts at byte
 * `start` of `source`; false when its FAT or $MFT is not where it points.
 */
export async function bootSectorPlacesVolume(source: ByteSource, start: number, boot: Uint8Array, type: string): Promise<boolean> {
  if (boot.length < 512) return false;
  if (type === 'ntfs') {
    const bps = u16(boot, 11);
    const spc = boot[13]!;
    // Clusters of 2^(256 - n) bytes are written as a negative count (n > 128).
    const clusterBytes = spc <= 128 ? spc * bps : 2 ** (256 - spc);
    const mftCluster = u32(boot, 0x30) + u32(boot, 0x34) * 2 ** 32;
    const at = start + mftCluster * clusterBytes;
    const record = await readIfPresent(source, at, 4);
    return record !== null && (Buffer.from(record).toString('latin1') === 'FILE' || Buffer.from(record).toString('latin1') === 'BAAD');
  }
  if (type === 'exfat') {
    const bps = 2 ** boot[108]!;
    const fat = await readIfPresent(source, start + u32(boot, 80) * bps, 4);
    return fat !== null && fat[0] === 0xf8 && fat[1] === 0xff && fat[2] === 0xff && fat[3] === 0xff;
  }
  if (type === 'vfat') {
    const bps = u16(boot, 11);
    const reserved = u16(boot, 14);
    const media = boot[21]!;
    const fat = await readIfPresent(source, start + reserved * bps, 3);
    return fat !== null && fat[0] === media && fat[1] === 0xff && fat[2] === 0xff;
  }
  return true;
}
