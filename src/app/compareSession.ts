// One comparison of two images, A and B (B the reference): both byte sources and
// parsed models, the structural diff and the copy-slots-from-reference offer as
// the webview shows them, and the answers to the webview's requests. Pure (no
// `vscode`): the comparison panel wraps it, and the plain-Node and browser tests
// drive the very same object. Whole-image work (the byte scan, the fix, undo)
// happens only when the panel calls scan() / applyFix() / undo() after asking
// the user (progress with cancel, a modal confirmation).
import type { ByteSource } from '../core/io/byteSource';
import type { OpenImageOptions } from '../core/io/openImage';
import { DiskxError, describeErrorText } from '../core/errors';
import {
  structuralDiff,
  byteDiff,
  byteDiffInWorker,
  ScanFileSource,
  scanSourceFor,
  planCopySlotsFromReference,
  COPY_SLOTS_FROM_REFERENCE,
} from '../core/diff/index';
import type { ByteDiffResult } from '../core/diff/index';
import type { DiffValue, StructuralDiff } from '../core/diff/index';
import type { FixPlan, FixResult } from '../core/patch';
import type { WriteResult } from '../core/write/index';
import type {
  CompareImageInfo,
  CompareInitMessage,
  CompareSettings,
  FixOffer,
  FromCompareWebview,
  ScanSummary,
  Side,
  StructureDiffView,
  ToCompareWebview,
} from '../shared/protocol/compare';
import { MAX_SCAN_RANGES, assertNever, requestIdOf } from '../shared/protocol/compare';
import { validateFromCompareWebview } from './compareMessageValidation';
import { openForView, problemText } from './openForView';
import type { OpenedView } from './openForView';
import { EditableImage } from './editableImage';
import { reversePlan } from './editStack';
import { previewPlan } from './fixPreview';
import { buildCompareMaps } from './compareMap';
import { ENGLISH, msg } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';

export interface CompareOptions {
  /** Forced logical block size for both images; undefined = detect. */
  sectorSize?: number;
  /** Folder for undo journals (tests; DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
  /** How the images may be opened (the diskx.allowOutsideExtents setting). */
  open?: OpenImageOptions;
  /** The bundled byte-diff worker (dist/byteDiffWorker.js): Scan all bytes then runs off the caller's thread. */
  byteDiffWorker?: string;
  /** The user's language for the maps and the reasons shown (the host passes its bundle's); English without. */
  l10n?: Localizer;
}

/** What the host must do that only it can: reply, or run a long or writing action after asking the user. */
export type CompareEffect =
  | { kind: 'reply'; message: ToCompareWebview }
  | { kind: 'scan' }
  | { kind: 'cancelScan' }
  | { kind: 'applyFix'; plan: FixPlan }
  | { kind: 'refresh' }
  | { kind: 'swap' }
  | { kind: 'none' };

/** One side of the comparison: its bytes, the parsed disk (or null) and why it is plain. */
interface OpenedSide extends OpenedView {
  /** Why the image could not be parsed, in a few words, or null. */
  problemText: string | null;
}

export class CompareSession {
  /** The last byte scan's result while no byte has been written since. */
  lastScan: ScanSummary | null = null;
  /** The copy-slots plan this comparison wrote to A last, while it can still be undone (kept across a refresh, not a swap). */
  lastApplied: FixPlan | null = null;
  /** A line for the next init message (after a fix or an undo). */
  notice: string | null = null;
  private readonly structure: StructuralDiff | null;
  private readonly fix: FixResult | null;

  private constructor(
    readonly a: OpenedSide,
    readonly b: OpenedSide,
    readonly options: CompareOptions,
    /** A as an editable image: the copy-slots fix is an edit saved through the same path as an editor's fix. */
    private readonly imageA: EditableImage,
  ) {
    this.structure = a.model && b.model ? structuralDiff(a.model, b.model) : null;
    this.fix = a.model && b.model ? planCopySlotsFromReference(a.model, b.model) : null;
  }

  /** Opens and parses both images; files that are no disk image still compare byte for byte. Throws only when a path cannot be read. */
  static async open(pathA: string, pathB: string, options: CompareOptions = {}): Promise<CompareSession> {
    const a = await openSide(pathA, options);
    let b: OpenedSide;
    try {
      b = await openSide(pathB, options);
    } catch (error) {
      await a.source.close();
      throw error;
    }
    const imageA = await EditableImage.from(a, {
      sectorSize: a.model?.sectorSize ?? 512,
      ...(options.open ? { open: options.open } : {}),
      ...(options.journalDir ? { journalDir: options.journalDir } : {}),
    });
    return new CompareSession(a, b, options, imageA);
  }

