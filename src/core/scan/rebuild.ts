// rebuild-from-scan: writes the table proposeTable found (a GPT: protective
// MBR, primary header and array, backup array and header; or an MBR's four
// records, keeping the boot code) as patches. Pure: the model (its GptAreas
// give the bytes where a GPT belongs) and the scan (its first sector) in,
// patches out. Refuses when the disk still has a table, when the scan did not
// cover the whole disk, when the proposal's partitions overlap, and when any
// byte it would write lies inside a volume the scan found.
import { english } from '../../shared/l10n';
import type { DiskModel } from '../model';
import type { FixResult, Patch } from '../patch';
import type { FoundVolume, ScanResult } from './scanner';
import { gptUsableRange, proposeTable } from './propose';
import type { Proposal } from './propose';
import { encodeGptDisk } from '../gptEncode';
import type { GptEntryFields } from '../gptEncode';
import { mbrTypeName, gptTypeName } from '../partitionTypes';
import type { ScanFixDefinition } from '../fixes/fixDefinition';

export const REBUILD_FROM_SCAN = 'rebuild-from-scan';
const TITLE = english('Rebuild the partition table from a scan');

/** The registry's entry (fixes/registry.ts). */
export const rebuildFromScan: ScanFixDefinition<'rebuild-from-scan'> = {
  id: REBUILD_FROM_SCAN,
  title: TITLE,
  label: english('Rebuild table from scan'),
  helpTitle: 'rebuild-from-scan (after diskx scan; the fix scans the whole disk itself)',
  help: "When both GPT copies and the MBR are gone: writes the table diskx scan proposes. An intact stray GPT (e.g. a backup at the old end of a grown disk) is restored with its slots; volumes that match an ESXi layout get the installer's slots and type GUIDs, so no partition is renumbered; other volumes are numbered from 1 in disk order. A file system made on the whole disk over the partitions (it holds no file) is set aside and named in the plan as what it overwrites: --write needs --allow-overwrite-volume. Refuses when the disk still has a table, when partitions would overlap, and when any byte it writes lies inside a volume found.",
  plan: (disk, scan) => planRebuildFromScan(disk, scan),
};

/** Plans rebuild-from-scan for `disk` from `scan` (a scan of the whole disk). */
export function planRebuildFromScan(disk: DiskModel, scan: ScanResult): FixResult {
  const refuse = (reason: string): FixResult => ({ ok: false, id: REBUILD_FROM_SCAN, reason });
  if (disk.primary?.headerCrcOk || disk.backup?.headerCrcOk)
    return refuse('the disk still has a GPT header with a valid CRC: repair it with the other fixes (diskx check lists them) instead of replacing it');
  if (disk.mbr && disk.mbr.kind !== 'empty' && disk.mbr.kind !== 'protective')
    return refuse('the disk still has an MBR with partition records: nothing to rebuild');
  if (scan.sectorSize !== disk.sectorSize) return refuse(`the scan used ${scan.sectorSize}-byte sectors but the disk is read with ${disk.sectorSize}`);
  if (scan.range.firstLba !== 0n || scan.range.lastLba !== disk.lastLba)
    return refuse(
      `the scan covered LBA ${scan.range.firstLba}..${scan.range.lastLba}, not the whole disk (0..${disk.lastLba}): a table can only be proposed from a scan of all of it`,
    );
  if (scan.truncated)
    return refuse('the scan found more candidates than it keeps (MAX_SCAN_CANDIDATES): scan smaller ranges with --from/--to and rebuild by hand');
  if (!scan.firstSector) return refuse('the scan did not read LBA 0');
  const result = proposeTable(scan, disk.totalSectors);
  if (!result.ok) return refuse(result.reason);
  const proposal = result.proposal;
  const overlap = overlappingPartitions(proposal);
  if (overlap) return refuse(overlap);

  const regions = proposal.scheme === 'gpt' ? gptRegions(disk, scan, proposal, scan.firstSector) : mbrRegions(scan.firstSector, proposal);
  if (typeof regions === 'string') return refuse(regions);
  const ss = BigInt(disk.sectorSize);
  // The whole-disk file system the proposal sets aside (it holds no file) is what the table overwrites.
  const setAside = proposal.overwrites ? scan.volumes.find((v) => v.firstLba === proposal.overwrites!.firstLba && v.conflictsWith) : undefined;
  for (const region of regions) {
    const end = region.offset + region.after.length;
    for (const v of scan.volumes) {
      if (v === setAside) continue;
      const vEnd = v.lastLba !== undefined ? Number((v.lastLba + 1n) * ss) : v.offset + disk.sectorSize;
      if (region.offset < vEnd && end > v.offset)
        return refuse(
          `the new table's bytes at ${region.offset}..${end - 1} would overwrite the ${v.content.type} volume found at LBA ${v.firstLba}: nothing written`,
        );
    }
  }
  const patches = regions.flatMap((r) => changedRuns(r.offset, r.before, r.after));
  const destroyed = setAside ? destroyedText(setAside, regions, disk.sectorSize) : undefined;
  const destroys = destroyed?.name;
  const description = destroyed ? `${describe(proposal)}\nOVERWRITES ${destroyed.name}: ${destroyed.how}` : describe(proposal);
  return { ok: true, plan: { id: REBUILD_FROM_SCAN, title: TITLE, description, patches, ...(destroys ? { destroys } : {}) } };
}

