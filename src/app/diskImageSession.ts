// One open disk image as the editor sees it: an EditableImage (the file, its
// edit stack and the edits laid over it), the model and findings re-read over
// that view after every edit, undo, redo, save or revert, the structure tree
// the webview shows, and the answers to the webview's requests. Pure (no
// `vscode`): the custom editor's document wraps it, the browser test drives the
// very same object from a stub host, and plain Node tests run it.
import type { ByteSource } from '../core/io/byteSource';
import { ScanFileSource } from '../core/io/scanSource';
import type { OpenImageOptions } from '../core/io/openImage';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { checkDisk } from '../core/checks';
import type { Finding, FixId, ScanFixId } from '../core/findings';
import type { FixPlan, FixResult } from '../core/patch';
import { planFix } from '../core/fixes/index';
import { isScanFixId } from '../core/fixes/registry';
import { planRebuildFromScan, scanImage } from '../core/scan/index';
import type { ScanResult } from '../core/scan/index';
import { containerRefusal } from '../core/write/containerPlans';
import type { CopyProgress, WriteResult } from '../core/write/index';
import { crc32 } from '../core/crc32';
import { describeError } from '../core/errors';
import type {
  EditState,
  FieldSpan,
  FixAction,
  FixPreview,
  FromWebview,
  ImageInfo,
  InitMessage,
  ToWebview,
  TreeNode,
  UpdateMessage,
  ViewSettings,
} from '../shared/protocol/editor';
import { INIT_HEAD_BYTES, assertNever, requestIdOf } from '../shared/protocol/editor';
import { fixLabel } from '../core/fixes/registry';
import { buildStructureTree, profileLabel } from './structureTree';
import type { StructureTree } from './structureTree';
import { validateFromWebview } from './messageValidation';
import type { EditStack, ImageEdit } from './editStack';
import { EditableImage } from './editableImage';
import { openForView, problemBanner } from './openForView';
import type { ViewKind } from './openForView';
import { changesNoByte, previewPlan } from './fixPreview';
import { AppliedSpecs, overlaySpans } from './appliedSpecs';
import { planSpecFieldEdit, specFieldEditText } from './specFieldEdit';
import { byteEditTitle, editedRanges, findInDocument, planBytes, planField } from './handEdits';
import type { FindMessage } from '../shared/protocol/editor';
import type { AppliedSpec, AppliedSpecsHost, SpecTarget } from './appliedSpecs';

export interface SessionOptions {
  /** Forced logical block size; undefined = detect. */
  sectorSize?: number;
  /** Folder for undo journals (DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
  /** How the image may be opened (the diskx.allowOutsideExtents setting). */
  open?: OpenImageOptions;
  /** Compiles user specs and says when they may not run; without it no spec can be applied. */
  specs?: AppliedSpecsHost;
}

const NO_SPECS: AppliedSpecsHost = {
  compile: () => Promise.reject(new Error('structure specs are not available here')),
  blocked: () => null,
};

/** What the host must do that only it can (clipboard, status bar, the edit event). */
export type SessionEffect =
  | { kind: 'reply'; message: ToWebview }
  | { kind: 'copy'; text: string }
  | { kind: 'selection'; offset: number; length: number }
  | { kind: 'edit'; edit: ImageEdit }
  /** The views need an update (a lazy spec node was read). */
  | { kind: 'changed'; notice: string | null }
  /** A search to run (the host shows its progress with a cancel button and posts the result). */
  | { kind: 'find'; requestId: number; run: (signal: AbortSignal, onProgress: (done: number, total: number) => void) => Promise<ToWebview> }
  | { kind: 'cancelFind'; requestId: number }
  | { kind: 'none' };

const EMPTY_TREE: StructureTree = { tree: [], spans: [], findings: [] };

