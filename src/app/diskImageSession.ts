// One open disk image as the editor sees it: an EditableImage (the file, its
// edit stack and the edits laid over it), the model and findings re-read over
// that view after every edit, undo, redo, save or revert, the structure tree
// the webview shows, and the answers to the webview's requests. Pure (no
// `vscode`): the custom editor's document wraps it, the browser test drives the
// very same object from a stub host, and plain Node tests run it. The pieces by
// concern live in session/: the webview's messages (messages.ts, read and edit
// requests), init/update (viewMessages.ts), fixes and the scan (fixes.ts), hand
// edits and search (handEditing.ts).
import type { ByteSource } from '../core/io/byteSource';
import type { OpenImageOptions } from '../core/io/openImage';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { checkWithContainer, containerViewOf } from './containerView';
import type { ContainerView } from './containerView';
import type { Finding, FixId, ScanFixId } from '../core/findings';
import type { FixPlan, FixResult } from '../core/patch';
import type { ScanResult } from '../core/scan/index';
import { containerRefusalText } from '../core/write/containerPlans';
import type { CopyProgress, WriteResult } from '../core/write/index';
import { describeErrorText } from '../core/errors';
import type {
  EditState,
  EditsMessage,
  FindMessage,
  FixPreview,
  ImageInfo,
  InitMessage,
  ToWebview,
  UpdateMessage,
  ViewSettings,
} from '../shared/protocol/editor';
import { buildStructureTree } from './structureTree';
import { buildDiskMap } from './diskMap';
import type { DiskMapView } from '../shared/protocol/diskMap';
import type { StructureTree } from './structureTree';
import type { EditStack, ImageEdit } from './editStack';
import { EditableImage } from './editableImage';
import { openForView, problemBanner } from './openForView';
import type { ViewKind } from './openForView';
import { changesNoByte } from './fixPreview';
import { AppliedSpecs } from './appliedSpecs';
import { planSpecFieldEdit, specFieldEditText } from './specFieldEdit';
import { byteEditTitleText, editedRanges, planBytes, planField } from './handEdits';
import type { AppliedSpec, AppliedSpecsHost, SpecTarget } from './appliedSpecs';
import type { EditOutcome, SessionEffect } from './session/effects';
import { handleSessionMessage } from './session/messages';
import type { MessageTarget } from './session/messages';
import { FixReasons, planSessionFix, previewSessionFix, scanDocument } from './session/fixes';
import type { ViewContent } from './session/viewMessages';
import { imageInfo, initMessageOf, updateMessageOf } from './session/viewMessages';
import { runHandEdit, searchDocument } from './session/handEditing';
import { ENGLISH } from '../shared/l10n';
import type { Localizer, Message } from '../shared/l10n';

export type { EditOutcome, SessionEffect } from './session/effects';

export interface SessionOptions {
  /** Forced logical block size; undefined = detect. */
  sectorSize?: number;
  /** Folder for undo journals (DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
  /** How the image may be opened (the diskx.allowOutsideExtents setting). */
  open?: OpenImageOptions;
  /** Compiles user specs and says when they may not run; without it no spec can be applied. */
  specs?: AppliedSpecsHost;
  /** The user's language for the tree, the disk map, the banner and the reasons (the host passes its bundle's); English without. */
  l10n?: Localizer;
}

const NO_SPECS: AppliedSpecsHost = {
  compile: () => Promise.reject(new Error('structure specs are not available here')),
  blocked: () => null,
};

const EMPTY_TREE: StructureTree = { tree: [], spans: [], findings: [] };

