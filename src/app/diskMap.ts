// The disk map: the areas of a parsed disk in LBA order (the MBR, EBRs, both
// GPT headers and entry arrays, an APM / BSD / Sun / SGI label, every partition, a volume at byte 0, and the
// free space between them), each with a label, the whole story for its
// tooltip, the tree node a click selects and the findings about it; placed on
// a bar by diskMapScale.ts. Built from the model only: no byte is read, so a
// 2 TiB sparse image costs what a 1 MiB one does. Pure (no vscode, no DOM).
import type { DiskModel, LabelScheme, Partition } from '../core/model';
import { MAX_DISK_MAP_AREAS, MAX_DISK_MAP_LANES, MIN_FREE_REGION_BYTES } from '../core/limits';
import type { DiskMapArea, DiskMapKind, DiskMapSeverity, DiskMapView } from '../shared/protocol/diskMap';
import { formatSizeShort } from '../shared/sizeText';
import { MIN_AREA_SHARE, MIN_SLIVER_SHARE, MIN_TABLE_SHARE, placeAreas } from './diskMapScale';
import type { Placeable } from './diskMapScale';
import { ENGLISH, english } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';

/** What the map needs of a finding: the editor's FindingView and the core's Finding both fit. */
export interface MapFinding {
  code: string;
  severity: DiskMapSeverity;
  offset: number;
  length: number;
  /** The tree node the finding is attached to (`slot-4.StartingLBA`), when known. */
  nodeId?: string;
}

/** An area before placement (Placeable's x and width are filled in by placeAreas). */
export type MapArea = DiskMapArea & Placeable;

/** A disk's areas, unplaced: what placeAreas and compareMaps work on. */
export interface UnplacedMap {
  totalSectors: number;
  sectorSize: number;
  summary: string;
  areas: MapArea[];
  omitted: number;
}

// MBR types that hold the logical partitions (the EBR chain) rather than data.
const EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);
const LABEL_NAMES: Record<LabelScheme, { short: string; title: string }> = {
  apm: { short: 'APM', title: english('Apple Partition Map') },
  bsd: { short: 'BSD', title: english('BSD disklabel') },
  sun: { short: 'VTOC', title: english('Sun disk label') },
  sgi: { short: 'SGI', title: english('SGI volume header') },
};
const SEVERITY_RANK: Record<DiskMapSeverity, number> = { info: 0, warning: 1, error: 2 };

/** The disk map of `model`, its areas placed on a bar of width 1. */
export function buildDiskMap(model: DiskModel, findings: MapFinding[], l10n: Localizer = ENGLISH): DiskMapView {
  const map = diskMapAreas(model, findings, l10n);
  const [end] = placeAreas([map]);
  return finishMap(map, end ?? 1);
}

/** The placed map as the protocol sends it (areas in drawing order, the Placeable-only field dropped). */
export function finishMap(map: UnplacedMap, end: number): DiskMapView {
  const areas = map.areas
    .map((area): DiskMapArea => {
      const { minShare: _minShare, ...view } = area;
      return view;
    })
    .sort((a, b) => a.lane - b.lane || a.firstLba - b.firstLba);
  return {
    totalSectors: map.totalSectors,
    sectorSize: map.sectorSize,
    summary: map.summary,
    areas,
    lanes: 1 + Math.max(0, ...areas.map((a) => a.lane)),
    end,
    omitted: map.omitted,
  };
}

