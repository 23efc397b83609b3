// Checks turn the model's facts into findings. Each finding names the bytes it
// is about and the fixes (by id) that would address it.
import type { DiskModel, GptEntry, GptHeader } from './model';
import { GPT_HEADER } from './layout';
import { numberRuns } from './numberRuns';
import type { Finding, FindingCode, FixId, Severity } from './findings';
import { findField } from './structure';
import { checkContents, checkNoTable } from './contentChecks';
import { checkLabels } from './schemeChecks';
import { checkDosMbr, checkProtectiveMbr } from './mbrChecks';
import type { Add } from './checkKit';
import { overlappingPairs } from './checkKit';
import { bytesEqual } from './bytes';
import { MAX_ENTRY_ARRAY_BYTES } from './limits';
import { markedText, msg, msgJoin, renderMessage } from '../shared/l10n';
import type { Message } from '../shared/l10n';

const hex32 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** Runs every check on a parsed disk and returns the findings, most severe first. */
export function checkDisk(disk: DiskModel): Finding[] {
  const findings: Finding[] = [];
  // A Message is shown translated in the editor; a plain string (a label reader's problem) stays English.
  const add = (code: FindingCode, severity: Severity, text: Message | string, offset: number, length: number, fixes: FixId[] = []): void => {
    if (typeof text === 'string') findings.push({ code, severity, message: text, offset, length, fixes });
    else findings.push({ code, severity, message: renderMessage(text), text, offset, length, fixes });
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

function checkGpt(disk: DiskModel, add: Add): void {
  const { primary, backup } = disk;
  const healthy = (h: GptHeader | null): h is GptHeader => !!h && h.headerCrcOk && h.invalid.length === 0 && h.arrayCrcOk === true;

  if (!primary && backup) {
    const intact = healthy(backup);
    add(
      'gpt-primary-missing',
      'error',
      msg(
        intact
          ? 'No primary GPT header at LBA 1 (no "EFI PART" signature); the backup at LBA {0} is intact and can rebuild it.'
          : 'No primary GPT header at LBA 1 (no "EFI PART" signature); the backup at LBA {0} is itself damaged.',
        backup.lba,
      ),
      disk.sectorSize,
      disk.sectorSize,
      intact ? ['rebuild-primary-from-backup'] : [],
    );
  }
  if (primary && !backup) {
    add(
      'gpt-backup-missing',
      'error',
      primary.alternateLba === disk.lastLba
        ? msg('No backup GPT header at the last LBA {0}.', disk.lastLba)
        : msg('No backup GPT header at the last LBA {0} nor at AlternateLBA {1}.', disk.lastLba, primary.alternateLba),
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
        header.role === 'primary'
          ? msg('Primary GPT header (LBA {0}): {1}.', header.lba, problem.reason)
          : msg('Backup GPT header (LBA {0}): {1}.', header.lba, problem.reason),
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
        header.role === 'primary'
          ? msg('Primary GPT header CRC is {0}, its bytes give {1}.', hex32(header.headerCrc32), hex32(header.computedHeaderCrc32))
          : msg('Backup GPT header CRC is {0}, its bytes give {1}.', hex32(header.headerCrc32), hex32(header.computedHeaderCrc32)),
        header.offset + GPT_HEADER.headerCrc32.offset,
        GPT_HEADER.headerCrc32.length,
        crcFixes,
      );
    }
    if (header.arrayCrcOk === false && header.array) {
      add(
        `gpt-${header.role}-array-crc`,
        'error',
        msg(
          header.role === 'primary'
            ? 'Primary partition entry array CRC in the header is {0}, the {1} entries at LBA {2} give {3}.'
            : 'Backup partition entry array CRC in the header is {0}, the {1} entries at LBA {2} give {3}.',
          hex32(header.partitionEntryArrayCrc32),
          header.numPartitionEntries,
          header.partitionEntryLba,
          hex32(header.computedArrayCrc32!),
        ),
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
    const how =
      backup.lba < lastLba ? msg('the disk is {0} sectors larger than when the GPT was written (it grew)', lastLba - backup.lba) : msg('the disk shrank');
    add(
      'gpt-backup-not-at-end',
      'warning',
      msg('Backup GPT header is at LBA {0}, not at the last LBA {1}: {2}. Firmware and tools look for it at the end.', backup.lba, lastLba, how),
      backup.offset,
      disk.sectorSize,
      ['relocate-backup'],
    );
  } else if (primary && backup && primary.alternateLba !== lastLba) {
    const field = findField(primary.node.fields, 'alternateLba')!;
    add(
      'gpt-backup-not-at-end',
      'warning',
      msg("Primary header's AlternateLBA is {0} but the backup header sits at the last LBA {1}.", primary.alternateLba, lastLba),
      field.offset,
      field.length,
      ['relocate-backup'],
    );
  } else if (primary && !backup && primary.alternateLba > lastLba) {
    const field = findField(primary.node.fields, 'alternateLba')!;
    add(
      'gpt-backup-not-at-end',
      'error',
      msg("Primary header's AlternateLBA {0} is past the disk's last LBA {1}: the disk shrank or was truncated.", primary.alternateLba, lastLba),
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
        ? msg('it reaches into the backup entry array at the end of the disk')
        : msg('{0} sectors at the end cannot be used', expected - header.lastUsableLba);
    add(
      'gpt-last-usable-mismatch',
      severity,
      msg(
        header.role === 'primary'
          ? "Primary header's LastUsableLBA is {0}; with the backup array at the end it should be {1}: {2}."
          : "Backup header's LastUsableLBA is {0}; with the backup array at the end it should be {1}: {2}.",
        header.lastUsableLba,
        expected,
        detail,
      ),
      field.offset,
      field.length,
      ['relocate-backup'],
    );
  }
}

function compareCopies(primary: GptHeader, backup: GptHeader, add: Add): void {
  const differences: Message[] = [];
  const versus = (field: string, a: string | number | bigint, b: string | number | bigint): Message => msg('{0} {1} vs {2}', field, a, b);
  if (primary.diskGuid !== backup.diskGuid) differences.push(versus('DiskGUID', primary.diskGuid, backup.diskGuid));
  if (primary.firstUsableLba !== backup.firstUsableLba) differences.push(versus('FirstUsableLBA', primary.firstUsableLba, backup.firstUsableLba));
  if (primary.lastUsableLba !== backup.lastUsableLba) differences.push(versus('LastUsableLBA', primary.lastUsableLba, backup.lastUsableLba));
  if (primary.numPartitionEntries !== backup.numPartitionEntries)
    differences.push(versus('NumberOfPartitionEntries', primary.numPartitionEntries, backup.numPartitionEntries));
  if (primary.partitionEntrySize !== backup.partitionEntrySize)
    differences.push(versus('SizeOfPartitionEntry', primary.partitionEntrySize, backup.partitionEntrySize));
  if (backup.alternateLba !== primary.lba) differences.push(msg("backup AlternateLBA is {0}, not the primary's LBA {1}", backup.alternateLba, primary.lba));
  const slots = Math.min(primary.array!.slots.length, backup.array!.slots.length);
  const differingSlots: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    if (!bytesEqual(primary.array!.slots[slot]!.raw, backup.array!.slots[slot]!.raw)) differingSlots.push(slot);
  }
  if (differingSlots.length > 0)
    differences.push(
      differingSlots.length > 1
        ? msg('entries differ in slots {0}', numberRuns(differingSlots))
        : msg('entries differ in slot {0}', numberRuns(differingSlots)),
    );
  if (differences.length === 0) return;
  add('gpt-primary-backup-differ', 'error', msg('Primary and backup GPT disagree: {0}.', msgJoin(differences, '; ')), primary.offset, primary.bytes.length, [
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
  const overlap = [...hits.values()].map((e) => msg('partition {0} (LBAs {1}..{2})', e.number, e.firstLba, e.lastLba));
  add(
    'gpt-array-in-usable-range',
    'error',
    msg(
      header.role === 'primary'
        ? 'Primary header (LBA {0}) puts its entry array at LBAs {1}..{2}, inside the usable range {3}..{4}{5}; no fix writes there (it would write into partition space).'
        : 'Backup header (LBA {0}) puts its entry array at LBAs {1}..{2}, inside the usable range {3}..{4}{5}; no fix writes there (it would write into partition space).',
      header.lba,
      first,
      last,
      header.firstUsableLba,
      header.lastUsableLba,
      overlap.length > 0 ? msg(', overlapping {0}', msgJoin(overlap, ', ')) : '',
    ),
    header.offset + 0x48,
    8,
  );
}

function checkEntries(disk: DiskModel, header: GptHeader, add: Add): void {
  const used = header.array!.slots.filter((e) => e.used);
  for (const e of used) {
    const problems: Message[] = [];
    if (e.lastLba < e.firstLba) problems.push(msg('ends (LBA {0}) before it starts (LBA {1})', e.lastLba, e.firstLba));
    if (e.firstLba < header.firstUsableLba) problems.push(msg('starts at LBA {0}, before FirstUsableLBA {1}', e.firstLba, header.firstUsableLba));
    if (e.lastLba > header.lastUsableLba) problems.push(msg('ends at LBA {0}, after LastUsableLBA {1}', e.lastLba, header.lastUsableLba));
    if (e.lastLba > disk.lastLba) problems.push(msg('runs past the end of the disk (last LBA {0})', disk.lastLba));
    if (problems.length > 0)
      add('gpt-partition-out-of-range', 'error', msg('Partition {0} (slot {1}) {2}.', e.number, e.slot, msgJoin(problems, ' and ')), e.offset + 32, 16);
  }
  const asPartitions = used.filter((e) => e.lastLba >= e.firstLba);
  for (const [a, b] of overlappingPairs(asPartitions)) {
    add(
      'gpt-partition-overlap',
      'error',
      msg('Partitions {0} (LBAs {1}..{2}) and {3} (LBAs {4}..{5}) overlap.', a.number, a.firstLba, a.lastLba, b.number, b.firstLba, b.lastLba),
      b.offset + 32,
      16,
    );
  }
  const byGuid = new Map<string, GptEntry>();
  for (const e of used) {
    const first = byGuid.get(e.uniqueGuid);
    if (first)
      add('gpt-duplicate-guid', 'error', msg('Partitions {0} and {1} share the unique GUID {2}.', first.number, e.number, e.uniqueGuid), e.offset + 16, 16);
    else if (e.uniqueGuid === header.diskGuid)
      add('gpt-duplicate-guid', 'error', msg("Partition {0}'s unique GUID equals the disk GUID {1}.", e.number, e.uniqueGuid), e.offset + 16, 16);
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
      .map((p) =>
        msg(
          '{0} is in slot {1} (partition {2}) but belongs in slot {3} (partition {4})',
          p.role,
          p.currentSlot,
          p.currentSlot + 1,
          p.expectedSlot,
          p.expectedSlot + 1,
        ),
      );
    add(
      'esxi-slot-compacted',
      'error',
      msg(
        "ESXi boot disk ({0}) with entries moved out of their slots, which renumbers ESXi's partitions: {1}.",
        markedText(esxi.description),
        msgJoin(moves, '; '),
      ),
      array.offset,
      array.bytes.length,
      ['restore-esxi-slots'],
    );
    return;
  }
  if (esxi)
    add(
      'esxi-layout',
      'info',
      msg('ESXi boot disk: {0}; every entry is in its installer slot.', markedText(esxi.description)),
      array.offset,
      array.bytes.length,
    );
  const used = array.slots.filter((e) => e.used).map((e) => e.slot);
  if (used.length === 0) return;
  const highest = used[used.length - 1]!;
  const usedSet = new Set(used);
  const empty: number[] = [];
  for (let slot = 0; slot < highest; slot++) if (!usedSet.has(slot)) empty.push(slot);
  if (empty.length > 0) {
    const why = esxi
      ? msg('as the ESXi installer leaves them')
      : msg('partition numbers are slot + 1, so they are not contiguous; this is normal and harmless');
    add(
      'slot-gap',
      'info',
      empty.length > 1
        ? msg('Empty slots {0} between used slots ({1}).', numberRuns(empty), why)
        : msg('Empty slot {0} between used slots ({1}).', numberRuns(empty), why),
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
    const folders = volume.windowsFolders.map((e) =>
      msg('"{0}" (directory entry at byte 0x{1}, {2} bytes)', e.name, e.offset.toString(16).toUpperCase(), e.length),
    );
    const what = msgJoin(
      [volume.role, volume.fatType, volume.label ? msg('label "{0}"', volume.label) : null].filter((part): part is string | Message => Boolean(part)),
      ', ',
    );
    add(
      'windows-touched',
      'info',
      msg(
        'Windows had this disk online: partition {0} ({1}) holds {2} in its root directory, which Windows creates on FAT volumes it mounts.',
        volume.partitionNumber,
        what,
        msgJoin(folders, ' and '),
      ),
      first.offset,
      first.length,
    );
  }
}