export class DiskImageSession implements MessageTarget {
  /** Why fixes cannot be applied (set by the host, e.g. Restricted Mode), or null. */
  editBlocked: string | null = null;
  private readonly fixReasons = new FixReasons();
  /** Counts the model and edit-state changes the views were sent (see InitMessage.generation). */
  private generationValue = 0;
  /** The generation a save left (the model stands; see updateMessage). */
  private savedAt = -1;
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
    /** The container the disk is stored in (qcow2, VHD, ...), or null. */
    private readonly container: ContainerView | null,
    readonly l10n: Localizer,
  ) {
    this.viewValue = this.fixReasons.withActions(view, modelValue, l10n);
    this.specs = new AppliedSpecs(specHost, l10n);
  }

  /**
   * Opens and parses `path`. Whatever cannot be parsed as a disk (too small,
   * a sparse VMDK, no partition table) still opens, as plain hex with a banner;
   * only an unreadable path throws.
   */
  static async open(path: string, options: SessionOptions = {}): Promise<DiskImageSession> {
    const open = options.open ?? {};
    const l10n = options.l10n ?? ENGLISH;
    const view = await openForView(path, options.sectorSize, open);
    const sectorSize = options.sectorSize ?? view.model?.sectorSize;
    const image = await EditableImage.from(view, {
      ...(sectorSize ? { sectorSize } : {}),
      ...(options.journalDir ? { journalDir: options.journalDir } : {}),
      open,
      reopen: (p) => openForView(p, sectorSize, open),
    });
    const container = await containerViewOf(image.baseSource);
    const findings = view.model ? checkWithContainer(view.model, container) : [];
    const tree = view.model ? buildStructureTree(view.model, findings, container, l10n) : EMPTY_TREE;
    return new DiskImageSession(
      image,
      view.model,
      findings,
      tree,
      view.problem ? problemBanner(view.problem, l10n) : null,
      sectorSize,
      options.specs ?? NO_SPECS,
      container,
      l10n,
    );
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
  /** Counts the model and edit-state changes the views were sent (see InitMessage.generation). */
  get generation(): number {
    return this.generationValue;
  }

  /** True when the file can only be written with an explicit confirmation (block device, read-only file). */
  get readOnly(): boolean {
    return this.image.saveNeedsConfirmation() !== null;
  }

  /** Why a save needs the "write to device" confirmation, or null. */
  saveNeedsConfirmation(): string | null {
    const why = this.image.saveNeedsConfirmation();
    return why && this.l10n.text(why);
  }

  info(): ImageInfo {
    return imageInfo(this.path, this.image.baseSource.size, this.modelValue, this.readOnly, this.l10n);
  }

  editState(): EditState {
    return {
      dirty: this.edits.dirty,
      applied: this.edits.current.map((e) => (e.plan.titleText ? this.l10n.text(e.plan.titleText) : e.plan.title)),
      pending: this.edits.pendingPlans().length,
      blocked: this.blockedReason(),
      handBlocked: this.handEditBlocked(),
      saveNeedsConfirmation: this.saveNeedsConfirmation(),
      edited: this.editedValue,
    };
  }

  /** Why fixes cannot be applied now (Restricted Mode, not a disk image), or null. */
  blockedReason(): string | null {
    if (this.editBlocked) return this.editBlocked;
    if (!this.modelValue || this.kind === 'plain') return this.l10n.t('the file is not read as a disk image');
    return null;
  }

  initMessage(settings: ViewSettings): Promise<InitMessage> {
    return initMessageOf(this.source, this.viewContent(), settings, this.generationValue);
  }

  /** What every open view needs after the document changed: the new model, or only the edit state right after a save. */
  async updateMessage(notice: string | null = null): Promise<UpdateMessage | EditsMessage> {
    const onlySaved = this.savedAt === this.generationValue;
    this.generationValue++; // every view that gets this update is past any embedded init
    return onlySaved ? { type: 'edits', edits: this.editState(), notice } : updateMessageOf(this.source, this.viewContent(), notice);
  }

  private viewContent(): ViewContent {
    return { image: this.info(), view: this.viewValue, banner: this.bannerValue, edits: this.editState(), specs: this.specs, map: this.diskMap() };
  }

  /** The disk map of the current model (built from the model alone: no byte is read). */
  private diskMap(): DiskMapView | null {
    return this.modelValue && this.kind !== 'plain' ? buildDiskMap(this.modelValue, this.viewValue.findings, this.l10n) : null;
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
  async setSpecField(nodeId: string, text: string): Promise<EditOutcome> {
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
    this.lastScan = await scanDocument(this.image, this.source, this.modelValue.sectorSize, signal, onProgress);
    return this.lastScan;
  }

  /** Plans `fixId` on the document as it is now (unsaved edits included). */
  plan(fixId: FixId | ScanFixId): FixResult {
    return planSessionFix(this.modelValue, this.lastScan, fixId, this.l10n);
  }

  /** What `fixId` would change: fields, before/after and the changed byte runs for the hex view. */
  preview(fixId: FixId | ScanFixId): FixPreview {
    return previewSessionFix(this.modelValue, this.lastScan, fixId, this.l10n);
  }

  /** Applies `fixId` as a new edit (planned here, on the current model). */
  async applyFix(fixId: FixId | ScanFixId): Promise<EditOutcome> {
    const blocked = this.blockedReason();
    if (blocked) return { ok: false, reason: blocked };
    const result = this.plan(fixId);
    if (!result.ok) return { ok: false, reason: this.l10n.text(result.reasonText ?? result.reason) };
    if (changesNoByte(result.plan)) return { ok: false, reason: this.l10n.t('it changes no byte') };
    // Through a container (qcow2, VHD, ...) only into plain allocated data: say why not before Save would.
    const containerReason = await containerRefusalText(this.image.baseSource, result.plan, this.modelValue!.sectorSize);
    if (containerReason) return { ok: false, reason: this.l10n.text(containerReason) };
    return { ok: true, edit: await this.applyPlan(result.plan) };
  }

  /** Why hand edits cannot be made now (Restricted Mode), or null; plain files take byte edits too. */
  handEditBlocked(): string | null {
    return this.editBlocked;
  }

  /** Overwrites bytes at `offset` as one edit (with the dependent bytes when `dependents`). */
  async editBytes(offset: number, bytes: Uint8Array, dependents: boolean, action: 'type' | 'paste' | 'fill'): Promise<EditOutcome> {
    return this.handEdit((target) => planBytes(target, offset, bytes, dependents, byteEditTitleText(action, offset, bytes.length)));
  }

  /** Puts the file's bytes back over [offset, offset+length) as one edit. */
  async revertBytes(offset: number, length: number, dependents: boolean): Promise<EditOutcome> {
    const saved = await this.image.baseSource.read(offset, length);
    return this.handEdit((target) => planBytes(target, offset, saved, dependents, byteEditTitleText('revert', offset, length)));
  }

  /** Sets the field at `path` to `value` as one edit. */
  async setField(path: string, value: string, dependents: boolean): Promise<EditOutcome> {
    // A field of a user's spec (its tree editor sends the node id as the path).
    if (AppliedSpecs.owns(path)) return this.setSpecField(path, value);
    return this.handEdit((target) => planField(target, path, value, dependents));
  }

  /** Searches the document (unsaved edits included) as the find bar asks. */
  find(message: FindMessage, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ToWebview> {
    const path = this.kind === 'plain' || this.image.baseSource.size !== this.source.size ? null : this.path;
    return searchDocument(path, this.source, this.edits.overlay(), message, signal, onProgress, this.l10n);
  }

  private handEdit(plan: (target: { model: DiskModel | null; source: ByteSource }) => Promise<FixPlan>): Promise<EditOutcome> {
    const target = { model: this.kind === 'plain' ? null : this.modelValue, source: this.source };
    return runHandEdit(
      this.handEditBlocked(),
      () => plan(target),
      (made) => this.applyPlan(made),
      this.l10n,
    );
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

  /** changedOnDisk as a msg() template. */
  changedOnDiskText(): Promise<Message | null> {
    return this.image.changedOnDiskText();
  }

  /** Writes the pending plans (EditableImage.save); the file then holds the bytes the model and tree were read from: they stand. */
  async save(options: { allowDevice?: boolean } = {}): Promise<WriteResult | null> {
    const pending = this.edits.pendingPlans().length;
    const result = await this.image.save(options);
    if (pending > 0) {
      this.editedValue = []; // no edit left to mark
      this.generationValue++;
      await this.specs.refresh(this.specTarget()); // they read through the reopened file
      this.savedAt = this.generationValue; // until anything else changes, the views need only the edit state
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

  /** Validates and answers one message from the webview (session/messages.ts). Invalid messages get an error reply. */
  handle(raw: unknown, settings: ViewSettings): Promise<SessionEffect> {
    return handleSessionMessage(this, raw, settings);
  }

  /** Reads a lazy node of a user spec; false when there was nothing to read. */
  async expandNode(nodeId: string): Promise<boolean> {
    if (!(await this.specs.expand(nodeId))) return false;
    this.generationValue++;
    return true;
  }

  async close(): Promise<void> {
    await this.specs.dispose();
    await this.image.close();
  }

  // ---- internals ----

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
      this.findingsValue = checkWithContainer(model, this.container);
      this.generationValue++;
      this.viewValue = this.fixReasons.withActions(buildStructureTree(model, this.findingsValue, this.container, this.l10n), model, this.l10n);
      this.bannerValue = model.scheme === 'none' && !model.content ? problemBanner({ stage: 'no-table' }, this.l10n) : null;
      await this.specs.refresh(this.specTarget());
    } catch (error) {
      this.modelValue = null;
      this.findingsValue = [];
      this.generationValue++;
      this.viewValue = { tree: [], spans: [], findings: [] };
      this.bannerValue = this.l10n.t('Not a disk image with these edits: {0}. Showing its bytes as plain hex.', this.l10n.text(describeErrorText(error)));
    }
  }
}