/** The areas of `model`, lanes assigned, gaps filled in, findings attached; not yet placed. */
export function diskMapAreas(model: DiskModel, findings: MapFinding[], l10n: Localizer = ENGLISH): UnplacedMap {
  const ss = model.sectorSize;
  const total = Number(model.totalSectors);
  const lastLba = total - 1;
  const found: MapArea[] = [];
  let omitted = 0;
  const add = (id: string, kind: DiskMapKind, first: bigint, last: bigint, label: string, lines: string[], extra: Partial<DiskMapArea> = {}): void => {
    if (total <= 0) return;
    if (found.length >= MAX_DISK_MAP_AREAS) {
      omitted++;
      return;
    }
    // Clipped to the disk; what lies outside is said in the title (a hostile entry may point anywhere).
    const notes: string[] = [];
    if (last > BigInt(lastLba)) notes.push(first > BigInt(lastLba) ? l10n.t('lies past the end of the disk') : l10n.t('runs past the end of the disk'));
    const firstLba = Number(bigMin(bigMax(first, 0n), BigInt(lastLba)));
    const lastClipped = Number(bigMin(bigMax(last, first, 0n), BigInt(lastLba)));
    found.push({
      id,
      kind,
      firstLba,
      lastLba: lastClipped,
      label,
      title: [...lines, ...notes].join('\n'),
      findings: [],
      lane: 0,
      x: 0,
      width: 0,
      minShare: kind === 'partition' || kind === 'extended' || kind === 'volume' ? MIN_AREA_SHARE : MIN_TABLE_SHARE,
      ...extra,
    });
  };
  const where = (first: bigint, last: bigint): string =>
    first === last ? `LBA ${first}` : `LBA ${first}-${last} · ${formatSizeShort((last - first + 1n) * BigInt(ss))}`;

  // ---- the tables ----
  // Sector 0 is an MBR only on MBR and GPT disks (else zeros, a volume's boot sector, or another label).
  const mbr = model.scheme === 'gpt' || model.scheme === 'mbr' ? model.mbr : null;
  if (mbr) {
    const what = mbr.kind === 'protective' ? l10n.t('Protective MBR') : mbr.kind === 'hybrid' ? l10n.t('Hybrid MBR') : 'MBR';
    const sig = mbr.bootSignatureOk ? '' : ` · ${l10n.t('no 0x55AA signature')}`;
    add('mbr', 'mbr', 0n, 0n, mbr.kind === 'protective' ? 'PMBR' : 'MBR', [`${what}${sig}`, 'LBA 0'], { nodeId: 'mbr' });
    mbr.ebrNodes.forEach((node, i) => {
      const lba = BigInt(Math.floor(node.offset / ss));
      add(`ebr-${i}`, 'ebr', lba, lba, 'EBR', [l10n.t('Extended boot record {0}', i + 1), `LBA ${lba}`], { nodeId: `ebr-${i}` });
    });
  }
  (model.labels ?? []).forEach((label, i) => {
    const first = BigInt(Math.floor(label.offset / ss));
    let last = BigInt(Math.max(Math.floor(label.offset / ss), Math.ceil((label.offset + label.length) / ss) - 1));
    const name = LABEL_NAMES[label.scheme];
    const title = l10n.text(name.title);
    const lines = [label.parentNumber !== undefined ? l10n.t('{0} in MBR partition {1}', title, label.parentNumber) : title];
    // An APM lists itself as partition 1: the area is what lies before it (the driver descriptor), the rest is that partition.
    const within = model.partitions.find((p) => p.firstLba > first && p.firstLba <= last);
    if (within) {
      last = within.firstLba - 1n;
      lines.push(l10n.t('{0}; its entries continue in partition {1}', where(first, last), within.number));
    } else {
      lines.push(where(first, last));
    }
    add(`label-${i}`, 'label', first, last, name.short, lines, { nodeId: `label-${i}` });
  });
  for (const role of ['primary', 'backup'] as const) {
    const header = model[role];
    const primary = role === 'primary';
    const headerName = primary ? l10n.t('Primary GPT header') : l10n.t('Backup GPT header');
    if (header) {
      add(`${role}-header`, 'gpt-header', header.lba, header.lba, 'GPT', [headerName, `LBA ${header.lba}`], { nodeId: `${role}-header` });
      const array = header.array;
      if (array) {
        const sectors = BigInt(Math.max(1, Math.ceil(array.bytes.length / ss)));
        const used = array.slots.filter((s) => s.used).length;
        add(
          `${role}-array`,
          'gpt-array',
          array.lba,
          array.lba + sectors - 1n,
          l10n.t('entries'),
          [
            primary ? l10n.t('Primary partition entry array') : l10n.t('Backup partition entry array'),
            l10n.t('{0} entries × {1} bytes, {2} used', header.numPartitionEntries, header.partitionEntrySize, used),
            where(array.lba, array.lba + sectors - 1n),
          ],
          { nodeId: `${role}-array` },
        );
      }
    } else if (model.scheme === 'gpt') {
      // Where the rules put the missing copy: LBA 1, or the last LBA.
      const lba = role === 'primary' ? 1n : BigInt(lastLba);
      add(`${role}-header`, 'gpt-header', lba, lba, 'GPT', [l10n.t('{0}: missing', headerName), l10n.t('expected at LBA {0}', String(lba))], {
        missing: true,
      });
    }
  }

  // ---- a volume at byte 0: the whole disk's, or one written over the table ----
  if (model.content) {
    const content = model.content;
    const first = BigInt(Math.floor(content.offset / ss));
    const sectors = content.sizeBytes !== undefined ? (content.sizeBytes + BigInt(ss) - 1n) / BigInt(ss) : model.scheme === 'none' ? BigInt(total) : 1n;
    const last = first + (sectors > 0n ? sectors : 1n) - 1n;
    const what = model.scheme === 'none' ? l10n.t('Whole-disk volume') : l10n.t('Volume over the partition table');
    add('disk-volume', 'volume', first, last, volumeText(content), [what, contentText(content, l10n), where(first, last)], { nodeId: 'disk-volume' });
  }

  // ---- partitions ----
  const roles = new Map<number, string>();
  for (const p of model.esxi?.placements ?? []) roles.set(p.currentSlot, p.role);
  for (const p of [...model.partitions].sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : a.number - b.number))) {
    const extended = p.mbrType !== null && EXTENDED_TYPES.has(p.mbrType);
    const role = roles.get(p.slot);
    add(
      `partition-${p.number}`,
      extended ? 'extended' : 'partition',
      p.firstLba,
      p.lastLba,
      partitionLabel(p, role, extended, l10n),
      partitionLines(model, p, role, l10n),
      {
        number: p.number,
        nodeId: `partition-${p.number}`,
      },
    );
  }

  assignLanes(found);
  const gaps = freeAreas(model, found, l10n);
  const areas = [...found, ...gaps];
  attachFindings(areas, findings, ss, l10n);
  markMovedEsxiPartitions(model, areas, findings, l10n);
  const scheme =
    model.scheme === 'gpt'
      ? l10n.t('GPT disk')
      : model.scheme === 'mbr'
        ? l10n.t('MBR disk')
        : model.scheme === 'none'
          ? l10n.t('Disk without a partition table')
          : l10n.t('{0} disk', l10n.text(LABEL_NAMES[model.scheme].title));
  const partitions = model.partitions.length;
  const summary = [
    scheme,
    formatSizeShort(model.sizeBytes),
    partitions === 1 ? l10n.t('1 partition') : l10n.t('{0} partitions', partitions),
    l10n.t('{0}-byte sectors', ss),
    omitted ? l10n.t('{0} more areas not drawn', omitted) : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return { totalSectors: total, sectorSize: ss, summary, areas, omitted };
}

