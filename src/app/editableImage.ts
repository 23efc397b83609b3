// An image with unsaved edits: the file's ByteSource, the edit stack, the edits
// laid over the file (a PatchedSource) and the one way they reach the disk,
// save() through the safe writer (journal, before-bytes check, backup GPT
// first) after checking the file did not change since we read it. The
// editor's session and the comparison's copy-slots both write through it.
// Pure (no vscode).
import { promises as fsp } from 'node:fs';
import type { ByteSource } from '../core/io/byteSource';
import type { OpenImageOptions } from '../core/io/openImage';
import { PatchedSource } from '../core/io/patchedSource';
import type { FixPlan } from '../core/patch';
import { applyPlans, copyImage } from '../core/write/index';
import type { CopyProgress, WriteResult } from '../core/write/index';
import { DiskxError, describeError } from '../core/errors';
import { EditStack, editBackup, parseEditBackup, verifyPlans } from './editStack';
import type { ImageEdit } from './editStack';
import { openBytes } from './openForView';
import type { OpenedBytes, ViewKind } from './openForView';
import { msg, renderMessage } from '../shared/l10n';
import type { Message } from '../shared/l10n';

export interface EditableImageOptions {
  /** The logical block size writes are made in (the detected or forced one); default 512. */
  sectorSize?: number;
  /** Folder for undo journals (DISKX_JOURNAL_DIR); default next to the image. */
  journalDir?: string;
  /** How the image may be opened and written (VMDK extents outside the descriptor's folder). */
  open?: OpenImageOptions;
  /** How the file is opened again after a revert or reload (the editor parses too, to learn whether it is still a disk); default openBytes. After a save it is always openBytes. */
  reopen?: (path: string) => Promise<OpenedBytes>;
}

/** The file on disk is not what the document last read or wrote: saving now could overwrite someone's change. */
export class ImageChangedOnDiskError extends DiskxError {
  constructor(
    readonly path: string,
    detail: string | Message,
  ) {
    super(msg('{0} changed on disk since it was opened ({1}); nothing was written', path, detail));
    this.detail = typeof detail === 'string' ? detail : renderMessage(detail);
  }

  readonly detail: string;
}

interface FileStamp {
  size: number;
  mtimeMs: number;
}

export class EditableImage {
  readonly edits = new EditStack();
  readonly path: string;
  private base: ByteSource;
  private kindValue: ViewKind;
  private patched: PatchedSource;

  private constructor(
    bytes: OpenedBytes,
    private stamp: FileStamp | null,
    private readonly options: EditableImageOptions,
  ) {
    this.path = bytes.path;
    this.base = bytes.source;
    this.kindValue = bytes.kind;
    this.patched = new PatchedSource(this.base);
  }

  /** Takes over the opened bytes (and closes them on close()). */
  static async from(bytes: OpenedBytes, options: EditableImageOptions = {}): Promise<EditableImage> {
    return new EditableImage(bytes, await fileStamp(bytes.path), options);
  }

  /** The bytes as the document shows them: the file with the unsaved edits laid over it. */
  get source(): ByteSource {
    return this.patched;
  }

  /** The file's bytes without the edits. */
  get baseSource(): ByteSource {
    return this.base;
  }

  get kind(): ViewKind {
    return this.kindValue;
  }

  get sectorSize(): number {
    return this.options.sectorSize ?? 512;
  }

  /** Why a save needs the "write to device" confirmation (block device, read-only file), or null. */
  saveNeedsConfirmation(): Message | null {
    const name = this.path.split(/[\\/]/).pop() ?? this.path;
    if (this.kindValue === 'block-device') return msg('{0} is a block device', name);
    if (this.base.readOnlyHint) return msg('{0} is read-only', name);
    return null;
  }

  // ---- the edit stack ----

  /** Pushes `plan` as a new edit and lays it over the file. */
  push(plan: FixPlan): ImageEdit {
    const edit = this.edits.push(plan);
    this.relay();
    return edit;
  }

  /** Undoes `edit` (the newest); false when it is not the newest applied edit. */
  undo(edit: ImageEdit): boolean {
    if (!this.edits.undo(edit)) return false;
    this.relay();
    return true;
  }

