// The fixes of an editor session: plans on the document as it is now
// (rebuild-from-scan on the session's last scan), their previews, the reason a
// finding's fix does not apply (cached until the model changes), and the scan
// for lost partitions those plans need.
import type { ByteSource } from '../../core/io/byteSource';
import { ScanFileSource } from '../../core/io/scanSource';
import type { DiskModel } from '../../core/diskModel';
import type { FixId, ScanFixId } from '../../core/findings';
import type { FixResult } from '../../core/patch';
import { planFix } from '../../core/fixes/index';
import { fixLabel, isScanFixId } from '../../core/fixes/registry';
import { planRebuildFromScan, scanImage } from '../../core/scan/index';
import type { ScanResult } from '../../core/scan/index';
import type { FixAction, FixPreview } from '../../shared/protocol/editor';
import { changesNoByte, previewPlan } from '../fixPreview';
import type { StructureTree } from '../structureTree';
import type { ViewKind } from '../openForView';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

/** Plans `fixId` on `model`; rebuild-from-scan needs the last scan. */
export function planSessionFix(model: DiskModel | null, lastScan: ScanResult | null, fixId: FixId | ScanFixId, l10n: Localizer = ENGLISH): FixResult {
  if (!model) return { ok: false, id: fixId, reason: l10n.t('the file is not read as a disk image') };
  if (isScanFixId(fixId))
    return lastScan ? planRebuildFromScan(model, lastScan) : { ok: false, id: fixId, reason: l10n.t('run "Scan for Lost Partitions..." first') };
  return planFix(model, fixId);
}

/** What `fixId` would change: fields, before/after and the changed byte runs for the hex view. */
export function previewSessionFix(model: DiskModel | null, lastScan: ScanResult | null, fixId: FixId | ScanFixId, l10n: Localizer = ENGLISH): FixPreview {
  const label = fixLabel(fixId);
  const result = planSessionFix(model, lastScan, fixId, l10n);
  if (!result.ok) return { ok: false, fixId, label, reason: l10n.text(result.reasonText ?? result.reason) };
  return { ok: true, fixId, label, ...previewPlan(model!, result.plan, l10n) };
}

/** Why each fix does not apply to the current model, planned once per model. */
export class FixReasons {
  private readonly reasons = new Map<FixId, string | null>();

  /** The model changed: every reason is planned again. */
  clear(): void {
    this.reasons.clear();
  }

  /** Each finding's fixes as buttons, with the reason when a fix does not apply to `model`. */
  withActions(view: StructureTree, model: DiskModel | null, l10n: Localizer = ENGLISH): StructureTree {
    for (const finding of view.findings) {
      finding.actions = finding.fixes.map((id): FixAction => ({ id, label: fixLabel(id), reason: this.reason(model, id as FixId, l10n) }));
    }
    return view;
  }

  private reason(model: DiskModel | null, id: FixId, l10n: Localizer): string | null {
    if (!this.reasons.has(id)) {
      const result = model ? planFix(model, id) : null;
      this.reasons.set(
        id,
        !result
          ? l10n.t('the file is not read as a disk image')
          : result.ok
            ? changesNoByte(result.plan)
              ? l10n.t('it changes no byte')
              : null
            : l10n.text(result.reasonText ?? result.reason),
      );
    }
    return this.reasons.get(id)!;
  }
}

/**
 * Scans the document (`source`, unsaved edits included) for volumes and stray tables.
 * The sequential pass reads a raw file directly (large reads, holes skipped); what it
 * finds is confirmed through the document's bytes. Rejects with the signal's reason when cancelled.
 */
export async function scanDocument(
  image: { kind: ViewKind; path: string },
  source: ByteSource,
  sectorSize: number,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ScanResult> {
  const bulk = image.kind === 'raw' ? await ScanFileSource.open(image.path, { size: source.size }) : source;
  try {
    return await scanImage(source, bulk, { sectorSize, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
  } finally {
    if (bulk !== source) await bulk.close();
  }
}