function overlappingPartitions(proposal: Proposal): string | null {
  const sorted = [...proposal.partitions].sort((a, b) => Number(a.firstLba - b.firstLba));
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (p.lastLba < p.firstLba) return `the proposed ${p.role} would end (LBA ${p.lastLba}) before it starts (LBA ${p.firstLba})`;
    const next = sorted[i + 1];
    if (next && next.firstLba <= p.lastLba) return `the proposed ${p.role} (LBA ${p.firstLba}..${p.lastLba}) overlaps ${next.role} (from LBA ${next.firstLba})`;
  }
  return null;
}

interface Region {
  offset: number;
  before: Uint8Array;
  after: Uint8Array;
}

function gptRegions(disk: DiskModel, scan: ScanResult, proposal: Proposal, lba0: Uint8Array): Region[] | string {
  const areas = scan.gptAreas;
  if (!areas) return 'the disk is too small for a GPT';
  const { firstUsable, lastUsable } = gptUsableRange(disk.totalSectors, disk.sectorSize);
  const outside = proposal.partitions.find((p) => p.firstLba < firstUsable || p.lastLba > lastUsable);
  if (outside)
    return `the proposed ${outside.role} (LBA ${outside.firstLba}..${outside.lastLba}) lies outside a GPT's usable range (LBA ${firstUsable}..${lastUsable}): the table would overwrite it`;
  const slots: (GptEntryFields | null)[] = [];
  for (const p of proposal.partitions) {
    while (slots.length <= p.slot) slots.push(null);
    slots[p.slot] = {
      typeGuid: p.typeGuid!,
      uniqueGuid: p.uniqueGuid!,
      firstLba: p.firstLba,
      lastLba: p.lastLba,
      attributes: p.attributes ?? 0n,
      name: p.name ?? '',
    };
  }
  if (slots.length > 128) return `slot ${slots.length - 1} does not fit a 128-entry array`;
  const encoded = encodeGptDisk({ sectorSize: disk.sectorSize, totalSectors: disk.totalSectors, diskGuid: proposal.diskGuid!, slots });
  // Before-bytes: LBA 0 and the GPT areas as the scan read them.
  const regions: Region[] = [];
  for (const { offset, bytes } of encoded) {
    const before = beforeBytes([areas.primary, areas.backup, { offset: 0, bytes: lba0 }], offset, bytes.length);
    if (!before) return `the bytes at ${offset} were not read with the model`;
    regions.push({ offset, before, after: bytes });
  }
  return regions;
}

/** The current bytes at [offset, offset+length) from the regions the scan read. */
function beforeBytes(sources: { offset: number; bytes: Uint8Array }[], offset: number, length: number): Uint8Array | null {
  for (const region of sources) {
    if (region && offset >= region.offset && offset + length <= region.offset + region.bytes.length)
      return region.bytes.subarray(offset - region.offset, offset - region.offset + length);
  }
  return null;
}

