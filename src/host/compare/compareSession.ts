// One comparison of two images, A and B (B the reference): both byte sources and
// parsed models, the structural diff and the copy-slots-from-reference offer as
// the webview shows them, and the answers to the webview's requests. Pure (no
// `vscode`): the comparison panel wraps it, and the plain-Node and browser tests
// drive the very same object. Whole-image work (the byte scan, the fix, undo)
// happens only when the panel calls scan() / applyFix() / undo() after asking
// the user (progress with cancel, a modal confirmation).
import type { ByteSource } from '../../core/io/byteSource';
import { openImage } from '../../core/io/openImage';
import type { OpenedImage } from '../../core/io/openImage';
import { FileSource } from '../../core/io/fileSource';
import { readDisk } from '../../core/diskModel';
import type { DiskModel } from '../../core/diskModel';
import { NotADiskImageError, UnsupportedImageError, describeError } from '../../core/errors';
import { structuralDiff, byteDiff, ScanFileSource, scanSourceFor, planCopySlotsFromReference, COPY_SLOTS_FROM_REFERENCE } from '../../core/diff/index';
import type { DiffValue, StructuralDiff } from '../../core/diff/index';
import type { FixPlan, FixResult } from '../../core/patch';
import { applyPlans, undoLast } from '../../core/write/index';
import type { UndoResult, WriteResult } from '../../core/write/index';
import type { CompareImageInfo, CompareInitMessage, CompareSettings, FixOffer, FromCompareWebview, PatchView, ScanSummary, Side, StructureView, ToCompareWebview } from '../../shared/compareProtocol';
import { MAX_SCAN_RANGES, PATCH_PREVIEW_BYTES, assertNever } from '../../shared/compareProtocol';
import { validateFromCompareWebview } from './compareMessageValidation';

export interface CompareOptions {
  /** Forced logical block size for both images; undefined = detect. */
  sectorSize?: number;
  /** Folder for undo journals (tests; DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
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

/** One side of the comparison. */
interface OpenedSide {
  path: string;
  source: ByteSource;
  opened: OpenedImage | null;
  model: DiskModel | null;
  problem: string | null;
}

export class CompareSession {
  /** The last byte scan's result while no byte has been written since. */
  lastScan: ScanSummary | null = null;
  /** A line for the next init message (after a fix or an undo). */
  notice: string | null = null;
  private readonly structure: StructuralDiff | null;
  private readonly fix: FixResult | null;

  private constructor(
    readonly a: OpenedSide,
    readonly b: OpenedSide,
    readonly options: CompareOptions,
  ) {
    this.structure = a.model && b.model ? structuralDiff(a.model, b.model) : null;
    this.fix = a.model && b.model ? planCopySlotsFromReference(a.model, b.model) : null;
  }

  /** Opens and parses both images; files that are no disk image still compare byte for byte. Throws only when a path cannot be read. */
  static async open(pathA: string, pathB: string, options: CompareOptions = {}): Promise<CompareSession> {
    const a = await openSide(pathA, options);
    try {
      const b = await openSide(pathB, options);
      return new CompareSession(a, b, options);
    } catch (error) {
      await a.source.close();
      throw error;
    }
  }

  get sizes(): Record<Side, number> {
    return { a: this.a.source.size, b: this.b.source.size };
  }

  info(side: Side): CompareImageInfo {
    const s = this[side];
    return {
      name: s.path.split(/[\\/]/).pop() ?? s.path,
      path: s.path,
      sizeBytes: s.source.size,
      sectorSize: s.model?.sectorSize ?? 512,
      scheme: s.model ? s.model.scheme : 'plain',
      problem: s.problem,
    };
  }

  /** The structural diff in display form, or null when an image could not be parsed. */
  structureView(): StructureView | null {
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
      const which = !this.a.model ? 'A' : 'B';
      return { available: false, id, reason: `image ${which} could not be read as a disk (${this[which === 'A' ? 'a' : 'b'].problem ?? 'not parsed'}), so there are no slots to compare` };
    }
    if (!this.fix.ok) return { available: false, id, reason: this.fix.reason };
    const { plan } = this.fix;
    const model = this.a.model!;
    const sectors = new Set<number>();
    for (const p of plan.patches) for (let at = p.offset; at < p.offset + p.after.length; at += model.sectorSize) sectors.add(Math.floor(at / model.sectorSize));
    return {
      available: true,
      id,
      title: plan.title,
      description: plan.description,
      patches: plan.patches.map((p): PatchView => ({
        offset: p.offset,
        length: p.after.length,
        lba: Math.floor(p.offset / model.sectorSize),
        what: describeOffset(model, p.offset),
        before: hex(p.before.subarray(0, PATCH_PREVIEW_BYTES)) + (p.before.length > PATCH_PREVIEW_BYTES ? ' …' : ''),
        after: hex(p.after.subarray(0, PATCH_PREVIEW_BYTES)) + (p.after.length > PATCH_PREVIEW_BYTES ? ' …' : ''),
      })),
      sectorsTouched: sectors.size,
      readOnlyReason: this.readOnlyReason(),
    };
  }

  /** Why A cannot be written from the comparison, or null. */
  readOnlyReason(): string | null {
    if (this.a.opened?.kind === 'block-device') return `${this.info('a').name} is a block device; repair devices with diskx fix --allow-device`;
    if (this.a.source.readOnlyHint) return `${this.info('a').name} is read-only`;
    return null;
  }

