// The structure tree's view of a volume the content probes found: one node per
// structure read (boot sector, superblock, ...) and one leaf per field with its
// byte range, its value decoded (numbers, sizes, UUIDs, labels, timestamps)
// and a hex-view span. Pure: no vscode, no DOM.
import type { VolumeContent } from '../../core/content/probe';
import type { Field } from '../../core/structure';
import type { FieldKind, FieldSpan, TreeNode } from '../../shared/protocol/editor';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

/** Longest byte field shown in full (hex or text); longer ones are cut with an ellipsis. */
const MAX_SHOWN_BYTES = 32;

/** A volume's node: `what` names it ("vfat · FAT32 · label BOOT"), its children are the structures read. */
export function volumeNode(content: VolumeContent, idPrefix: string, spans: FieldSpan[], where: string, l10n: Localizer = ENGLISH): TreeNode {
  const children = content.structures.map((structure) => {
    const id = `${idPrefix}.${structure.name}`;
    return {
      id,
      label: structure.name,
      value: l10n.t('{0} bytes', structure.length),
      description: l10n.t('byte {0}', `0x${structure.offset.toString(16).toUpperCase()}`),
      offset: structure.offset,
      length: structure.length,
      children: structure.fields.map((field) => fieldNode(field, id, spans, `${where} › ${structure.name}`, l10n)),
    };
  });
  const value = [content.type, content.version, content.label !== undefined ? `"${content.label}"` : null].filter(Boolean).join(' · ');
  const facts = [
    content.uuid !== undefined ? `UUID ${content.uuid}` : null,
    content.sizeBytes !== undefined ? l10n.t('{0} bytes by its own count', String(content.sizeBytes)) : null,
  ];
  const first = content.structures[0];
  return {
    id: `${idPrefix}`,
    label: l10n.t('Volume'),
    value,
    description: facts.filter(Boolean).join(' · '),
    offset: first?.offset ?? content.offset,
    length: first?.length ?? 0,
    children,
  };
}

/** One field (and its children) with a hex span per leaf. */
export function fieldNode(field: Field, parentId: string, spans: FieldSpan[], where: string, l10n: Localizer = ENGLISH): TreeNode {
  const id = `${parentId}.${field.name}`;
  if (field.children) {
    return {
      id,
      label: field.name,
      value: l10n.t('{0} bytes', field.length),
      offset: field.offset,
      length: field.length,
      children: field.children.map((c) => fieldNode(c, id, spans, `${where} › ${field.name}`, l10n)),
    };
  }
  const kind = kindOf(field.name);
  spans.push({ offset: field.offset, length: field.length, kind, name: `${where} › ${field.name}`, nodeId: id });
  const { value, description } = decode(field, kind, l10n);
  return { id, label: field.name, value, description, offset: field.offset, length: field.length, kind };
}

function kindOf(name: string): FieldKind {
  const n = name.toLowerCase();
  if (/magic|signature|^id$|oem|standardid|filesystemname|^type$/.test(n)) return 'signature';
  if (/uuid|fsid|guid/.test(n)) return 'guid';
  if (/label|name|volumeid|systemid/.test(n)) return 'text';
  if (/checksum|crc|csum/.test(n)) return 'crc';
  if (/reserved|pad|unused|zero|mustbezero|^rest$/.test(n)) return 'reserved';
  if (/bootcode|jump|bootbits/.test(n)) return 'code';
  if (/flags|feature|state|mode/.test(n)) return 'flags';
  if (/lba|offset|sector|cluster|block|count|size|pages?$|length/.test(n)) return 'count';
  return 'other';
}

function decode(field: Field, kind: FieldKind, l10n: Localizer): { value: string; description: string } {
  const v = field.value;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const hex = `0x${v.toString(16).toUpperCase()}`;
    const time = typeof v !== 'number' || v <= 0 ? '' : /time$/i.test(field.name) ? timestamp(v) : /macDate$/i.test(field.name) ? macTimestamp(v, l10n) : '';
    return { value: String(v), description: [hex, time].filter(Boolean).join(' · ') };
  }
  const raw = field.raw;
  if (kind === 'guid' && raw.length === 16) return { value: uuid(raw), description: l10n.t('{0} bytes', 16) };
  const text = printable(raw);
  if (text !== null && (kind === 'text' || kind === 'signature' || text.length >= 2))
    return { value: JSON.stringify(text), description: l10n.t('{0} bytes', raw.length) };
  const shown = Array.from(raw.subarray(0, MAX_SHOWN_BYTES), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const zero = raw.every((b) => b === 0);
  return {
    value: raw.length > MAX_SHOWN_BYTES ? `${shown} …` : shown,
    description: zero ? l10n.t('{0} bytes, all zero', raw.length) : l10n.t('{0} bytes', raw.length),
  };
}

// Text when the bytes are printable ASCII up to NUL/space padding; null otherwise.
function printable(raw: Uint8Array): string | null {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0 || raw[end - 1] === 0x20)) end--;
  if (end === 0) return null;
  for (let i = 0; i < end; i++) if (raw[i]! < 0x20 || raw[i]! > 0x7e) return null;
  return String.fromCharCode(...raw.subarray(0, end));
}

function uuid(raw: Uint8Array): string {
  const h = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Seconds since 1970 as UTC, when plausible (1980..2100).
function timestamp(seconds: number): string {
  if (seconds < 315532800 || seconds > 4102444800) return '';
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Seconds between 1904-01-01 (Mac OS dates: HFS, HFS Plus) and 1970-01-01. */
const MAC_EPOCH_OFFSET = 2082844800;

// A Mac OS date (seconds since 1904), shown as UTC when plausible; HFS stores local time.
function macTimestamp(seconds: number, l10n: Localizer): string {
  const text = timestamp(seconds - MAC_EPOCH_OFFSET);
  return text ? l10n.t('{0} (seconds since 1904)', text) : '';
}
