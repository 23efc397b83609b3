// Human-readable output of inspect and check.
import type { DiskLabel, DiskModel, GptHeader, Partition } from '../core/model';
import type { Finding } from '../core/findings';
import { formatAttributes } from '../core/report';
import { safeField } from './terminalText';
import type { ContainerInfo } from '../core/io/containerSource';

/** One line about the container ("qcow2 v3, 64 KiB clusters, 1.2 MiB allocated, backing file base.img (raw)"); null for a raw image. */
export function containerLine(info: ContainerInfo | undefined): string | null {
  if (!info || info.format === 'raw') return null;
  const parts = [`${info.format}${info.version ? ` v${info.version}` : ''}`, `virtual size ${formatSize(info.virtualSize)}`];
  if (info.blockSize) parts.push(`${formatSize(info.blockSize)} blocks`);
  if (info.allocated !== undefined) parts.push(`${formatSize(info.allocated)} allocated`);
  if (info.sectorSize) parts.push(`${info.sectorSize}-byte logical sectors`);
  if (info.parent) parts.push(`parent ${safeField(info.parent.path)} (${info.parent.format})`);
  if (info.snapshots?.length) parts.push(`snapshots: ${info.snapshots.map((s) => `${safeField(s.id)} "${safeField(s.name)}"`).join(', ')}`);
  if (info.readOnlyReason) parts.push(`read-only: ${safeField(info.readOnlyReason)}`);
  return `Container: ${parts.join(', ')}`;
}

import { formatBytes as formatSize } from '../shared/sizeText';

/** 1.5 GiB, 512.0 KiB, 300 bytes (binary units, as gdisk prints them): the shared formatter. */
export { formatSize };

function headerLine(name: string, h: GptHeader | null): string {
  if (!h) return `${name}: not found`;
  const crc = h.computedHeaderCrc32 === null ? 'CRC not computable' : h.headerCrcOk ? 'header CRC ok' : 'header CRC BAD';
  const array = h.arrayCrcOk === null ? 'array not read' : h.arrayCrcOk ? 'array CRC ok' : 'array CRC BAD';
  const invalid = h.invalid.length ? `, ${h.invalid.length} invalid field${h.invalid.length > 1 ? 's' : ''}` : '';
  return `${name}: LBA ${h.lba}, entries at LBA ${h.partitionEntryLba} (${h.numPartitionEntries} x ${h.partitionEntrySize} bytes), ${crc}, ${array}${invalid}`;
}

const SCHEME_NAMES: Record<string, string> = {
  mbr: 'MBR',
  none: 'none',
  apm: 'Apple Partition Map',
  bsd: 'BSD disklabel',
  sun: 'Sun disk label (VTOC)',
  sgi: 'SGI volume header',
};

function typeText(p: Partition): string {
  if (p.typeGuid) return `${p.typeName ?? 'unknown'} (${p.typeGuid.slice(0, 8)})`;
  if (p.mbrType !== null) return `${p.typeName ?? 'unknown'} (0x${p.mbrType.toString(16).padStart(2, '0')})`;
  const code = safeField(p.typeCode ?? '');
  return p.typeName && p.typeName !== code ? `${safeField(p.typeName)} (${code})` : code || 'unknown';
}

function labelLine(label: DiskLabel): string {
  const where = label.parentNumber !== undefined ? ` in MBR slice ${label.parentNumber}` : '';
  const sum = label.checksum ? (label.checksum.ok ? ', checksum ok' : ', checksum BAD') : '';
  return `${SCHEME_NAMES[label.scheme]}${where}: byte ${label.offset}, ${label.partitions.length} partition${label.partitions.length === 1 ? '' : 's'}${sum}`;
}

