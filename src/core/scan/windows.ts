// A Windows GPT layout among the volumes found: Windows Setup puts a Microsoft
// reserved partition (MSR, 16 MiB; 128 MiB before Windows 10) right after the
// EFI system partition and before the Windows volume. The MSR holds no file
// system, so a scan cannot see it; left out, every partition after it would
// move down a slot (C: from partition 3 to 2). When a FAT volume is followed,
// after a gap the size of an MSR, by an NTFS volume, the FAT one is the ESP
// and the gap is the MSR: both get their slots and type GUIDs back, and the
// other volumes keep disk order around them.
import type { FoundVolume } from './scanner';
import type { Proposal, ProposedPartition } from './proposalTypes';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../partitionTypes';
import { msg } from '../../shared/l10n';

export const TYPE_MS_RESERVED = 'E3C9E316-0B5C-4DB8-817D-F92DF00215AE';

const MiB = 1024n * 1024n;
/** MSR sizes Windows Setup has used: 16 MiB (Windows 10 and later), 128 MiB (Windows 7/8 on GPT). */
const MSR_SIZES = [16n * MiB, 128n * MiB];

/** The MSR's LBAs before `ntfs`, when the gap after `esp` is an MSR (its size, plus less than 1 MiB of alignment). */
function msrBefore(esp: FoundVolume, ntfs: FoundVolume, sectorSize: number): { firstLba: bigint; lastLba: bigint; bytes: bigint } | null {
  if (esp.lastLba === undefined) return null;
  const ss = BigInt(sectorSize);
  const gap = (ntfs.firstLba - esp.lastLba - 1n) * ss;
  for (const bytes of MSR_SIZES) {
    if (gap >= bytes && gap - bytes < MiB) return { firstLba: ntfs.firstLba - bytes / ss, lastLba: ntfs.firstLba - 1n, bytes };
  }
  return null;
}

/**
 * The Windows proposal for `ordered` (top-level volumes in disk order), or null
 * when no FAT volume is followed by an MSR-sized gap and an NTFS volume.
 */
export function windowsProposal(
  ordered: FoundVolume[],
  sectorSize: number,
  lastUsable: bigint,
  guid: (slot: number) => string,
  diskGuid: string,
  gptType: (v: FoundVolume) => string,
): Proposal | null {
  const at = ordered.findIndex((v, i) => v.content.type === 'vfat' && ordered[i + 1]?.content.type === 'ntfs');
  if (at < 0) return null;
  const esp = ordered[at]!;
  const msr = msrBefore(esp, ordered[at + 1]!, sectorSize);
  if (!msr) return null;
  const partitions: ProposedPartition[] = [];
  const push = (firstLba: bigint, lastLba: bigint, typeGuid: string, role: string): void => {
    const slot = partitions.length;
    partitions.push({ slot, firstLba, lastLba, typeGuid, uniqueGuid: guid(slot), attributes: 0n, role });
  };
  ordered.forEach((v, i) => {
    const next = i === at ? msr.firstLba : (ordered[i + 1]?.firstLba ?? lastUsable + 1n);
    const last = i === at ? msr.firstLba - 1n : v.lastLba !== undefined && v.lastLba < next ? v.lastLba : next - 1n;
    const role = `${v.content.type}${v.content.label ? ` "${v.content.label}"` : ''}`;
    if (i === at) {
      push(v.firstLba, last, TYPE_EFI_SYSTEM, `EFI system partition (${role})`);
      push(msr.firstLba, msr.lastLba, TYPE_MS_RESERVED, `Microsoft reserved (${msr.bytes / MiB} MiB, no file system)`);
    } else push(v.firstLba, last, v.content.type === 'ntfs' ? TYPE_MS_BASIC_DATA : gptType(v), role);
  });
  return {
    scheme: 'gpt',
    source: 'volumes',
    layout: 'windows',
    diskGuid,
    partitions,
    reasons: [
      msg(
        'a FAT volume at LBA {0}, then a {1} MiB gap and an NTFS volume: the Windows layout (EFI system partition, Microsoft reserved partition, Windows); the reserved partition holds no file system and is put back in its slot so no partition after it is renumbered',
        esp.firstLba,
        msr.bytes / MiB,
      ),
      msg(
        'the other volumes keep disk order; a Windows recovery volume is NTFS like any other: it gets the basic-data type (set DE94BBA4-06D1-4D40-A16A-BFD50179D6AC by hand if it was one)',
      ),
    ],
  };
}
