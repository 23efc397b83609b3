// One open disk image as the editor sees it: the file's ByteSource, the unsaved
// edits laid over it (a PatchedSource), the model and findings re-read over that
// view after every edit, undo, redo, save or revert, and the answers to the
// webview's requests. Pure (no `vscode`): the custom editor's document wraps it,
// the browser test drives the very same object from a stub host, and the
// document-model unit tests run it in plain Node.
import { promises as fsp } from 'node:fs';
import { spawn } from 'node:child_process';
import type { ByteSource } from '../core/io/byteSource';
import { openImage } from '../core/io/openImage';
import type { OpenImageOptions } from '../core/io/openImage';
import { FileSource } from '../core/io/fileSource';
import { PatchedSource } from '../core/io/patchedSource';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { checkDisk } from '../core/checks';
import type { Finding, FixId } from '../core/findings';
import type { FixPlan, FixResult } from '../core/patch';
import { planFix, annotatePatch, sectorsTouched } from '../core/fixes/index';
import { applyPlans } from '../core/write/index';
import type { WriteResult } from '../core/write/index';
import { crc32 } from '../core/crc32';
import { DiskxError, NotADiskImageError, UnsupportedImageError, describeError } from '../core/errors';
import type { ByteChangeView, EditState, FixAction, FixPreview, FromWebview, ImageInfo, InitMessage, PatchView, ToWebview, UpdateMessage, ViewSettings } from '../shared/protocol';
import { FIX_LABELS, INIT_HEAD_BYTES, PREVIEW_MAX_RUNS, PREVIEW_RUN_BYTES, assertNever } from '../shared/protocol';
import { buildStructureView, profileLabel } from './structureTree';
import type { StructureView } from './structureTree';
import { validateFromWebview } from './messageValidation';
import { EditStack, editBackup, parseEditBackup, verifyPlans } from './imageEdits';
import type { ImageEdit } from './imageEdits';

export interface SessionOptions {
  /** Forced logical block size; undefined = detect. */
  sectorSize?: number;
  /** Folder for undo journals (DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
  /** How the image may be opened (the diskx.allowOutsideExtents setting). */
  open?: OpenImageOptions;
}

/** What the host must do that only it can (clipboard, status bar, the edit event). */
export type SessionEffect =
  | { kind: 'reply'; message: ToWebview }
  | { kind: 'copy'; text: string }
  | { kind: 'selection'; offset: number; length: number }
  | { kind: 'edit'; edit: ImageEdit }
  | { kind: 'none' };

