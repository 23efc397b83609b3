// rebuild-primary-from-backup and rebuild-backup-from-primary: gdisk's recovery
// menu ('b' use backup header to rebuild main + 'c' load backup partition table;
// 'd' use main header to rebuild backup + 'e' load main partition table). The
// healthy copy's header and array are copied to the other position, with the
// position fields a header at that place must have (UEFI 5.3.2): MyLBA,
// AlternateLBA and PartitionEntryLBA. The primary array goes to LBA 2, the backup
// array to lastLBA - arraySectors, the backup header to the last LBA.
import { english, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { DiskModel, GptHeader } from '../model';
import type { FixId } from '../findings';
import type { FixResult } from '../patch';
import type { FixDefinition } from './fixDefinition';
import {
  arraySectorsOf,
  currentBytes,
  deriveHeader,
  diffPatches,
  entrySegments,
  headerSegments,
  healthMessage,
  isHealthy,
  lbaOffset,
  notApplicable,
  writeSummaryMessage,
} from './shared';

/** Rebuild the primary GPT from the backup: the registry's entry (registry.ts). */
export const rebuildPrimaryFromBackup = {
  id: 'rebuild-primary-from-backup',
  title: english('Rebuild the primary GPT from the backup'),
  label: english('Rebuild primary GPT from backup'),
  help: 'Copies the healthy backup header and array to LBA 1 and LBA 2 with MyLBA, AlternateLBA and PartitionEntryLBA set for that place (gdisk recovery menu b + c).',
  plan: planRebuildPrimaryFromBackup,
} as const satisfies FixDefinition<'rebuild-primary-from-backup'>;

/** Rebuild the backup GPT from the primary: the registry's entry (registry.ts). */
export const rebuildBackupFromPrimary = {
  id: 'rebuild-backup-from-primary',
  title: english('Rebuild the backup GPT from the primary'),
  label: english('Rebuild backup GPT from primary'),
  help: 'Copies the healthy primary header and array to the end of the disk with MyLBA, AlternateLBA and PartitionEntryLBA set for that place (gdisk recovery menu d + e).',
  plan: planRebuildBackupFromPrimary,
} as const satisfies FixDefinition<'rebuild-backup-from-primary'>;

/** UEFI 5.3.1: the primary header is at LBA 1 and its array normally starts at LBA 2. */
const PRIMARY_HEADER_LBA = 1n;
const PRIMARY_ARRAY_LBA = 2n;

/** Plans rewriting the primary GPT (LBA 1, array at LBA 2) from a healthy backup. */
export function planRebuildPrimaryFromBackup(disk: DiskModel): FixResult {
  const id: FixId = 'rebuild-primary-from-backup';
  const source = disk.backup;
  if (!isHealthy(source)) return notApplicable(id, msg('the backup GPT cannot serve as the source: {0}', healthMessage(source, 'backup')));
  const arraySectors = arraySectorsOf(source, disk.sectorSize);
  if (PRIMARY_ARRAY_LBA + BigInt(arraySectors) > source.firstUsableLba) {
    return notApplicable(
      id,
      msg('a {0}-sector array at LBA {1} would run into the usable area that starts at LBA {2}', arraySectors, PRIMARY_ARRAY_LBA, source.firstUsableLba),
    );
  }
  return planCopy(disk, id, source, {
    headerLba: PRIMARY_HEADER_LBA,
    arrayLba: PRIMARY_ARRAY_LBA,
    alternateLba: source.lba,
    target: disk.primary,
    title: rebuildPrimaryFromBackup.title,
  });
}

/** Plans rewriting the backup GPT (last LBA, array just before it) from a healthy primary. */
export function planRebuildBackupFromPrimary(disk: DiskModel): FixResult {
  const id: FixId = 'rebuild-backup-from-primary';
  const source = disk.primary;
  if (!isHealthy(source)) return notApplicable(id, msg('the primary GPT cannot serve as the source: {0}', healthMessage(source, 'primary')));
  // A primary that points elsewhere describes a disk of another size: moving the
  // backup there also means moving LastUsableLBA, which is relocate-backup's job.
  if (source.alternateLba !== disk.lastLba) {
    return notApplicable(
      id,
      msg(
        "the primary header's AlternateLBA is {0}, not the last LBA {1} (the disk grew or shrank); use relocate-backup, which also moves LastUsableLBA",
        source.alternateLba,
        disk.lastLba,
      ),
    );
  }
  const arraySectors = arraySectorsOf(source, disk.sectorSize);
  const arrayLba = disk.lastLba - BigInt(arraySectors);
  if (source.lastUsableLba >= arrayLba) {
    return notApplicable(
      id,
      msg(
        "the primary's LastUsableLBA {0} reaches the backup array's place at LBA {1}; relocate-backup sets a LastUsableLBA that fits",
        source.lastUsableLba,
        arrayLba,
      ),
    );
  }
  return planCopy(disk, id, source, {
    headerLba: disk.lastLba,
    arrayLba,
    alternateLba: source.lba,
    target: disk.backup,
    title: rebuildBackupFromPrimary.title,
  });
}

interface CopyTarget {
  headerLba: bigint;
  arrayLba: bigint;
  alternateLba: bigint;
  /** The damaged copy as parsed (null when there is no header there). */
  target: GptHeader | null;
  title: string;
}

function planCopy(disk: DiskModel, id: FixId, source: GptHeader, to: CopyTarget): FixResult {
  const { sectorSize } = disk;
  const targetRole = source.role === 'primary' ? 'backup' : 'primary';
  const arrayBytes = source.array!.bytes;
  const headerOffset = lbaOffset(to.headerLba, sectorSize);
  const arrayOffset = lbaOffset(to.arrayLba, sectorSize);
  const headerBefore = currentBytes(disk, headerOffset, sectorSize);
  const arrayBefore = currentBytes(disk, arrayOffset, arrayBytes.length);
  if (!headerBefore || !arrayBefore) {
    return notApplicable(
      id,
      msg(
        'the model holds no bytes for LBA {0} or LBAs {1}.. (parsed without gptAreas or with another array size), so the patches cannot state what they replace',
        to.headerLba,
        to.arrayLba,
      ),
    );
  }
  const header = deriveHeader(source.bytes, { myLba: to.headerLba, alternateLba: to.alternateLba, partitionEntryLba: to.arrayLba });
  const arrayPatches = diffPatches(arrayOffset, arrayBefore, arrayBytes, entrySegments(arrayBytes.length, source.partitionEntrySize), sectorSize);
  const headerPatches = diffPatches(headerOffset, headerBefore, header, headerSegments(header, sectorSize), sectorSize);
  // Array before header: a crash in between leaves the old header, whose CRC no
  // longer matches the new array, rather than a valid-looking header over a stale array.
  const patches = [...arrayPatches, ...headerPatches];
  if (patches.length === 0)
    return notApplicable(
      id,
      targetRole === 'primary'
        ? msg('the primary GPT already equals a copy of the backup at its own position')
        : msg('the backup GPT already equals a copy of the primary at its own position'),
    );

  const primaryTarget = targetRole === 'primary';
  const why = to.target
    ? healthMessage(to.target, targetRole)
    : primaryTarget
      ? msg('there is no primary header at LBA {0}', to.headerLba)
      : msg('there is no backup header at LBA {0}', to.headerLba);
  const changedEntries = new Set(arrayPatches.flatMap((p) => slotsOf(p.offset, p.after.length, arrayOffset, source.partitionEntrySize)));
  const arrayNote =
    changedEntries.size === 0
      ? primaryTarget
        ? msg("byte-equal to the backup's, unchanged")
        : msg("byte-equal to the primary's, unchanged")
      : changedEntries.size === 1
        ? primaryTarget
          ? msg("byte-equal to the backup's; 1 entry differs from what is there now")
          : msg("byte-equal to the primary's; 1 entry differs from what is there now")
        : primaryTarget
          ? msg("byte-equal to the backup's; {0} entries differ from what is there now", changedEntries.size)
          : msg("byte-equal to the primary's; {0} entries differ from what is there now", changedEntries.size);
  const staleArray =
    to.target && to.target.partitionEntryLba !== to.arrayLba && to.target.invalid.length === 0
      ? [
          primaryTarget
            ? msg('The old primary array at LBA {0} is no longer referenced and is left as it is.', to.target.partitionEntryLba)
            : msg('The old backup array at LBA {0} is no longer referenced and is left as it is.', to.target.partitionEntryLba),
        ]
      : [];
  const writes = primaryTarget
    ? msg(
        'Writes the primary header at LBA {0} (a copy of the backup header with MyLBA {0}, AlternateLBA {1}, PartitionEntryLBA {2}, HeaderCRC32 recomputed) and the {3}-entry array at LBA {2} ({4}).',
        to.headerLba,
        to.alternateLba,
        to.arrayLba,
        source.numPartitionEntries,
        arrayNote,
      )
    : msg(
        'Writes the backup header at LBA {0} (a copy of the primary header with MyLBA {0}, AlternateLBA {1}, PartitionEntryLBA {2}, HeaderCRC32 recomputed) and the {3}-entry array at LBA {2} ({4}).',
        to.headerLba,
        to.alternateLba,
        to.arrayLba,
        source.numPartitionEntries,
        arrayNote,
      );
  const descriptionText = msgJoin(
    [
      primaryTarget
        ? msg("Rebuilds the primary GPT from the healthy backup copy, as gdisk's recovery menu does ({0}).", why)
        : msg("Rebuilds the backup GPT from the healthy primary copy, as gdisk's recovery menu does ({0}).", why),
      writes,
      ...staleArray,
      writeSummaryMessage(patches, sectorSize),
    ],
    ' ',
  );
  const description = renderMessage(descriptionText);
  return { ok: true, plan: { id, title: to.title, description, descriptionText, patches } };
}

function slotsOf(offset: number, length: number, arrayOffset: number, entrySize: number): number[] {
  const first = Math.floor((offset - arrayOffset) / entrySize);
  const last = Math.floor((offset + length - 1 - arrayOffset) / entrySize);
  const slots: number[] = [];
  for (let s = first; s <= last; s++) slots.push(s);
  return slots;
}
