// Checks turn the model's facts into findings. Each finding names the bytes it
// is about and the fixes (by id) that would address it.
import type { DiskModel, GptEntry, GptHeader, Partition } from './model';
import { GPT_HEADER, MBR, MBR_RECORD_SIZE } from './layout';
import { numberRuns } from './numberRuns';
import type { Finding, FindingCode, FixId, Severity } from './findings';
import { findField } from './structure';
import { checkContents, checkNoTable } from './contentChecks';
import { checkLabels } from './schemeChecks';
import { bytesEqual } from './bytes';
import { MAX_ENTRY_ARRAY_BYTES } from './limits';

const hex32 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
const label = (h: GptHeader): string => (h.role === 'primary' ? 'Primary' : 'Backup');

/** Runs every check on a parsed disk and returns the findings, most severe first. */
export function checkDisk(disk: DiskModel): Finding[] {
  const findings: Finding[] = [];
  const add = (code: FindingCode, severity: Severity, message: string, offset: number, length: number, fixes: FixId[] = []): void => {
    findings.push({ code, severity, message, offset, length, fixes });
  };
  if (disk.scheme === 'none') {
    checkNoTable(disk, add);
    return findings;
  }
  if (disk.scheme === 'mbr') {
    checkDosMbr(disk, add);
  } else if (disk.scheme === 'gpt') {
    checkProtectiveMbr(disk, add);
    checkGpt(disk, add);
  }
  checkLabels(disk, add);
  checkWindowsTelltale(disk, add);
  checkContents(disk, add);
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity] || a.offset - b.offset);
}

type Add = (code: FindingCode, severity: Severity, message: string, offset: number, length: number, fixes?: FixId[]) => void;

function checkProtectiveMbr(disk: DiskModel, add: Add): void {
  const mbr = disk.mbr!;
  if (!mbr.bootSignatureOk) {
    add(
      'mbr-missing',
      'warning',
      'No protective MBR: the 0x55AA signature at byte 510 is missing, so firmware and MBR-only tools may take the disk for blank.',
      MBR.bootSignature.offset,
      MBR.bootSignature.length,
    );
    return;
  }
  if (mbr.kind === 'dos' || mbr.kind === 'empty') {
    add(
      'mbr-not-protective',
      'warning',
      `The MBR has no 0xEE protective record although the disk has a GPT (${mbr.kind === 'empty' ? 'all four records are empty' : 'it lists DOS partitions'}); MBR-only tools may overwrite the GPT.`,
      MBR.partitions.offset,
      MBR.partitions.length,
    );
    return;
  }
  if (mbr.kind === 'hybrid') {
    const others = mbr.records.filter((r) => r.type !== 0 && r.type !== 0xee).map((r) => `record ${r.index + 1} type 0x${r.type.toString(16)}`);
    add(
      'mbr-not-protective',
      'warning',
      `Hybrid MBR: besides the 0xEE protective record it has ${others.join(', ')}; MBR and GPT can disagree about those partitions.`,
      MBR.partitions.offset,
      MBR.partitions.length,
    );
  }
  const protective = mbr.records.find((r) => r.type === 0xee)!;
  const expectedSize = disk.totalSectors - 1n > 0xffffffffn ? 0xffffffff : Number(disk.totalSectors - 1n);
  if (protective.firstLba !== 1 || (mbr.kind === 'protective' && protective.sectors !== expectedSize)) {
    add(
      'mbr-protective-size',
      'warning',
      `Protective MBR record ${protective.index + 1} covers LBAs ${protective.firstLba}..+${protective.sectors}; for this disk it should start at LBA 1 and cover ${expectedSize} sectors.`,
      protective.offset + 8,
      8,
      ['relocate-backup'],
    );
  }
}

