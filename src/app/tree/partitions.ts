// The partitions the model lists (each with the volume found in it), the gaps
// of free space (with lost volumes), and a volume that starts at byte 0.
import type { DiskModel, Partition } from '../../core/diskModel';
import type { FieldSpan, TreeNode } from '../../shared/protocol/editor';
import { formatSizeShort as formatSize } from '../../shared/sizeText';
import type { TreeContext, TreeSection } from './context';
import { hex } from './context';
import { volumeNode } from './volume';
import { SCHEME_SHORT, labelEntryRange } from './labels';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

/** A volume from byte 0: the whole disk's (scheme none) or one written over the table. */
export const diskVolumeSection: TreeSection = (ctx) =>
  ctx.model.content
    ? {
        ...volumeNode(ctx.model.content, 'disk-volume', ctx.spans, ctx.l10n.t('Volume at byte 0'), ctx.l10n),
        label: ctx.model.scheme === 'none' ? ctx.l10n.t('Whole-disk volume') : ctx.l10n.t('Volume over the partition table'),
      }
    : null;

export const partitionsSection: TreeSection = (ctx) => partitionsNode(ctx);

export const freeSpaceSection: TreeSection = (ctx) => freeSpaceNode(ctx.model, ctx.spans, ctx.l10n);

export function partitionsNode(ctx: TreeContext): TreeNode | null {
  const { model, l10n } = ctx;
  if (model.partitions.length === 0) return null;
  const active = model.activeGpt === 'primary' ? model.primary : model.activeGpt === 'backup' ? model.backup : null;
  const roles = new Map<number, string>();
  for (const p of model.esxi?.placements ?? []) roles.set(p.currentSlot, p.role);
  const partitionNode = (p: Partition, id: string, title: string): TreeNode => {
    const role = roles.get(p.slot);
    let offset = 0;
    let length = 0;
    if (model.scheme === 'gpt' && active?.array) {
      const entry = active.array.slots[p.slot];
      if (entry) {
        offset = entry.offset;
        length = entry.raw.length;
      }
    } else if (p.scheme) {
      // An Apple, BSD, Sun or SGI partition: its map entry or its slot of the label.
      ({ offset, length } = labelEntryRange(model, p) ?? { offset, length });
    } else if (model.mbr && p.slot < 4) {
      const record = model.mbr.records[p.slot];
      if (record) {
        offset = record.offset;
        length = 16;
      }
    }
    const type = p.typeName ?? p.typeGuid ?? (p.mbrType !== null ? l10n.t('type {0}', hex(p.mbrType, 2)) : (p.typeCode ?? l10n.t('unknown')));
    const node: TreeNode = {
      id,
      label: title,
      value: [role, type, formatSize(p.sizeBytes), p.content ? p.content.type : null].filter(Boolean).join(' · '),
      description: `LBA ${p.firstLba}-${p.lastLba}${model.scheme === 'gpt' ? ` · ${l10n.t('slot {0}', p.slot)}` : ''}${p.name ? ` · "${p.name}"` : ''}`,
      offset,
      length,
      // "Parse Here with Structure Spec..." in the node's context menu applies a spec at the partition's start.
      context: { webviewSection: 'partition', partitionNumber: p.number },
    };
    // The volume inside, with its superblock's fields (issue 14).
    if (p.content) node.children = [volumeNode(p.content, `${id}.volume`, ctx.spans, title, l10n)];
    // A type whose format is not public (vmkDiagnostic): what its first bytes are, and that it cannot be verified.
    else if (p.contentNote !== undefined) node.children = [contentNoteNode(p, `${id}.contents`, model.sectorSize, l10n)];
    // A BSD disklabel's partitions inside this MBR slice, named like FreeBSD's s1a, with the number Linux gives them (sda7).
    const nested = (p.children ?? []).map((c) =>
      partitionNode(
        c,
        `${id}${c.name}`,
        c.kernelNumber !== undefined
          ? l10n.t('Partition {0} (BSD {1}, Linux {2})', `${p.number}${c.name}`, c.name, c.kernelNumber)
          : l10n.t('Partition {0} (BSD {1})', `${p.number}${c.name}`, c.name),
      ),
    );
    if (nested.length) node.children = [...(node.children ?? []), ...nested];
    return node;
  };
  const children = model.partitions.map((p) => partitionNode(p, `partition-${p.number}`, l10n.t('Partition {0}', p.number)));
  const source =
    model.scheme === 'gpt'
      ? model.activeGpt === 'backup'
        ? l10n.t('from the backup GPT')
        : model.activeGpt === 'primary'
          ? l10n.t('from the primary GPT')
          : l10n.t('from the {0} GPT', String(model.activeGpt))
      : model.scheme === 'mbr'
        ? l10n.t('from the MBR')
        : l10n.t('from the {0} label', SCHEME_SHORT[model.scheme] ?? model.scheme);
  return { id: 'partitions', label: l10n.t('Partitions'), value: String(children.length), description: source, offset: 0, length: 0, children, open: true };
}

/** Gaps of free space, with the volumes found in them (lost partitions). */
function freeSpaceNode(model: DiskModel, spans: FieldSpan[], l10n: Localizer = ENGLISH): TreeNode | null {
  const free = model.free ?? [];
  if (free.length === 0) return null;
  const s = BigInt(model.sectorSize);
  const children = free.map((region, i): TreeNode => {
    const node: TreeNode = {
      id: `free-${i}`,
      label: `LBA ${region.firstLba}-${region.lastLba}`,
      value: formatSize((region.lastLba - region.firstLba + 1n) * s),
      description: region.content ? l10n.t('holds {0}', region.content.type) : l10n.t('nothing recognised at its start'),
      offset: 0,
      length: 0,
    };
    if (region.content) node.children = [volumeNode(region.content, `free-${i}.volume`, spans, l10n.t('Free space {0}', i + 1), l10n)];
    return node;
  });
  return { id: 'free', label: l10n.t('Free space'), value: String(free.length), description: l10n.t('gaps of 1 MiB or more'), offset: 0, length: 0, children };
}

function contentNoteNode(p: Partition, id: string, sectorSize: number, l10n: Localizer): TreeNode {
  const zero = /all zero/.test(p.contentNote ?? '');
  return {
    id,
    label: l10n.t('Contents'),
    value: zero ? l10n.t('all zero · type not verifiable') : l10n.t('not recognised · type not verifiable'),
    description: p.contentNoteText ? l10n.text(p.contentNoteText) : p.contentNote,
    offset: Number(p.firstLba) * sectorSize,
    length: Math.min(4096, Number(p.sizeBytes)),
  };
}
