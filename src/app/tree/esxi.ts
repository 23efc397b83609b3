// The ESXi layout node: which slot each ESXi partition is in and where it belongs.
import type { DiskModel } from '../../core/diskModel';
import type { TreeNode } from '../../shared/protocol/editor';
import type { TreeSection } from './context';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

/** "ESXi 5" for the status bar and the image info. */
export function profileLabel(model: DiskModel | null, l10n: Localizer = ENGLISH): string | null {
  const id = model?.esxi?.profile;
  if (!id) return null;
  const name = `ESXi ${id.slice('esxi-'.length)}`;
  return model!.esxi!.compacted ? l10n.t('{0} (compacted)', name) : name;
}

export const esxiSection: TreeSection = (ctx) => {
  const layout = ctx.model.esxi;
  if (!layout) return null;
  const { l10n } = ctx;
  const children = layout.placements.map((p, i): TreeNode => ({
    id: `esxi.${i}`,
    label: p.role,
    value: p.currentSlot === p.expectedSlot ? l10n.t('slot {0}', p.currentSlot) : l10n.t('slot {0}, belongs in slot {1}', p.currentSlot, p.expectedSlot),
    description: `${l10n.t('partition {0} for ESXi', p.expectedSlot + 1)} · LBA ${p.firstLba}`,
    offset: 0,
    length: 0,
  }));
  return {
    id: 'esxi',
    label: l10n.t('ESXi layout'),
    value: profileLabel(ctx.model, l10n) ?? layout.profile,
    description: l10n.text(layout.description),
    offset: 0,
    length: 0,
    children,
  };
};
