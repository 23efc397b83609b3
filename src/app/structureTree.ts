// Serializes the core's DiskModel into what the webview shows: a tree of nodes
// (structures, fields with their values and meanings, slots, partitions), the
// leaf byte spans that colour and name the hex view, and the findings attached
// to nodes. Only values and byte ranges cross to the webview, never big raw
// arrays: the webview fetches bytes on demand. Pure: no `vscode`.
import type { DiskModel, GptArray, GptEntry, GptHeader, Mbr, Partition } from '../core/diskModel';
import { fieldsForSlot } from '../core/diskModel';
import type { Finding } from '../core/findings';
import type { Field, StructNode } from '../core/structure';
import { findField } from '../core/structure';
import { volumeNode } from './volumeTree';
import { SCHEME_SHORT, labelEntryRange, labelNodes } from './labelTree';
import type { FieldKind, FieldSpan, FindingView, ImageInfo, TreeNode } from '../shared/protocol/editor';
import { editableKind } from '../core/edit/fieldPaths';
import { formatFieldValue, kindLength } from '../core/edit/fieldKinds';
import { formatSizeShort as formatSize } from '../shared/sizeText';

export interface StructureTree {
  tree: TreeNode[];
  spans: FieldSpan[];
  findings: FindingView[];
}

const hex = (n: number | bigint, digits: number): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;
const hex32 = (n: number): string => hex(n >>> 0, 8);

/** "ESXi 5" for the status bar and the image info. */
export function profileLabel(model: DiskModel | null): string | null {
  const id = model?.esxi?.profile;
  if (!id) return null;
  return `ESXi ${id.slice('esxi-'.length)}${model!.esxi!.compacted ? ' (compacted)' : ''}`;
}

/** What the status bar says: "GPT · 512 B · ESXi 5". */
export function statusText(info: ImageInfo): string {
  const scheme =
    info.scheme === 'gpt'
      ? 'GPT'
      : info.scheme === 'mbr'
        ? 'MBR'
        : info.scheme === 'none'
          ? 'no partition table'
          : (SCHEME_SHORT[info.scheme] ?? 'plain bytes');
  return [scheme, `${info.sectorSize} B`, info.profile].filter(Boolean).join(' · ');
}

// UEFI names of the header fields (table 5-5), keyed by the .ksy ids.
const HEADER_FIELDS: Record<string, { name: string; kind: FieldKind; meaning: string }> = {
  signature: { name: 'Signature', kind: 'signature', meaning: 'must be "EFI PART"' },
  revision: { name: 'Revision', kind: 'count', meaning: '0x00010000 = GPT 1.0' },
  headerSize: { name: 'HeaderSize', kind: 'count', meaning: 'bytes covered by HeaderCRC32 (92..block size)' },
  headerCrc32: { name: 'HeaderCRC32', kind: 'crc', meaning: 'CRC-32 over HeaderSize bytes with this field zero' },
  reserved: { name: 'Reserved', kind: 'reserved', meaning: 'must be zero' },
  myLba: { name: 'MyLBA', kind: 'lba', meaning: 'LBA of this header' },
  alternateLba: { name: 'AlternateLBA', kind: 'lba', meaning: 'LBA of the other header' },
  firstUsableLba: { name: 'FirstUsableLBA', kind: 'lba', meaning: 'first LBA a partition may use' },
  lastUsableLba: { name: 'LastUsableLBA', kind: 'lba', meaning: 'last LBA a partition may use' },
  diskGuid: { name: 'DiskGUID', kind: 'guid', meaning: 'identifies the disk' },
  partitionEntryLba: { name: 'PartitionEntryLBA', kind: 'lba', meaning: 'first LBA of the entry array' },
  numPartitionEntries: { name: 'NumberOfPartitionEntries', kind: 'count', meaning: 'slots in the entry array' },
  partitionEntrySize: { name: 'SizeOfPartitionEntry', kind: 'count', meaning: 'bytes per entry (128 x 2^n)' },
  partitionEntryArrayCrc32: { name: 'PartitionEntryArrayCRC32', kind: 'crc', meaning: 'CRC-32 over the whole entry array' },
  reservedTail: { name: 'ReservedTail', kind: 'reserved', meaning: 'rest of the block, must be zero' },
};

