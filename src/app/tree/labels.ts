// The structure tree's view of an Apple Partition Map, BSD disklabel, Sun
// VTOC or SGI volume header: one node per label with its structures' fields
// (byte ranges, decoded values, hex spans), and where each of its partitions
// is described, for the partition nodes. Pure: no vscode, no DOM.
import type { DiskLabel, DiskModel, Partition } from '../../core/model';
import type { FieldSpan, TreeNode } from '../../shared/protocol/editor';
import type { TreeSection } from './context';
import { fieldNode } from './volume';
import { ENGLISH, english } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

const LABEL_NAMES: Record<string, string> = {
  apm: english('Apple Partition Map'),
  bsd: english('BSD disklabel'),
  sun: english('Sun disk label'),
  sgi: english('SGI volume header'),
};

/** "APM", "BSD", "Sun", "SGI": the scheme as the status bar names it. */
export const SCHEME_SHORT: Record<string, string> = { apm: 'APM', bsd: 'BSD', sun: 'Sun', sgi: 'SGI' };

/** The labels' nodes, after the MBR (a BSD label lives in an MBR slice). */
export const labelsSection: TreeSection = (ctx) => labelNodes(ctx.model, ctx.spans, ctx.l10n);

/** One node per label (the disk's own, then BSD labels nested in MBR slices). */
export function labelNodes(model: DiskModel, spans: FieldSpan[], l10n: Localizer = ENGLISH): TreeNode[] {
  return (model.labels ?? []).map((label, i) => {
    const id = `label-${i}`;
    const name = l10n.text(LABEL_NAMES[label.scheme]!);
    const children = label.nodes.map((structure) => {
      const sid = `${id}.${structure.name}`;
      return {
        id: sid,
        label: structure.name,
        value: l10n.t('{0} bytes', structure.length),
        description: l10n.t('byte {0}', `0x${structure.offset.toString(16).toUpperCase()}`),
        offset: structure.offset,
        length: structure.length,
        children: structure.fields.map((field) => fieldNode(field, sid, spans, `${name} › ${structure.name}`, l10n)),
      };
    });
    const sum = label.checksum;
    return {
      id,
      label: label.parentNumber !== undefined ? l10n.t('{0} (MBR slice {1})', name, label.parentNumber) : name,
      value: label.partitions.length === 1 ? l10n.t('1 partition') : l10n.t('{0} partitions', label.partitions.length),
      description: [
        l10n.t('byte {0}', `0x${label.offset.toString(16).toUpperCase()}`),
        sum
          ? sum.ok
            ? l10n.t('checksum ok')
            : l10n.t('checksum BAD (stored {0}, computed {1})', `0x${sum.stored.toString(16).toUpperCase()}`, `0x${sum.computed.toString(16).toUpperCase()}`)
          : null,
      ]
        .filter(Boolean)
        .join(' · '),
      offset: label.offset,
      length: label.length,
      children,
      open: label.parentNumber === undefined,
    };
  });
}

/** The bytes that describe partition `p` of a label: its APM map entry, or its slot of the label's partition table. */
export function labelEntryRange(model: DiskModel, p: Partition): { offset: number; length: number } | null {
  const label = labelOf(model, p);
  if (!label) return null;
  if (label.scheme === 'apm') {
    const entry = label.nodes[p.slot + 1];
    return entry ? { offset: entry.offset, length: entry.length } : null;
  }
  const table = label.nodes[0]?.fields.find((f) => f.name === 'partitions');
  const slot = table?.children?.[p.slot];
  return slot ? { offset: slot.offset, length: slot.length } : null;
}

function labelOf(model: DiskModel, p: Partition): DiskLabel | undefined {
  return (model.labels ?? []).find((l) => l.partitions.includes(p));
}
