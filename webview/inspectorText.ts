// Text and GUID decodings for the data inspector. Text stops at the first zero
// code unit (the terminator of most on-disk strings); a character cut by the end
// of the bytes is left out rather than shown as a replacement character.

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

export interface TextEncoding {
  label: string;
  /** The WHATWG encoding name for TextDecoder; none for ASCII. */
  decoder?: string;
  /** Bytes per code unit: where the terminator is looked for. */
  unit: 1 | 2;
}

export const TEXT_ENCODINGS: readonly TextEncoding[] = [
  { label: 'ASCII', unit: 1 },
  { label: 'UTF-8', decoder: 'utf-8', unit: 1 },
  { label: 'UTF-16LE', decoder: 'utf-16le', unit: 2 },
  { label: 'UTF-16BE', decoder: 'utf-16be', unit: 2 },
  { label: 'Shift-JIS', decoder: 'shift_jis', unit: 1 },
];

/** The most characters a text row shows. */
const MAX_CHARS = 36;

/** C0 controls, DEL and C1 controls show as dots: they would move or hide the text around them. */
function visible(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || (code >= 0x7f && code < 0xa0) ? '.' : ch;
  }
  return out;
}

/** The bytes before the first zero code unit. */
function terminated(bytes: Uint8Array, unit: 1 | 2): Uint8Array {
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    if (bytes[i] === 0 && (unit === 1 || bytes[i + 1] === 0)) return bytes.subarray(0, i);
  }
  return bytes.subarray(0, bytes.length - (bytes.length % unit));
}

/** What the inspector uses of a TextDecoder (the type in both the DOM and Node's globals). */
interface Decoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

const decoders = new Map<string, Decoder | null>();

function decoderFor(name: string): Decoder | null {
  if (!decoders.has(name)) {
    let decoder: Decoder | null = null;
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null; // a runtime without that encoding: the row shows a dash
    }
    decoders.set(name, decoder);
  }
  return decoders.get(name)!;
}

/** `bytes` as text in `encoding`, at most MAX_CHARS characters; '' for none. */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  const raw = terminated(bytes, encoding.unit);
  let text: string;
  if (!encoding.decoder) {
    text = Array.from(raw, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  } else {
    const decoder = decoderFor(encoding.decoder);
    if (!decoder) return '';
    // stream: true keeps back a sequence the end cut; a fresh call starts a fresh stream.
    text = visible(decoder.decode(raw, { stream: true }));
    decoder.decode();
  }
  return Array.from(text).slice(0, MAX_CHARS).join('');
}

/** UTF-16LE text up to the first zero code unit, control characters shown as dots. */
export function utf16le(bytes: Uint8Array): string {
  return decodeText(bytes, TEXT_ENCODINGS[2]!);
}
