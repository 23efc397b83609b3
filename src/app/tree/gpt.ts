// The GPT's nodes: each header with its fields checked, and each entry array
// with its used slots and runs of empty ones (their bytes still named in the
// hex view).
import type { GptArray, GptEntry, GptHeader } from '../../core/diskModel';
import { fieldsForSlot } from '../../core/diskModel';
import type { FieldKind, TreeNode } from '../../shared/protocol/editor';
import { formatSizeShort as formatSize } from '../../shared/sizeText';
import type { TreeContext, TreeSection } from './context';
import { bytesHex, hex, hex32, latin1 } from './context';
import { ENTRY_FIELDS, HEADER_FIELDS } from './fieldNames';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

export const primaryHeaderSection: TreeSection = (ctx) => (ctx.model.primary ? headerNode(ctx, ctx.model.primary) : null);
export const primaryArraySection: TreeSection = (ctx) => (ctx.model.primary?.array ? arrayNode(ctx, ctx.model.primary, ctx.model.primary.array) : null);
export const backupArraySection: TreeSection = (ctx) => (ctx.model.backup?.array ? arrayNode(ctx, ctx.model.backup, ctx.model.backup.array) : null);
export const backupHeaderSection: TreeSection = (ctx) => (ctx.model.backup ? headerNode(ctx, ctx.model.backup) : null);

export function headerNode(ctx: TreeContext, h: GptHeader): TreeNode {
  const { l10n } = ctx;
  const prefix = `${h.role}-header`;
  const title = h.role === 'primary' ? l10n.t('Primary GPT header') : l10n.t('Backup GPT header');
  const children = h.node.fields.map((field) => {
    const spec = HEADER_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind, meaning: '' };
    const invalid = h.invalid.find((p) => p.field === field.name);
    let value: string;
    let verdict = '';
    switch (field.name) {
      case 'signature':
        value = JSON.stringify(latin1(field.raw));
        verdict = latin1(field.raw) === 'EFI PART' ? l10n.t('ok') : l10n.t('wrong');
        break;
      case 'revision':
        value = hex32(Number(field.value));
        break;
      case 'headerCrc32':
        value = hex32(h.headerCrc32);
        verdict =
          h.computedHeaderCrc32 === null
            ? l10n.t('cannot compute (bad HeaderSize)')
            : h.headerCrcOk
              ? l10n.t('ok')
              : l10n.t('BAD: computed {0}', hex32(h.computedHeaderCrc32));
        break;
      case 'partitionEntryArrayCrc32':
        value = hex32(h.partitionEntryArrayCrc32);
        verdict =
          h.computedArrayCrc32 === null ? l10n.t('array not readable') : h.arrayCrcOk ? l10n.t('ok') : l10n.t('BAD: computed {0}', hex32(h.computedArrayCrc32));
        break;
      case 'diskGuid':
        value = h.diskGuid;
        break;
      case 'reserved':
        value = hex32(h.reserved);
        break;
      case 'reservedTail':
        value = l10n.t('{0} bytes', field.length);
        verdict = field.raw.every((b) => b === 0) ? l10n.t('all zero') : l10n.t('NOT zero');
        break;
      default:
        value = field.value === null ? bytesHex(field.raw) : String(field.value);
    }
    let description = [verdict, l10n.text(spec.meaning)].filter(Boolean).join(' · ');
    if (spec.kind === 'lba' && typeof field.value === 'bigint') description = ctx.lbaDescription(field.value, description);
    if (field.name === 'alternateLba')
      description +=
        h.alternateLba === ctx.model.lastLba
          ? ` ${l10n.t('(the last LBA)')}`
          : h.role === 'primary'
            ? ` ${l10n.t('(last LBA is {0})', String(ctx.model.lastLba))}`
            : '';
    if (invalid) description = `${l10n.t('INVALID: {0}', invalid.text ? l10n.text(invalid.text) : invalid.reason)} · ${description}`;
    return ctx.editable(
      ctx.leaf(`${prefix}.${spec.name}`, spec.name, field, spec.kind, value, description, `${title} › ${spec.name}`),
      'header',
      `${h.role}Header.${field.name}`,
      field,
    );
  });
  const state = h.headerCrcOk && h.invalid.length === 0 ? l10n.t('CRC ok') : !h.headerCrcOk ? l10n.t('CRC BAD') : l10n.t('invalid fields');
  return {
    id: prefix,
    label: title,
    value: `LBA ${h.lba}`,
    description: `${state} · ${l10n.t('byte {0}', hex(h.offset, 0))}`,
    offset: h.offset,
    length: ctx.model.sectorSize,
    children,
    open: h.role === 'primary',
  };
}

