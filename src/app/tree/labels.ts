// The structure tree's view of an Apple Partition Map, BSD disklabel, Sun
// VTOC or SGI volume header: one node per label with its structures' fields
// (byte ranges, decoded values, hex spans), and where each of its partitions
// is described, for the partition nodes. Pure: no vscode, no DOM.
import type { DiskLabel, DiskModel, Partition } from '../../core/model';
import type { FieldSpan, TreeNode } from '../../shared/protocol/editor';
import type { TreeSection } from './context';
import { fieldNode } from './volume';

const LABEL_NAMES: Record<string, string> = {
  apm: 'Apple Partition Map',
  bsd: 'BSD disklabel',
  sun: 'Sun disk label',
  sgi: 'SGI volume header',
};

/** "APM", "BSD", "Sun", "SGI": the scheme as the status bar names it. */
export const SCHEME_SHORT: Record<string, string> = { apm: 'APM', bsd: 'BSD', sun: 'Sun', sgi: 'SGI' };

/** The labels' nodes, after the MBR (a BSD label lives in an MBR slice). */
export const labelsSection: TreeSection = (ctx) => labelNodes(ctx.model, ctx.spans);

/** One node per label (the disk's own, then BSD labels nested in MBR slices). */
export function labelNodes(model: DiskModel, spans: FieldSpan[]): TreeNode[] {
  return (model.labels ?? []).map((label, i) => {
    const id = `label-${i}`;
    const name = LABEL_NAMES[label.scheme]!;
    const children = label.nodes.map((structure) => {
      const sid = `${id}.${structure.name}`;
      return {
        id: sid,
        label: structure.name,
        value: `${structure.length} bytes`,
        description: `byte 0x${structure.offset.toString(16).toUpperCase()}`,
        offset: structure.offset,
        length: structure.length,
        children: structure.fields.map((field) => fieldNode(field, sid, spans, `${name} › ${structure.name}`)),
      };
    });
    const sum = label.checksum;
    return {
      id,
      label: label.parentNumber !== undefined ? `${name} (MBR slice ${label.parentNumber})` : name,
      value: `${label.partitions.length} partition${label.partitions.length === 1 ? '' : 's'}`,
      description: [
        `byte 0x${label.offset.toString(16).toUpperCase()}`,
        sum
          ? sum.ok
            ? 'checksum ok'
            : `checksum BAD (stored 0x${sum.stored.toString(16).toUpperCase()}, computed 0x${sum.computed.toString(16).toUpperCase()})`
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