/** "5 bootbank": the number, then the ESXi role, the GPT name, the volume's label or the type. */
function partitionLabel(p: Partition, role: string | undefined, extended: boolean, l10n: Localizer): string {
  const word = extended ? l10n.t('extended') : (role ?? (p.name || p.content?.label || p.content?.type || p.typeName || ''));
  return word ? `${p.number} ${word}` : String(p.number);
}

function partitionLines(model: DiskModel, p: Partition, role: string | undefined, l10n: Localizer): string[] {
  const type =
    p.typeName ??
    p.typeGuid ??
    (p.mbrType !== null ? l10n.t('type {0}', `0x${p.mbrType.toString(16).toUpperCase().padStart(2, '0')}`) : l10n.t('unknown type'));
  const size = formatSizeShort(p.sizeBytes);
  const title = model.scheme === 'gpt' ? l10n.t('Partition {0} (slot {1})', p.number, p.slot) : l10n.t('Partition {0}', p.number);
  return [
    `${title}${p.name ? ` "${p.name}"` : ''}`,
    [role ? `ESXi ${role}` : null, type].filter(Boolean).join(' · '),
    `LBA ${p.firstLba}-${p.lastLba} · ${size}`,
    ...(p.content ? [contentText(p.content, l10n)] : []),
  ];
}