export function arrayNode(ctx: TreeContext, h: GptHeader, array: GptArray): TreeNode {
  const { l10n } = ctx;
  const slotPrefix = h.role === 'primary' ? '' : 'backup-';
  const title = h.role === 'primary' ? l10n.t('Primary partition entry array') : l10n.t('Backup partition entry array');
  const roles = new Map<number, string>();
  if (ctx.model.activeGpt === h.role) for (const p of ctx.model.esxi?.placements ?? []) roles.set(p.currentSlot, p.role);
  const children: TreeNode[] = [];
  const slots = array.slots;
  for (let i = 0; i < slots.length;) {
    const entry = slots[i]!;
    if (entry.used) {
      children.push(slotNode(ctx, entry, slotPrefix, title, roles.get(entry.slot)));
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < slots.length && !slots[j + 1]!.used) j++;
    const id = i === j ? `${slotPrefix}slot-${i}` : `${slotPrefix}slots-${i}-${j}`;
    const label = i === j ? l10n.t('Slot {0}', i) : l10n.t('Slots {0}-{1}', i, j);
    const first = slots[i]!;
    const last = slots[j]!;
    for (let k = i; k <= j; k++) {
      // Unused slots carry one light Field; their field tree is parsed here, for the hex spans.
      for (const field of fieldsForSlot(array, k).children ?? []) {
        const spec = ENTRY_FIELDS[field.name];
        if (spec) ctx.span(field, spec.kind, `${title} › ${l10n.t('slot {0} (empty)', k)} › ${spec.name}`, id);
      }
    }
    children.push({
      id,
      label,
      value: l10n.t('empty'),
      description: i === j ? l10n.t('partition {0} unused', i + 1) : l10n.t('{0} unused slots', j - i + 1),
      offset: first.offset,
      length: last.offset + last.raw.length - first.offset,
    });
    i = j + 1;
  }
  const used = slots.filter((s) => s.used).length;
  return {
    id: `${h.role}-array`,
    label: title,
    value: `LBA ${array.lba}`,
    description: [
      l10n.t('{0} of {1} slots used', used, slots.length),
      l10n.t('{0}-byte entries', h.partitionEntrySize),
      h.arrayCrcOk ? l10n.t('CRC ok') : l10n.t('CRC BAD'),
    ].join(' · '),
    offset: array.offset,
    length: array.bytes.length,
    children,
    open: h.role === 'primary',
  };
}

export function slotNode(ctx: TreeContext, entry: GptEntry, slotPrefix: string, arrayTitle: string, role: string | undefined): TreeNode {
  const { l10n } = ctx;
  const id = `${slotPrefix}slot-${entry.slot}`;
  const size = entry.lastLba >= entry.firstLba ? (entry.lastLba - entry.firstLba + 1n) * BigInt(ctx.model.sectorSize) : 0n;
  const children = (entry.field.children ?? []).flatMap((field) => {
    const spec = ENTRY_FIELDS[field.name];
    if (!spec) return [];
    let value: string;
    let description = '';
    switch (field.name) {
      case 'typeGuid':
        value = entry.typeGuid;
        description = entry.typeName ?? l10n.t('unknown type');
        break;
      case 'uniqueGuid':
        value = entry.uniqueGuid;
        break;
      case 'firstLba':
      case 'lastLba':
        value = String(field.value);
        description = ctx.lbaDescription(field.value as bigint, field.name === 'lastLba' ? l10n.t('inclusive') : l10n.t('first sector'));
        break;
      case 'attributes':
        value = hex(entry.attributes, 16);
        description = attributeNames(entry.attributes, l10n);
        break;
      case 'name':
        value = JSON.stringify(entry.name);
        description = 'UTF-16LE';
        break;
      default:
        value = bytesHex(field.raw);
    }
    const path = `${slotPrefix ? 'backup' : 'primary'}Array.entries.${entry.slot}.${field.name}`;
    return [
      ctx.editable(
        ctx.leaf(`${id}.${spec.name}`, spec.name, field, spec.kind, value, description, `${arrayTitle} › ${l10n.t('slot {0}', entry.slot)} › ${spec.name}`),
        'entry',
        path,
        field,
        entry.typeGuid,
      ),
    ];
  });
  const what = [role, entry.typeName ?? entry.typeGuid, formatSize(size)].filter(Boolean).join(' · ');
  return {
    id,
    label: l10n.t('Slot {0} (partition {1})', entry.slot, entry.number),
    value: what,
    description: `LBA ${entry.firstLba}-${entry.lastLba}${entry.name ? ` · "${entry.name}"` : ''}`,
    offset: entry.offset,
    length: entry.raw.length,
    children,
  };
}

/** UEFI table 5-7 attribute bits, named. */
export function attributeNames(attributes: bigint, l10n: Localizer = ENGLISH): string {
  const names: string[] = [];
  if (attributes & 1n) names.push(l10n.t('required'));
  if (attributes & 2n) names.push(l10n.t('no block IO'));
  if (attributes & 4n) names.push(l10n.t('legacy BIOS bootable'));
  if (attributes >> 48n) names.push(l10n.t('type-specific {0}', hex(attributes >> 48n, 4)));
  if (attributes & 0x0000fffffffffff8n) names.push(l10n.t('reserved bits set'));
  return names.length ? names.join(l10n.t(', ')) : l10n.t('none');
}
