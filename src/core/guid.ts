// GUIDs on disk are mixed-endian (UEFI appendix A): the first three groups are
// little-endian, the last two are stored as bytes in order.

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0').toUpperCase());

/** Formats 16 on-disk bytes as an upper-case GUID string. */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, not ${bytes.length}`);
  // Table lookups, not Array.from/map: a 128-entry array formats 256 GUIDs per header read.
  const h = (i: number): string => HEX[bytes[i]!]!;
  return h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
}

/** Parses a GUID string into its 16 on-disk bytes. */
export function parseGuid(text: string): Uint8Array {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text.trim());
  if (!match) throw new RangeError(`not a GUID: ${text}`);
  const bytes = new Uint8Array(16);
  const put = (hex: string, at: number, reverse: boolean): void => {
    const part = hex.match(/../g)!.map((h) => parseInt(h, 16));
    if (reverse) part.reverse();
    bytes.set(part, at);
  };
  put(match[1]!, 0, true);
  put(match[2]!, 4, true);
  put(match[3]!, 6, true);
  put(match[4]!, 8, false);
  put(match[5]!, 10, false);
  return bytes;
}

/** True when all 16 bytes are zero (an unused partition slot's type GUID). */
export function isZeroGuid(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
