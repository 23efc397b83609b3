// Data inspector: decodes the bytes at the cursor (or the selection) as the
// integers, GUID, LBA and text a disk structure may hold. Pure: no DOM.

export interface InspectorRow {
  label: string;
  value: string;
}

const hexOf = (n: number | bigint, digits: number): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;

function uint(bytes: Uint8Array, size: number, littleEndian: boolean): bigint | null {
  if (bytes.length < size) return null;
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const b = bytes[littleEndian ? size - 1 - i : i]!;
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

/** GUID from 16 on-disk bytes, mixed-endian (UEFI appendix A): first three groups little-endian. */
export function guidAt(bytes: Uint8Array): string | null {
  if (bytes.length < 16) return null;
  const h = (from: number, to: number, reverse: boolean): string => {
    const part = Array.from(bytes.subarray(from, to));
    if (reverse) part.reverse();
    return part.map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`.toUpperCase();
}

/** UTF-16LE text up to the first zero code unit, control characters shown as dots. */
export function utf16le(bytes: Uint8Array, maxChars = 36): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length && out.length < maxChars; i += 2) {
    const unit = bytes[i]! | (bytes[i + 1]! << 8);
    if (unit === 0) break;
    out += unit < 0x20 || (unit >= 0xd800 && unit <= 0xdfff) ? '.' : String.fromCharCode(unit);
  }
  return out;
}

/**
 * Rows for the inspector. `bytes` start at the cursor (up to 16 are used for the
 * numbers and GUID; up to 72 for the text); `sectorSize` turns a u64 LBA into a
 * byte offset.
 */
export function inspect(bytes: Uint8Array, sectorSize: number): InspectorRow[] {
  const rows: InspectorRow[] = [];
  const add = (label: string, v: bigint | null, digits: number): void => {
    rows.push({ label, value: v === null ? '—' : `${v.toString()} (${hexOf(v, digits)})` });
  };
  add('u8', uint(bytes, 1, true), 2);
  add('u16 LE', uint(bytes, 2, true), 4);
  add('u16 BE', uint(bytes, 2, false), 4);
  add('u32 LE', uint(bytes, 4, true), 8);
  add('u32 BE', uint(bytes, 4, false), 8);
  add('u64 LE', uint(bytes, 8, true), 16);
  add('u64 BE', uint(bytes, 8, false), 16);
  const lba = uint(bytes, 8, true);
  rows.push({ label: `LBA (u64 LE) → byte`, value: lba === null ? '—' : `${hexOf(lba * BigInt(sectorSize), 0)} (${sectorSize}-byte sectors)` });
  rows.push({ label: 'GUID (mixed-endian)', value: guidAt(bytes) ?? '—' });
  const text = utf16le(bytes);
  rows.push({ label: 'UTF-16LE', value: text ? JSON.stringify(text) : '—' });
  return rows;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (zlib/GPT) of `bytes`, for selections already in the webview's cache. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function formatCrc(crc: number): string {
  return hexOf(crc >>> 0, 8);
}
