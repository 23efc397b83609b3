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
import { english } from '../../shared/l10n';

/** The MBR's kind as the tree's description says it. */
const MBR_KINDS: Record<Mbr['kind'], string> = {
  protective: english('protective'),
  hybrid: english('hybrid'),
  dos: english('dos'),
  empty: english('empty'),
};

export const mbrSection: TreeSection = (ctx) => (ctx.model.mbr ? mbrNode(ctx, ctx.model.mbr) : null);

export function mbrNode(ctx: TreeContext, mbr: Mbr): TreeNode {
  const { l10n } = ctx;
  const title = !mbr.bootSignatureOk
    ? l10n.t('LBA 0 (no MBR signature)')
    : mbr.kind === 'protective'
      ? l10n.t('Protective MBR')
      : mbr.kind === 'hybrid'
        ? l10n.t('Hybrid MBR')
        : mbr.kind === 'dos'
          ? l10n.t('MBR (DOS partition table)')
          : l10n.t('MBR (no partitions)');
  const children: TreeNode[] = [];
  for (const field of mbr.node.fields) {
    if (field.name === 'partitions') continue;
    const spec = MBR_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind };
    const id = `mbr.${spec.name}`;
    let value: string;
    let description: string;
    if (field.name === 'bootSignature') {
      value = bytesHex(field.raw);
      description = mbr.bootSignatureOk ? l10n.t('ok (55 AA)') : l10n.t('must be 55 AA');
    } else if (field.name === 'bootstrapCode') {
      const zero = field.raw.every((b) => b === 0);
      value = l10n.t('{0} bytes', field.length);
      description = zero ? l10n.t('all zero (no boot code)') : l10n.t('boot code present');
    } else {
      value = hex(Number(field.value ?? 0) >>> 0, field.length * 2);
      description = field.name === 'diskSignature' ? l10n.t('Windows disk signature (zero on a protective MBR)') : l10n.t('usually zero');
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
          ? (record.typeName ?? (record.type === 0 ? l10n.t('unused') : l10n.t('unknown type')))
          : field.name === 'status'
            ? record.status === 0x80
              ? l10n.t('bootable')
              : l10n.t('not bootable')
            : '';
      return ctx.editable(
        ctx.leaf(`${id}.${spec.name}`, spec.name, field, spec.kind, value, description, `${title} › ${l10n.t('record {0}', record.index + 1)} › ${spec.name}`),
        'record',
        `mbr.partitions.${record.index}.${field.name}`,
        field,
      );
    });
    const value = record.type === 0 ? l10n.t('unused') : `${l10n.t('type {0}', hex(record.type, 2))} ${record.typeName ?? ''}`.trim();
    const description =
      record.type === 0
        ? ''
        : `LBA ${record.firstLba} ${l10n.t('+{0} sectors ({1})', record.sectors, formatSize(BigInt(record.sectors) * BigInt(ctx.model.sectorSize)))}`;
    return {
      id,
      label: l10n.t('Record {0}', record.index + 1),
      value,
      description,
      offset: record.offset,
      length: 16,
      children: recordChildren,
    } satisfies TreeNode;
  });
  const partitionsField = findField(mbr.node.fields, 'partitions');
  const ordered = [...children];
  // Keep on-disk order: code, signature, reserved, the four records, boot signature.
  const bootSig = ordered.findIndex((n) => n.id === 'mbr.Signature');
  const records: TreeNode = {
    id: 'mbr.records',
    label: l10n.t('Partition records'),
    value: l10n.t('{0} used', mbr.records.filter((r) => r.type !== 0).length),
    offset: partitionsField?.offset ?? 446,
    length: 64,
    children: recordNodes,
    open: true,
  };
  ordered.splice(bootSig < 0 ? ordered.length : bootSig, 0, records);
  const ebrs = mbr.ebrNodes.map((node, i) => genericStruct(ctx, `ebr-${i}`, l10n.t('EBR at byte {0}', hex(node.offset, 0)), node));
  return {
    id: 'mbr',
    label: title,
    value: 'LBA 0',
    description: mbr.bootSignatureOk ? l10n.text(MBR_KINDS[mbr.kind]) : l10n.t('{0}, no 55 AA signature', l10n.text(MBR_KINDS[mbr.kind])),
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