function volumeText(content: { type: string; label?: string }): string {
  return content.label ? `${content.type} "${content.label}"` : content.type;
}

function contentText(content: { type: string; version?: string; label?: string }, l10n: Localizer): string {
  return l10n.t('holds {0}', [content.type, content.version, content.label !== undefined ? `"${content.label}"` : null].filter(Boolean).join(' '));
}

/**
 * Lane 0 for the tables and partitions, as long as they do not overlap; an
 * extended partition or a volume over the table goes below what it holds, and
 * so does anything overlapping (a hostile table): lowest free lane first, the
 * last of MAX_DISK_MAP_LANES taking whatever overlaps even more.
 */
function assignLanes(areas: MapArea[]): void {
  const rank = (a: MapArea): number => (a.kind === 'extended' || a.kind === 'volume' ? 1 : 0);
  const order = [...areas].sort((a, b) => rank(a) - rank(b) || a.firstLba - b.firstLba || b.lastLba - a.lastLba);
  const lanes: MapArea[][] = [];
  for (const area of order) {
    let lane = lanes.findIndex((placed) => placed.every((o) => o.lastLba < area.firstLba || o.firstLba > area.lastLba));
    if (lane < 0) lane = lanes.length < MAX_DISK_MAP_LANES ? lanes.push([]) - 1 : MAX_DISK_MAP_LANES - 1;
    lanes[lane]!.push(area);
    area.lane = lane;
  }
}

/** What no area covers, on lane 0: the free space (a gap under 1 MiB is a sliver, the alignment before a partition). */
function freeAreas(model: DiskModel, areas: MapArea[], l10n: Localizer): MapArea[] {
  const ss = model.sectorSize;
  const total = Number(model.totalSectors);
  // An extended partition's unused sectors are free space too (for more logical partitions), so it covers nothing here.
  const covered = areas
    .filter((a) => a.kind !== 'extended')
    .map((a) => [a.firstLba, a.lastLba] as const)
    .sort((a, b) => a[0] - b[0]);
  const extended = areas.filter((a) => a.kind === 'extended');
  const listed = new Map<number, number>();
  (model.free ?? []).forEach((region, i) => listed.set(Number(region.firstLba), i));
  const gaps: MapArea[] = [];
  let next = 0;
  const gap = (first: number, last: number): void => {
    const bytes = (last - first + 1) * ss;
    const index = listed.get(first);
    const region = index !== undefined ? model.free![index] : undefined;
    const inside = extended.find((e) => first >= e.firstLba && last <= e.lastLba);
    const lines = [
      model.scheme === 'none' && areas.length === 0
        ? l10n.t('No partition table: the whole disk is unallocated')
        : inside
          ? l10n.t('Free space in extended partition {0}', inside.number ?? '?')
          : l10n.t('Free space'),
      `LBA ${first}-${last} · ${formatSizeShort(bytes)}`,
      ...(region?.content ? [l10n.t('{0}: a lost partition?', contentText(region.content, l10n))] : []),
    ];
    gaps.push({
      id: `gap-${gaps.length}`,
      kind: 'free',
      firstLba: first,
      lastLba: last,
      label: region?.content ? `${l10n.t('free')} · ${region.content.type}` : l10n.t('free'),
      title: lines.join('\n'),
      findings: [],
      lane: 0,
      x: 0,
      width: 0,
      minShare: bytes < MIN_FREE_REGION_BYTES ? MIN_SLIVER_SHARE : MIN_TABLE_SHARE,
      ...(index !== undefined ? { nodeId: `free-${index}` } : {}),
    });
  };
  for (const [first, last] of covered) {
    if (first > next) gap(next, first - 1);
    next = Math.max(next, last + 1);
  }
  if (next < total) gap(next, total - 1);
  return gaps;
}

