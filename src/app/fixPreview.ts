// What a fix plan would change, as both views preview it: per patch the fields
// it touches (named from the Kaitai specs by core's annotatePatch), the same in
// words, the bytes before and after, and the runs where bytes really change.
// The one builder for the editor's fix preview and the comparison's copy-slots
// offer. Pure: no vscode.
import type { DiskModel } from '../core/diskModel';
import type { FixPlan, Patch } from '../core/patch';
import { annotatePatch, sectorsTouched } from '../core/fixes/index';
import type { ByteChangeView, PatchView, PlanPreview } from '../shared/protocol/common';
import { PREVIEW_BYTES, PREVIEW_MAX_RUNS } from '../shared/protocol/common';
import { uefiFieldName } from './tree/fieldNames';
import { ENGLISH, english } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';

/** The preview of `plan` on `model` (the model the plan was made from). */
export function previewPlan(model: DiskModel, plan: FixPlan, l10n: Localizer = ENGLISH): PlanPreview {
  const changed: { offset: number; length: number }[] = [];
  let bytesChanged = 0;
  const patches = plan.patches.map((patch) => {
    const runs = changedRuns(patch.before, patch.after);
    for (const [from, to] of runs) {
      changed.push({ offset: patch.offset + from, length: to - from });
      bytesChanged += to - from;
    }
    return patchView(model, patch, runs, l10n);
  });
  changed.sort((a, b) => a.offset - b.offset);
  return {
    title: plan.titleText ? l10n.text(plan.titleText) : plan.title,
    description: plan.descriptionText ? l10n.text(plan.descriptionText) : plan.description,
    patches,
    changed,
    bytesChanged,
    sectorsTouched: sectorsTouched(plan.patches, model.sectorSize).length,
  };
}

/** One patch as a preview shows it. */
export function patchView(
  model: DiskModel,
  patch: Patch,
  runs: [number, number][] = changedRuns(patch.before, patch.after),
  l10n: Localizer = ENGLISH,
): PatchView {
  let fields: string[];
  try {
    fields = annotatePatch(model, patch);
  } catch {
    fields = [];
  }
  const changes: ByteChangeView[] = runs.slice(0, PREVIEW_MAX_RUNS).map(([from, to]) => ({
    offset: patch.offset + from,
    length: to - from,
    before: previewHex(patch.before.subarray(from, to)),
    after: previewHex(patch.after.subarray(from, to)),
  }));
  return {
    offset: patch.offset,
    length: patch.after.length,
    lba: Math.floor(patch.offset / model.sectorSize),
    fields,
    what: fields.length > 0 ? fieldWords(fields, l10n) : l10n.t('byte 0x{0}', patch.offset.toString(16)),
    before: previewHex(patch.before),
    after: previewHex(patch.after),
    changes,
    moreChanges: Math.max(0, runs.length - PREVIEW_MAX_RUNS),
  };
}

/** True when no patch of `plan` changes a byte (applying it would be an empty edit). */
export function changesNoByte(plan: FixPlan): boolean {
  return plan.patches.every((p) => changedRuns(p.before, p.after).length === 0);
}

const PLACES: Record<string, { words: string; structure: 'header' | 'array' | 'mbr' }> = {
  mbr: { words: 'MBR', structure: 'mbr' },
  primaryHeader: { words: english('primary header'), structure: 'header' },
  backupHeader: { words: english('backup header'), structure: 'header' },
  primaryArray: { words: english('primary array'), structure: 'array' },
  backupArray: { words: english('backup array'), structure: 'array' },
};

/**
 * Spec field names in words, grouped by structure: ["primaryHeader.headerCrc32",
 * "primaryArray.entries.3"] is "primary header: HeaderCRC32; primary array: slot 3".
 */
export function fieldWords(names: readonly string[], l10n: Localizer = ENGLISH): string {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    const placeId = dot < 0 ? name : name.slice(0, dot);
    const place = PLACES[placeId];
    const key = !place ? name : placeId === 'mbr' ? place.words : l10n.text(place.words); // "MBR" is the same in every language
    const parts = groups.get(key) ?? [];
    groups.set(key, parts);
    if (place && dot >= 0) parts.push(partWords(place.structure, name.slice(dot + 1), l10n));
  }
  return [...groups].map(([place, parts]) => (parts.length > 0 ? l10n.t('{0}: {1}', place, parts.join(l10n.text(', '))) : place)).join(l10n.text('; '));
}

function partWords(structure: 'header' | 'array' | 'mbr', path: string, l10n: Localizer): string {
  const [first, index, ...rest] = path.split('.');
  if (structure === 'header') return uefiFieldName('header', path);
  if (structure === 'array') {
    if (first !== 'entries' || index === undefined) return path === 'entries' ? l10n.t('all slots') : path;
    return rest.length > 0 ? l10n.t('slot {0} {1}', index, uefiFieldName('entry', rest.join('.'))) : l10n.t('slot {0}', index);
  }
  if (first === 'partitions' && index !== undefined)
    return rest.length > 0 ? l10n.t('record {0} {1}', index, uefiFieldName('record', rest.join('.'))) : l10n.t('record {0}', index);
  return uefiFieldName('mbr', path);
}

/** [from, to) runs where `a` and `b` differ. */
export function changedRuns(a: Uint8Array, b: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < a.length;) {
    if (a[i] === b[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < a.length && a[j] !== b[j]) j++;
    runs.push([i, j]);
    i = j;
  }
  return runs;
}

/** Upper-case hex of the first PREVIEW_BYTES bytes, " …" when there are more. */
function previewHex(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, PREVIEW_BYTES), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  return bytes.length > PREVIEW_BYTES ? `${shown} …` : shown;
}