/** The file on disk is not what the document last read or wrote: saving now could overwrite someone's change. */
export class ImageChangedOnDiskError extends DiskxError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path} changed on disk since it was opened (${detail}); nothing was written`);
  }
}

/** Save As was cancelled; the partial copy was removed. */
export class SaveCancelledError extends DiskxError {
  constructor(readonly destination: string) {
    super(`Save As to ${destination} was cancelled; no file was left behind`);
  }
}

interface FileStamp {
  size: number;
  mtimeMs: number;
}

type SourceKind = 'raw' | 'vmdk' | 'block-device' | 'container' | 'plain';

/** Bytes copied per step of Save As. */
export const SAVE_AS_CHUNK = 4 * 1024 * 1024;

export class DiskImageSession {
  readonly edits = new EditStack();
  /** Why fixes cannot be applied (set by the host, e.g. Restricted Mode), or null. */
  editBlocked: string | null = null;
  private base: ByteSource;
  private patched: PatchedSource;
  private stamp: FileStamp | null;
  private fixReasons = new Map<FixId, string | null>();
  /** Counts the model and edit-state changes the views were sent (see InitMessage.generation). */
  private generationValue = 0;
  private constructor(
    readonly path: string,
    base: ByteSource,
    private kindValue: SourceKind,
    private modelValue: DiskModel | null,
    private findingsValue: Finding[],
    private viewValue: StructureView,
    private bannerValue: string | null,
    private readonly options: SessionOptions,
    stamp: FileStamp | null,
  ) {
    this.base = base;
    this.patched = new PatchedSource(base);
    this.stamp = stamp;
    this.viewValue = this.withActions(viewValue);
  }

  /**
   * Opens and parses `path`. Whatever cannot be parsed as a disk (too small,
   * a sparse VMDK, no partition table) still opens, as plain hex with a banner;
   * only an unreadable path throws.
   */
  static async open(path: string, options: SessionOptions = {}): Promise<DiskImageSession> {
    const stamp = await fileStamp(path);
    const read = await readImage(path, options.sectorSize, options.open);
    return new DiskImageSession(path, read.source, read.kind, read.model, read.findings, read.view, read.banner, { ...options, sectorSize: options.sectorSize ?? read.model?.sectorSize }, stamp);
  }

  /** The bytes as the document shows them: the file with the unsaved edits laid over it. */
  get source(): ByteSource {
    return this.patched;
  }
  get kind(): SourceKind {
    return this.kindValue;
  }
  get model(): DiskModel | null {
    return this.modelValue;
  }
  get findings(): Finding[] {
    return this.findingsValue;
  }
  get view(): StructureView {
    return this.viewValue;
  }
  get banner(): string | null {
    return this.bannerValue;
  }

  /** True when the file can only be written with an explicit confirmation (block device, read-only file). */
  get readOnly(): boolean {
    return this.kindValue === 'block-device' || !!this.base.readOnlyHint;
  }

  /** Why a save needs the "write to device" confirmation, or null. */
  saveNeedsConfirmation(): string | null {
    if (this.kindValue === 'block-device') return `${this.info().name} is a block device`;
    if (this.base.readOnlyHint) return `${this.info().name} is read-only`;
    return null;
  }

  info(): ImageInfo {
    const name = this.path.split(/[\\/]/).pop() ?? this.path;
    return {
      name,
      sizeBytes: this.base.size,
      sectorSize: this.modelValue?.sectorSize ?? 512,
      scheme: this.modelValue ? this.modelValue.scheme : 'plain',
      profile: profileLabel(this.modelValue),
      readOnly: this.readOnly,
    };
  }

  editState(): EditState {
    return {
      dirty: this.edits.dirty,
      applied: this.edits.current.map((e) => e.plan.title),
      pending: this.edits.pendingPlans().length,
      blocked: this.blockedReason(),
      saveNeedsConfirmation: this.saveNeedsConfirmation(),
    };
  }

  /** Why fixes cannot be applied now (Restricted Mode, not a disk image), or null. */
  blockedReason(): string | null {
    if (this.editBlocked) return this.editBlocked;
    if (!this.modelValue || this.kindValue === 'plain') return 'the file is not read as a disk image';
    return null;
  }

  async initMessage(settings: ViewSettings): Promise<InitMessage> {
    const head = await this.patched.read(0, Math.min(this.patched.size, INIT_HEAD_BYTES));
    return { type: 'init', image: this.info(), tree: this.viewValue.tree, spans: this.viewValue.spans, findings: this.viewValue.findings, banner: this.bannerValue, settings, head, edits: this.editState(), generation: this.generationValue };
  }

  /** The new model for every open view, after the document changed. */
  async updateMessage(notice: string | null = null): Promise<UpdateMessage> {
    this.generationValue++; // every view that gets this update is past any embedded init
    const head = await this.patched.read(0, Math.min(this.patched.size, INIT_HEAD_BYTES));
    return { type: 'update', image: this.info(), tree: this.viewValue.tree, spans: this.viewValue.spans, findings: this.viewValue.findings, banner: this.bannerValue, head, edits: this.editState(), notice };
  }

  // ---- fixes and the edit stack ----

  /** Plans `fixId` on the document as it is now (unsaved edits included). */
  plan(fixId: FixId): FixResult {
    if (!this.modelValue) return { ok: false, id: fixId, reason: 'the file is not read as a disk image' };
    return planFix(this.modelValue, fixId);
  }

  /** What `fixId` would change: fields, before/after and the changed byte runs for the hex view. */
  preview(fixId: FixId): FixPreview {
    const label = FIX_LABELS[fixId] ?? fixId;
    const result = this.plan(fixId);
    if (!result.ok) return { ok: false, fixId, label, reason: result.reason };
    const { plan } = result;
    const model = this.modelValue!;
    const changed: { offset: number; length: number }[] = [];
    let bytesChanged = 0;
    const patches = plan.patches.map((patch): PatchView => {
      const runs = changedRuns(patch.before, patch.after);
      const changes: ByteChangeView[] = runs.slice(0, PREVIEW_MAX_RUNS).map(([from, to]) => ({
        offset: patch.offset + from,
        length: to - from,
        before: hexText(patch.before.subarray(from, Math.min(to, from + PREVIEW_RUN_BYTES))) + (to - from > PREVIEW_RUN_BYTES ? ' …' : ''),
        after: hexText(patch.after.subarray(from, Math.min(to, from + PREVIEW_RUN_BYTES))) + (to - from > PREVIEW_RUN_BYTES ? ' …' : ''),
      }));
      for (const [from, to] of runs) {
        changed.push({ offset: patch.offset + from, length: to - from });
        bytesChanged += to - from;
      }
      let fields: string[];
      try {
        fields = annotatePatch(model, patch);
      } catch {
        fields = [];
      }
      return { offset: patch.offset, length: patch.after.length, lba: Math.floor(patch.offset / model.sectorSize), fields, changes, moreChanges: Math.max(0, runs.length - PREVIEW_MAX_RUNS) };
    });
    changed.sort((a, b) => a.offset - b.offset);
    return { ok: true, fixId, label, title: plan.title, description: plan.description, patches, changed, bytesChanged, sectorsTouched: sectorsTouched(plan.patches, model.sectorSize).length };
  }

  /** Applies `fixId` as a new edit (planned here, on the current model). */
  async applyFix(fixId: FixId): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    const blocked = this.blockedReason();
    if (blocked) return { ok: false, reason: blocked };
    const result = this.plan(fixId);
    if (!result.ok) return { ok: false, reason: result.reason };
    if (result.plan.patches.every((p) => sameBytes(p.before, p.after))) return { ok: false, reason: 'it changes no byte' };
    return { ok: true, edit: await this.applyPlan(result.plan) };
  }

  /** Pushes `plan` as an edit and re-reads the model. */
  async applyPlan(plan: FixPlan): Promise<ImageEdit> {
    const edit = this.edits.push(plan);
    await this.relayEdits();
    return edit;
  }

  /** Undoes `edit` (the newest); false when it is not the newest applied edit. */
  async undo(edit: ImageEdit): Promise<boolean> {
    if (!this.edits.undo(edit)) return false;
    await this.relayEdits();
    return true;
  }

  async redo(edit: ImageEdit): Promise<boolean> {
    if (!this.edits.redo(edit)) return false;
    await this.relayEdits();
    return true;
  }

  // ---- save, save as, revert, reload, backup ----

  /** Throws ImageChangedOnDiskError when the file's size or mtime is not what we last read or wrote. */
  async checkUnchangedOnDisk(): Promise<void> {
    const change = await this.changedOnDisk();
    if (change) throw new ImageChangedOnDiskError(this.path, change);
  }

  /** How the file changed since we last read or wrote it, or null. */
  async changedOnDisk(): Promise<string | null> {
    if (!this.stamp) return null; // block devices: the writer's before-check is the guard
    const now = await fileStamp(this.path);
    if (!now) return 'it was removed';
    if (now.size !== this.stamp.size) return `its size went from ${this.stamp.size} to ${now.size} bytes`;
    if (now.mtimeMs !== this.stamp.mtimeMs) return `it was modified at ${new Date(now.mtimeMs).toISOString()}`;
    return null;
  }

  /**
   * Writes exactly the pending plans through the safe writer (only changed
   * sectors, verify-before-write, journal first, backup GPT before primary,
   * fsync), then the file is the saved state. Refuses when the file changed on
   * disk (ImageChangedOnDiskError; the writer's ImageChangedError when bytes differ).
   */
  async save(options: { allowDevice?: boolean } = {}): Promise<WriteResult | null> {
    const plans = this.edits.pendingPlans();
    if (plans.length === 0) {
      this.edits.markSaved();
      return null;
    }
    await this.checkUnchangedOnDisk();
    const result = await applyPlans(this.path, plans, {
      sectorSize: this.modelValue?.sectorSize ?? 512,
      allowDevice: options.allowDevice ?? false,
      open: this.options.open,
      ...(this.options.journalDir ? { journalDir: this.options.journalDir } : {}),
    });
    this.edits.markSaved();
    await this.reopen();
    return result;
  }

  /**
   * Writes the document as it is now (file plus edits) to `destination`, into a
   * temporary file renamed over `destination` at the end; cancelling removes the
   * temporary file. A regular file on Linux is copied by coreutils `cp
   * --sparse=always` (it skips holes, so a 2 TiB sparse image copies in moments,
   * and clones where the filesystem can), then the edits are written over the copy;
   * otherwise, or if cp fails, a stream copy in SAVE_AS_CHUNK steps through the
   * patched view, all-zero chunks left as holes.
   */
  async saveAs(
    destination: string,
    progress: { report(done: number, total: number): void; cancelled(): boolean } = { report: () => undefined, cancelled: () => false },
    options: { strategy?: 'auto' | 'stream' } = {},
  ): Promise<void> {
    const size = this.patched.size;
    const overlay = this.edits.overlay();
    const temp = `${destination}.diskx-partial`;
    if (progress.cancelled()) throw new SaveCancelledError(destination);
    if ((options.strategy ?? 'auto') === 'auto' && (this.kindValue === 'raw' || this.kindValue === 'plain') && (await this.copyWithCp(temp, size, progress, destination))) {
      let ok = false;
      const handle = await fsp.open(temp, 'r+');
      try {
        for (const patch of overlay) await handle.write(patch.after, 0, patch.after.length, patch.offset);
        await handle.sync();
        ok = true;
      } finally {
        await handle.close();
        if (!ok) await fsp.rm(temp, { force: true });
      }
      progress.report(size, size);
      await fsp.rename(temp, destination);
      return;
    }
    // A raw file is read straight through one handle (the page cache would cut 4 MiB into 64 KiB reads).
    const input = this.kindValue === 'raw' || this.kindValue === 'plain' ? await fsp.open(this.path, 'r') : null;
    const handle = await fsp.open(temp, 'w');
    const zeros = Buffer.alloc(SAVE_AS_CHUNK);
    let ok = false;
    try {
      for (let offset = 0; offset < size; offset += SAVE_AS_CHUNK) {
        if (progress.cancelled()) throw new SaveCancelledError(destination);
        const length = Math.min(SAVE_AS_CHUNK, size - offset);
        let bytes: Buffer;
        if (input) {
          bytes = Buffer.alloc(length);
          let filled = 0;
          while (filled < length) {
            const { bytesRead } = await input.read(bytes, filled, length - filled, offset + filled);
            if (bytesRead === 0) throw new Error(`${this.path} shrank while it was copied`);
            filled += bytesRead;
          }
        } else {
          const read = await this.base.read(offset, length);
          bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
        }
        // The edits, laid over the chunk exactly as PatchedSource does.
        for (const patch of overlay) {
          const from = Math.max(offset, patch.offset);
          const to = Math.min(offset + length, patch.offset + patch.after.length);
          if (from < to) bytes.set(patch.after.subarray(from - patch.offset, to - patch.offset), from - offset);
        }
        // All-zero chunks stay holes (sparse images stay sparse).
        if (!bytes.equals(zeros.subarray(0, length))) await handle.write(bytes, 0, length, offset);
        progress.report(offset + length, size);
      }
      await handle.truncate(size);
      await handle.sync();
      ok = true;
    } finally {
      await handle.close();
      await input?.close();
      if (!ok) await fsp.rm(temp, { force: true });
    }
    await fsp.rename(temp, destination);
  }

  /**
   * The fast path of saveAs: `cp --sparse=always` of the file to `temp`. True when
   * the copy is complete; false (temp removed) when cp is not there or failed, so
   * the caller streams instead; throws SaveCancelledError when cancelled.
   */
  private async copyWithCp(temp: string, size: number, progress: { report(done: number, total: number): void; cancelled(): boolean }, destination: string): Promise<boolean> {
    if (process.platform !== 'linux') return false;
    const stat = await fsp.stat(this.path).catch(() => null);
    if (!stat?.isFile() || stat.size !== size) return false;
    const child = spawn('cp', ['--sparse=always', '--reflink=auto', '--', this.path, temp], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (code) => resolve(code));
    });
    let cancelled = false;
    const timer = setInterval(() => {
      if (progress.cancelled()) {
        cancelled = true;
        child.kill();
        return;
      }
      void fsp.stat(temp).then((s) => progress.report(Math.min(s.size, size), size), () => undefined);
    }, 250);
    let code: number | null;
    try {
      code = await exited;
    } finally {
      clearInterval(timer);
    }
    if (cancelled || code !== 0) await fsp.rm(temp, { force: true });
    if (cancelled) throw new SaveCancelledError(destination);
    return code === 0 && (await fsp.stat(temp)).size === size;
  }

  /** Back to the saved state (Revert): unsaved edits dropped, the file read again. */
  async revert(): Promise<void> {
    this.edits.revert();
    await this.reopen();
  }

  /** The file as it is on disk now becomes the document; every edit is dropped. */
  async reload(): Promise<void> {
    this.edits.reset();
    await this.reopen();
  }

  /** The backup (hot exit) of the unsaved edits: JSON of their patches, never image bytes. */
  backupText(): string {
    return JSON.stringify(editBackup(this.path, this.base.size, this.edits.pendingPlans()));
  }

  /**
   * Lays the edits of a backup over the file again. Each patch must still find
   * its `before` bytes; otherwise nothing is restored and the reason is returned.
   */
  async restoreBackup(text: string): Promise<{ restored: number } | { problem: string }> {
    let plans: FixPlan[];
    try {
      plans = parseEditBackup(text, this.base.size);
    } catch (error) {
      return { problem: `the backup of the unsaved edits cannot be read (${describeError(error)})` };
    }
    const mismatch = await verifyPlans(this.base, plans);
    if (mismatch) {
      return { problem: `the image changed on disk since the unsaved edits were backed up (byte 0x${mismatch.offset.toString(16).toUpperCase()} is 0x${hex2(mismatch.found)}, "${mismatch.title}" expected 0x${hex2(mismatch.expected)}); the edits were not restored` };
    }
    this.edits.reset(plans);
    await this.relayEdits();
    return { restored: plans.length };
  }

  // ---- messages ----

  /** Validates and answers one message from the webview. Invalid messages get an error reply. */
  async handle(raw: unknown, settings: ViewSettings): Promise<SessionEffect> {
    const checked = validateFromWebview(raw, this.patched.size);
    if (!checked.ok) {
      const requestId = typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { requestId?: unknown }).requestId) ? ((raw as { requestId: number }).requestId) : null;
      return { kind: 'reply', message: { type: 'error', requestId, message: `rejected message: ${checked.reason}` } };
    }
    const message: FromWebview = checked.message;
    switch (message.type) {
      case 'ready':
        // The page already shows the init embedded in its HTML, and nothing changed since: no second init.
        if (message.shown !== undefined && message.shown === this.generationValue) return { kind: 'none' };
        return { kind: 'reply', message: await this.initMessage(settings) };
      case 'readRange': {
        try {
          const data = await this.patched.read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'bytes', requestId: message.requestId, offset: message.offset, data } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: describeError(error) } };
        }
      }
      case 'crcRange': {
        try {
          const data = await this.patched.read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'crc', requestId: message.requestId, offset: message.offset, length: message.length, crc: crc32(data) } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: describeError(error) } };
        }
      }
      case 'copyHex': {
        const data = await this.patched.read(message.offset, message.length);
        return { kind: 'copy', text: Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ') };
      }
      case 'selection':
        return { kind: 'selection', offset: message.offset, length: message.length };
      case 'previewFix':
        return { kind: 'reply', message: { type: 'fixPreview', preview: this.preview(message.fixId as FixId) } };
      case 'applyFix': {
        const applied = await this.applyFix(message.fixId as FixId);
        if (!applied.ok) return { kind: 'reply', message: { type: 'error', requestId: null, message: `${FIX_LABELS[message.fixId] ?? message.fixId}: not applied: ${applied.reason}` } };
        return { kind: 'edit', edit: applied.edit };
      }
      default:
        return assertNever(message);
    }
  }

  async close(): Promise<void> {
    await this.base.close();
  }

  // ---- internals ----

  /** Lays the pending edits over the file and re-reads the model (the first model's sector size kept). */
  private async relayEdits(): Promise<void> {
    this.patched = new PatchedSource(this.base, this.edits.overlay());
    await this.reparse();
  }

  private async reparse(): Promise<void> {
    this.fixReasons.clear();
    if (this.kindValue === 'plain') return;
    try {
      const model = await readDisk(this.patched, this.options.sectorSize ? { sectorSize: this.options.sectorSize } : {});
      this.modelValue = model;
      this.findingsValue = checkDisk(model);
      this.generationValue++;
      this.viewValue = this.withActions(buildStructureView(model, this.findingsValue));
      this.bannerValue = model.scheme === 'none' ? 'No MBR boot signature and no GPT header: this does not look like a disk image. Showing its bytes as plain hex.' : null;
    } catch (error) {
      this.modelValue = null;
      this.findingsValue = [];
      this.generationValue++;
      this.viewValue = { tree: [], spans: [], findings: [] };
      this.bannerValue = `Not a disk image with these edits: ${describeError(error)}. Showing its bytes as plain hex.`;
    }
  }

  /** Opens the file again (after a write, a revert or an outside change): no stale cache. */
  private async reopen(): Promise<void> {
    const read = await readImage(this.path, this.options.sectorSize, this.options.open);
    await this.base.close().catch(() => undefined);
    this.base = read.source;
    this.kindValue = read.kind;
    this.stamp = await fileStamp(this.path);
    await this.relayEdits();
  }

  /** Each finding's fixes as buttons, with the reason when a fix does not apply to the current model. */
  private withActions(view: StructureView): StructureView {
    for (const finding of view.findings) {
      finding.actions = finding.fixes.map((id): FixAction => ({ id, label: FIX_LABELS[id] ?? id, reason: this.fixReason(id as FixId) }));
    }
    return view;
  }

  private fixReason(id: FixId): string | null {
    if (!this.fixReasons.has(id)) {
      const result = this.modelValue ? planFix(this.modelValue, id) : null;
      this.fixReasons.set(id, !result ? 'the file is not read as a disk image' : result.ok ? (result.plan.patches.every((p) => sameBytes(p.before, p.after)) ? 'it changes no byte' : null) : result.reason);
    }
    return this.fixReasons.get(id)!;
  }
}

async function readImage(path: string, sectorSize: number | undefined, openOptions: OpenImageOptions = {}): Promise<{ source: ByteSource; kind: SourceKind; model: DiskModel | null; findings: Finding[]; view: StructureView; banner: string | null }> {
  const empty: StructureView = { tree: [], spans: [], findings: [] };
  let source: ByteSource;
  let kind: SourceKind;
  try {
    const opened = await openImage(path, openOptions);
    source = opened.source;
    kind = opened.kind;
  } catch (error) {
    if (!(error instanceof NotADiskImageError || error instanceof UnsupportedImageError)) throw error;
    // Still show the bytes, if there are any: an error dialog would tell the user less.
    const plain = await FileSource.open(path).catch(() => null);
    if (!plain) throw error;
    return { source: plain, kind: 'plain', model: null, findings: [], view: empty, banner: `Not opened as a disk image: this file ${describeError(error)}. Showing its bytes as plain hex.` };
  }
  try {
    const model = await readDisk(source, sectorSize ? { sectorSize } : {});
    const findings = checkDisk(model);
    const view = buildStructureView(model, findings);
    const banner = model.scheme === 'none' ? 'No MBR boot signature and no GPT header: this does not look like a disk image. Showing its bytes as plain hex.' : null;
    return { source, kind, model, findings, view, banner };
  } catch (error) {
    if (error instanceof NotADiskImageError) {
      return { source, kind: 'plain', model: null, findings: [], view: empty, banner: `Not a disk image: this file ${describeError(error)}. Showing its bytes as plain hex.` };
    }
    await source.close();
    throw error;
  }
}

async function fileStamp(path: string): Promise<FileStamp | null> {
  try {
    const stat = await fsp.stat(path);
    return stat.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs } : null;
  } catch {
    return null;
  }
}

/** [from, to) runs where `a` and `b` differ. */
function changedRuns(a: Uint8Array, b: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < a.length; ) {
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hexText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