export class DiskImageSession {
  /** Why fixes cannot be applied (set by the host, e.g. Restricted Mode), or null. */
  editBlocked: string | null = null;
  private fixReasons = new Map<FixId, string | null>();
  /** Counts the model and edit-state changes the views were sent (see InitMessage.generation). */
  private generationValue = 0;
  private viewValue: StructureTree;
  /** Bytes that differ from the file (the unsaved edits), for the hex view's marks. */
  private editedValue: { offset: number; length: number }[] = [];
  /** The user's Kaitai specs applied to this image (roots of the tree after ours). */
  readonly specs: AppliedSpecs;

  private constructor(
    readonly image: EditableImage,
    private modelValue: DiskModel | null,
    private findingsValue: Finding[],
    view: StructureTree,
    private bannerValue: string | null,
    private readonly sectorSize: number | undefined,
    specHost: AppliedSpecsHost,
  ) {
    this.viewValue = this.withActions(view);
    this.specs = new AppliedSpecs(specHost);
  }

  /**
   * Opens and parses `path`. Whatever cannot be parsed as a disk (too small,
   * a sparse VMDK, no partition table) still opens, as plain hex with a banner;
   * only an unreadable path throws.
   */
  static async open(path: string, options: SessionOptions = {}): Promise<DiskImageSession> {
    const open = options.open ?? {};
    const view = await openForView(path, options.sectorSize, open);
    const sectorSize = options.sectorSize ?? view.model?.sectorSize;
    const image = await EditableImage.from(view, {
      ...(sectorSize ? { sectorSize } : {}),
      ...(options.journalDir ? { journalDir: options.journalDir } : {}),
      open,
      reopen: (p) => openForView(p, sectorSize, open),
    });
    const findings = view.model ? checkDisk(view.model) : [];
    const tree = view.model ? buildStructureTree(view.model, findings) : EMPTY_TREE;
    return new DiskImageSession(image, view.model, findings, tree, view.problem ? problemBanner(view.problem) : null, sectorSize, options.specs ?? NO_SPECS);
  }

  get path(): string {
    return this.image.path;
  }
  get edits(): EditStack {
    return this.image.edits;
  }
  /** The bytes as the document shows them: the file with the unsaved edits laid over it. */
  get source(): ByteSource {
    return this.image.source;
  }
  get kind(): ViewKind {
    return this.image.kind;
  }
  get model(): DiskModel | null {
    return this.modelValue;
  }
  get findings(): Finding[] {
    return this.findingsValue;
  }
  get view(): StructureTree {
    return this.viewValue;
  }
  get banner(): string | null {
    return this.bannerValue;
  }

  /** True when the file can only be written with an explicit confirmation (block device, read-only file). */
  get readOnly(): boolean {
    return this.image.saveNeedsConfirmation() !== null;
  }

  /** Why a save needs the "write to device" confirmation, or null. */
  saveNeedsConfirmation(): string | null {
    return this.image.saveNeedsConfirmation();
  }

  info(): ImageInfo {
    const name = this.path.split(/[\\/]/).pop() ?? this.path;
    return {
      name,
      sizeBytes: this.image.baseSource.size,
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
      edited: this.editedValue,
    };
  }

  /** Why fixes cannot be applied now (Restricted Mode, not a disk image), or null. */
  blockedReason(): string | null {
    if (this.editBlocked) return this.editBlocked;
    if (!this.modelValue || this.kind === 'plain') return 'the file is not read as a disk image';
    return null;
  }

  async initMessage(settings: ViewSettings): Promise<InitMessage> {
    const head = await this.source.read(0, Math.min(this.source.size, INIT_HEAD_BYTES));
    return {
      type: 'init',
      image: this.info(),
      tree: this.tree(),
      spans: this.spans(),
      findings: this.viewValue.findings,
      banner: this.bannerValue,
      settings,
      head,
      edits: this.editState(),
      generation: this.generationValue,
    };
  }

  /** The new model for every open view, after the document changed. */
  async updateMessage(notice: string | null = null): Promise<UpdateMessage> {
    this.generationValue++; // every view that gets this update is past any embedded init
    const head = await this.source.read(0, Math.min(this.source.size, INIT_HEAD_BYTES));
    return {
      type: 'update',
      image: this.info(),
      tree: this.tree(),
      spans: this.spans(),
      findings: this.viewValue.findings,
      banner: this.bannerValue,
      head,
      edits: this.editState(),
      notice,
    };
  }

