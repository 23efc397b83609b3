// The webview's edit requests: apply a fix, type/paste/fill or revert bytes
// in the hex view, set a field's value from the tree. Each becomes one edit on
// the stack, or an error reply naming what was not changed and why.
import type { FixId, ScanFixId } from '../../core/findings';
import { fixLabel } from '../../core/fixes/registry';
import type { FromWebview } from '../../shared/protocol/editor';
import { byteEditTitleText } from '../handEdits';
import type { EditOutcome, SessionEffect } from './effects';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';

export type EditMessage = Extract<FromWebview, { type: 'applyFix' | 'editBytes' | 'revertBytes' | 'setField' }>;

/** The session's edit operations the messages call. */
export interface EditTarget {
  applyFix(fixId: FixId | ScanFixId): Promise<EditOutcome>;
  editBytes(offset: number, bytes: Uint8Array, dependents: boolean, action: 'type' | 'paste' | 'fill'): Promise<EditOutcome>;
  revertBytes(offset: number, length: number, dependents: boolean): Promise<EditOutcome>;
  setField(path: string, value: string, dependents: boolean): Promise<EditOutcome>;
  /** The user's language for the error replies (English without). */
  readonly l10n?: Localizer;
}

export async function handleEditMessage(target: EditTarget, message: EditMessage): Promise<SessionEffect> {
  const l10n = target.l10n ?? ENGLISH;
  if (message.type === 'applyFix') {
    const applied = await target.applyFix(message.fixId as FixId | ScanFixId);
    if (!applied.ok) {
      const text = l10n.t('{0}: not applied: {1}', l10n.text(fixLabel(message.fixId)), applied.reason);
      return { kind: 'reply', message: { type: 'error', requestId: null, message: text } };
    }
    return { kind: 'edit', edit: applied.edit };
  }
  const what =
    message.type === 'setField'
      ? message.path
      : message.type === 'editBytes'
        ? l10n.text(byteEditTitleText(message.action, message.offset, message.hex.length / 2))
        : l10n.text(byteEditTitleText('revert', message.offset, message.length));
  const done =
    message.type === 'editBytes'
      ? await target.editBytes(
          message.offset,
          Uint8Array.from(message.hex.match(/../g)!, (h) => parseInt(h, 16)),
          message.dependents,
          message.action,
        )
      : message.type === 'revertBytes'
        ? await target.revertBytes(message.offset, message.length, message.dependents)
        : await target.setField(message.path, message.value, message.dependents);
  if (!done.ok) return { kind: 'reply', message: { type: 'error', requestId: null, message: l10n.t('{0}: not changed: {1}', what, done.reason) } };
  return { kind: 'edit', edit: done.edit };
}
