// relocate-backup: after a disk grew (a RAID array rebuilt larger, as in the ESXi case) or
// shrank, the backup GPT is no longer at the last LBA where UEFI 5.3.1 and every
// tool look for it. Write a fresh backup array and header at the true end, point
// the primary's AlternateLBA at it, move LastUsableLBA in both headers to just
// before the backup array, and resize the protective MBR record (UEFI 5.2.3).
import { english, markedText, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import type { DiskModel, GptHeader } from '../model';
import type { FixResult, Patch } from '../patch';
import type { FixDefinition } from './fixDefinition';
import { protectiveMbrSectors } from '../gptEncode';
import { MBR_RECORD } from '../layout';
import { numberRuns } from '../numberRuns';
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
  overlay,
  writeSummaryMessage,
} from './shared';

const ID = 'relocate-backup' as const;

/** An MBR that is not plainly protective, in the words of the description (english()-marked: the editor translates them). */
const MBR_KIND_WORDS: Record<string, string> = { hybrid: english('hybrid'), dos: english('dos'), empty: english('empty') };

/** Move the backup GPT to the end of the disk: the registry's entry (registry.ts). */
export const relocateBackup = {
  id: 'relocate-backup',
  title: english('Move the backup GPT to the end of the disk'),
  label: english('Move backup GPT to end of disk'),
  help: 'After a disk grew or shrank: writes the backup array and header at the true last LBA, updates AlternateLBA and LastUsableLBA in both headers, the CRCs and the protective MBR size.',
  plan: planRelocateBackup,
} as const satisfies FixDefinition<'relocate-backup'>;

