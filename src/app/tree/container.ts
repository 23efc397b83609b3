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

/** Fields listed per structure, at most (a VHDX table holds up to 2047 entries). */
export const MAX_CONTAINER_TREE_FIELDS = 512;

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

function fileBytes(offset: number, length: number, file: string): string {
  return `file bytes ${hex(offset, 0)}-${hex(offset + Math.max(1, length) - 1, 0)} of ${baseName(file)} (not in the virtual disk)`;
}

function fieldValue(field: Field): string {
  const value = field.value;
  if (typeof value === 'number' || typeof value === 'bigint') return `${value} (${hex(value, 0)})`;
  if (typeof value === 'string') return value;
  const shown = bytesHex(field.raw.subarray(0, 16));
  return field.raw.length > 16 ? `${shown} …` : shown;
}

function fieldNodes(fields: readonly Field[], idPrefix: string, file: string, budget: { left: number }): TreeNode[] {
  const nodes: TreeNode[] = [];
  for (const field of fields) {
    if (budget.left <= 0) break;
    budget.left--;
    const id = `${idPrefix}.${field.path}`;
    const children = field.children?.length ? fieldNodes(field.children, idPrefix, file, budget) : undefined;
    nodes.push({
      id,
      label: field.name,
      ...(children ? {} : { value: fieldValue(field) }),
      description: fileBytes(field.offset, field.length, file),
      offset: 0,
      length: 0,
      ...(children ? { children } : {}),
    });
  }
  return nodes;
}

function summary(info: ContainerInfo): string {
  return [
    `virtual size ${formatBytes(info.virtualSize)}`,
    info.blockSize ? `${formatBytes(info.blockSize)} blocks` : null,
    info.allocated !== undefined ? `${formatBytes(info.allocated)} allocated` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function facts(info: ContainerInfo, id: string): TreeNode[] {
  const node = (key: string, label: string, value: string, description?: string, children?: TreeNode[]): TreeNode => ({
    id: `${id}.${key}`,
    label,
    value,
    ...(description ? { description } : {}),
    offset: 0,
    length: 0,
    ...(children ? { children } : {}),
  });
  const nodes = [node('virtual-size', 'Virtual size', `${info.virtualSize} bytes`, formatBytes(info.virtualSize))];
  if (info.sectorSize) nodes.push(node('sector-size', 'Logical sector size', `${info.sectorSize} bytes`, 'from the container, used as the disk’s sector size'));
  if (info.blockSize) nodes.push(node('block-size', 'Block size', formatBytes(info.blockSize)));
  if (info.allocated !== undefined)
    nodes.push(
      node(
        'allocated',
        'Allocated',
        formatBytes(info.allocated),
        `${((100 * info.allocated) / info.virtualSize).toFixed(1)}% of the virtual disk stored in this file`,
      ),
    );
  if (info.parent) {
    nodes.push(
      node('parent', 'Parent', info.parent.path, `${info.parent.format}: unallocated blocks read from it; never written`, facts(info.parent, `${id}.parent`)),
    );
  }
  if (info.snapshots?.length)
    nodes.push(
      node(
        'snapshots',
        'Snapshots',
        String(info.snapshots.length),
        'internal snapshots; their clusters are never written',
        info.snapshots.map((s, i) => node(`snapshots.${i}`, s.name || `#${s.id}`, `id ${s.id}`, s.date)),
      ),
    );
  nodes.push(node('files', 'Files', String(info.files.length), info.files.join(', ')));
  nodes.push(
    info.readOnlyReason
      ? node('writes', 'Repairs', 'read-only', info.readOnlyReason)
      : node('writes', 'Repairs', 'through the mapping', 'only into allocated, uncompressed, unshared blocks; the container metadata is never written'),
  );
  return nodes;
}

/** The "Container" root node, first in the tree, when the disk is stored in a container. */
export const containerSection: TreeSection = (ctx) => {
  const container = ctx.container;
  if (!container || container.info.format === 'raw') return null;
  const { info, structures } = container;
  const file = info.files[0] ?? '';
  const structureNodes = structures.map((s, i): TreeNode => {
    const id = `container.struct-${i}`;
    return {
      id,
      label: s.name,
      value: fileBytes(s.offset, s.length, s.file ?? file),
      offset: 0,
      length: 0,
      children: fieldNodes(s.fields, id, s.file ?? file, { left: MAX_CONTAINER_TREE_FIELDS }),
    };
  });
  return {
    id: 'container',
    label: 'Container',
    value: `${info.format}${info.version ? ` v${info.version}` : ''}`,
    description: `${summary(info)} · the hex view shows the virtual disk; these fields are bytes of the container file`,
    offset: 0,
    length: 0,
    open: true,
    children: [...facts(info, 'container'), ...structureNodes],
  };
};
