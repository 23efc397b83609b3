// The fixes, by id. Each is a pure function of the parsed disk to a plan of
// patches (or a reason it does not apply). Applying, previewing and journaling
// are generic (see ../write/).
import type { DiskModel } from '../diskModel';
import type { FixId } from '../findings';
import type { FixResult } from '../patch';
import { planRestoreEsxiSlots } from './restoreEsxiSlots';
import { planRecomputeCrcs } from './recomputeCrcs';
import { planRelocateBackup } from './relocateBackup';
import { planRebuildBackupFromPrimary, planRebuildPrimaryFromBackup } from './rebuildFromCopy';

export { annotatePatch, summarizePatchFields } from './annotate';
export { sectorsTouched } from './shared';

/** Plans fix `id` on `disk`. Never touches the image. */
export function planFix(disk: DiskModel, id: FixId): FixResult {
  if (disk.scheme !== 'gpt') return { ok: false, id, reason: `the disk has no GPT (${noGptDetail(disk)}); every fix repairs a GPT` };
  switch (id) {
    case 'restore-esxi-slots':
      return planRestoreEsxiSlots(disk);
    case 'recompute-crcs':
      return planRecomputeCrcs(disk);
    case 'relocate-backup':
      return planRelocateBackup(disk);
    case 'rebuild-primary-from-backup':
      return planRebuildPrimaryFromBackup(disk);
    case 'rebuild-backup-from-primary':
      return planRebuildBackupFromPrimary(disk);
    default: {
      const unknown: never = id;
      return { ok: false, id: unknown, reason: `unknown fix ${String(unknown)}` };
    }
  }
}

// A 0xEE record promises a GPT (UEFI 5.2.3): when none was found, the likeliest
// causes are a wrong sector size or both headers wiped, not an MBR disk.
function noGptDetail(disk: DiskModel): string {
  if (disk.scheme === 'none') return 'no partition table was found';
  if (disk.mbr?.records.some((r) => r.type === 0xee)) {
    return `the MBR is protective, but no "EFI PART" header was found at LBA 1 or at the last LBA with ${disk.sectorSize}-byte sectors; if the sector size is right, both headers are gone and no fix can rebuild them`;
  }
  return 'it is partitioned with an MBR';
}