  initMessage(settings: CompareSettings): CompareInitMessage {
    return { type: 'init', a: this.info('a'), b: this.info('b'), structure: this.structureView(), fix: this.fixOffer(), settings, scan: this.lastScan, notice: this.notice };
  }

  /** Validates and answers one message from the webview. Invalid messages get an error reply. */
  async handle(raw: unknown, settings: CompareSettings): Promise<CompareEffect> {
    const checked = validateFromCompareWebview(raw, this.sizes);
    if (!checked.ok) {
      const requestId = typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { requestId?: unknown }).requestId) ? (raw as { requestId: number }).requestId : null;
      return { kind: 'reply', message: { type: 'error', requestId, message: `rejected message: ${checked.reason}` } };
    }
    const message: FromCompareWebview = checked.message;
    switch (message.type) {
      case 'ready':
        return { kind: 'reply', message: this.initMessage(settings) };
      case 'readRange':
        try {
          const data = await this[message.side].source.read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'bytes', requestId: message.requestId, side: message.side, offset: message.offset, data } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: describeError(error) } };
        }
      case 'startScan':
        return { kind: 'scan' };
      case 'cancelScan':
        return { kind: 'cancelScan' };
      case 'applyFix': {
        if (message.fixId !== COPY_SLOTS_FROM_REFERENCE) return { kind: 'reply', message: { type: 'error', requestId: null, message: `unknown fix ${message.fixId}` } };
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
    const sourceA = await scanSource(this.a);
    let sourceB: ByteSource | null = null;
    try {
      sourceB = await scanSource(this.b);
      const result = await byteDiff(sourceA, sourceB, { maxRanges: MAX_SCAN_RANGES, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
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
    } finally {
      if (sourceA !== this.a.source) await sourceA.close();
      if (sourceB && sourceB !== this.b.source) await sourceB.close();
    }
  }

  /** Writes `plan` to A through the safe writer (journaled, backup first). */
  async applyFix(plan: FixPlan): Promise<WriteResult> {
    const result = await applyPlans(this.a.path, [plan], { sectorSize: this.a.model?.sectorSize ?? 512, tool: 'VS Code (Disk Structure Explorer)', ...(this.options.journalDir ? { journalDir: this.options.journalDir } : {}) });
    this.lastScan = null;
    return result;
  }

  /** Reverts the newest repair of A from its journal. */
  async undo(): Promise<UndoResult> {
    const result = await undoLast(this.a.path, { tool: 'VS Code (Disk Structure Explorer)', ...(this.options.journalDir ? { journalDir: this.options.journalDir } : {}) });
    this.lastScan = null;
    return result;
  }

  /** The same comparison read afresh (after a write), keeping the last scan only if asked. */
  async reopen(swap = false): Promise<CompareSession> {
    const next = swap ? await CompareSession.open(this.b.path, this.a.path, this.options) : await CompareSession.open(this.a.path, this.b.path, this.options);
    if (!swap && this.lastScan) next.lastScan = this.lastScan;
    return next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.a.source.close(), this.b.source.close()]);
  }
}

async function openSide(path: string, options: CompareOptions): Promise<OpenedSide> {
  let opened: OpenedImage;
  try {
    opened = await openImage(path);
  } catch (error) {
    if (!(error instanceof NotADiskImageError || error instanceof UnsupportedImageError)) throw error;
    const plain = await FileSource.open(path).catch(() => null);
    if (!plain) throw error;
    return { path, source: plain, opened: null, model: null, problem: describeError(error) };
  }
  try {
    const model = await readDisk(opened.source, options.sectorSize ? { sectorSize: options.sectorSize } : {});
    return { path, source: opened.source, opened, model, problem: model.scheme === 'none' ? 'no MBR boot signature and no GPT header' : null };
  } catch (error) {
    if (error instanceof NotADiskImageError) return { path, source: opened.source, opened, model: null, problem: describeError(error) };
    await opened.source.close();
    throw error;
  }
}

/** The fastest source to stream a side with (a fresh handle with large reads for raw files). */
async function scanSource(side: OpenedSide): Promise<ByteSource> {
  if (side.opened) return scanSourceFor(side.opened);
  return ScanFileSource.open(side.path, { size: side.source.size });
}

function text(value: DiffValue): string | null {
  return value === null ? null : String(value);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** What the byte at `offset` of `model` belongs to, for the fix preview ("primary array, slot 4"). */
export function describeOffset(model: DiskModel, offset: number): string {
  for (const header of [model.primary, model.backup]) {
    if (!header) continue;
    if (offset >= header.offset && offset < header.offset + header.bytes.length) {
      const field = offset - header.offset === 0x10 ? 'header CRC' : offset - header.offset === 0x58 ? 'entry array CRC' : `byte 0x${(offset - header.offset).toString(16)}`;
      return `${header.role} header: ${field}`;
    }
    const array = header.array;
    if (array && offset >= array.offset && offset < array.offset + array.bytes.length) {
      const slot = Math.floor((offset - array.offset) / header.partitionEntrySize);
      return `${header.role} array: slot ${slot}`;
    }
  }
  return `byte 0x${offset.toString(16)}`;
}
