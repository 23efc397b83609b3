// The MBR's node (LBA 0): its fields, the four partition records, and the
// EBRs of a DOS extended partition.
import type { Mbr } from '../../core/diskModel';
import type { Field, StructNode } from '../../core/structure';
import { findField } from '../../core/structure';
import type { FieldKind, TreeNode } from '../../shared/protocol/editor';
import { formatSizeShort as formatSize } from '../../shared/sizeText';
import type { TreeContext, TreeSection } from './context';
import { bytesHex, hex } from './context';
import { MBR_FIELDS, RECORD_FIELDS } from './fieldNames';

export const mbrSection: TreeSection = (ctx) => (ctx.model.mbr ? mbrNode(ctx, ctx.model.mbr) : null);

export function mbrNode(ctx: TreeContext, mbr: Mbr): TreeNode {
  const title = !mbr.bootSignatureOk
    ? 'LBA 0 (no MBR signature)'
    : mbr.kind === 'protective'
      ? 'Protective MBR'
      : mbr.kind === 'hybrid'
        ? 'Hybrid MBR'
        : mbr.kind === 'dos'
          ? 'MBR (DOS partition table)'
          : 'MBR (no partitions)';
  const children: TreeNode[] = [];
  for (const field of mbr.node.fields) {
    if (field.name === 'partitions') continue;
    const spec = MBR_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind };
    const id = `mbr.${spec.name}`;
    let value: string;
    let description: string;
    if (field.name === 'bootSignature') {
      value = bytesHex(field.raw);
      description = mbr.bootSignatureOk ? 'ok (55 AA)' : 'must be 55 AA';
    } else if (field.name === 'bootstrapCode') {
      const zero = field.raw.every((b) => b === 0);
      value = `${field.length} bytes`;
      description = zero ? 'all zero (no boot code)' : 'boot code present';
    } else {
      value = hex(Number(field.value ?? 0) >>> 0, field.length * 2);
      description = field.name === 'diskSignature' ? 'Windows disk signature (zero on a protective MBR)' : 'usually zero';
    }
    children.push(ctx.editable(ctx.leaf(id, spec.name, field, spec.kind, value, description, `${title} › ${spec.name}`), 'mbr', `mbr.${field.name}`, field));
  }
  const recordNodes = mbr.records.map((record) => {
    const id = `mbr.record-${record.index}`;
    const recordChildren = (record.field.children ?? []).map((field) => {
      const spec = RECORD_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind };
      const value =
        field.length <= 4 && typeof field.value === 'number'
          ? field.name === 'lbaStart' || field.name === 'numSectors'
            ? String(field.value)
            : hex(field.value, 2)
          : bytesHex(field.raw);
      const description =
        field.name === 'partitionType'
          ? (record.typeName ?? (record.type === 0 ? 'unused' : 'unknown type'))
          : field.name === 'status'
            ? record.status === 0x80
              ? 'bootable'
              : 'not bootable'
            : '';
      return ctx.editable(
        ctx.leaf(`${id}.${spec.name}`, spec.name, field, spec.kind, value, description, `${title} › record ${record.index + 1} › ${spec.name}`),
        'record',
        `mbr.partitions.${record.index}.${field.name}`,
        field,
      );
    });
    const value = record.type === 0 ? 'unused' : `type ${hex(record.type, 2)} ${record.typeName ?? ''}`.trim();
    const description =
      record.type === 0 ? '' : `LBA ${record.firstLba} +${record.sectors} sectors (${formatSize(BigInt(record.sectors) * BigInt(ctx.model.sectorSize))})`;
    return { id, label: `Record ${record.index + 1}`, value, description, offset: record.offset, length: 16, children: recordChildren } satisfies TreeNode;
  });
  const partitionsField = findField(mbr.node.fields, 'partitions');
  const ordered = [...children];
  // Keep on-disk order: code, signature, reserved, the four records, boot signature.
  const bootSig = ordered.findIndex((n) => n.id === 'mbr.Signature');
  const records: TreeNode = {
    id: 'mbr.records',
    label: 'Partition records',
    value: `${mbr.records.filter((r) => r.type !== 0).length} used`,
    offset: partitionsField?.offset ?? 446,
    length: 64,
    children: recordNodes,
    open: true,
  };
  ordered.splice(bootSig < 0 ? ordered.length : bootSig, 0, records);
  const ebrs = mbr.ebrNodes.map((node, i) => genericStruct(ctx, `ebr-${i}`, `EBR at byte ${hex(node.offset, 0)}`, node));
  return {
    id: 'mbr',
    label: title,
    value: 'LBA 0',
    description: `${mbr.kind}${mbr.bootSignatureOk ? '' : ', no 55 AA signature'}`,
    offset: 0,
    length: 512,
    children: [...ordered, ...ebrs],
    open: false,
  };
}

/** A structure shown field by field with its spec ids as labels (an EBR). */
export function genericStruct(ctx: TreeContext, id: string, label: string, node: StructNode): TreeNode {
  const walk = (fields: Field[], prefix: string): TreeNode[] =>
    fields.map((field) => {
      const childId = `${prefix}.${field.name}`;
      if (field.children) return { id: childId, label: field.name, offset: field.offset, length: field.length, children: walk(field.children, childId) };
      const value = field.value !== null ? String(field.value) : bytesHex(field.raw.subarray(0, 16)) + (field.length > 16 ? ' …' : '');
      return ctx.leaf(childId, field.name, field, 'other', value, '', `${label} › ${field.name}`);
    });
  return { id, label, offset: node.offset, length: node.length, children: walk(node.fields, id) };
}
