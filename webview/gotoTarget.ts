// Go to (Ctrl+G): parses "0x200", "512", "lba:34", "34s", "LBA 34", "end",
// or a field / node name ("HeaderCRC32", "backup-header.MyLBA", "slot-3",
// "bootbank") and resolves it to a byte range. Pure: no DOM.
import type { TreeNode } from '../src/shared/protocol/editor';
import { t } from './l10n';

export type GotoQuery =
  { kind: 'offset'; offset: number } | { kind: 'lba'; lba: number } | { kind: 'end' } | { kind: 'name'; text: string } | { kind: 'invalid'; reason: string };

export interface GotoTarget {
  offset: number;
  length: number;
  nodeId?: string;
}

const NUMBER = /^(0x[0-9a-f_]+|\d[\d_]*)$/i;

function parseNumber(text: string): number | null {
  const clean = text.replace(/_/g, '');
  if (!NUMBER.test(text)) return null;
  const value = clean.toLowerCase().startsWith('0x') ? parseInt(clean.slice(2), 16) : parseInt(clean, 10);
  return Number.isSafeInteger(value) ? value : null;
}

/** Parses what the user typed into the go-to field. */
export function parseGoto(input: string): GotoQuery {
  const text = input.trim();
  if (!text) return { kind: 'invalid', reason: t('type an offset (0x200, 512), an LBA (lba:34, 34s) or a field name') };
  if (/^end$/i.test(text)) return { kind: 'end' };
  const lba = /^(?:lba\s*[:=]?\s*(\S+)|(\S+?)\s*s)$/i.exec(text);
  if (lba) {
    const value = parseNumber(lba[1] ?? lba[2]!);
    if (value !== null) return { kind: 'lba', lba: value };
    if (lba[1] !== undefined) return { kind: 'invalid', reason: t('not an LBA: {0}', lba[1]) };
  }
  const offset = parseNumber(text);
  if (offset !== null) return { kind: 'offset', offset };
  if (/^0x/i.test(text) || /^\d/.test(text)) return { kind: 'invalid', reason: t('not a number: {0}', text) };
  return { kind: 'name', text };
}

function flatten(nodes: TreeNode[], out: TreeNode[] = []): TreeNode[] {
  for (const node of nodes) {
    out.push(node);
    if (node.children) flatten(node.children, out);
  }
  return out;
}

/** Finds a tree node by id, then by the last part of its id, then by label, then by value text. */
export function findNode(tree: TreeNode[], text: string): TreeNode | null {
  const want = text.trim().toLowerCase();
  const nodes = flatten(tree).filter((n) => n.length > 0);
  const tests: ((n: TreeNode) => boolean)[] = [
    (n) => n.id.toLowerCase() === want,
    (n) => n.id.toLowerCase().endsWith(`.${want}`),
    (n) => n.label.toLowerCase() === want,
    (n) => n.label.toLowerCase().includes(want),
    (n) => (n.value ?? '').toLowerCase().includes(want),
  ];
  for (const test of tests) {
    const hit = nodes.find(test);
    if (hit) return hit;
  }
  return null;
}

/** Resolves a query against the image: a byte range to select, or a reason it cannot. */
export function resolveGoto(query: GotoQuery, image: { sizeBytes: number; sectorSize: number }, tree: TreeNode[]): GotoTarget | { error: string } {
  const size = image.sizeBytes;
  switch (query.kind) {
    case 'invalid':
      return { error: query.reason };
    case 'end':
      return size > 0 ? { offset: size - 1, length: 1 } : { error: t('the image is empty') };
    case 'offset':
      if (query.offset >= size) return { error: t('offset {0} is past the end ({1} bytes)', `0x${query.offset.toString(16)}`, `0x${size.toString(16)}`) };
      return { offset: query.offset, length: 1 };
    case 'lba': {
      const offset = query.lba * image.sectorSize;
      if (!Number.isSafeInteger(offset) || offset >= size)
        return { error: t('LBA {0} is past the last LBA {1}', query.lba, Math.floor(size / image.sectorSize) - 1) };
      return { offset, length: Math.min(image.sectorSize, size - offset) };
    }
    case 'name': {
      const node = findNode(tree, query.text);
      return node ? { offset: node.offset, length: node.length, nodeId: node.id } : { error: t('no field or structure named "{0}"', query.text) };
    }
  }
}
