// `diskx inspect IMAGE --container-bytes`: the container file's own structures
// (headers, footers, tables) with their fields and a hex dump, at file offsets
// (never virtual-disk offsets), as text or as the JSON `containerBytes` array.
import type { ContainerStructBytes } from '../core/io/containerBytes';
import { jsonInteger } from '../core/report';
import type { JsonInteger } from '../core/report';
import { MAX_CONTAINER_DUMP_BYTES, MAX_CONTAINER_DUMP_FIELDS } from '../core/limits';
import { safeField } from './terminalText';

const hex = (n: number, width = 0): string => `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
const hexBytes = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const spaced = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

function valueText(field: ContainerStructBytes['fields'][number]): string {
  if (typeof field.value === 'number' || typeof field.value === 'bigint') return `${field.value} (0x${field.value.toString(16).toUpperCase()})`;
  if (typeof field.value === 'string') return JSON.stringify(field.value);
  const shown = field.raw.subarray(0, 16);
  // A short signature ("head", "conectix") also as text when every byte is printable ASCII.
  const text = shown.every((b) => b >= 0x20 && b < 0x7f) ? ` "${String.fromCharCode(...shown)}"` : '';
  return spaced(shown) + text + (field.raw.length > 16 ? ` ... (${field.raw.length} bytes)` : '');
}

/** hexdump -C style lines at file offsets; runs of identical lines shown once, then `*`. */
export function hexDumpLines(bytes: Uint8Array, fileOffset: number): string[] {
  const lines: string[] = [];
  let previous: string | null = null;
  let starred = false;
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const body = spaced(row);
    const last = at + 16 >= bytes.length;
    if (body === previous && !last) {
      if (!starred) lines.push('  *');
      starred = true;
      continue;
    }
    previous = body;
    starred = false;
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`  ${(fileOffset + at).toString(16).padStart(10, '0')}  ${body.padEnd(47)}  |${ascii}|`);
  }
  return lines;
}

/** The text section: one block per structure. */
export function formatContainerBytes(structs: readonly ContainerStructBytes[], image: string): string {
  if (structs.length === 0) return `Container file bytes: none (${safeField(image)} is not stored in a container).`;
  const lines = ['Container file bytes (read-only; offsets are file offsets, not virtual-disk ones):'];
  for (const s of structs) {
    lines.push('');
    lines.push(`${safeField(s.name)}  ${safeField(s.file)}  file bytes ${hex(s.offset)}-${hex(s.offset + Math.max(1, s.length) - 1)} (${s.length} bytes)`);
    const width = Math.max(...s.fields.map((f) => f.path.length), 4);
    for (const f of s.fields)
      lines.push(`  ${hex(f.offset).padEnd(12)} +${String(f.length).padEnd(5)} ${safeField(f.path).padEnd(width)}  ${safeField(valueText(f))}`);
    if (s.fieldsLeft > 0) lines.push(`  ... ${s.fieldsLeft} more fields not listed (MAX_CONTAINER_DUMP_FIELDS = ${MAX_CONTAINER_DUMP_FIELDS})`);
    lines.push(...hexDumpLines(s.bytes, s.offset));
    if (s.bytes.length < s.length)
      lines.push(`  ... ${s.length - s.bytes.length} more bytes not shown (at most ${MAX_CONTAINER_DUMP_BYTES} per structure, MAX_CONTAINER_DUMP_BYTES)`);
  }
  return lines.join('\n');
}

/** The JSON form: `[{ name, file, offset, length, hex, fields: [{ path, offset, length, value, raw }], fieldsLeft }]`. */
export function containerBytesJson(structs: readonly ContainerStructBytes[]) {
  return structs.map((s) => ({
    name: s.name,
    file: s.file,
    offset: s.offset,
    length: s.length,
    /** The first bytes of the structure (lowercase hex; shorter than `length` when cut). */
    hex: hexBytes(s.bytes),
    fields: s.fields.map((f) => ({
      path: f.path,
      offset: f.offset,
      length: f.length,
      value: (typeof f.value === 'number' || typeof f.value === 'bigint' ? jsonInteger(f.value) : f.value) as JsonInteger | null,
      raw: hexBytes(f.raw),
    })),
    fieldsLeft: s.fieldsLeft,
  }));
}
