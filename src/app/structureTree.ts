// Serializes the core's DiskModel into what the webview shows: a tree of nodes
// (structures, fields with their values and meanings, slots, partitions), the
// leaf byte spans that colour and name the hex view, and the findings attached
// to nodes. Only values and byte ranges cross to the webview, never big raw
// arrays: the webview fetches bytes on demand. Pure: no `vscode`.
//
// Each area of the disk has its builder in tree/; SECTIONS lists them in the
// order the tree shows them. A new area is one builder there and one line here.
import type { DiskModel } from '../core/diskModel';
import type { Finding } from '../core/findings';
import type { FieldSpan, FindingView, ImageInfo, TreeNode } from '../shared/protocol/editor';
import type { ContainerTreeInput, TreeSection } from './tree/context';
import { ENGLISH } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';
import { TreeContext } from './tree/context';
import { mbrSection } from './tree/mbr';
import { backupArraySection, backupHeaderSection, primaryArraySection, primaryHeaderSection } from './tree/gpt';
import { diskVolumeSection, freeSpaceSection, partitionsSection } from './tree/partitions';
import { esxiSection } from './tree/esxi';
import { SCHEME_SHORT, labelsSection } from './tree/labels';
import { attachFindings, normalizeSpans } from './tree/findings';
import { containerSection } from './tree/container';

export { profileLabel } from './tree/esxi';
export { uefiFieldName } from './tree/fieldNames';
export { attributeNames } from './tree/gpt';
export { allNodeIds, normalizeSpans } from './tree/findings';

export interface StructureTree {
  tree: TreeNode[];
  spans: FieldSpan[];
  findings: FindingView[];
}

/** The tree's top-level areas: the container first (it holds the disk), then the disk in on-disk order (the backup GPT, at the end of the disk, last). */
const SECTIONS: readonly TreeSection[] = [
  containerSection,
  mbrSection,
  labelsSection,
  primaryHeaderSection,
  primaryArraySection,
  diskVolumeSection,
  partitionsSection,
  freeSpaceSection,
  esxiSection,
  backupArraySection,
  backupHeaderSection,
];

/** What the status bar says: "GPT · 512 B · ESXi 5". */
export function statusText(info: ImageInfo, l10n: Localizer = ENGLISH): string {
  const scheme =
    info.scheme === 'gpt'
      ? 'GPT'
      : info.scheme === 'mbr'
        ? 'MBR'
        : info.scheme === 'none'
          ? l10n.t('no partition table')
          : (SCHEME_SHORT[info.scheme] ?? l10n.t('plain bytes'));
  return [scheme, `${info.sectorSize} B`, info.profile].filter(Boolean).join(' · ');
}

/** Builds the tree, spans and attached findings for a parsed disk (stored in `container`, if any), its texts in `l10n`'s language. */
export function buildStructureTree(
  model: DiskModel,
  findings: Finding[],
  container: ContainerTreeInput | null = null,
  l10n: Localizer = ENGLISH,
): StructureTree {
  const ctx = new TreeContext(model, container, l10n);
  const tree: TreeNode[] = [];
  for (const section of SECTIONS) {
    const nodes = section(ctx);
    if (nodes) tree.push(...(Array.isArray(nodes) ? nodes : [nodes]));
  }
  const views = attachFindings(tree, findings);
  return { tree, spans: normalizeSpans(ctx.spans), findings: views };
}