function checkDosMbr(disk: DiskModel, add: Add): void {
  const mbr = disk.mbr!;
  // A 0xEE record promises a GPT (UEFI 5.2.3); both headers gone must not read as a clean MBR disk.
  const protective = mbr.records.find((r) => r.type === 0xee);
  if (protective) {
    const hint = disk.sectorSizeSource === 'override' ? ` with the --sector-size ${disk.sectorSize} given; is that the disk's block size?` : '.';
    add(
      'gpt-primary-missing',
      'error',
      `MBR record ${protective.index + 1} is a 0xEE GPT protective record, but there is no "EFI PART" header at LBA 1 nor at the last LBA (${disk.sectorSize}-byte sectors)${hint}`,
      disk.sectorSize,
      disk.sectorSize,
    );
  }
  for (const problem of mbr.ebrProblems)
    add(
      'mbr-ebr-chain',
      'error',
      `Extended partition: ${problem}.`,
      mbr.records.find((r) => r.type === 0x05 || r.type === 0x0f || r.type === 0x85)?.offset ?? MBR.partitions.offset,
      MBR_RECORD_SIZE,
    );
  const withRecords = disk.partitions;
  for (const p of withRecords) {
    if (p.firstLba === 0n || p.lastLba > disk.lastLba) {
      add(
        'mbr-partition-out-of-range',
        'error',
        `MBR partition ${p.number} covers LBAs ${p.firstLba}..${p.lastLba}, outside the disk (LBAs 1..${disk.lastLba}).`,
        p.number <= 4 ? MBR.partitions.offset + MBR_RECORD_SIZE * (p.number - 1) : 0,
        MBR_RECORD_SIZE,
      );
    }
  }
  // Logical partitions live inside the extended one: compare like with like.
  const isExtended = (p: Partition): boolean => p.mbrType === 0x05 || p.mbrType === 0x0f || p.mbrType === 0x85;
  const comparable = withRecords.filter((p) => !isExtended(p));
  for (const [a, b] of overlappingPairs(comparable)) {
    add(
      'mbr-partition-overlap',
      'error',
      `MBR partitions ${a.number} (LBAs ${a.firstLba}..${a.lastLba}) and ${b.number} (LBAs ${b.firstLba}..${b.lastLba}) overlap.`,
      MBR.partitions.offset,
      MBR.partitions.length,
    );
  }
}

function checkGpt(disk: DiskModel, add: Add): void {
  const { primary, backup } = disk;
  const healthy = (h: GptHeader | null): h is GptHeader => !!h && h.headerCrcOk && h.invalid.length === 0 && h.arrayCrcOk === true;

  if (!primary && backup) {
    add(
      'gpt-primary-missing',
      'error',
      `No primary GPT header at LBA 1 (no "EFI PART" signature); the backup at LBA ${backup.lba} is ${healthy(backup) ? 'intact and can rebuild it' : 'itself damaged'}.`,
      disk.sectorSize,
      disk.sectorSize,
      healthy(backup) ? ['rebuild-primary-from-backup'] : [],
    );
  }
  if (primary && !backup) {
    const where =
      primary.alternateLba === disk.lastLba ? `at the last LBA ${disk.lastLba}` : `at the last LBA ${disk.lastLba} nor at AlternateLBA ${primary.alternateLba}`;
    add(
      'gpt-backup-missing',
      'error',
      `No backup GPT header ${where}.`,
      Number(disk.lastLba) * disk.sectorSize,
      disk.sectorSize,
      healthy(primary) ? ['rebuild-backup-from-primary'] : [],
    );
  }
  for (const header of [primary, backup]) {
    if (!header) continue;
    const other = header === primary ? backup : primary;
    const rebuild: FixId[] = healthy(other) ? [header.role === 'primary' ? 'rebuild-primary-from-backup' : 'rebuild-backup-from-primary'] : [];
    for (const problem of header.invalid) {
      const field = findField(header.node.fields, problem.field);
      // A LastUsableLBA past the end of a disk that shrank (backup no longer at the end) is what relocate-backup rewrites.
      const fixes: FixId[] =
        problem.field === 'lastUsableLba' && header.role === 'primary' && header.alternateLba !== disk.lastLba ? ['relocate-backup', ...rebuild] : rebuild;
      add(
        'gpt-header-invalid',
        'error',
        `${label(header)} GPT header (LBA ${header.lba}): ${problem.reason}.`,
        field?.offset ?? header.offset,
        field?.length ?? 92,
        fixes,
      );
    }
    checkArrayPlacement(disk, header, add);
    // With a healthy other copy, rebuilding from it is the safer first offer; recompute-crcs trusts the current bytes.
    const crcFixes: FixId[] = header.invalid.length === 0 ? (rebuild.length > 0 ? [...rebuild, 'recompute-crcs'] : ['recompute-crcs']) : rebuild;
    if (!header.headerCrcOk && header.computedHeaderCrc32 !== null) {
      add(
        `gpt-${header.role}-header-crc`,
        'error',
        `${label(header)} GPT header CRC is ${hex32(header.headerCrc32)}, its bytes give ${hex32(header.computedHeaderCrc32)}.`,
        header.offset + GPT_HEADER.headerCrc32.offset,
        GPT_HEADER.headerCrc32.length,
        crcFixes,
      );
    }
    if (header.arrayCrcOk === false && header.array) {
      add(
        `gpt-${header.role}-array-crc`,
        'error',
        `${label(header)} partition entry array CRC in the header is ${hex32(header.partitionEntryArrayCrc32)}, the ${header.numPartitionEntries} entries at LBA ${header.partitionEntryLba} give ${hex32(header.computedArrayCrc32!)}.`,
        header.array.offset,
        header.array.bytes.length,
        crcFixes,
      );
    }
  }
  checkBackupPlacement(disk, add);
  if (healthy(primary) && healthy(backup)) compareCopies(primary, backup, add);
  const active = disk.activeGpt === 'primary' ? primary : disk.activeGpt === 'backup' ? backup : null;
  if (active?.array) checkEntries(disk, active, add);
}