  /** Our structures, then one root per applied user spec. */
  private tree(): TreeNode[] {
    const specs = this.specs.nodes();
    return specs.length ? [...this.viewValue.tree, ...specs] : this.viewValue.tree;
  }

  /** Our spans with the applied specs' fields laid over them. */
  private spans(): FieldSpan[] {
    return overlaySpans(this.viewValue.spans, this.specs.spans());
  }

  // ---- user specs ----

  /** What the specs read: the document's bytes (unsaved edits included) and its model. */
  specTarget(): SpecTarget {
    return { source: this.source, model: this.modelValue };
  }

  /** Applies the .ksy `spec` at `at` (`0x1000`, `lba:2048`, `partition:1`). */
  applySpec(spec: string, at: string): Promise<AppliedSpec> {
    this.generationValue++;
    return this.specs.add(spec, at, this.specTarget());
  }

  /** Takes an applied spec off the image. */
  removeSpec(key: number): Promise<boolean> {
    this.generationValue++;
    return this.specs.remove(key);
  }

  /** `file` (a .ksy) was saved: the specs using it are compiled and parsed again. */
  recompileSpecs(file: string): Promise<AppliedSpec[]> {
    this.generationValue++;
    return this.specs.recompile(file, this.specTarget());
  }

  /**
   * Sets the field of a user spec behind `nodeId` to `text` (its integer, text or hex
   * bytes) as one edit, like a fix: undoable, written on Save through the safe writer.
   */
  async setSpecField(nodeId: string, text: string): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    const blocked = this.blockedReason();
    if (blocked) return { ok: false, reason: blocked };
    const plan = await planSpecFieldEdit(this.specs, this.source, nodeId, text);
    if (typeof plan === 'string') return { ok: false, reason: plan };
    return { ok: true, edit: await this.applyPlan(plan) };
  }

  /** The text a value editor for spec field `nodeId` starts from, or null. */
  specFieldText(nodeId: string): Promise<string | null> {
    return specFieldEditText(this.specs, this.source, nodeId);
  }

  /** Compiles and parses every applied spec again (workspace trust granted, spec paths changed). */
  refreshSpecs(): Promise<void> {
    this.generationValue++;
    return this.specs.refresh(this.specTarget(), true);
  }

  // ---- fixes and the edit stack ----

  /** The last scan for lost partitions (Scan for Lost Partitions...), until the next edit. */
  lastScan: ScanResult | null = null;

  /**
   * Scans the image as it is now (unsaved edits included) for volumes and stray tables;
   * the result plans rebuild-from-scan. Rejects with the signal's reason when cancelled.
   */
  async scanForLostPartitions(signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ScanResult> {
    if (!this.modelValue) throw new Error('the file is not read as a disk image');
    // The sequential pass reads a raw file directly (large reads, holes skipped); what it finds is
    // confirmed through the document's bytes, unsaved edits included.
    const bulk = this.image.kind === 'raw' ? await ScanFileSource.open(this.image.path, { size: this.source.size }) : this.source;
    try {
      const scan = await scanImage(this.source, bulk, {
        sectorSize: this.modelValue.sectorSize,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      this.lastScan = scan;
      return scan;
    } finally {
      if (bulk !== this.source) await bulk.close();
    }
  }

  /** Plans `fixId` on the document as it is now (unsaved edits included). */
  plan(fixId: FixId | ScanFixId): FixResult {
    if (!this.modelValue) return { ok: false, id: fixId, reason: 'the file is not read as a disk image' };
    if (isScanFixId(fixId))
      return this.lastScan ? planRebuildFromScan(this.modelValue, this.lastScan) : { ok: false, id: fixId, reason: 'run "Scan for Lost Partitions..." first' };
    return planFix(this.modelValue, fixId);
  }

  /** What `fixId` would change: fields, before/after and the changed byte runs for the hex view. */
  preview(fixId: FixId | ScanFixId): FixPreview {
    const label = fixLabel(fixId);
    const result = this.plan(fixId);
    if (!result.ok) return { ok: false, fixId, label, reason: result.reason };
    return { ok: true, fixId, label, ...previewPlan(this.modelValue!, result.plan) };
  }

  /** Applies `fixId` as a new edit (planned here, on the current model). */
  async applyFix(fixId: FixId | ScanFixId): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    const blocked = this.blockedReason();
    if (blocked) return { ok: false, reason: blocked };
    const result = this.plan(fixId);
    if (!result.ok) return { ok: false, reason: result.reason };
    if (changesNoByte(result.plan)) return { ok: false, reason: 'it changes no byte' };
    // Through a container (qcow2, VHD, ...) only into plain allocated data: say why not before Save would.
    const containerReason = await containerRefusal(this.image.baseSource, result.plan, this.modelValue!.sectorSize);
    if (containerReason) return { ok: false, reason: containerReason };
    return { ok: true, edit: await this.applyPlan(result.plan) };
  }

  /** Why hand edits cannot be made now (Restricted Mode), or null; plain files take byte edits too. */
  handEditBlocked(): string | null {
    return this.editBlocked;
  }

  /** Overwrites bytes at `offset` as one edit (with the dependent bytes when `dependents`). */
  async editBytes(
    offset: number,
    bytes: Uint8Array,
    dependents: boolean,
    action: 'type' | 'paste' | 'fill',
  ): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    return this.handEdit(() => planBytes(this.editTarget(), offset, bytes, dependents, byteEditTitle(action, offset, bytes.length)));
  }

  /** Puts the file's bytes back over [offset, offset+length) as one edit. */
  async revertBytes(offset: number, length: number, dependents: boolean): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    const saved = await this.image.baseSource.read(offset, length);
    return this.handEdit(() => planBytes(this.editTarget(), offset, saved, dependents, byteEditTitle('revert', offset, length)));
  }

  /** Sets the field at `path` to `value` as one edit. */
  async setField(path: string, value: string, dependents: boolean): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    // A field of a user's spec (its tree editor sends the node id as the path).
    if (AppliedSpecs.owns(path)) return this.setSpecField(path, value);
    return this.handEdit(() => planField(this.editTarget(), path, value, dependents));
  }

  /** Searches the document (unsaved edits included) as the find bar asks. */
  find(message: FindMessage, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ToWebview> {
    const path = this.kind === 'plain' || this.image.baseSource.size !== this.source.size ? null : this.path;
    return findInDocument(path, this.source, this.edits.overlay(), message, { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) }).catch(
      (error: unknown) => ({
        type: 'error' as const,
        requestId: message.requestId,
        message: signal?.aborted ? 'Search cancelled.' : `Search: ${describeError(error)}`,
      }),
    );
  }

  private editTarget(): { model: DiskModel | null; source: ByteSource } {
    return { model: this.kind === 'plain' ? null : this.modelValue, source: this.source };
  }

  private async handEdit(plan: () => Promise<FixPlan>): Promise<{ ok: true; edit: ImageEdit } | { ok: false; reason: string }> {
    const blocked = this.handEditBlocked();
    if (blocked) return { ok: false, reason: blocked };
    let made: FixPlan;
    try {
      made = await plan();
    } catch (error) {
      return { ok: false, reason: describeError(error) };
    }
    if (changesNoByte(made)) return { ok: false, reason: 'it changes no byte' };
    return { ok: true, edit: await this.applyPlan(made) };
  }

  /** Pushes `plan` as an edit and re-reads the model. */
  async applyPlan(plan: FixPlan): Promise<ImageEdit> {
    this.lastScan = null; // planned on the bytes before this edit
    const edit = this.image.push(plan);
    await this.reparse();
    return edit;
  }

  /** Undoes `edit` (the newest); false when it is not the newest applied edit. */
  async undo(edit: ImageEdit): Promise<boolean> {
    if (!this.image.undo(edit)) return false;
    await this.reparse();
    return true;
  }

  async redo(edit: ImageEdit): Promise<boolean> {
    if (!this.image.redo(edit)) return false;
    await this.reparse();
    return true;
  }

  // ---- save, save as, revert, reload, backup (EditableImage does the work) ----

  /** Throws ImageChangedOnDiskError when the file's size or mtime is not what we last read or wrote. */
  checkUnchangedOnDisk(): Promise<void> {
    return this.image.checkUnchangedOnDisk();
  }

  /** How the file changed since we last read or wrote it, or null. */
  changedOnDisk(): Promise<string | null> {
    return this.image.changedOnDisk();
  }

  /** Writes the pending plans (EditableImage.save); the file then holds the bytes the model and tree were read from: they stand. */
  async save(options: { allowDevice?: boolean } = {}): Promise<WriteResult | null> {
    const pending = this.edits.pendingPlans().length;
    const result = await this.image.save(options);
    if (pending > 0) {
      this.editedValue = []; // no edit left to mark
      this.generationValue++;
      await this.specs.refresh(this.specTarget()); // they read through the reopened file
    }
    return result;
  }

  /** Writes the document as it is now (file plus edits) to `destination`; cancelling leaves nothing behind. */
  saveAs(destination: string, progress?: CopyProgress, options: { strategy?: 'auto' | 'stream' } = {}): Promise<void> {
    return this.image.saveAs(destination, progress, options);
  }

  /** Back to the saved state (Revert): unsaved edits dropped, the file read again. */
  async revert(): Promise<void> {
    await this.image.revert();
    await this.reparse();
  }

  /** The file as it is on disk now becomes the document; every edit is dropped. */
  async reload(): Promise<void> {
    await this.image.reload();
    await this.reparse();
  }

  /** The backup (hot exit) of the unsaved edits: JSON of their patches, never image bytes. */
  backupText(): string {
    return this.image.backupText();
  }

  /** Lays the edits of a backup over the file again, or says why not (nothing restored then). */
  async restoreBackup(text: string): Promise<{ restored: number } | { problem: string }> {
    const result = await this.image.restoreBackup(text);
    if ('restored' in result) await this.reparse();
    return result;
  }

  // ---- messages ----

  /** Validates and answers one message from the webview. Invalid messages get an error reply. */
  async handle(raw: unknown, settings: ViewSettings): Promise<SessionEffect> {
    const checked = validateFromWebview(raw, this.source.size);
    if (!checked.ok) return { kind: 'reply', message: { type: 'error', requestId: requestIdOf(raw), message: `rejected message: ${checked.reason}` } };
    const message: FromWebview = checked.message;
    switch (message.type) {
      case 'ready':
        // The page already shows the init embedded in its HTML, and nothing changed since: no second init.
        if (message.shown !== undefined && message.shown === this.generationValue) return { kind: 'none' };
        return { kind: 'reply', message: await this.initMessage(settings) };
      case 'readRange':
        return this.reply(message.requestId, async () => ({
          type: 'bytes',
          requestId: message.requestId,
          offset: message.offset,
          data: await this.source.read(message.offset, message.length),
        }));
      case 'crcRange':
        return this.reply(message.requestId, async () => ({
          type: 'crc',
          requestId: message.requestId,
          offset: message.offset,
          length: message.length,
          crc: crc32(await this.source.read(message.offset, message.length)),
        }));
      case 'copyHex': {
        const data = await this.source.read(message.offset, message.length);
        return { kind: 'copy', text: Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ') };
      }
      case 'selection':
        return { kind: 'selection', offset: message.offset, length: message.length };
      case 'previewFix':
        return { kind: 'reply', message: { type: 'fixPreview', preview: this.preview(message.fixId as FixId | ScanFixId) } };
      case 'expandNode':
        if (!(await this.specs.expand(message.nodeId))) return { kind: 'none' };
        this.generationValue++;
        return { kind: 'changed', notice: null };
      case 'applyFix': {
        const applied = await this.applyFix(message.fixId as FixId | ScanFixId);
        if (!applied.ok)
          return { kind: 'reply', message: { type: 'error', requestId: null, message: `${fixLabel(message.fixId)}: not applied: ${applied.reason}` } };
        return { kind: 'edit', edit: applied.edit };
      }
      case 'editBytes':
      case 'revertBytes':
      case 'setField': {
        const what =
          message.type === 'setField'
            ? message.path
            : message.type === 'editBytes'
              ? byteEditTitle(message.action, message.offset, message.hex.length / 2)
              : byteEditTitle('revert', message.offset, message.length);
        const done =
          message.type === 'editBytes'
            ? await this.editBytes(
                message.offset,
                Uint8Array.from(message.hex.match(/../g)!, (h) => parseInt(h, 16)),
                message.dependents,
                message.action,
              )
            : message.type === 'revertBytes'
              ? await this.revertBytes(message.offset, message.length, message.dependents)
              : await this.setField(message.path, message.value, message.dependents);
        if (!done.ok) return { kind: 'reply', message: { type: 'error', requestId: null, message: `${what}: not changed: ${done.reason}` } };
        return { kind: 'edit', edit: done.edit };
      }
      case 'find':
        return { kind: 'find', requestId: message.requestId, run: (signal, onProgress) => this.find(message, signal, onProgress) };
      case 'cancelFind':
        return { kind: 'cancelFind', requestId: message.requestId };
      default:
        return assertNever(message);
    }
  }

  async close(): Promise<void> {
    await this.specs.dispose();
    await this.image.close();
  }

  // ---- internals ----

  /** The answer to request `requestId`, or an error reply with the same id when it cannot be made. */
  private async reply(requestId: number, answer: () => Promise<ToWebview>): Promise<SessionEffect> {
    try {
      return { kind: 'reply', message: await answer() };
    } catch (error) {
      return { kind: 'reply', message: { type: 'error', requestId, message: describeError(error) } };
    }
  }

  /** Re-reads the model over the document's bytes (the first model's sector size kept). */
  private async reparse(): Promise<void> {
    this.fixReasons.clear();
    this.editedValue = await editedRanges(this.image.baseSource, this.source, this.edits.overlay()).catch(() => []);
    if (this.kind === 'plain') {
      this.generationValue++;
      return;
    }
    try {
      const model = await readDisk(this.source, this.sectorSize ? { sectorSize: this.sectorSize } : {});
      this.modelValue = model;
      this.findingsValue = checkDisk(model);
      this.generationValue++;
      this.viewValue = this.withActions(buildStructureTree(model, this.findingsValue));
      this.bannerValue = model.scheme === 'none' && !model.content ? problemBanner({ stage: 'no-table' }) : null;
      await this.specs.refresh(this.specTarget());
    } catch (error) {
      this.modelValue = null;
      this.findingsValue = [];
      this.generationValue++;
      this.viewValue = { tree: [], spans: [], findings: [] };
      this.bannerValue = `Not a disk image with these edits: ${describeError(error)}. Showing its bytes as plain hex.`;
    }
  }

  /** Each finding's fixes as buttons, with the reason when a fix does not apply to the current model. */
  private withActions(view: StructureTree): StructureTree {
    for (const finding of view.findings) {
      finding.actions = finding.fixes.map((id): FixAction => ({ id, label: fixLabel(id), reason: this.fixReason(id as FixId) }));
    }
    return view;
  }

  private fixReason(id: FixId): string | null {
    if (!this.fixReasons.has(id)) {
      const result = this.modelValue ? planFix(this.modelValue, id) : null;
      this.fixReasons.set(
        id,
        !result ? 'the file is not read as a disk image' : result.ok ? (changesNoByte(result.plan) ? 'it changes no byte' : null) : result.reason,
      );
    }
    return this.fixReasons.get(id)!;
  }
}