// UEFI names of the entry fields (table 5-6).
const ENTRY_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  typeGuid: { name: 'PartitionTypeGUID', kind: 'guid' },
  uniqueGuid: { name: 'UniquePartitionGUID', kind: 'guid' },
  firstLba: { name: 'StartingLBA', kind: 'lba' },
  lastLba: { name: 'EndingLBA', kind: 'lba' },
  attributes: { name: 'Attributes', kind: 'flags' },
  name: { name: 'PartitionName', kind: 'text' },
};

const MBR_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  bootstrapCode: { name: 'BootCode', kind: 'code' },
  diskSignature: { name: 'UniqueMBRDiskSignature', kind: 'other' },
  reserved: { name: 'Unknown', kind: 'reserved' },
  bootSignature: { name: 'Signature', kind: 'signature' },
};

const RECORD_FIELDS: Record<string, { name: string; kind: FieldKind }> = {
  status: { name: 'BootIndicator', kind: 'flags' },
  chsStart: { name: 'StartingCHS', kind: 'other' },
  partitionType: { name: 'OSType', kind: 'other' },
  chsEnd: { name: 'EndingCHS', kind: 'other' },
  lbaStart: { name: 'StartingLBA', kind: 'lba' },
  numSectors: { name: 'SizeInLBA', kind: 'count' },
};

/**
 * The UEFI name of a field, given its spec id and the structure it is in
 * ("headerCrc32" of a GPT header is "HeaderCRC32"); the id itself when the
 * tables have no name for it.
 */
export function uefiFieldName(structure: 'header' | 'entry' | 'mbr' | 'record', id: string): string {
  const table = structure === 'header' ? HEADER_FIELDS : structure === 'entry' ? ENTRY_FIELDS : structure === 'mbr' ? MBR_FIELDS : RECORD_FIELDS;
  return table[id]?.name ?? id;
}

class Builder {
  readonly spans: FieldSpan[] = [];
  constructor(readonly model: DiskModel) {}

  /** Marks `node` editable by value: the field's path for setField, its value kind and current value as text. */
  editable(node: TreeNode, structure: 'header' | 'entry' | 'mbr' | 'record', path: string, field: Field, typeGuid?: string): TreeNode {
    const kind = editableKind(structure, field.name, this.model.sectorSize);
    // Long byte runs (boot code, a header's reserved tail) are edited in the hex view; their text would only weigh the tree down.
    if (kind && kindLength(kind) === field.length && !(kind.kind === 'hexbytes' && field.length > 16))
      node.edit = { path, kind, value: formatFieldValue(kind, field.raw), ...(typeGuid ? { typeGuid } : {}) };
    return node;
  }

  /** A leaf node that also annotates its bytes in the hex view. */
  leaf(id: string, label: string, field: Field, kind: FieldKind, value: string, description: string, spanName: string): TreeNode {
    this.spans.push({ offset: field.offset, length: field.length, kind, name: spanName, nodeId: id });
    return { id, label, value, description, offset: field.offset, length: field.length, kind };
  }

  /** Annotates bytes without a tree node of their own (fields of collapsed empty slots). */
  span(field: Field, kind: FieldKind, name: string, nodeId: string): void {
    this.spans.push({ offset: field.offset, length: field.length, kind, name, nodeId });
  }

  lbaDescription(lba: bigint, meaning: string): string {
    const byte = lba * BigInt(this.model.sectorSize);
    return `${meaning} · byte ${hex(byte, 0)}`;
  }

