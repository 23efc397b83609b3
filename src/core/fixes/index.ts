// The fixes, by id (registry.ts). Each is a pure function of the parsed disk to
// a plan of patches (or a reason it does not apply). Applying, previewing and
// journaling are generic (see ../write/).
import type { DiskModel } from '../model';
import type { FixId } from '../findings';
import type { FixResult } from '../patch';
import { FIXES, isFixId } from './registry';

export { annotatePatch, summarizePatchFields } from './annotate';
export { sectorsTouched } from './shared';
export { FIXES, REFERENCE_FIXES, ALL_FIXES, FIX_LABELS, fixDefinition, fixLabel, isFixId } from './registry';
export type { FixDefinition, ReferenceFixDefinition, DiskFixPlanner, ReferenceFixPlanner } from './fixDefinition';

/** Plans fix `id` on `disk` through its registry entry. Never touches the image. */
export function planFix(disk: DiskModel, id: FixId): FixResult {
  if (disk.scheme !== 'gpt') return { ok: false, id, reason: `the disk has no GPT (${noGptDetail(disk)}); every fix repairs a GPT` };
  // Ids from outside (a webview message, a hot-exit backup) are checked before they get here; this is the last guard.
  if (!isFixId(id)) return { ok: false, id, reason: `unknown fix ${String(id)}` };
  return FIXES[id].plan(disk);
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