  get sizes(): Record<Side, number> {
    return { a: this.a.source.size, b: this.b.source.size };
  }

  /** The bytes of one side (A's as its editable image shows them). */
  sourceOf(side: Side): ByteSource {
    return side === 'a' ? this.imageA.source : this.b.source;
  }

  info(side: Side): CompareImageInfo {
    const s = this[side];
    return {
      name: s.path.split(/[\\/]/).pop() ?? s.path,
      path: s.path,
      sizeBytes: s.source.size,
      sectorSize: s.model?.sectorSize ?? 512,
      scheme: s.model ? s.model.scheme : 'plain',
      problem: s.problemText,
    };
  }

  /** The structural diff in display form, or null when an image could not be parsed. */
  structureView(): StructureDiffView | null {
    const d = this.structure;
    if (!d) return null;
    return {
      headers: d.headers.map((h) => ({ field: h.field, a: text(h.a), b: text(h.b), equal: h.equal })),
      partitions: d.partitions.map((p) => ({
        label: p.label,
        uuid: p.uuid,
        slotA: p.slotA,
        slotB: p.slotB,
        status: p.status,
        changes: p.changes.map((c) => ({ field: c.field, a: text(c.a), b: text(c.b) })),
        summary: p.summary,
      })),
      identical: d.identical,
    };
  }

  /** The copy-slots-from-reference offer: its plan previewed patch by patch, or why it does not apply. */
  fixOffer(): FixOffer {
    const id = COPY_SLOTS_FROM_REFERENCE;
    if (!this.fix) {
      const which = !this.a.model ? 'a' : 'b';
      return {
        available: false,
        id,
        reason: this.l10n.t(
          'image {0} could not be read as a disk ({1}), so there are no slots to compare',
          which.toUpperCase(),
          this[which].problemText ?? this.l10n.t('not parsed'),
        ),
      };
    }
    if (!this.fix.ok) return { available: false, id, reason: this.l10n.text(this.fix.reasonText ?? this.fix.reason) };
    return { available: true, id, readOnlyReason: this.readOnlyReason(), ...previewPlan(this.a.model!, this.fix.plan, this.l10n) };
  }

  private get l10n(): Localizer {
    return this.options.l10n ?? ENGLISH;
  }

  /** Why A cannot be written from the comparison, or null. */
  readOnlyReason(): string | null {
    if (this.a.opened?.kind === 'block-device') return this.l10n.t('{0} is a block device; repair devices with diskx fix --allow-device', this.info('a').name);
    if (this.a.source.readOnlyHint) return this.l10n.t('{0} is read-only', this.info('a').name);
    return null;
  }

  initMessage(settings: CompareSettings): CompareInitMessage {
    return {
      type: 'init',
      a: this.info('a'),
      b: this.info('b'),
      structure: this.structureView(),
      fix: this.fixOffer(),
      settings,
      scan: this.lastScan,
      notice: this.notice,
      maps: buildCompareMaps(this.a.model, this.b.model, this.l10n),
    };
  }