function checkBackupPlacement(disk: DiskModel, add: Add): void {
  const { primary, backup, lastLba } = disk;
  const reference = primary && primary.invalid.length === 0 ? primary : backup;
  if (backup && backup.lba !== lastLba) {
    const how = backup.lba < lastLba ? `the disk is ${lastLba - backup.lba} sectors larger than when the GPT was written (it grew)` : 'the disk shrank';
    add(
      'gpt-backup-not-at-end',
      'warning',
      `Backup GPT header is at LBA ${backup.lba}, not at the last LBA ${lastLba}: ${how}. Firmware and tools look for it at the end.`,
      backup.offset,
      disk.sectorSize,
      ['relocate-backup'],
    );
  } else if (primary && backup && primary.alternateLba !== lastLba) {
    const field = findField(primary.node.fields, 'alternateLba')!;
    add(
      'gpt-backup-not-at-end',
      'warning',
      `Primary header's AlternateLBA is ${primary.alternateLba} but the backup header sits at the last LBA ${lastLba}.`,
      field.offset,
      field.length,
      ['relocate-backup'],
    );
  } else if (primary && !backup && primary.alternateLba > lastLba) {
    const field = findField(primary.node.fields, 'alternateLba')!;
    add(
      'gpt-backup-not-at-end',
      'error',
      `Primary header's AlternateLBA ${primary.alternateLba} is past the disk's last LBA ${lastLba}: the disk shrank or was truncated.`,
      field.offset,
      field.length,
      ['relocate-backup'],
    );
  }
  if (!reference || reference.invalid.length > 0) return;
  const arraySectors = BigInt(Math.ceil((reference.numPartitionEntries * reference.partitionEntrySize) / disk.sectorSize));
  const expected = lastLba - arraySectors - 1n;
  for (const header of [primary, backup]) {
    if (!header || header.invalid.length > 0 || header.lastUsableLba === expected) continue;
    const field = findField(header.node.fields, 'lastUsableLba')!;
    const severity: Severity = header.lastUsableLba > expected ? 'error' : 'warning';
    const detail =
      header.lastUsableLba > expected
        ? 'it reaches into the backup entry array at the end of the disk'
        : `${expected - header.lastUsableLba} sectors at the end cannot be used`;
    add(
      'gpt-last-usable-mismatch',
      severity,
      `${label(header)} header's LastUsableLBA is ${header.lastUsableLba}; with the backup array at the end it should be ${expected}: ${detail}.`,
      field.offset,
      field.length,
      ['relocate-backup'],
    );
  }
}

