// The container node: what stores the virtual disk (qcow2, VHD, VHDX, VMDK,
// VDI), its sizes, parent, snapshots, and its header/footer/table fields. The
// hex view shows the virtual disk, so these fields have no bytes there: their
// nodes carry offset 0 and length 0, and say "file bytes 0x..-0x.. of FILE"
// instead, never a file offset passed off as a virtual one.
import type { ContainerInfo } from '../../core/io/containerSource';
import type { Field } from '../../core/structure';
import type { TreeNode } from '../../shared/protocol/editor';
import { formatBytes } from '../../shared/sizeText';
import type { TreeSection } from './context';
import { bytesHex, hex } from './context';
import type { Localizer } from '../../shared/l10n';

/** Fields listed per structure, at most (a VHDX table holds up to 2047 entries). */
export const MAX_CONTAINER_TREE_FIELDS = 512;

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

function fileBytes(offset: number, length: number, file: string, l10n: Localizer): string {
  return l10n.t('file bytes {0}-{1} of {2} (not in the virtual disk)', hex(offset, 0), hex(offset + Math.max(1, length) - 1, 0), baseName(file));
}

function fieldValue(field: Field): string {
  const value = field.value;
  if (typeof value === 'number' || typeof value === 'bigint') return `${value} (${hex(value, 0)})`;
  if (typeof value === 'string') return value;
  const shown = bytesHex(field.raw.subarray(0, 16));
  return field.raw.length > 16 ? `${shown} …` : shown;
}

function fieldNodes(fields: readonly Field[], idPrefix: string, file: string, budget: { left: number }, l10n: Localizer): TreeNode[] {
  const nodes: TreeNode[] = [];
  for (const field of fields) {
    if (budget.left <= 0) break;
    budget.left--;
    const id = `${idPrefix}.${field.path}`;
    const children = field.children?.length ? fieldNodes(field.children, idPrefix, file, budget, l10n) : undefined;
    nodes.push({
      id,
      label: field.name,
      ...(children ? {} : { value: fieldValue(field) }),
      description: fileBytes(field.offset, field.length, file, l10n),
      offset: 0,
      length: 0,
      ...(children ? { children } : {}),
    });
  }
  return nodes;
}

function summary(info: ContainerInfo, l10n: Localizer): string {
  return [
    l10n.t('virtual size {0}', formatBytes(info.virtualSize)),
    info.blockSize ? l10n.t('{0} blocks', formatBytes(info.blockSize)) : null,
    info.allocated !== undefined ? l10n.t('{0} allocated', formatBytes(info.allocated)) : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function facts(info: ContainerInfo, id: string, l10n: Localizer): TreeNode[] {
  const node = (key: string, label: string, value: string, description?: string, children?: TreeNode[]): TreeNode => ({
    id: `${id}.${key}`,
    label,
    value,
    ...(description ? { description } : {}),
    offset: 0,
    length: 0,
    ...(children ? { children } : {}),
  });
  const nodes = [node('virtual-size', l10n.t('Virtual size'), l10n.t('{0} bytes', info.virtualSize), formatBytes(info.virtualSize))];
  if (info.sectorSize)
    nodes.push(
      node('sector-size', l10n.t('Logical sector size'), l10n.t('{0} bytes', info.sectorSize), l10n.t('from the container, used as the disk’s sector size')),
    );
  if (info.blockSize) nodes.push(node('block-size', l10n.t('Block size'), formatBytes(info.blockSize)));
  if (info.allocated !== undefined)
    nodes.push(
      node(
        'allocated',
        l10n.t('Allocated'),
        formatBytes(info.allocated),
        l10n.t('{0}% of the virtual disk stored in this file', ((100 * info.allocated) / info.virtualSize).toFixed(1)),
      ),
    );
  if (info.parent) {
    nodes.push(
      node(
        'parent',
        l10n.t('Parent'),
        info.parent.path,
        l10n.t('{0}: unallocated blocks read from it; never written', info.parent.format),
        facts(info.parent, `${id}.parent`, l10n),
      ),
    );
  }
  if (info.snapshots?.length)
    nodes.push(
      node(
        'snapshots',
        l10n.t('Snapshots'),
        String(info.snapshots.length),
        l10n.t('internal snapshots; their clusters are never written'),
        info.snapshots.map((s, i) => node(`snapshots.${i}`, s.name || `#${s.id}`, `id ${s.id}`, s.date)),
      ),
    );
  nodes.push(node('files', l10n.t('Files'), String(info.files.length), info.files.join(', ')));
  nodes.push(
    info.readOnlyReason
      ? node('writes', l10n.t('Repairs'), l10n.t('read-only'), info.readOnlyReasonText ? l10n.text(info.readOnlyReasonText) : info.readOnlyReason)
      : node(
          'writes',
          l10n.t('Repairs'),
          l10n.t('through the mapping'),
          info.format === 'vhdx'
            ? l10n.t(
                'only into fully present blocks, after the header gets a new DataWriteGuid (sequence + 1, in the other header slot, journaled and undone with the data); the tables are never written',
              )
            : l10n.t('only into allocated, uncompressed, unshared blocks; the container metadata is never written'),
        ),
  );
  return nodes;
}

/** The "Container" root node, first in the tree, when the disk is stored in a container. */
export const containerSection: TreeSection = (ctx) => {
  const container = ctx.container;
  if (!container || container.info.format === 'raw') return null;
  const { l10n } = ctx;
  const { info, structures } = container;
  const file = info.files[0] ?? '';
  const structureNodes = structures.map((s, i): TreeNode => {
    const id = `container.struct-${i}`;
    return {
      id,
      label: s.name,
      value: fileBytes(s.offset, s.length, s.file ?? file, l10n),
      offset: 0,
      length: 0,
      children: fieldNodes(s.fields, id, s.file ?? file, { left: MAX_CONTAINER_TREE_FIELDS }, l10n),
    };
  });
  return {
    id: 'container',
    label: l10n.t('Container'),
    value: `${info.format}${info.version ? ` v${info.version}` : ''}`,
    description: `${summary(info, l10n)} · ${l10n.t('the hex view shows the virtual disk; these fields are bytes of the container file')}`,
    offset: 0,
    length: 0,
    open: true,
    children: [...facts(info, 'container', l10n), ...structureNodes],
  };
};