  redo(edit: ImageEdit): boolean {
    if (!this.edits.redo(edit)) return false;
    this.relay();
    return true;
  }

  // ---- the file on disk ----

  /** How the file changed since we last read or wrote it, or null. */
  async changedOnDisk(): Promise<string | null> {
    const change = await this.changedOnDiskText();
    return change && renderMessage(change);
  }

  /** changedOnDisk as a msg() template (the editor shows it in the user's language). */
  async changedOnDiskText(): Promise<Message | null> {
    if (!this.stamp) return null; // block devices: the writer's before-check is the guard
    const now = await fileStamp(this.path);
    if (!now) return msg('it was removed');
    if (now.size !== this.stamp.size) return msg('its size went from {0} to {1} bytes', this.stamp.size, now.size);
    if (now.mtimeMs !== this.stamp.mtimeMs) return msg('it was modified at {0}', new Date(now.mtimeMs).toISOString());
    return null;
  }

  /** Throws ImageChangedOnDiskError when the file's size or mtime is not what we last read or wrote. */
  async checkUnchangedOnDisk(): Promise<void> {
    const change = await this.changedOnDiskText();
    if (change) throw new ImageChangedOnDiskError(this.path, change);
  }

  /**
   * Writes exactly the pending plans through the safe writer (only changed
   * sectors, verify-before-write, journal first, backup GPT before primary,
   * fsync); then the file is the saved state and is read again. Refuses when the
   * file changed on disk (ImageChangedOnDiskError; the writer's ImageChangedError
   * when bytes differ). Null when there was nothing to write.
   */
  async save(options: { allowDevice?: boolean } = {}): Promise<WriteResult | null> {
    const plans = this.edits.pendingPlans();
    if (plans.length === 0) {
      this.edits.markSaved();
      return null;
    }
    await this.checkUnchangedOnDisk();
    const result = await applyPlans(this.path, plans, {
      sectorSize: this.sectorSize,
      allowDevice: options.allowDevice ?? false,
      tool: 'VS Code (Disk Structure Explorer)',
      ...(this.options.open ? { open: this.options.open } : {}),
      ...(this.options.journalDir ? { journalDir: this.options.journalDir } : {}),
    });
    this.edits.markSaved();
    // The file now holds exactly the bytes the document showed: nothing to parse again,
    // only the file to open afresh (no page cached from before the write).
    await this.reopen((p) => openBytes(p, this.options.open));
    return result;
  }

  /** Writes the document as it is now (file plus edits) to `destination` (core/write/copyImage); the image itself is untouched. */
  async saveAs(destination: string, progress?: CopyProgress, options: { strategy?: 'auto' | 'stream' } = {}): Promise<void> {
    await copyImage({
      path: this.path,
      isPlainFile: this.kindValue === 'raw' || this.kindValue === 'plain',
      source: this.base,
      patches: this.edits.overlay(),
      destination,
      ...(progress ? { progress } : {}),
      ...(options.strategy ? { strategy: options.strategy } : {}),
    });
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
      return {
        problem: `the image changed on disk since the unsaved edits were backed up (byte 0x${mismatch.offset.toString(16).toUpperCase()} is 0x${hex2(mismatch.found)}, "${mismatch.title}" expected 0x${hex2(mismatch.expected)}); the edits were not restored`,
      };
    }
    this.edits.reset(plans);
    this.relay();
    return { restored: plans.length };
  }

  async close(): Promise<void> {
    await this.base.close();
  }

  /** Lays the pending edits over the file. */
  private relay(): void {
    this.patched = new PatchedSource(this.base, this.edits.overlay());
  }

  /** Opens the file again (after a write, a revert or an outside change): no stale cache. */
  private async reopen(open: (path: string) => Promise<OpenedBytes> = this.options.reopen ?? ((p) => openBytes(p, this.options.open))): Promise<void> {
    const bytes = await open(this.path);
    await this.base.close().catch(() => undefined);
    this.base = bytes.source;
    this.kindValue = bytes.kind;
    this.stamp = await fileStamp(this.path);
    this.relay();
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

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