function mbrRegions(firstSector: Uint8Array, proposal: Proposal): Region[] | string {
  if (proposal.partitions.length > 4) return 'more than four volumes do not fit an MBR without an extended partition';
  const after = new Uint8Array(firstSector.subarray(0, 512));
  const view = new DataView(after.buffer);
  after.fill(0, 446, 510);
  for (const p of proposal.partitions) {
    const at = 446 + p.slot * 16;
    if (p.lastLba > 0xffffffffn || p.lastLba - p.firstLba + 1n > 0xffffffffn)
      return `the proposed ${p.role} lies beyond what an MBR can address (2 TiB with 512-byte sectors)`;
    after[at] = p.slot === 0 ? 0x80 : 0x00;
    // CHS fields: the "beyond 1024 cylinders" marker every current tool writes for LBA-addressed partitions.
    after.set([0xfe, 0xff, 0xff], at + 1);
    after[at + 4] = p.mbrType!;
    after.set([0xfe, 0xff, 0xff], at + 5);
    view.setUint32(at + 8, Number(p.firstLba), true);
    view.setUint32(at + 12, Number(p.lastLba - p.firstLba + 1n), true);
  }
  after[510] = 0x55;
  after[511] = 0xaa;
  return [{ offset: 0, before: firstSector.subarray(0, 512), after }];
}

/** Patches for the runs of bytes that change (runs closer than 16 bytes are joined). */
function changedRuns(offset: number, before: Uint8Array, after: Uint8Array): Patch[] {
  const patches: Patch[] = [];
  let i = 0;
  while (i < after.length) {
    if (before[i] === after[i]) {
      i++;
      continue;
    }
    let end = i + 1;
    for (let j = end; j < after.length && j < end + 16; j++) if (before[j] !== after[j]) end = j + 1;
    patches.push({ offset: offset + i, before: before.slice(i, end), after: after.slice(i, end) });
    i = end;
  }
  return patches;
}

function describe(proposal: Proposal): string {
  const lines = [
    `${proposal.scheme === 'gpt' ? 'A GPT' : 'An MBR'} from the scan (${proposal.source}${proposal.layout ? `, ${proposal.layout}` : ''}):`,
    ...proposal.reasons.map((r) => `  ${r}`),
  ];
  for (const p of [...proposal.partitions].sort((a, b) => a.slot - b.slot)) {
    const type = p.typeGuid ? (gptTypeName(p.typeGuid) ?? p.typeGuid) : `0x${p.mbrType!.toString(16).padStart(2, '0')} ${mbrTypeName(p.mbrType!) ?? ''}`.trim();
    lines.push(`  partition ${p.slot + 1} (slot ${p.slot}): LBA ${p.firstLba}..${p.lastLba}, ${type}, ${p.role}`);
  }
  return lines.join('\n');
}

/** Where each kind of whole-disk file system keeps what the new table's sectors overwrite. */
const FIRST_STRUCTURES: Record<string, string> = {
  vfat: 'its boot sector, FSInfo and backup boot sector',
  ntfs: 'its boot sector',
  ext2: 'its superblock and group descriptors',
  ext3: 'its superblock and group descriptors',
  ext4: 'its superblock and group descriptors',
};

/** What writing `regions` destroys of the whole-disk file system `volume`, for the plan and the confirmation. */
function destroyedText(volume: FoundVolume, regions: Region[], sectorSize: number): { name: string; how: string } {
  const c = volume.content;
  const name = `the ${c.type} file system made on the whole disk (LBA ${volume.firstLba}..${volume.lastLba}${c.label ? `, label "${c.label}"` : ''}${c.uuid ? `, UUID ${c.uuid}` : ''}; it holds no file)`;
  const ss = BigInt(sectorSize);
  // The regions as LBA ranges, adjacent ones joined (LBA 0, 1, 2..33 are one run).
  const runs: [bigint, bigint][] = [];
  for (const r of [...regions].sort((a, b) => a.offset - b.offset)) {
    const first = BigInt(r.offset) / ss;
    const last = BigInt(r.offset + r.after.length - 1) / ss;
    const previous = runs[runs.length - 1];
    if (previous && first <= previous[1] + 1n) previous[1] = last > previous[1] ? last : previous[1];
    else runs.push([first, last]);
  }
  const inside = runs.filter(([first]) => first <= (volume.lastLba ?? 0n)).map(([first, last]) => `LBA ${first}..${last}`);
  const last = volume.lastLba !== undefined && regions.some((r) => BigInt(r.offset + r.after.length - 1) / ss >= volume.lastLba!);
  const how = `the new table's sectors (${inside.join(' and ')}) replace ${FIRST_STRUCTURES[c.type] ?? 'its first sectors'}${last && c.type === 'ntfs' ? ' and, at its end, its backup boot sector' : ''}, so it is no longer recognised; the volumes found inside it are kept`;
  return { name, how };
}
