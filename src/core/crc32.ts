// CRC-32 for core: the one implementation (src/shared/crc32.ts, which webviews
// can use too) and the GPT header's variant with its own CRC field zeroed.
import { crc32 } from '../shared/crc32';
import { GPT_HEADER } from './layout';

export { crc32 };

/** CRC-32 of a GPT header: `headerSize` bytes with the HeaderCRC32 field (0x10..0x13) taken as zero. */
export function gptHeaderCrc32(header: Uint8Array, headerSize: number): number {
  const copy = header.slice(0, headerSize);
  const { offset, length } = GPT_HEADER.headerCrc32;
  copy.fill(0, offset, offset + length);
  return crc32(copy);
}
