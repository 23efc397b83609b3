// What each fix id does, for `diskx --help`, `diskx codes` and usage errors.
// A Record over FixId: a new fix that is not explained here fails to compile.
import type { FixId } from '../core/findings';
import { FIX_IDS } from '../core/findings';

/** Title and one-paragraph explanation of every fix id. */
export const FIX_HELP: Record<FixId, { title: string; text: string }> = {
  'restore-esxi-slots': {
    title: 'Restore ESXi partition slots',
    text: 'Moves every entry of a compacted ESXi boot disk back to the slot the installer gave it (the seed: slots 3..6 to 4..7, slot 3 zeroed), in the primary and the backup array, entry bytes unchanged; then recomputes both array CRCs and both header CRCs.',
  },
  'recompute-crcs': {
    title: 'Recompute GPT CRCs',
    text: 'For each header whose CRCs are stale: the entry array CRC (0x58), then the header CRC (0x10). Trusts the bytes as they are now.',
  },
  'relocate-backup': {
    title: 'Move the backup GPT to the end of the disk',
    text: 'After a disk grew or shrank: writes the backup array and header at the true last LBA, updates AlternateLBA and LastUsableLBA in both headers, the CRCs and the protective MBR size.',
  },
  'rebuild-primary-from-backup': {
    title: 'Rebuild the primary GPT from the backup',
    text: 'Copies the healthy backup header and array to LBA 1 and LBA 2 with MyLBA, AlternateLBA and PartitionEntryLBA set for that place (gdisk recovery menu b + c).',
  },
  'rebuild-backup-from-primary': {
    title: 'Rebuild the backup GPT from the primary',
    text: 'Copies the healthy primary header and array to the end of the disk with MyLBA, AlternateLBA and PartitionEntryLBA set for that place (gdisk recovery menu d + e).',
  },
};

/** True when `id` names a fix. */
export function isFixId(id: string): id is FixId {
  return (FIX_IDS as readonly string[]).includes(id);
}

/** The fix that needs a second image (`--reference B`); planned by core/diff, run through the same writer. */
export const REFERENCE_FIX_HELP = {
  id: 'copy-slots-from-reference',
  title: 'Copy the slots of a reference image (needs --reference B)',
  text: 'Moves each entry into the slot the reference image uses for the same partition (matched by unique GUID, else type + first LBA), in the primary and the backup array; CRCs recomputed.',
} as const;

/** "  restore-esxi-slots           Restore ESXi partition slots. Moves ..." lines, one per fix id. */
export function fixHelpLines(indent = '  ', withText = true): string[] {
  const all = [...FIX_IDS.map((id) => ({ id, ...FIX_HELP[id] })), REFERENCE_FIX_HELP];
  const pad = Math.max(...all.map((f) => f.id.length)) + 2;
  return all.map((f) => `${indent}${f.id.padEnd(pad)}${f.title}${withText ? `. ${f.text}` : ''}`);
}
