// Finds the logical block size of an image: the block size at which an
// `EFI PART` header sits where it should (LBA 1, else the last LBA), then what
// the device reports, else 512.
import type { ByteSource } from '../io/byteSource';
import { readIfPresent } from '../io/byteSource';
import { GPT_SIGNATURE } from '../model';
import { SUPPORTED_SECTOR_SIZES } from '../limits';
import { headerSelfConsistent, signatureOf } from './gptHeader';

/** Finds the logical block size: where an `EFI PART` header sits (LBA 1, else the last LBA). */
export async function detectSectorSize(source: ByteSource): Promise<{ sectorSize: number; sectorSizeSource: 'detected' | 'device' | 'assumed' }> {
  const scores: { size: number; score: number }[] = [];
  for (const size of SUPPORTED_SECTOR_SIZES) {
    let score = 0;
    const primary = await readIfPresent(source, size, size);
    if (primary && signatureOf(primary) === GPT_SIGNATURE) score += 2 + (headerSelfConsistent(primary, size, 1n) ? 2 : 0);
    const lastOffset = Math.floor(source.size / size) * size - size;
    const backup = lastOffset > size ? await readIfPresent(source, lastOffset, size) : null;
    if (backup && signatureOf(backup) === GPT_SIGNATURE) score += 1 + (headerSelfConsistent(backup, size, BigInt(lastOffset / size)) ? 1 : 0);
    scores.push({ size, score });
  }
  scores.sort((a, b) => b.score - a.score || a.size - b.size);
  if (scores[0]!.score > 0) return { sectorSize: scores[0]!.size, sectorSizeSource: 'detected' };
  if (source.reportedSectorSize && SUPPORTED_SECTOR_SIZES.includes(source.reportedSectorSize)) {
    return { sectorSize: source.reportedSectorSize, sectorSizeSource: 'device' };
  }
  return { sectorSize: 512, sectorSizeSource: 'assumed' };
}
