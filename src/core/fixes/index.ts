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
  if (disk.scheme !== 'gpt') return { ok: false, id, reason: `the disk has no GPT (${disk.scheme === 'mbr' ? 'it is partitioned with an MBR' : 'no partition table was found'}); every fix repairs a GPT` };
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
