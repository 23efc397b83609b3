// The fixes, by id (registry.ts). Each is a pure function of the parsed disk to
// a plan of patches (or a reason it does not apply). Applying, previewing and
// journaling are generic (see ../write/).
import type { DiskModel } from '../model';
import type { FixId } from '../findings';
import type { FixResult, Patch } from '../patch';
import { partitionOverlap, partitionRanges } from '../diskAreas';
import { FIXES, isFixId } from './registry';
import { english, msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

export { annotatePatch, summarizePatchFields } from './annotate';
export { sectorsTouched } from './shared';
export { FIXES, REFERENCE_FIXES, ALL_FIXES, FIX_LABELS, fixDefinition, fixLabel, isFixId } from './registry';
export type { FixDefinition, ReferenceFixDefinition, DiskFixPlanner, ReferenceFixPlanner } from './fixDefinition';

/** Plans fix `id` on `disk` through its registry entry. Never touches the image. */
export function planFix(disk: DiskModel, id: FixId): FixResult {
  if (disk.scheme !== 'gpt') return refused(id, msg('the disk has no GPT ({0}); every fix repairs a GPT', noGptDetail(disk)));
  // Ids from outside (a webview message, a hot-exit backup) are checked before they get here; this is the last guard.
  if (!isFixId(id)) return { ok: false, id, reason: `unknown fix ${String(id)}` };
  const result = FIXES[id].plan(disk);
  if (!result.ok) return result;
  // No fix may write into partition data (an entry array placed inside a partition, a crafted header).
  const hit = partitionWrite(disk, result.plan.patches);
  if (hit)
    return refused(
      id,
      msg('it would write byte {0}, which lies in {1}; no fix writes into a partition', `0x${hit.offset.toString(16).toUpperCase()}`, hit.whatText ?? hit.what),
    );
  return result;
}

function refused(id: FixId, reason: Message): FixResult {
  return { ok: false, id, reason: renderMessage(reason), reasonText: reason };
}

/** The first changed byte of `patches` that lies in a partition, or null. */
function partitionWrite(disk: DiskModel, patches: readonly Patch[]): { offset: number; what: string; whatText?: Message } | null {
  const ranges = partitionRanges(disk);
  if (ranges.length === 0) return null;
  for (const patch of patches) {
    for (let i = 0; i < patch.after.length;) {
      if (patch.after[i] === patch.before[i]) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < patch.after.length && patch.after[end] !== patch.before[end]) end++;
      const hit = partitionOverlap(disk, patch.offset + i, end - i, ranges);
      if (hit) return { offset: Math.max(patch.offset + i, hit.start), what: hit.what, ...(hit.whatText ? { whatText: hit.whatText } : {}) };
      i = end;
    }
  }
  return null;
}

// A 0xEE record promises a GPT (UEFI 5.2.3): when none was found, the likeliest
// causes are a wrong sector size or both headers wiped, not an MBR disk.
function noGptDetail(disk: DiskModel): Message {
  if (disk.scheme === 'none') return msg('no partition table was found');
  if (disk.mbr?.records.some((r) => r.type === 0xee)) {
    return msg(
      'the MBR is protective, but no "EFI PART" header was found at LBA 1 or at the last LBA with {0}-byte sectors; if the sector size is right, both headers are gone and no fix can rebuild them',
      disk.sectorSize,
    );
  }
  if (disk.scheme !== 'mbr')
    return msg('it is partitioned with {0}, which diskx reads but does not repair', {
      template: SCHEME_WORDS[disk.scheme] ?? disk.scheme, // english()-marked: looked up like a template
      args: [],
    });
  return msg('it is partitioned with an MBR');
}

const SCHEME_WORDS: Record<string, string> = {
  apm: english('an Apple Partition Map'),
  bsd: english('a BSD disklabel'),
  sun: english('a Sun disk label'),
  sgi: english('an SGI volume header'),
};
