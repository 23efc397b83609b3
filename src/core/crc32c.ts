// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final
// xor 0xFFFFFFFF; check value of "123456789" is 0xE3069283), the checksum of
// VHDX headers, region tables and log entries.
import { reflectedCrc32 } from '../shared/crc32';

const castagnoli = reflectedCrc32(0x82f63b78);

/** CRC-32C of `bytes`. */
export function crc32c(bytes: Uint8Array): number {
  return castagnoli(bytes);
}
