// Recognises ESXi boot-disk layouts from partition types, sizes and on-disk
// order, wherever the entries sit in the array, and says which slot each entry
// belongs in. ESXi names its partitions by number (= slot + 1), so an array
// whose entries were moved to other slots renumbers them and breaks the host.
import type { EsxiLayout, EsxiProfileId, GptEntry } from './model';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS, TYPE_VMWARE_VMFSL } from './partitionTypes';
import { english } from '../shared/l10n';

/** One partition of a layout, in on-disk order. */
interface LayoutPart {
  slot: number;
  type: string;
  role: string;
  optional?: boolean;
}

interface EsxiProfile {
  id: EsxiProfileId;
  description: string;
  parts: LayoutPart[];
}

// Order = partedUtil order = on-disk order; slot = partition number - 1.
const PROFILES: EsxiProfile[] = [
  {
    id: 'esxi-6',
    description: english('ESXi 5.5/6.x layout with partition 9 (on-disk order 1,5,6,7,8,9,2,3)'),
    parts: [
      { slot: 0, type: TYPE_EFI_SYSTEM, role: 'systemPartition (EFI)' },
      { slot: 4, type: TYPE_MS_BASIC_DATA, role: 'bootbank' },
      { slot: 5, type: TYPE_MS_BASIC_DATA, role: 'altbootbank' },
      { slot: 6, type: TYPE_VMWARE_DIAGNOSTIC, role: 'vmkDiagnostic' },
      { slot: 7, type: TYPE_MS_BASIC_DATA, role: 'store/locker' },
      { slot: 8, type: TYPE_VMWARE_DIAGNOSTIC, role: 'vmkDiagnostic (large)' },
      { slot: 1, type: TYPE_MS_BASIC_DATA, role: 'scratch' },
      { slot: 2, type: TYPE_VMWARE_VMFS, role: 'VMFS datastore', optional: true },
    ],
  },
  {
    id: 'esxi-5',
    description: english('ESXi 5.x layout, also 6.x on small media (on-disk order 1,5,6,7,8,2,3)'),
    parts: [
      { slot: 0, type: TYPE_EFI_SYSTEM, role: 'systemPartition (EFI)' },
      { slot: 4, type: TYPE_MS_BASIC_DATA, role: 'bootbank' },
      { slot: 5, type: TYPE_MS_BASIC_DATA, role: 'altbootbank' },
      { slot: 6, type: TYPE_VMWARE_DIAGNOSTIC, role: 'vmkDiagnostic' },
      { slot: 7, type: TYPE_MS_BASIC_DATA, role: 'store/locker' },
      { slot: 1, type: TYPE_MS_BASIC_DATA, role: 'scratch' },
      { slot: 2, type: TYPE_VMWARE_VMFS, role: 'VMFS datastore', optional: true },
    ],
  },
  {
    id: 'esxi-7',
    description: english('ESXi 7.x/8.x layout (on-disk order 1,5,6,7,8)'),
    parts: [
      { slot: 0, type: TYPE_EFI_SYSTEM, role: 'systemPartition (EFI)' },
      { slot: 4, type: TYPE_MS_BASIC_DATA, role: 'bootbank 0' },
      { slot: 5, type: TYPE_MS_BASIC_DATA, role: 'bootbank 1' },
      { slot: 6, type: TYPE_VMWARE_VMFSL, role: 'OSDATA (VMFS-L)' },
      { slot: 7, type: TYPE_VMWARE_VMFS, role: 'VMFS datastore', optional: true },
    ],
  },
];

/** Detects an ESXi layout among the used slots of an entry array, or returns null. */
export function detectEsxiLayout(slots: GptEntry[]): EsxiLayout | null {
  const used = slots.filter((e) => e.used).sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : a.slot - b.slot));
  for (const profile of PROFILES) {
    const required = profile.parts.filter((p) => !p.optional).length;
    if (used.length < required || used.length > profile.parts.length) continue;
    const parts = profile.parts.slice(0, used.length);
    if (!parts.every((part, i) => used[i]!.typeGuid === part.type)) continue;
    if (!sizesPlausible(profile.id, used)) continue;
    if (parts.some((p) => p.slot >= slots.length)) continue; // the array is too small to hold this layout
    const placements = parts.map((part, i) => ({ role: part.role, currentSlot: used[i]!.slot, expectedSlot: part.slot, firstLba: used[i]!.firstLba }));
    return { profile: profile.id, description: profile.description, placements, compacted: placements.some((p) => p.currentSlot !== p.expectedSlot) };
  }
  return null;
}

// Both bootbanks are the same size in every ESXi layout; the EFI system partition
// is the first partition and small. This keeps other disks that happen to use
// the same types from being taken for ESXi.
function sizesPlausible(profile: EsxiProfileId, used: GptEntry[]): boolean {
  const sectors = (e: GptEntry): bigint => e.lastLba - e.firstLba + 1n;
  const [efi, bootbank, altbootbank] = used;
  if (!efi || !bootbank || !altbootbank) return false;
  if (sectors(bootbank) !== sectors(altbootbank)) return false;
  if (efi.firstLba > 2048n || sectors(efi) > 2n * 1024n * 1024n) return false; // EFI partition under 1 GiB (512-byte sectors)
  if (profile !== 'esxi-7' && sectors(used[3]!) < 2048n) return false; // vmkDiagnostic is at least 1 MiB
  return true;
}
