// The one list of fixes. Every fix id (FixId in findings.ts) has exactly one
// entry, with the words shown for it everywhere (plan title, button label, help)
// and its planner: a fix missing here, or missing a label, fails to compile.
// Findings name fixes by these ids; the CLI's help, the editor's buttons, the
// quick fixes and the palette take their words from here.
import type { FixId, PlanFixId, ReferenceFixId, ScanFixId } from '../findings';
import { FIX_IDS } from '../findings';
import type { FixDefinition, ReferenceFixDefinition, ScanFixDefinition } from './fixDefinition';
import { restoreEsxiSlots } from './restoreEsxiSlots';
import { recomputeCrcs } from './recomputeCrcs';
import { relocateBackup } from './relocateBackup';
import { rebuildBackupFromPrimary, rebuildPrimaryFromBackup } from './rebuildFromCopy';
import { copySlotsFromReference } from '../diff/copySlots';
import { rebuildFromScan } from '../scan/rebuild';

/** The fixes a finding can offer, by id: planned from the disk alone. */
export const FIXES = {
  'recompute-crcs': recomputeCrcs,
  'restore-esxi-slots': restoreEsxiSlots,
  'relocate-backup': relocateBackup,
  'rebuild-primary-from-backup': rebuildPrimaryFromBackup,
  'rebuild-backup-from-primary': rebuildBackupFromPrimary,
} as const satisfies { readonly [Id in FixId]: FixDefinition<Id> };

/** The fixes that need a second image (`--reference B`, the compare view). */
export const REFERENCE_FIXES = {
  'copy-slots-from-reference': copySlotsFromReference,
} as const satisfies { readonly [Id in ReferenceFixId]: ReferenceFixDefinition<Id> };

/** The fixes planned from a scan of the whole disk (`diskx scan`, then `diskx fix --fix rebuild-from-scan`). */
export const SCAN_FIXES = {
  'rebuild-from-scan': rebuildFromScan,
} as const satisfies { readonly [Id in ScanFixId]: ScanFixDefinition<Id> };

/** Every fix definition, the disk fixes in FIX_IDS order first. */
export const ALL_FIXES: readonly (FixDefinition | ReferenceFixDefinition | ScanFixDefinition)[] = [
  ...FIX_IDS.map((id) => FIXES[id]),
  ...Object.values(REFERENCE_FIXES),
  ...Object.values(SCAN_FIXES),
];

/** True when `id` names a fix planned from a scan. */
export function isScanFixId(id: unknown): id is ScanFixId {
  return typeof id === 'string' && Object.hasOwn(SCAN_FIXES, id);
}

/** True when `id` names a fix a finding can offer. */
export function isFixId(id: unknown): id is FixId {
  return typeof id === 'string' && Object.hasOwn(FIXES, id);
}

/** The definition of any fix id. */
export function fixDefinition(id: PlanFixId): FixDefinition | ReferenceFixDefinition | ScanFixDefinition {
  if (id in FIXES) return FIXES[id as FixId];
  return id in SCAN_FIXES ? SCAN_FIXES[id as ScanFixId] : REFERENCE_FIXES[id as ReferenceFixId];
}

/** Button labels by fix id (the same words in the editor, the quick fixes and the palette). */
export const FIX_LABELS: { readonly [Id in PlanFixId]: string } = {
  ...labels(FIXES),
  ...labels(REFERENCE_FIXES),
  ...labels(SCAN_FIXES),
};

function labels<Id extends PlanFixId>(fixes: { readonly [K in Id]: { label: string } }): { [K in Id]: string } {
  const out = {} as { [K in Id]: string };
  for (const id of Object.keys(fixes) as Id[]) out[id] = fixes[id].label;
  return out;
}

/** The label of `id`, or `id` itself when it names no fix (text that came from outside). */
export function fixLabel(id: string): string {
  return Object.hasOwn(FIX_LABELS, id) ? FIX_LABELS[id as PlanFixId] : id;
}
