// rebuild-from-scan: writes the table proposeTable found (a GPT: protective
// MBR, primary header and array, backup array and header; or an MBR's four
// records, keeping the boot code) as patches. Pure: the model (its GptAreas
// give the bytes where a GPT belongs) and the scan (its first sector) in,
// patches out. Refuses when the disk still has a table, when the scan did not
// cover the whole disk, when the proposal's partitions overlap, and when any
// byte it would write lies inside a volume the scan found.
import { english, markedText, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
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
  const refuse = (reason: Message): FixResult => ({ ok: false, id: REBUILD_FROM_SCAN, reason: renderMessage(reason), reasonText: reason });
  if (disk.primary?.headerCrcOk || disk.backup?.headerCrcOk)
    return refuse(msg('the disk still has a GPT header with a valid CRC: repair it with the other fixes (diskx check lists them) instead of replacing it'));
  if (disk.mbr && disk.mbr.kind !== 'empty' && disk.mbr.kind !== 'protective')
    return refuse(msg('the disk still has an MBR with partition records: nothing to rebuild'));
  if (scan.sectorSize !== disk.sectorSize) return refuse(msg('the scan used {0}-byte sectors but the disk is read with {1}', scan.sectorSize, disk.sectorSize));
  if (scan.range.firstLba !== 0n || scan.range.lastLba !== disk.lastLba)
    return refuse(
      msg(
        'the scan covered LBA {0}..{1}, not the whole disk (0..{2}): a table can only be proposed from a scan of all of it',
        scan.range.firstLba,
        scan.range.lastLba,
        disk.lastLba,
      ),
    );
  if (scan.truncated)
    return refuse(msg('the scan found more candidates than it keeps (MAX_SCAN_CANDIDATES): scan smaller ranges with --from/--to and rebuild by hand'));
  if (!scan.firstSector) return refuse(msg('the scan did not read LBA 0'));
  const result = proposeTable(scan, disk.totalSectors);
  if (!result.ok) return refuse(result.reasonText);
  const proposal = result.proposal;
  const overlap = overlappingPartitions(proposal);
  if (overlap) return refuse(overlap);

  const regions = proposal.scheme === 'gpt' ? gptRegions(disk, scan, proposal, scan.firstSector) : mbrRegions(scan.firstSector, proposal);
  if (!Array.isArray(regions)) return refuse(regions);
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
          msg(
            "the new table's bytes at {0}..{1} would overwrite the {2} volume found at LBA {3}: nothing written",
            region.offset,
            end - 1,
            v.content.type,
            v.firstLba,
          ),
        );
    }
  }
  const patches = regions.flatMap((r) => changedRuns(r.offset, r.before, r.after));
  const destroyed = setAside ? destroyedText(setAside, regions, disk.sectorSize) : undefined;
  const descriptionText = destroyed ? msgJoin([describe(proposal), msg('OVERWRITES {0}: {1}', destroyed.name, destroyed.how)], '\n') : describe(proposal);
  const destroys = destroyed ? { destroys: renderMessage(destroyed.name), destroysText: destroyed.name } : {};
  return { ok: true, plan: { id: REBUILD_FROM_SCAN, title: TITLE, description: renderMessage(descriptionText), descriptionText, patches, ...destroys } };
}

function overlappingPartitions(proposal: Proposal): Message | null {
  const sorted = [...proposal.partitions].sort((a, b) => Number(a.firstLba - b.firstLba));
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (p.lastLba < p.firstLba) return msg('the proposed {0} would end (LBA {1}) before it starts (LBA {2})', p.role, p.lastLba, p.firstLba);
    const next = sorted[i + 1];
    if (next && next.firstLba <= p.lastLba)
      return msg('the proposed {0} (LBA {1}..{2}) overlaps {3} (from LBA {4})', p.role, p.firstLba, p.lastLba, next.role, next.firstLba);
  }
  return null;
}

interface Region {
  offset: number;
  before: Uint8Array;
  after: Uint8Array;
}