function compareCopies(primary: GptHeader, backup: GptHeader, add: Add): void {
  const differences: string[] = [];
  if (primary.diskGuid !== backup.diskGuid) differences.push(`DiskGUID ${primary.diskGuid} vs ${backup.diskGuid}`);
  if (primary.firstUsableLba !== backup.firstUsableLba) differences.push(`FirstUsableLBA ${primary.firstUsableLba} vs ${backup.firstUsableLba}`);
  if (primary.lastUsableLba !== backup.lastUsableLba) differences.push(`LastUsableLBA ${primary.lastUsableLba} vs ${backup.lastUsableLba}`);
  if (primary.numPartitionEntries !== backup.numPartitionEntries)
    differences.push(`NumberOfPartitionEntries ${primary.numPartitionEntries} vs ${backup.numPartitionEntries}`);
  if (primary.partitionEntrySize !== backup.partitionEntrySize)
    differences.push(`SizeOfPartitionEntry ${primary.partitionEntrySize} vs ${backup.partitionEntrySize}`);
  if (backup.alternateLba !== primary.lba) differences.push(`backup AlternateLBA is ${backup.alternateLba}, not the primary's LBA ${primary.lba}`);
  const slots = Math.min(primary.array!.slots.length, backup.array!.slots.length);
  const differingSlots: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    if (!bytesEqual(primary.array!.slots[slot]!.raw, backup.array!.slots[slot]!.raw)) differingSlots.push(slot);
  }
  if (differingSlots.length > 0) differences.push(`entries differ in slot${differingSlots.length > 1 ? 's' : ''} ${numberRuns(differingSlots)}`);
  if (differences.length === 0) return;
  add('gpt-primary-backup-differ', 'error', `Primary and backup GPT disagree: ${differences.join('; ')}.`, primary.offset, primary.bytes.length, [
    'rebuild-backup-from-primary',
    'rebuild-primary-from-backup',
  ]);
}

/**
 * UEFI 5.3.2: the entry array lies outside the usable range. One inside it
 * shares sectors with partition space: a partition's writes can destroy the
 * table, and any table repair would write into that partition's data.
 */
function checkArrayPlacement(disk: DiskModel, header: GptHeader, add: Add): void {
  const arrayBytes = header.numPartitionEntries * header.partitionEntrySize;
  if (arrayBytes <= 0 || arrayBytes > MAX_ENTRY_ARRAY_BYTES || header.firstUsableLba > header.lastUsableLba) return;
  const first = header.partitionEntryLba;
  const last = first + BigInt(Math.ceil(arrayBytes / disk.sectorSize)) - 1n;
  if (last < header.firstUsableLba || first > header.lastUsableLba) return;
  const hits = new Map<number, GptEntry>();
  for (const h of [disk.primary, disk.backup]) {
    for (const e of h?.array?.slots ?? []) if (e.used && e.firstLba <= last && e.lastLba >= first && !hits.has(e.number)) hits.set(e.number, e);
  }
  const overlap = [...hits.values()].map((e) => `partition ${e.number} (LBAs ${e.firstLba}..${e.lastLba})`);
  add(
    'gpt-array-in-usable-range',
    'error',
    `${label(header)} header (LBA ${header.lba}) puts its entry array at LBAs ${first}..${last}, inside the usable range ${header.firstUsableLba}..${header.lastUsableLba}${overlap.length > 0 ? `, overlapping ${overlap.join(', ')}` : ''}; ` +
      'no fix writes there (it would write into partition space).',
    header.offset + 0x48,
    8,
  );
}

function checkEntries(disk: DiskModel, header: GptHeader, add: Add): void {
  const used = header.array!.slots.filter((e) => e.used);
  for (const e of used) {
    const problems: string[] = [];
    if (e.lastLba < e.firstLba) problems.push(`ends (LBA ${e.lastLba}) before it starts (LBA ${e.firstLba})`);
    if (e.firstLba < header.firstUsableLba) problems.push(`starts at LBA ${e.firstLba}, before FirstUsableLBA ${header.firstUsableLba}`);
    if (e.lastLba > header.lastUsableLba) problems.push(`ends at LBA ${e.lastLba}, after LastUsableLBA ${header.lastUsableLba}`);
    if (e.lastLba > disk.lastLba) problems.push(`runs past the end of the disk (last LBA ${disk.lastLba})`);
    if (problems.length > 0) add('gpt-partition-out-of-range', 'error', `Partition ${e.number} (slot ${e.slot}) ${problems.join(' and ')}.`, e.offset + 32, 16);
  }
  const asPartitions = used.filter((e) => e.lastLba >= e.firstLba);
  for (const [a, b] of overlappingPairs(asPartitions)) {
    add(
      'gpt-partition-overlap',
      'error',
      `Partitions ${a.number} (LBAs ${a.firstLba}..${a.lastLba}) and ${b.number} (LBAs ${b.firstLba}..${b.lastLba}) overlap.`,
      b.offset + 32,
      16,
    );
  }
  const byGuid = new Map<string, GptEntry>();
  for (const e of used) {
    const first = byGuid.get(e.uniqueGuid);
    if (first) add('gpt-duplicate-guid', 'error', `Partitions ${first.number} and ${e.number} share the unique GUID ${e.uniqueGuid}.`, e.offset + 16, 16);
    else if (e.uniqueGuid === header.diskGuid)
      add('gpt-duplicate-guid', 'error', `Partition ${e.number}'s unique GUID equals the disk GUID ${e.uniqueGuid}.`, e.offset + 16, 16);
    else byGuid.set(e.uniqueGuid, e);
  }
  checkSlots(disk, header, add);
}