/** The `diskx inspect` table, close to `gdisk -l`. */
export function formatInspect(disk: DiskModel, container?: ContainerInfo): string {
  const lines: string[] = [];
  lines.push(`Disk ${disk.image}: ${disk.totalSectors} sectors, ${formatSize(disk.sizeBytes)}`);
  const about = containerLine(container);
  if (about) lines.push(about);
  lines.push(`Sector size (logical): ${disk.sectorSize} bytes (${disk.sectorSizeSource})`);
  const scheme = disk.scheme === 'gpt' ? `GPT (partitions from the ${disk.activeGpt} table)` : (SCHEME_NAMES[disk.scheme] ?? disk.scheme);
  lines.push(`Partition table: ${scheme}`);
  for (const label of disk.labels ?? []) lines.push(labelLine(label));
  if (disk.esxi) lines.push(`Layout: ${disk.esxi.description}${disk.esxi.compacted ? ', ENTRIES NOT IN THEIR SLOTS' : ''}`);
  if (disk.mbr) lines.push(`MBR: ${disk.mbr.bootSignatureOk ? disk.mbr.kind : 'no 0x55AA signature'}`);
  if (disk.scheme === 'gpt') {
    const h = (disk.activeGpt === 'backup' ? disk.backup : disk.primary) ?? disk.backup;
    lines.push(headerLine('Primary GPT header', disk.primary));
    lines.push(headerLine('Backup GPT header', disk.backup));
    if (h) {
      lines.push(`Disk identifier (GUID): ${h.diskGuid}`);
      lines.push(`First usable sector is ${h.firstUsableLba}, last usable sector is ${h.lastUsableLba}`);
    }
  }
  lines.push('');
  if (disk.partitions.length === 0) {
    lines.push('No partitions.');
    return lines.join('\n');
  }
  const row = (p: Partition, number: string): string[] => [
    p.scheme === 'bsd' && number !== String(p.number) ? '' : String(p.slot),
    number,
    String(p.firstLba),
    String(p.lastLba),
    formatSize(p.sizeBytes),
    typeText(p),
    p.attributes !== 0n && p.typeGuid ? `${safeField(p.name)} [attrs ${formatAttributes(p.attributes)}]` : safeField(p.name),
  ];
  // Linux numbers a slice's BSD partitions after the logical ones (sda7): shown after the letter.
  const nestedRow = (slice: Partition, c: Partition): string[] => {
    const cells = row(c, `${slice.number}${c.name}`);
    if (c.kernelNumber !== undefined) cells[6] = `${cells[6]} (Linux ${c.kernelNumber})`;
    return cells;
  };
  // Partitions of a BSD label in an MBR slice follow their slice, numbered like FreeBSD's s1a: slice number and letter.
  const rows = disk.partitions.flatMap((p) => [row(p, String(p.number)), ...(p.children ?? []).map((c) => nestedRow(p, c))]);
  const head = ['Slot', 'Number', 'Start (sector)', 'End (sector)', 'Size', 'Type', 'Name'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push(line(head));
  for (const row of rows) lines.push(line(row));
  const notes = [...disk.partitions, ...disk.partitions.flatMap((p) => p.children ?? [])].filter((p) => p.contentNote !== undefined);
  if (notes.length) {
    lines.push('');
    for (const p of notes) lines.push(`Partition ${p.number} (${p.typeName ?? 'type unknown'}): ${p.contentNote}`);
  }
  if (disk.fatVolumes?.length) {
    lines.push('');
    lines.push('FAT volumes:');
    for (const v of disk.fatVolumes) {
      const name = `Partition ${v.partitionNumber}${v.role ? ` (${v.role})` : ''}`;
      if (!v.fatType) {
        lines.push(`${name}: ${v.problems[0] ?? 'no FAT file system'}`);
        continue;
      }
      const folders = v.windowsFolders.length ? `Windows folders: ${v.windowsFolders.map((e) => safeField(e.name)).join(', ')}` : 'no Windows folders';
      const problems = v.problems.length ? ` (${v.problems.join('; ')})` : '';
      lines.push(
        `${name}: ${v.fatType}, ${v.label ? `label "${safeField(v.label)}"` : 'no label'}, ${v.rootEntries.length} root entries, ${folders}${problems}`,
      );
    }
  }
  return lines.join('\n');
}

/** The `diskx check` report. */
export function formatCheck(disk: DiskModel, findings: Finding[]): string {
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `${disk.image}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info (${disk.sectorSize}-byte sectors)`,
  ];
  for (const f of findings) {
    // A container finding is about bytes of the container file, not of the virtual disk: say which.
    const where = f.file
      ? `in ${safeField(f.file.path)} at file byte 0x${f.file.offset.toString(16).toUpperCase()} (+${f.file.length})`
      : `at byte 0x${f.offset.toString(16).toUpperCase()} (+${f.length})`;
    lines.push(`${f.severity.padEnd(7)} ${f.code}  ${where}`);
    lines.push(`        ${safeField(f.message)}`);
    if (f.fixes.length > 0) lines.push(`        fix: ${f.fixes.map((id) => `diskx fix ${quote(disk.image)} --fix ${id}`).join('  |  ')}`);
  }
  if (findings.length === 0) lines.push('No problems found.');
  return lines.join('\n');
}

function quote(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