/** Plans moving the backup GPT to the last LBA of a disk that grew or shrank. */
export function planRelocateBackup(disk: DiskModel): FixResult {
  const { primary, backup, lastLba, sectorSize } = disk;
  // The new backup is a copy of the primary, so the primary must be trustworthy.
  // On a disk that shrank, its LastUsableLBA lies past the new end, which the
  // header checks call invalid: that one field is what this fix rewrites.
  if (!isHealthyButForSize(primary)) {
    return notApplicable(
      ID,
      msg(
        'relocate-backup copies the primary GPT to the end of the disk, but {0}; repair the primary first (rebuild-primary-from-backup or recompute-crcs)',
        healthMessage(primary, 'primary'),
      ),
    );
  }
  const arraySectors = arraySectorsOf(primary, sectorSize);
  const newArrayLba = lastLba - BigInt(arraySectors);
  const newLastUsable = newArrayLba - 1n;
  const oldBackupLba = primary.alternateLba;

  const protective = disk.mbr?.kind === 'protective' ? (disk.mbr.records.find((r) => r.type === 0xee) ?? null) : null;
  const mbrSectors = protectiveMbrSectors(disk.totalSectors);
  const misplaced =
    primary.alternateLba !== lastLba ||
    !backup ||
    backup.lba !== lastLba ||
    primary.lastUsableLba !== newLastUsable ||
    backup.lastUsableLba !== newLastUsable ||
    (protective !== null && protective.sectors !== mbrSectors);
  if (!misplaced)
    return notApplicable(
      ID,
      msg(
        'the backup GPT already sits at the last LBA {0}, LastUsableLBA is {1} in both headers and the protective MBR covers the disk',
        lastLba,
        newLastUsable,
      ),
    );

  // Refuse rather than cut a partition short: shrinking is only allowed when every partition still fits.
  const used = primary.array!.slots.filter((e) => e.used);
  const cut = used.filter((e) => e.lastLba > newLastUsable);
  if (cut.length > 0) {
    const list = msgJoin(
      cut.map((e) => msg('partition {0} ends at LBA {1}', e.number, e.lastLba)),
      ', ',
    );
    return notApplicable(
      ID,
      msg(
        "the disk's last LBA is {0}, so LastUsableLBA would be {1}, but {2}: the disk is too small for its partitions and moving the backup would leave them overlapping it",
        lastLba,
        newLastUsable,
        list,
      ),
    );
  }
  const primaryArrayEnd = primary.partitionEntryLba + BigInt(arraySectors) - 1n;
  if (newLastUsable < primary.firstUsableLba || newArrayLba <= primaryArrayEnd) {
    return notApplicable(
      ID,
      msg(
        'the disk ({0} sectors) is too small to hold the primary GPT, the usable range from LBA {1} and a backup array at LBA {2}',
        disk.totalSectors,
        primary.firstUsableLba,
        newArrayLba,
      ),
    );
  }

  const areaOffset = lbaOffset(newArrayLba, sectorSize);
  const areaLength = (arraySectors + 1) * sectorSize;
  const area = currentBytes(disk, areaOffset, areaLength);
  if (!area)
    return notApplicable(
      ID,
      msg(
        'the model holds no bytes for LBAs {0}..{1} (the image was parsed without gptAreas or with another array size), so the patches cannot state what they replace',
        newArrayLba,
        lastLba,
      ),
    );

  // The new backup: the primary's array and header, with the position fields
  // a backup has (UEFI 5.3.2: MyLBA = last LBA, AlternateLBA = 1, its own
  // PartitionEntryLBA). Its area keeps whatever lies past the array's last byte.
  const arrayBytes = primary.array!.bytes;
  const backupHeader = deriveHeader(primary.bytes, { myLba: lastLba, alternateLba: primary.lba, lastUsableLba: newLastUsable, partitionEntryLba: newArrayLba });
  const newArea = overlay(overlay(area, arrayBytes, 0), backupHeader, arraySectors * sectorSize);
  const backupPatches = [
    ...diffPatches(
      areaOffset,
      area.subarray(0, arrayBytes.length),
      newArea.subarray(0, arrayBytes.length),
      entrySegments(arrayBytes.length, primary.partitionEntrySize),
      sectorSize,
    ),
    ...diffPatches(
      areaOffset + arraySectors * sectorSize,
      area.subarray(arraySectors * sectorSize),
      backupHeader,
      headerSegments(backupHeader, sectorSize),
      sectorSize,
    ),
  ];
  const primaryHeader = deriveHeader(primary.bytes, { alternateLba: lastLba, lastUsableLba: newLastUsable });
  const primaryPatches = diffPatches(primary.offset, primary.bytes, primaryHeader, headerSegments(primary.bytes, sectorSize), sectorSize);

  const mbrPatches: Patch[] = [];
  let mbrNote: Message | null = null;
  if (protective && protective.sectors !== mbrSectors) {
    const mbr = disk.mbr!.bytes;
    const updated = mbr.slice();
    const sizeAt = protective.offset + MBR_RECORD.numSectors.offset;
    const chsAt = protective.offset + MBR_RECORD.chsEnd.offset;
    new DataView(updated.buffer).setUint32(sizeAt, mbrSectors, true);
    // UEFI 5.2.3: EndingCHS is the CHS address of the last block, or 0xFFFFFF when it
    // cannot be represented. Update it only when it encodes the old end (as
    // `sgdisk -e` does); 0xFFFFFF, which most tools always write, stays as it is.
    const oldEnd = BigInt(protective.firstLba) + BigInt(protective.sectors) - 1n;
    const chs = mbr.subarray(chsAt, chsAt + 3);
    const chsNow = [...chs].map((b) => b.toString(16).padStart(2, '0')).join('');
    const chsNew = chsAddress(BigInt(protective.firstLba) + BigInt(mbrSectors) - 1n);
    const chsOld = chsAddress(oldEnd);
    const updateChs = chs.every((b, i) => b === chsOld[i]) && chsNew.some((b, i) => b !== chs[i]);
    if (updateChs) updated.set(chsNew, chsAt);
    mbrPatches.push(
      ...diffPatches(
        0,
        mbr,
        updated,
        [
          [chsAt, chsAt + 3],
          [sizeAt, sizeAt + 4],
        ],
        512,
      ),
    );
    const hex = (bytes: Uint8Array): string => `0x${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    mbrNote = updateChs
      ? msg(
          "Sets the protective MBR record {0}'s size {1} -> {2} sectors (disk size - 1, capped at 0xFFFFFFFF) and its ending CHS {3} -> {4} (255 heads, 63 sectors; 0xFFFFFF past cylinder 1023).",
          protective.index + 1,
          protective.sectors,
          mbrSectors,
          `0x${chsNow}`,
          hex(chsNew),
        )
      : msg(
          "Sets the protective MBR record {0}'s size {1} -> {2} sectors (disk size - 1, capped at 0xFFFFFFFF).",
          protective.index + 1,
          protective.sectors,
          mbrSectors,
        );
  } else if (disk.mbr && disk.mbr.kind !== 'protective') {
    mbrNote = msg(
      'Leaves the MBR alone (it is {0}, not a plain protective MBR; its records are not ours to resize).',
      markedText(MBR_KIND_WORDS[disk.mbr.kind] ?? disk.mbr.kind),
    );
  }
  // Backup first, then the primary that points at it, then the MBR (UEFI 5.3.2 recovery order).
  const patches = [...backupPatches, ...primaryPatches, ...mbrPatches];

  const grew = oldBackupLba < lastLba;
  const situation =
    oldBackupLba === lastLba
      ? !backup
        ? msg(
            "The primary header's AlternateLBA is the disk's last LBA {0}, there, but no backup header was found at the last LBA (rebuild-backup-from-primary writes the same backup).",
            lastLba,
          )
        : msg(
            "The primary header's AlternateLBA is the disk's last LBA {0}, there, but LastUsableLBA or the protective MBR size does not match the disk.",
            lastLba,
          )
      : grew
        ? msg(
            "The disk's last LBA is {0} but the primary header's AlternateLBA is {1} (the disk grew by {2} sectors).",
            lastLba,
            oldBackupLba,
            lastLba - oldBackupLba,
          )
        : msg(
            "The disk's last LBA is {0} but the primary header's AlternateLBA is {1} (the disk shrank by {2} sectors).",
            lastLba,
            oldBackupLba,
            oldBackupLba - lastLba,
          );
  const oldBackupNote = staleBackupNote(disk, oldBackupLba, arraySectors, grew, newArrayLba);
  // The new backup is the primary's copy; if the old backup held other entries,
  // say so: choosing the backup's instead is rebuild-primary-from-backup, first.
  const differing = backup?.array ? differingSlots(primary.array!.bytes, backup.array.bytes, primary.partitionEntrySize) : [];
  const differNote =
    differing.length === 0
      ? null
      : differing.length > 1
        ? msg(
            "The old backup's entries differ from the primary's in slots {0}; the new backup copies the primary's. If the backup's are the right ones, run rebuild-primary-from-backup first.",
            numberRuns(differing),
          )
        : msg(
            "The old backup's entries differ from the primary's in slot {0}; the new backup copies the primary's. If the backup's are the right ones, run rebuild-primary-from-backup first.",
            numberRuns(differing),
          );
  const sentences: (Message | null)[] = [
    situation,
    msg(
      "Writes the backup entry array (a copy of the primary's {0} entries) at LBAs {1}..{2} and the backup header at LBA {3} (MyLBA {3}, AlternateLBA {4}, PartitionEntryLBA {1}).",
      primary.numPartitionEntries,
      newArrayLba,
      lastLba - 1n,
      lastLba,
      primary.lba,
    ),
    msg(
      "Sets the primary header's AlternateLBA {0} -> {1} and LastUsableLBA {2} -> {3} (the backup header gets the same LastUsableLBA); both header CRCs are recomputed (the entries and so the array CRC are unchanged).",
      primary.alternateLba,
      lastLba,
      primary.lastUsableLba,
      newLastUsable,
    ),
    mbrNote,
    oldBackupNote,
    differNote,
    writeSummaryMessage(patches, sectorSize),
  ];
  const descriptionText = msgJoin(
    sentences.filter((m): m is Message => m !== null),
    ' ',
  );
  const description = renderMessage(descriptionText);
  return { ok: true, plan: { id: ID, title: relocateBackup.title, description, descriptionText, patches } };
}

/** Healthy (CRCs right, array read) with no invalid field but a LastUsableLBA past the end of a shrunk disk. */
function isHealthyButForSize(header: GptHeader | null): header is GptHeader {
  if (!header) return false;
  if (header.invalid.every((p) => p.field === 'lastUsableLba')) return isHealthy({ ...header, invalid: [] });
  return false;
}

/**
 * What happens to the stale old backup. We leave it in place, untouched, as
 * `sgdisk -e` and gdisk's expert 'e' do (checked on a test image: only LBA 0 and
 * the primary header change near the old end). Reasons: no header points at it
 * any more, and UEFI 5.3.2 finds the backup only through AlternateLBA / the last
 * LBA, so firmware and tools ignore it; those sectors are now free space, or may
 * already belong to a partition someone extended into the new space, and
 * zeroing them would destroy that data. It is overwritten when the space is used.
 */
function staleBackupNote(disk: DiskModel, oldBackupLba: bigint, arraySectors: number, grew: boolean, newArrayLba: bigint): Message | null {
  if (oldBackupLba === disk.lastLba) return null;
  if (!grew) return msg('The old backup at LBA {0} lies past the new end of the disk and is gone with it.', oldBackupLba);
  if (!disk.backup || disk.backup.lba !== oldBackupLba)
    return msg('No backup header was found at the old AlternateLBA {0} either; nothing there is changed.', oldBackupLba);
  const oldArrayLba = disk.backup && disk.backup.lba === oldBackupLba ? disk.backup.partitionEntryLba : oldBackupLba - BigInt(arraySectors);
  if (oldBackupLba >= newArrayLba) {
    return msg(
      "The old backup header at LBA {0} lies inside the new backup's sectors (the disk grew by less than the backup's size) and is overwritten by it.",
      oldBackupLba,
    );
  }
  return msg(
    'The stale old backup (header at LBA {0}, array at LBAs {1}..{2}) is left in place untouched, as sgdisk -e does: no header points at it any more, so firmware and tools will not read it, and those sectors are now free space that a partition may already have been extended over, so overwriting them could destroy data. They are overwritten when the space is used.',
    oldBackupLba,
    oldArrayLba,
    oldArrayLba + BigInt(arraySectors) - 1n,
  );
}

/** Slots whose bytes differ between two entry arrays (compared over the shorter one). */
function differingSlots(a: Uint8Array, b: Uint8Array, entrySize: number): number[] {
  const out: number[] = [];
  const length = Math.min(a.length, b.length);
  for (let at = 0; at < length; at += entrySize) {
    for (let i = at; i < Math.min(at + entrySize, length); i++) {
      if (a[i] !== b[i]) {
        out.push(at / entrySize);
        break;
      }
    }
  }
  return out;
}

/** The 3-byte CHS address of `lba` in an MBR record (255 heads, 63 sectors per track), 0xFFFFFF past cylinder 1023. */
function chsAddress(lba: bigint): Uint8Array {
  const perCylinder = 255n * 63n;
  if (lba >= 1024n * perCylinder) return Uint8Array.of(0xff, 0xff, 0xff);
  const cylinder = Number(lba / perCylinder);
  const head = Number((lba % perCylinder) / 63n);
  const sector = Number(lba % 63n) + 1;
  return Uint8Array.of(head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff);
}
