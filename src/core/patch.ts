// Edits are data: a patch replaces `before` with `after` at `offset`. Fixes
// produce them, the writer applies them (checking `before` first), undo is the
// reverse. The CLI's repairs and the editor's edit stack (src/app) share them.
import type { PlanFixId, PlanId } from './findings';
import type { Message } from '../shared/l10n';

/** Replace `before` by `after` (same length) at absolute byte `offset`. */
export interface Patch {
  offset: number;
  before: Uint8Array;
  after: Uint8Array;
}

/** What a fix would do: its patches and a description a user can review. */
export interface FixPlan {
  id: PlanId;
  title: string;
  /** `title` as a msg() template, when the plan has one (the editor shows it in the user's language). */
  titleText?: Message;
  description: string;
  /** `description` as a msg() template, when the fix wrote one (the editor shows it in the user's language). */
  descriptionText?: Message;
  patches: Patch[];
  /**
   * Set when the plan overwrites a volume's own structures (rebuild-from-scan over a file system made
   * on the whole disk): what it destroys. Writing such a plan needs an explicit confirmation.
   */
  destroys?: string;
  /** `destroys` as a msg() template (the confirmation shows it in the user's language). */
  destroysText?: Message;
}

/**
 * A fix either yields a plan or says why it does not apply to this disk: `reason`
 * in English (the CLI prints it), `reasonText` the same as a msg() template when
 * the fix wrote one (the editor shows it in the user's language).
 */
export type FixResult = { ok: true; plan: FixPlan } | { ok: false; id: PlanFixId; reason: string; reasonText?: Message };

/** The patch that undoes `patch`. */
export function reversePatch(patch: Patch): Patch {
  return { offset: patch.offset, before: patch.after, after: patch.before };
}
