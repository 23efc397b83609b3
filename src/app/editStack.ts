// The custom document's edits as data: an edit is one
// fix plan (its patches), the stack holds the edits applied now and the edits the
// file on disk holds (the saved state). Saving writes the patches that take the
// disk to the current state: the saved edits past the common prefix reversed
// (newest first), then the new ones in order. Undo after a save therefore writes
// the old bytes back through the same safe writer. Backups (hot exit) store that
// list of patches as JSON, never image bytes. Pure: no `vscode`, tested in plain Node.
import type { PlanId } from '../core/findings';
import { FIX_IDS } from '../core/findings';
import { HAND_EDIT_ID } from '../core/edit/planEdits';
import type { FixPlan, Patch } from '../core/patch';
import { reversePatch } from '../core/patch';
import type { ByteSource } from '../core/io/byteSource';

/** One edit of the document: one applied fix. */
export interface ImageEdit {
  /** Unique within the document's lifetime (for logs and tests). */
  readonly serial: number;
  readonly plan: FixPlan;
}

/** The edit list of a backup: version 1. */
export const BACKUP_FORMAT = 'diskx-edit-backup';
export const BACKUP_VERSION = 1;
/** Limits for backups read back from disk (they are files like any other: hostile until checked). */
export const MAX_BACKUP_EDITS = 1000;
export const MAX_BACKUP_PATCH_BYTES = 64 * 1024 * 1024;

export interface EditBackup {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  /** The image the edits belong to, its size, and its mtime when the backup was made (informational). */
  image: string;
  sizeBytes: number;
  /** The plans that take the file on disk to the document's state, in order; patches as hex. */
  edits: { id: PlanId; title: string; description: string; patches: { offset: number; before: string; after: string }[] }[];
}

export class EditStack {
  private applied: ImageEdit[] = [];
  private saved: ImageEdit[] = [];
  private serial = 0;

  /** The edits in effect now, oldest first. */
  get current(): readonly ImageEdit[] {
    return this.applied;
  }

  /** True when the current state differs from what the file holds. */
  get dirty(): boolean {
    return !sameEdits(this.applied, this.saved);
  }

  /** Pushes a new edit made of `plan`. */
  push(plan: FixPlan): ImageEdit {
    const edit: ImageEdit = { serial: ++this.serial, plan };
    this.applied.push(edit);
    return edit;
  }

  /** Undoes `edit`, which must be the newest applied edit; false (and nothing changes) otherwise. */
  undo(edit: ImageEdit): boolean {
    if (this.applied[this.applied.length - 1] !== edit) return false;
    this.applied.pop();
    return true;
  }

  /** Redoes `edit` (after its undo). */
  redo(edit: ImageEdit): boolean {
    if (this.applied.includes(edit)) return false;
    this.applied.push(edit);
    return true;
  }

  /** The file now holds the current state (after a save). */
  markSaved(): void {
    this.saved = [...this.applied];
  }

  /** Back to the saved state (Revert): the edits since the save are dropped. */
  revert(): void {
    this.applied = [...this.saved];
  }

  /** The file on disk became the baseline (reload after an outside change, restore from backup). */
  reset(plans: readonly FixPlan[] = []): void {
    this.saved = [];
    this.applied = [];
    for (const plan of plans) this.push(plan);
  }

  /**
   * The plans that take the file (holding the saved edits) to the current
   * state: saved edits past the common prefix reversed, newest first, then the
   * applied edits past it. Empty when not dirty.
   */
  pendingPlans(): FixPlan[] {
    let common = 0;
    while (common < this.applied.length && common < this.saved.length && this.applied[common] === this.saved[common]) common++;
    const plans: FixPlan[] = [];
    for (let i = this.saved.length - 1; i >= common; i--) plans.push(reversePlan(this.saved[i]!.plan));
    for (let i = common; i < this.applied.length; i++) plans.push(this.applied[i]!.plan);
    return plans;
  }

  /** The patches to lay over the file to show the current state (the pending plans' patches in order). */
  overlay(): Patch[] {
    return this.pendingPlans().flatMap((plan) => plan.patches);
  }
}

/** The plan that undoes `plan` on bytes that hold its result. */
export function reversePlan(plan: FixPlan): FixPlan {
  return {
    id: plan.id,
    title: `Undo: ${plan.title}`,
    description: `Writes back the bytes "${plan.title}" replaced.`,
    patches: [...plan.patches].reverse().map(reversePatch),
  };
}

