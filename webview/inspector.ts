// Data inspector: decodes the bytes at the cursor (or the selection) as the
// integers, floats, GUID, LBA and text a disk structure may hold, in the byte
// order the user picked. Pure: no DOM (TextDecoder is in browsers and Node).
import { float16, formatFloat } from './inspectorFloat';
import { decodeText, guidAt, TEXT_ENCODINGS } from './inspectorText';

export { guidAt, utf16le } from './inspectorText';

export interface InspectorRow {
  label: string;
  /** The value in tokens: the pane lets a value wrap only between them, never inside a number. */
  tokens: string[];
  /** The tokens joined by `joiner`. */
  value: string;
  /** What goes between tokens: a space, or nothing (a GUID may wrap after a hyphen). */
  joiner?: '' | ' ';
  /** Rows whose value a double-click edits at the cursor: an unsigned integer of `width` bytes, or a GUID. */
  edit?: { kind: 'uint'; width: number } | { kind: 'guid' };
  /** A text decoding (its one token may break anywhere, it is not a number). */
  text?: boolean;
}

const NONE = '—';

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

function row(label: string, tokens: string[] | null, extra: Partial<InspectorRow> = {}): InspectorRow {
  const t = tokens ?? [NONE];
  return { label, tokens: t, value: t.join(extra.joiner ?? ' '), ...extra };
}

/** What the inspector is given: bytes from `offset` on (up to 16 for numbers and GUID, up to 72 for text). */
export interface InspectInput {
  bytes: Uint8Array;
  /** The image offset of bytes[0] (the cursor or the selection's start), for the offset -> LBA row. */
  offset: number;
  sectorSize: number;
  littleEndian: boolean;
  /** The localised "(512-byte sectors)"; English without it. */
  sectorsText?: (sectorSize: number) => string;
}

/** Rows for the inspector, in display order. */
export function inspect(input: InspectInput): InspectorRow[] {
  const { bytes, offset, sectorSize, littleEndian } = input;
  const rows: InspectorRow[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  rows.push(row('binary', bytes.length ? Array.from(bytes.subarray(0, Math.min(4, bytes.length)), (b) => b.toString(2).padStart(8, '0')) : null));
  for (const width of [1, 2, 4, 8]) {
    const bits = width * 8;
    const u = uint(bytes, width, littleEndian);
    rows.push(row(`u${bits}`, u === null ? null : [u.toString(), `(${hexOf(u, width * 2)})`], { edit: { kind: 'uint', width } }));
    const signed = u === null ? null : BigInt.asIntN(bits, u);
    rows.push(row(`i${bits}`, signed === null ? null : [signed.toString()]));
  }
  rows.push(row('f16', bytes.length >= 2 ? [formatFloat(float16(view.getUint16(0, littleEndian)), 16)] : null));
  rows.push(row('f32', bytes.length >= 4 ? [formatFloat(view.getFloat32(0, littleEndian), 32)] : null));
  rows.push(row('f64', bytes.length >= 8 ? [formatFloat(view.getFloat64(0, littleEndian), 64)] : null));
  const lba = uint(bytes, 8, littleEndian);
  rows.push(
    row('u64 LBA → byte', lba === null ? null : [hexOf(lba * BigInt(sectorSize), 0), input.sectorsText?.(sectorSize) ?? `(${sectorSize}-byte sectors)`]),
  );
  const sector = Math.floor(offset / sectorSize);
  const within = offset - sector * sectorSize;
  rows.push(row('offset → LBA', [`LBA ${sector}`, ...(within ? ['+', hexOf(within, 0)] : [])]));
  const guid = guidAt(bytes);
  rows.push(row('GUID (mixed-endian)', guid ? guid.split(/(?<=-)/) : null, { edit: { kind: 'guid' }, joiner: '' }));
  for (const encoding of TEXT_ENCODINGS) {
    const text = decodeText(bytes, encoding);
    rows.push(row(encoding.label, text ? [JSON.stringify(text)] : null, { text: true }));
  }
  return rows;
}

export function formatCrc(crc: number): string {
  return hexOf(crc >>> 0, 8);
}
