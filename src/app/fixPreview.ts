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
import { ENGLISH } from '../shared/l10n';
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
    return patchView(model, patch, runs);
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
export function patchView(model: DiskModel, patch: Patch, runs: [number, number][] = changedRuns(patch.before, patch.after)): PatchView {
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
    what: fields.length > 0 ? fieldWords(fields) : `byte 0x${patch.offset.toString(16)}`,
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
  primaryHeader: { words: 'primary header', structure: 'header' },
  backupHeader: { words: 'backup header', structure: 'header' },
  primaryArray: { words: 'primary array', structure: 'array' },
  backupArray: { words: 'backup array', structure: 'array' },
};

/**
 * Spec field names in words, grouped by structure: ["primaryHeader.headerCrc32",
 * "primaryArray.entries.3"] is "primary header: HeaderCRC32; primary array: slot 3".
 */
export function fieldWords(names: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    const placeId = dot < 0 ? name : name.slice(0, dot);
    const place = PLACES[placeId];
    const key = place?.words ?? name;
    const parts = groups.get(key) ?? [];
    groups.set(key, parts);
    if (place && dot >= 0) parts.push(partWords(place.structure, name.slice(dot + 1)));
  }
  return [...groups].map(([place, parts]) => (parts.length > 0 ? `${place}: ${parts.join(', ')}` : place)).join('; ');
}

function partWords(structure: 'header' | 'array' | 'mbr', path: string): string {
  const [first, index, ...rest] = path.split('.');
  if (structure === 'header') return uefiFieldName('header', path);
  if (structure === 'array') {
    if (first !== 'entries' || index === undefined) return path === 'entries' ? 'all slots' : path;
    return rest.length > 0 ? `slot ${index} ${uefiFieldName('entry', rest.join('.'))}` : `slot ${index}`;
  }
  if (first === 'partitions' && index !== undefined) return rest.length > 0 ? `record ${index} ${uefiFieldName('record', rest.join('.'))}` : `record ${index}`;
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