/**
 * A finding is about the areas its bytes reach into, and about the partition
 * of the tree node it is attached to (`slot-4.StartingLBA`, `partition-5`):
 * a moved entry marks both the array and the partition.
 */
function attachFindings(areas: MapArea[], findings: MapFinding[], ss: number, l10n: Localizer): void {
  const byNumber = new Map<number, MapArea>();
  for (const area of areas) if (area.number !== undefined) byNumber.set(area.number, area);
  for (const finding of findings) {
    const start = finding.offset;
    const end = finding.offset + Math.max(1, finding.length);
    const hit = new Set<MapArea>();
    for (const area of areas) {
      const from = area.firstLba * ss;
      const to = (area.lastLba + 1) * ss;
      // Free space is what a finding starts in (a lost volume), not every gap a wide range crosses.
      if (area.kind === 'free' ? start >= from && start < to : start < to && end > from) hit.add(area);
    }
    const slot = /^(?:backup-)?slot-(\d+)(?:\.|$)/.exec(finding.nodeId ?? '');
    const partition = /^partition-(\d+)(?:\.|$)/.exec(finding.nodeId ?? '');
    const number = slot ? Number(slot[1]) + 1 : partition ? Number(partition[1]) : null;
    const owner = number !== null ? byNumber.get(number) : undefined;
    if (owner) hit.add(owner);
    for (const area of hit) {
      if (!area.findings.includes(finding.code)) area.findings.push(finding.code);
      area.severity = worse(area.severity, finding.severity);
    }
  }
  const marker = findingsMarker(l10n);
  for (const area of areas) if (area.findings.length) area.title += `${marker}${area.findings.join(', ')}`;
}

/** Where an area's title lists its findings' codes: its last line starts with this. */
function findingsMarker(l10n: Localizer): string {
  return `\n${l10n.t('Findings:')} `;
}

/** On a compacted ESXi disk the partitions out of their slots carry the finding too, and say where ESXi expects them. */
function markMovedEsxiPartitions(model: DiskModel, areas: MapArea[], findings: MapFinding[], l10n: Localizer): void {
  const finding = findings.find((f) => f.code === 'esxi-slot-compacted');
  const marker = findingsMarker(l10n);
  for (const placement of model.esxi?.placements ?? []) {
    if (placement.currentSlot === placement.expectedSlot) continue;
    const area = areas.find((a) => a.kind === 'partition' && a.number === placement.currentSlot + 1);
    if (!area) continue;
    // Before the findings line, which stays last.
    const expects = `\n${l10n.t('ESXi expects its {0} in slot {1} (partition {2})', placement.role, placement.expectedSlot, placement.expectedSlot + 1)}`;
    const at = area.title.lastIndexOf(marker);
    area.title = at < 0 ? `${area.title}${expects}` : `${area.title.slice(0, at)}${expects}${area.title.slice(at)}`;
    if (finding && !area.findings.includes(finding.code)) {
      area.findings.push(finding.code);
      area.severity = worse(area.severity, finding.severity);
      area.title = area.title.includes(marker) ? `${area.title}, ${finding.code}` : `${area.title}${marker}${finding.code}`;
    }
  }
}

function worse(a: DiskMapSeverity | undefined, b: DiskMapSeverity): DiskMapSeverity {
  return !a || SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function bigMax(...values: bigint[]): bigint {
  return values.reduce((m, v) => (v > m ? v : m));
}