  /** Validates and answers one message from the webview. Invalid messages get an error reply. */
  async handle(raw: unknown, settings: CompareSettings): Promise<CompareEffect> {
    const checked = validateFromCompareWebview(raw, this.sizes);
    if (!checked.ok) return { kind: 'reply', message: { type: 'error', requestId: requestIdOf(raw), message: `rejected message: ${checked.reason}` } };
    const message: FromCompareWebview = checked.message;
    switch (message.type) {
      case 'ready':
        return { kind: 'reply', message: this.initMessage(settings) };
      case 'readRange':
        try {
          const data = await this.sourceOf(message.side).read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'bytes', requestId: message.requestId, side: message.side, offset: message.offset, data } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: this.l10n.text(describeErrorText(error)) } };
        }
      case 'startScan':
        return { kind: 'scan' };
      case 'cancelScan':
        return { kind: 'cancelScan' };
      case 'applyFix': {
        if (message.fixId !== COPY_SLOTS_FROM_REFERENCE)
          return { kind: 'reply', message: { type: 'error', requestId: null, message: `unknown fix ${message.fixId}` } };
        const plan = this.currentPlan();
        if (typeof plan === 'string') return { kind: 'reply', message: { type: 'error', requestId: null, message: plan } };
        return { kind: 'applyFix', plan };
      }
      case 'refresh':
        return { kind: 'refresh' };
      case 'swap':
        return { kind: 'swap' };
      default:
        return assertNever(message);
    }
  }

  /** The fix's plan, or why it cannot be applied now. */
  currentPlan(): FixPlan | string {
    const offer = this.fixOffer();
    if (!offer.available) return offer.reason;
    if (offer.readOnlyReason) return offer.readOnlyReason;
    return (this.fix as { ok: true; plan: FixPlan }).plan;
  }

  /**
   * Streams both whole images and lists the differing ranges (bounded memory:
   * byteDiff's fixed buffers, at most MAX_SCAN_RANGES ranges). Rejects with the
   * signal's reason when aborted.
   */
  async scan(signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ScanSummary> {
    const started = Date.now();
    if (this.options.byteDiffWorker) {
      const result = await byteDiffInWorker(this.options.byteDiffWorker, this.a.path, this.b.path, {
        maxRanges: MAX_SCAN_RANGES,
        ...(this.options.open ? { open: this.options.open } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      return this.keepScan(result, started);
    }
    const sourceA = await scanSource(this.a);
    let sourceB: ByteSource | null = null;
    try {
      sourceB = await scanSource(this.b);
      const result = await byteDiff(sourceA, sourceB, { maxRanges: MAX_SCAN_RANGES, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
      return this.keepScan(result, started);
    } finally {
      if (sourceA !== this.a.source) await sourceA.close();
      if (sourceB && sourceB !== this.b.source) await sourceB.close();
    }
  }

  private keepScan(result: ByteDiffResult, started: number): ScanSummary {
    this.lastScan = {
      ranges: result.ranges,
      truncated: result.truncated,
      differingBytes: result.differingBytes,
      comparedBytes: result.comparedBytes,
      scannedBytes: result.scannedBytes,
      tail: result.tail,
      identical: result.identical,
      elapsedMs: Date.now() - started,
    };
    return this.lastScan;
  }

  /**
   * Makes `plan` an edit of A and saves it, the way an editor saves a fix
   * (EditableImage.save: A unchanged on disk since it was read, then the safe
   * writer, journaled, backup first). On failure the edit is dropped again.
   */
  async applyFix(plan: FixPlan): Promise<WriteResult> {
    const result = await this.saveEdit(plan);
    this.lastApplied = plan;
    return result;
  }

  /**
   * Undoes the copy this comparison wrote last: its reverse plan (the old bytes
   * back) saved through the same path, so the writer first checks A still holds
   * what the copy wrote.
   */
  async undo(): Promise<WriteResult> {
    if (!this.lastApplied) throw new DiskxError(msg('there is no slot copy of {0} to undo in this comparison', this.info('a').name));
    const result = await this.saveEdit(reversePlan(this.lastApplied));
    this.lastApplied = null;
    return result;
  }

  /** Pushes `plan` as an edit of A and saves it; on failure the edit is dropped again. */
  private async saveEdit(plan: FixPlan): Promise<WriteResult> {
    this.lastScan = null;
    const edit = this.imageA.push(plan);
    try {
      const result = await this.imageA.save();
      if (!result) throw new DiskxError(msg('the plan had nothing to write'));
      return result;
    } catch (error) {
      this.imageA.undo(edit);
      throw error;
    }
  }

  /** The same comparison read afresh (after a write), keeping the last scan only if asked. */
  async reopen(swap = false): Promise<CompareSession> {
    const next = swap ? await CompareSession.open(this.b.path, this.a.path, this.options) : await CompareSession.open(this.a.path, this.b.path, this.options);
    if (!swap && this.lastScan) next.lastScan = this.lastScan;
    if (!swap) next.lastApplied = this.lastApplied;
    return next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.imageA.close(), this.b.source.close()]);
  }
}

async function openSide(path: string, options: CompareOptions): Promise<OpenedSide> {
  const view = await openForView(path, options.sectorSize, options.open);
  return { ...view, problemText: view.problem ? problemText(view.problem, options.l10n) : null };
}

/** The fastest source to stream a side with (a fresh handle with large reads for raw files). */
async function scanSource(side: OpenedSide): Promise<ByteSource> {
  if (side.opened) return scanSourceFor(side.opened);
  return ScanFileSource.open(side.path, { size: side.source.size });
}

function text(value: DiffValue): string | null {
  return value === null ? null : String(value);
}
