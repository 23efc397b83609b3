// The ESXi layout node: which slot each ESXi partition is in and where it belongs.
import type { DiskModel } from '../../core/diskModel';
import type { TreeNode } from '../../shared/protocol/editor';
import type { TreeSection } from './context';

/** "ESXi 5" for the status bar and the image info. */
export function profileLabel(model: DiskModel | null): string | null {
  const id = model?.esxi?.profile;
  if (!id) return null;
  return `ESXi ${id.slice('esxi-'.length)}${model!.esxi!.compacted ? ' (compacted)' : ''}`;
}

export const esxiSection: TreeSection = (ctx) => {
  const layout = ctx.model.esxi;
  if (!layout) return null;
  const children = layout.placements.map((p, i): TreeNode => ({
    id: `esxi.${i}`,
    label: p.role,
    value: p.currentSlot === p.expectedSlot ? `slot ${p.currentSlot}` : `slot ${p.currentSlot}, belongs in slot ${p.expectedSlot}`,
    description: `partition ${p.expectedSlot + 1} for ESXi · LBA ${p.firstLba}`,
    offset: 0,
    length: 0,
  }));
  return {
    id: 'esxi',
    label: 'ESXi layout',
    value: profileLabel(ctx.model) ?? layout.profile,
    description: layout.description,
    offset: 0,
    length: 0,
    children,
  };
};