function sameEdits(a: readonly ImageEdit[], b: readonly ImageEdit[]): boolean {
  return a.length === b.length && a.every((edit, i) => edit === b[i]);
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The backup of `plans` (the pending plans) for image `image` of `sizeBytes`. */
export function editBackup(image: string, sizeBytes: number, plans: readonly FixPlan[]): EditBackup {
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    image,
    sizeBytes,
    edits: plans.map((plan) => ({
      id: plan.id,
      title: plan.title,
      description: plan.description,
      patches: plan.patches.map((p) => ({ offset: p.offset, before: toHex(p.before), after: toHex(p.after) })),
    })),
  };
}

/** A backup read back is untrusted: shape, ids, hex and limits are checked. */
export class BackupFormatError extends Error {}

/** Parses a backup's JSON text for an image of `sizeBytes`; throws BackupFormatError. */
export function parseEditBackup(text: string, sizeBytes: number): FixPlan[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BackupFormatError(`not JSON (${(error as Error).message})`);
  }
  const record = (value: unknown): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BackupFormatError('expected an object');
    return value as Record<string, unknown>;
  };
  const top = record(raw);
  if (top.format !== BACKUP_FORMAT || top.version !== BACKUP_VERSION) throw new BackupFormatError(`not a ${BACKUP_FORMAT} version ${BACKUP_VERSION}`);
  if (top.sizeBytes !== sizeBytes) throw new BackupFormatError(`the backup is of a ${String(top.sizeBytes)}-byte image, the image now has ${sizeBytes} bytes`);
  if (!Array.isArray(top.edits) || top.edits.length > MAX_BACKUP_EDITS) throw new BackupFormatError(`edits must be a list of at most ${MAX_BACKUP_EDITS}`);
  let total = 0;
  const hexBytes = (value: unknown): Uint8Array => {
    if (typeof value !== 'string' || value.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(value)) throw new BackupFormatError('patch bytes must be hex');
    total += value.length / 2;
    if (total > MAX_BACKUP_PATCH_BYTES) throw new BackupFormatError(`more than ${MAX_BACKUP_PATCH_BYTES} patch bytes`);
    return new Uint8Array(Buffer.from(value, 'hex'));
  };
  return top.edits.map((value): FixPlan => {
    const edit = record(value);
    if (typeof edit.id !== 'string' || (!(FIX_IDS as readonly string[]).includes(edit.id) && edit.id !== HAND_EDIT_ID))
      throw new BackupFormatError(`unknown fix id ${String(edit.id)}`);
    if (typeof edit.title !== 'string' || typeof edit.description !== 'string' || !Array.isArray(edit.patches))
      throw new BackupFormatError('an edit needs title, description and patches');
    const patches = edit.patches.map((p): Patch => {
      const patch = record(p);
      const offset = patch.offset;
      const before = hexBytes(patch.before);
      const after = hexBytes(patch.after);
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset + after.length > sizeBytes)
        throw new BackupFormatError(`patch offset ${String(offset)} outside the image`);
      if (before.length !== after.length) throw new BackupFormatError(`patch at ${offset}: before and after differ in length`);
      return { offset, before, after };
    });
    return { id: edit.id as PlanId, title: edit.title, description: edit.description, patches };
  });
}

/** Where the bytes do not match a patch's `before` when `plans` are laid over `source` in order. */
export interface PatchMismatch {
  fixId: PlanId;
  title: string;
  offset: number;
  expected: number;
  found: number;
}

/**
 * Checks that each patch of `plans` finds its `before` bytes on `source` with the
 * earlier patches laid over it (what the writer will verify on save). Null when
 * all match.
 */
export async function verifyPlans(source: ByteSource, plans: readonly FixPlan[]): Promise<PatchMismatch | null> {
  const laid: Patch[] = [];
  for (const plan of plans) {
    for (const patch of plan.patches) {
      const bytes = new Uint8Array(await source.read(patch.offset, patch.before.length));
      for (const earlier of laid) {
        const from = Math.max(patch.offset, earlier.offset);
        const to = Math.min(patch.offset + patch.before.length, earlier.offset + earlier.after.length);
        if (from < to) bytes.set(earlier.after.subarray(from - earlier.offset, to - earlier.offset), from - patch.offset);
      }
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== patch.before[i]) return { fixId: plan.id, title: plan.title, offset: patch.offset + i, expected: patch.before[i]!, found: bytes[i]! };
      }
      laid.push(patch);
    }
  }
  return null;
}
