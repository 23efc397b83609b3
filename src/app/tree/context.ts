// What every tree builder shares: the model it reads, the hex-view spans it
// adds to, and the small helpers that make a leaf (a field with its bytes) or
// mark a node editable by value.
import type { DiskModel } from '../../core/diskModel';
import type { FieldKind, FieldSpan, TreeNode } from '../../shared/protocol/editor';
import { editableKind } from '../../core/edit/fieldPaths';
import { formatFieldValue, kindLength } from '../../core/edit/fieldKinds';
import type { ContainerInfo } from '../../core/io/containerSource';
import type { Field, StructNode } from '../../core/structure';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

/** What the tree shows about the container of the disk (qcow2, VHD, ...): its description and header/table structures (file byte ranges). */
export interface ContainerTreeInput {
  info: ContainerInfo;
  structures: readonly StructNode[];
}

/** One area of the tree (the MBR, a GPT header, the partitions...): its root nodes, or none when the disk has no such area. */
export type TreeSection = (ctx: TreeContext) => TreeNode | TreeNode[] | null;

export const hex = (n: number | bigint, digits: number): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;
export const hex32 = (n: number): string => hex(n >>> 0, 8);

export function latin1(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

export function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

export class TreeContext {
  readonly spans: FieldSpan[] = [];
  constructor(
    readonly model: DiskModel,
    /** The container the disk is stored in (qcow2, VHD, ...), or null for a raw file or device. */
    readonly container: ContainerTreeInput | null = null,
    /** The user's language for labels, values and meanings (field names stay the spec's). */
    readonly l10n: Localizer = ENGLISH,
  ) {}

  /** Marks `node` editable by value: the field's path for setField, its value kind and current value as text. */
  editable(node: TreeNode, structure: 'header' | 'entry' | 'mbr' | 'record', path: string, field: Field, typeGuid?: string): TreeNode {
    const kind = editableKind(structure, field.name, this.model.sectorSize);
    // Long byte runs (boot code, a header's reserved tail) are edited in the hex view; their text would only weigh the tree down.
    if (kind && kindLength(kind) === field.length && !(kind.kind === 'hexbytes' && field.length > 16))
      node.edit = { path, kind, value: formatFieldValue(kind, field.raw), ...(typeGuid ? { typeGuid } : {}) };
    return node;
  }

  /** A leaf node that also annotates its bytes in the hex view. */
  leaf(id: string, label: string, field: Field, kind: FieldKind, value: string, description: string, spanName: string): TreeNode {
    this.spans.push({ offset: field.offset, length: field.length, kind, name: spanName, nodeId: id });
    return { id, label, value, description, offset: field.offset, length: field.length, kind };
  }

  /** Annotates bytes without a tree node of their own (fields of collapsed empty slots). */
  span(field: Field, kind: FieldKind, name: string, nodeId: string): void {
    this.spans.push({ offset: field.offset, length: field.length, kind, name, nodeId });
  }

  lbaDescription(lba: bigint, meaning: string): string {
    const byte = lba * BigInt(this.model.sectorSize);
    const where = this.l10n.t('byte {0}', hex(byte, 0));
    return meaning ? `${meaning} · ${where}` : where;
  }
}