function gptRegions(disk: DiskModel, scan: ScanResult, proposal: Proposal, lba0: Uint8Array): Region[] | Message {
  const areas = scan.gptAreas;
  if (!areas) return msg('the disk is too small for a GPT');
  const { firstUsable, lastUsable } = gptUsableRange(disk.totalSectors, disk.sectorSize);
  const outside = proposal.partitions.find((p) => p.firstLba < firstUsable || p.lastLba > lastUsable);
  if (outside)
    return msg(
      "the proposed {0} (LBA {1}..{2}) lies outside a GPT's usable range (LBA {3}..{4}): the table would overwrite it",
      outside.role,
      outside.firstLba,
      outside.lastLba,
      firstUsable,
      lastUsable,
    );
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
  if (slots.length > 128) return msg('slot {0} does not fit a 128-entry array', slots.length - 1);
  const encoded = encodeGptDisk({ sectorSize: disk.sectorSize, totalSectors: disk.totalSectors, diskGuid: proposal.diskGuid!, slots });
  // Before-bytes: LBA 0 and the GPT areas as the scan read them.
  const regions: Region[] = [];
  for (const { offset, bytes } of encoded) {
    const before = beforeBytes([areas.primary, areas.backup, { offset: 0, bytes: lba0 }], offset, bytes.length);
    if (!before) return msg('the bytes at {0} were not read with the model', offset);
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

function mbrRegions(firstSector: Uint8Array, proposal: Proposal): Region[] | Message {
  if (proposal.partitions.length > 4) return msg('more than four volumes do not fit an MBR without an extended partition');
  const after = new Uint8Array(firstSector.subarray(0, 512));
  const view = new DataView(after.buffer);
  after.fill(0, 446, 510);
  for (const p of proposal.partitions) {
    const at = 446 + p.slot * 16;
    if (p.lastLba > 0xffffffffn || p.lastLba - p.firstLba + 1n > 0xffffffffn)
      return msg('the proposed {0} lies beyond what an MBR can address (2 TiB with 512-byte sectors)', p.role);
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

function describe(proposal: Proposal): Message {
  const source = proposal.layout ? msg('{0}, {1}', proposal.source, proposal.layout) : proposal.source;
  const lines: Message[] = [
    proposal.scheme === 'gpt' ? msg('A GPT from the scan ({0}):', source) : msg('An MBR from the scan ({0}):', source),
    ...proposal.reasons.map((r) => msg('  {0}', r)),
  ];
  for (const p of [...proposal.partitions].sort((a, b) => a.slot - b.slot)) {
    const type = p.typeGuid ? (gptTypeName(p.typeGuid) ?? p.typeGuid) : `0x${p.mbrType!.toString(16).padStart(2, '0')} ${mbrTypeName(p.mbrType!) ?? ''}`.trim();
    lines.push(msg('  partition {0} (slot {1}): LBA {2}..{3}, {4}, {5}', p.slot + 1, p.slot, p.firstLba, p.lastLba, type, p.role));
  }
  return msgJoin(lines, '\n');
}

/** Where each kind of whole-disk file system keeps what the new table's sectors overwrite (english()-marked). */
const FIRST_STRUCTURES: Record<string, string> = {
  vfat: english('its boot sector, FSInfo and backup boot sector'),
  ntfs: english('its boot sector'),
  ext2: english('its superblock and group descriptors'),
  ext3: english('its superblock and group descriptors'),
  ext4: english('its superblock and group descriptors'),
};

/** What writing `regions` destroys of the whole-disk file system `volume`, for the plan and the confirmation. */
function destroyedText(volume: FoundVolume, regions: Region[], sectorSize: number): { name: Message; how: Message } {
  const c = volume.content;
  const details = [
    msg('LBA {0}..{1}', volume.firstLba, String(volume.lastLba)),
    ...(c.label ? [msg('label "{0}"', c.label)] : []),
    ...(c.uuid ? [msg('UUID {0}', c.uuid)] : []),
  ];
  const name = msg('the {0} file system made on the whole disk ({1}; it holds no file)', c.type, msgJoin(details, ', '));
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
  const inside = msgJoin(
    runs.filter(([first]) => first <= (volume.lastLba ?? 0n)).map(([first, last]) => msg('LBA {0}..{1}', first, last)),
    ' and ',
  );
  const last = volume.lastLba !== undefined && regions.some((r) => BigInt(r.offset + r.after.length - 1) / ss >= volume.lastLba!);
  const structures = FIRST_STRUCTURES[c.type] ? markedText(FIRST_STRUCTURES[c.type]!) : msg('its first sectors');
  const how =
    last && c.type === 'ntfs'
      ? msg(
          "the new table's sectors ({0}) replace {1} and, at its end, its backup boot sector, so it is no longer recognised; the volumes found inside it are kept",
          inside,
          structures,
        )
      : msg("the new table's sectors ({0}) replace {1}, so it is no longer recognised; the volumes found inside it are kept", inside, structures);
  return { name, how };
}