function checkSlots(disk: DiskModel, header: GptHeader, add: Add): void {
  const esxi = disk.esxi;
  const array = header.array!;
  if (esxi?.compacted) {
    const moves = esxi.placements
      .filter((p) => p.currentSlot !== p.expectedSlot)
      .map(
        (p) => `${p.role} is in slot ${p.currentSlot} (partition ${p.currentSlot + 1}) but belongs in slot ${p.expectedSlot} (partition ${p.expectedSlot + 1})`,
      );
    add(
      'esxi-slot-compacted',
      'error',
      `ESXi boot disk (${esxi.description}) with entries moved out of their slots, which renumbers ESXi's partitions: ${moves.join('; ')}.`,
      array.offset,
      array.bytes.length,
      ['restore-esxi-slots'],
    );
    return;
  }
  if (esxi) add('esxi-layout', 'info', `ESXi boot disk: ${esxi.description}; every entry is in its installer slot.`, array.offset, array.bytes.length);
  const used = array.slots.filter((e) => e.used).map((e) => e.slot);
  if (used.length === 0) return;
  const highest = used[used.length - 1]!;
  const usedSet = new Set(used);
  const empty: number[] = [];
  for (let slot = 0; slot < highest; slot++) if (!usedSet.has(slot)) empty.push(slot);
  if (empty.length > 0) {
    const why = esxi ? 'as the ESXi installer leaves them' : 'partition numbers are slot + 1, so they are not contiguous; this is normal and harmless';
    add(
      'slot-gap',
      'info',
      `Empty slot${empty.length > 1 ? 's' : ''} ${numberRuns(empty)} between used slots (${why}).`,
      array.offset + empty[0]! * header.partitionEntrySize,
      header.partitionEntrySize,
    );
  }
}

// Windows creates these folders in the root of every FAT volume it mounts:
// harmless to ESXi, but the sign that a Windows tool had the disk, as in the ESXi case.
function checkWindowsTelltale(disk: DiskModel, add: Add): void {
  for (const volume of disk.fatVolumes ?? []) {
    const [first] = volume.windowsFolders;
    if (!first) continue;
    const folders = volume.windowsFolders.map((e) => `"${e.name}" (directory entry at byte 0x${e.offset.toString(16).toUpperCase()}, ${e.length} bytes)`);
    const what = [volume.role, volume.fatType, volume.label ? `label "${volume.label}"` : null].filter(Boolean).join(', ');
    add(
      'windows-touched',
      'info',
      `Windows had this disk online: partition ${volume.partitionNumber} (${what}) holds ${folders.join(' and ')} in its root directory, which Windows creates on FAT volumes it mounts.`,
      first.offset,
      first.length,
    );
  }
}

interface Span {
  number: number;
  firstLba: bigint;
  lastLba: bigint;
}

/** Pairs of spans that share at least one LBA (sorted sweep: O(n log n) plus the pairs). */
function overlappingPairs<T extends Span>(spans: T[]): [T, T][] {
  const sorted = [...spans].sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : a.number - b.number));
  const pairs: [T, T][] = [];
  const open: T[] = [];
  for (const span of sorted) {
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.lastLba < span.firstLba) open.splice(i, 1);
    for (const other of open) {
      if (pairs.length >= 100) return pairs; // a crafted table could make n^2 pairs; 100 say enough
      pairs.push([other, span]);
    }
    open.push(span);
  }
  return pairs;
}