  mbr(mbr: Mbr): TreeNode {
    const title = !mbr.bootSignatureOk
      ? 'LBA 0 (no MBR signature)'
      : mbr.kind === 'protective'
        ? 'Protective MBR'
        : mbr.kind === 'hybrid'
          ? 'Hybrid MBR'
          : mbr.kind === 'dos'
            ? 'MBR (DOS partition table)'
            : 'MBR (no partitions)';
    const children: TreeNode[] = [];
    for (const field of mbr.node.fields) {
      if (field.name === 'partitions') continue;
      const spec = MBR_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind };
      const id = `mbr.${spec.name}`;
      let value: string;
      let description: string;
      if (field.name === 'bootSignature') {
        value = bytesHex(field.raw);
        description = mbr.bootSignatureOk ? 'ok (55 AA)' : 'must be 55 AA';
      } else if (field.name === 'bootstrapCode') {
        const zero = field.raw.every((b) => b === 0);
        value = `${field.length} bytes`;
        description = zero ? 'all zero (no boot code)' : 'boot code present';
      } else {
        value = hex(Number(field.value ?? 0) >>> 0, field.length * 2);
        description = field.name === 'diskSignature' ? 'Windows disk signature (zero on a protective MBR)' : 'usually zero';
      }
      children.push(
        this.editable(this.leaf(id, spec.name, field, spec.kind, value, description, `${title} › ${spec.name}`), 'mbr', `mbr.${field.name}`, field),
      );
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
            ? (record.typeName ?? (record.type === 0 ? 'unused' : 'unknown type'))
            : field.name === 'status'
              ? record.status === 0x80
                ? 'bootable'
                : 'not bootable'
              : '';
        return this.editable(
          this.leaf(`${id}.${spec.name}`, spec.name, field, spec.kind, value, description, `${title} › record ${record.index + 1} › ${spec.name}`),
          'record',
          `mbr.partitions.${record.index}.${field.name}`,
          field,
        );
      });
      const value = record.type === 0 ? 'unused' : `type ${hex(record.type, 2)} ${record.typeName ?? ''}`.trim();
      const description =
        record.type === 0 ? '' : `LBA ${record.firstLba} +${record.sectors} sectors (${formatSize(BigInt(record.sectors) * BigInt(this.model.sectorSize))})`;
      return { id, label: `Record ${record.index + 1}`, value, description, offset: record.offset, length: 16, children: recordChildren } satisfies TreeNode;
    });
    const partitionsField = findField(mbr.node.fields, 'partitions');
    const ordered = [...children];
    // Keep on-disk order: code, signature, reserved, the four records, boot signature.
    const bootSig = ordered.findIndex((n) => n.id === 'mbr.Signature');
    const records: TreeNode = {
      id: 'mbr.records',
      label: 'Partition records',
      value: `${mbr.records.filter((r) => r.type !== 0).length} used`,
      offset: partitionsField?.offset ?? 446,
      length: 64,
      children: recordNodes,
      open: true,
    };
    ordered.splice(bootSig < 0 ? ordered.length : bootSig, 0, records);
    const ebrs = mbr.ebrNodes.map((node, i) => this.genericStruct(`ebr-${i}`, `EBR at byte ${hex(node.offset, 0)}`, node));
    return {
      id: 'mbr',
      label: title,
      value: 'LBA 0',
      description: `${mbr.kind}${mbr.bootSignatureOk ? '' : ', no 55 AA signature'}`,
      offset: 0,
      length: 512,
      children: [...ordered, ...ebrs],
      open: false,
    };
  }

  genericStruct(id: string, label: string, node: StructNode): TreeNode {
    const walk = (fields: Field[], prefix: string): TreeNode[] =>
      fields.map((field) => {
        const childId = `${prefix}.${field.name}`;
        if (field.children) return { id: childId, label: field.name, offset: field.offset, length: field.length, children: walk(field.children, childId) };
        const value = field.value !== null ? String(field.value) : bytesHex(field.raw.subarray(0, 16)) + (field.length > 16 ? ' …' : '');
        return this.leaf(childId, field.name, field, 'other', value, '', `${label} › ${field.name}`);
      });
    return { id, label, offset: node.offset, length: node.length, children: walk(node.fields, id) };
  }

  header(h: GptHeader): TreeNode {
    const prefix = `${h.role}-header`;
    const title = h.role === 'primary' ? 'Primary GPT header' : 'Backup GPT header';
    const children = h.node.fields.map((field) => {
      const spec = HEADER_FIELDS[field.name] ?? { name: field.name, kind: 'other' as FieldKind, meaning: '' };
      const invalid = h.invalid.find((p) => p.field === field.name);
      let value: string;
      let verdict = '';
      switch (field.name) {
        case 'signature':
          value = JSON.stringify(latin1(field.raw));
          verdict = latin1(field.raw) === 'EFI PART' ? 'ok' : 'wrong';
          break;
        case 'revision':
          value = hex32(Number(field.value));
          break;
        case 'headerCrc32':
          value = hex32(h.headerCrc32);
          verdict = h.computedHeaderCrc32 === null ? 'cannot compute (bad HeaderSize)' : h.headerCrcOk ? 'ok' : `BAD: computed ${hex32(h.computedHeaderCrc32)}`;
          break;
        case 'partitionEntryArrayCrc32':
          value = hex32(h.partitionEntryArrayCrc32);
          verdict = h.computedArrayCrc32 === null ? 'array not readable' : h.arrayCrcOk ? 'ok' : `BAD: computed ${hex32(h.computedArrayCrc32)}`;
          break;
        case 'diskGuid':
          value = h.diskGuid;
          break;
        case 'reserved':
          value = hex32(h.reserved);
          break;
        case 'reservedTail':
          value = `${field.length} bytes`;
          verdict = field.raw.every((b) => b === 0) ? 'all zero' : 'NOT zero';
          break;
        default:
          value = field.value === null ? bytesHex(field.raw) : String(field.value);
      }
      let description = [verdict, spec.meaning].filter(Boolean).join(' · ');
      if (spec.kind === 'lba' && typeof field.value === 'bigint') description = this.lbaDescription(field.value, description);
      if (field.name === 'alternateLba')
        description += h.alternateLba === this.model.lastLba ? ' (the last LBA)' : h.role === 'primary' ? ` (last LBA is ${this.model.lastLba})` : '';
      if (invalid) description = `INVALID: ${invalid.reason} · ${description}`;
      return this.editable(
        this.leaf(`${prefix}.${spec.name}`, spec.name, field, spec.kind, value, description, `${title} › ${spec.name}`),
        'header',
        `${h.role}Header.${field.name}`,
        field,
      );
    });
    const state = h.headerCrcOk && h.invalid.length === 0 ? 'CRC ok' : !h.headerCrcOk ? 'CRC BAD' : 'invalid fields';
    return {
      id: prefix,
      label: title,
      value: `LBA ${h.lba}`,
      description: `${state} · byte ${hex(h.offset, 0)}`,
      offset: h.offset,
      length: this.model.sectorSize,
      children,
      open: h.role === 'primary',
    };
  }

  array(h: GptHeader, array: GptArray): TreeNode {
    const slotPrefix = h.role === 'primary' ? '' : 'backup-';
    const title = h.role === 'primary' ? 'Primary partition entry array' : 'Backup partition entry array';
    const roles = new Map<number, string>();
    if (this.model.activeGpt === h.role) for (const p of this.model.esxi?.placements ?? []) roles.set(p.currentSlot, p.role);
    const children: TreeNode[] = [];
    const slots = array.slots;
    for (let i = 0; i < slots.length;) {
      const entry = slots[i]!;
      if (entry.used) {
        children.push(this.slot(entry, slotPrefix, title, roles.get(entry.slot)));
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < slots.length && !slots[j + 1]!.used) j++;
      const id = i === j ? `${slotPrefix}slot-${i}` : `${slotPrefix}slots-${i}-${j}`;
      const label = i === j ? `Slot ${i}` : `Slots ${i}-${j}`;
      const first = slots[i]!;
      const last = slots[j]!;
      for (let k = i; k <= j; k++) {
        // Unused slots carry one light Field; their field tree is parsed here, for the hex spans.
        for (const field of fieldsForSlot(array, k).children ?? []) {
          const spec = ENTRY_FIELDS[field.name];
          if (spec) this.span(field, spec.kind, `${title} › slot ${k} (empty) › ${spec.name}`, id);
        }
      }
      children.push({
        id,
        label,
        value: 'empty',
        description: i === j ? `partition ${i + 1} unused` : `${j - i + 1} unused slots`,
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
      description: `${used} of ${slots.length} slots used · ${h.partitionEntrySize}-byte entries · CRC ${h.arrayCrcOk ? 'ok' : 'BAD'}`,
      offset: array.offset,
      length: array.bytes.length,
      children,
      open: h.role === 'primary',
    };
  }

  slot(entry: GptEntry, slotPrefix: string, arrayTitle: string, role: string | undefined): TreeNode {
    const id = `${slotPrefix}slot-${entry.slot}`;
    const size = entry.lastLba >= entry.firstLba ? (entry.lastLba - entry.firstLba + 1n) * BigInt(this.model.sectorSize) : 0n;
    const children = (entry.field.children ?? []).flatMap((field) => {
      const spec = ENTRY_FIELDS[field.name];
      if (!spec) return [];
      let value: string;
      let description = '';
      switch (field.name) {
        case 'typeGuid':
          value = entry.typeGuid;
          description = entry.typeName ?? 'unknown type';
          break;
        case 'uniqueGuid':
          value = entry.uniqueGuid;
          break;
        case 'firstLba':
        case 'lastLba':
          value = String(field.value);
          description = this.lbaDescription(field.value as bigint, field.name === 'lastLba' ? 'inclusive' : 'first sector');
          break;
        case 'attributes':
          value = hex(entry.attributes, 16);
          description = attributeNames(entry.attributes);
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
        this.editable(
          this.leaf(`${id}.${spec.name}`, spec.name, field, spec.kind, value, description, `${arrayTitle} › slot ${entry.slot} › ${spec.name}`),
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
      label: `Slot ${entry.slot} (partition ${entry.number})`,
      value: what,
      description: `LBA ${entry.firstLba}-${entry.lastLba}${entry.name ? ` · "${entry.name}"` : ''}`,
      offset: entry.offset,
      length: entry.raw.length,
      children,
    };
  }

  partitions(): TreeNode | null {
    const model = this.model;
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
      const type = p.typeName ?? p.typeGuid ?? (p.mbrType !== null ? `type ${hex(p.mbrType, 2)}` : (p.typeCode ?? 'unknown'));
      const node: TreeNode = {
        id,
        label: title,
        value: [role, type, formatSize(p.sizeBytes), p.content ? p.content.type : null].filter(Boolean).join(' · '),
        description: `LBA ${p.firstLba}-${p.lastLba}${model.scheme === 'gpt' ? ` · slot ${p.slot}` : ''}${p.name ? ` · "${p.name}"` : ''}`,
        offset,
        length,
        // "Parse Here with Structure Spec..." in the node's context menu applies a spec at the partition's start.
        context: { webviewSection: 'partition', partitionNumber: p.number },
      };
      // The volume inside, with its superblock's fields (issue 14).
      if (p.content) node.children = [volumeNode(p.content, `${id}.volume`, this.spans, title)];
      // A BSD disklabel's partitions inside this MBR slice, named like FreeBSD's s1a.
      const nested = (p.children ?? []).map((c) => partitionNode(c, `${id}${c.name}`, `Partition ${p.number}${c.name} (BSD ${c.name})`));
      if (nested.length) node.children = [...(node.children ?? []), ...nested];
      return node;
    };
    const children = model.partitions.map((p) => partitionNode(p, `partition-${p.number}`, `Partition ${p.number}`));
    const source =
      model.scheme === 'gpt'
        ? `from the ${model.activeGpt} GPT`
        : model.scheme === 'mbr'
          ? 'from the MBR'
          : `from the ${SCHEME_SHORT[model.scheme] ?? model.scheme} label`;
    return { id: 'partitions', label: 'Partitions', value: String(children.length), description: source, offset: 0, length: 0, children, open: true };
  }

  esxi(): TreeNode | null {
    const layout = this.model.esxi;
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
      value: profileLabel(this.model) ?? layout.profile,
      description: layout.description,
      offset: 0,
      length: 0,
      children,
    };
  }
}

function latin1(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** UEFI table 5-7 attribute bits, named. */
export function attributeNames(attributes: bigint): string {
  const names: string[] = [];
  if (attributes & 1n) names.push('required');
  if (attributes & 2n) names.push('no block IO');
  if (attributes & 4n) names.push('legacy BIOS bootable');
  if (attributes >> 48n) names.push(`type-specific ${hex(attributes >> 48n, 4)}`);
  if (attributes & 0x0000fffffffffff8n) names.push('reserved bits set');
  return names.length ? names.join(', ') : 'none';
}

function walkTree(nodes: TreeNode[], visit: (node: TreeNode, root: TreeNode) => void, root?: TreeNode): void {
  for (const node of nodes) {
    visit(node, root ?? node);
    if (node.children) walkTree(node.children, visit, root ?? node);
  }
}

/** The deepest node whose bytes contain the finding's range (and the top-level node above it). */
function attachFindings(tree: TreeNode[], findings: Finding[]): FindingView[] {
  return findings.map((finding) => {
    const start = finding.offset;
    const end = finding.offset + Math.max(1, finding.length);
    let best: { node: TreeNode; root: TreeNode; depth: number } | null = null;
    const search = (nodes: TreeNode[], depth: number, root: TreeNode | null): void => {
      for (const node of nodes) {
        const contains = node.length > 0 && start >= node.offset && end <= node.offset + node.length;
        if (contains && (!best || depth > best.depth)) best = { node, root: root ?? node, depth };
        // Groups without bytes (free space) and partitions (whose volume lies elsewhere than their entry) are searched too.
        if (node.children && (contains || node.length === 0 || node.id.startsWith('partition-'))) search(node.children, depth + 1, root ?? node);
      }
    };
    search(tree, 0, null);
    const view: FindingView = {
      code: finding.code,
      severity: finding.severity,
      message: finding.message,
      offset: finding.offset,
      length: finding.length,
      fixes: [...finding.fixes],
      actions: [],
    };
    const hit = best as { node: TreeNode; root: TreeNode } | null;
    if (hit) {
      view.nodeId = hit.node.id;
      for (const node of new Set([hit.node, hit.root])) node.findings = [...(node.findings ?? []), finding.code];
    }
    return view;
  });
}

/** Gaps of free space, with the volumes found in them (lost partitions). */
function freeSpaceNode(model: DiskModel, spans: FieldSpan[]): TreeNode | null {
  const free = model.free ?? [];
  if (free.length === 0) return null;
  const s = BigInt(model.sectorSize);
  const children = free.map((region, i): TreeNode => {
    const node: TreeNode = {
      id: `free-${i}`,
      label: `LBA ${region.firstLba}-${region.lastLba}`,
      value: formatSize((region.lastLba - region.firstLba + 1n) * s),
      description: region.content ? `holds ${region.content.type}` : 'nothing recognised at its start',
      offset: 0,
      length: 0,
    };
    if (region.content) node.children = [volumeNode(region.content, `free-${i}.volume`, spans, `Free space ${i + 1}`)];
    return node;
  });
  return { id: 'free', label: 'Free space', value: String(free.length), description: 'gaps of 1 MiB or more', offset: 0, length: 0, children };
}

/** Builds the tree, spans and attached findings for a parsed disk. */
export function buildStructureTree(model: DiskModel, findings: Finding[]): StructureTree {
  const b = new Builder(model);
  const tree: TreeNode[] = [];
  if (model.mbr) tree.push(b.mbr(model.mbr));
  if (model.primary) tree.push(b.header(model.primary));
  if (model.primary?.array) tree.push(b.array(model.primary, model.primary.array));
  // A volume from byte 0: the whole disk's (scheme none) or one written over the table.
  if (model.content)
    tree.push({
      ...volumeNode(model.content, 'disk-volume', b.spans, 'Volume at byte 0'),
      label: model.scheme === 'none' ? 'Whole-disk volume' : 'Volume over the partition table',
    });
  tree.push(...labelNodes(model, b.spans));
  const partitions = b.partitions();
  if (partitions) tree.push(partitions);
  const free = freeSpaceNode(model, b.spans);
  if (free) tree.push(free);
  const esxi = b.esxi();
  if (esxi) tree.push(esxi);
  if (model.backup?.array) tree.push(b.array(model.backup, model.backup.array));
  if (model.backup) tree.push(b.header(model.backup));
  const views = attachFindings(tree, findings);
  return { tree, spans: normalizeSpans(b.spans), findings: views };
}

/** Sorted by offset, without overlaps (a hostile image can point two structures at the same bytes). */
export function normalizeSpans(spans: FieldSpan[]): FieldSpan[] {
  const sorted = spans.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
  const out: FieldSpan[] = [];
  let end = -1;
  for (const span of sorted) {
    if (span.offset < end) continue;
    out.push(span);
    end = span.offset + span.length;
  }
  return out;
}

/** Every node id in the tree, depth first (for tests and go-to). */
export function allNodeIds(tree: TreeNode[]): string[] {
  const ids: string[] = [];
  walkTree(tree, (node) => ids.push(node.id));
  return ids;
}
