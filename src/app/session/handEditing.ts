// Hand edits and search in an editor session: a planned hand edit becomes one
// edit unless it is blocked, fails to plan or changes no byte; a search runs
// over the document with the unsaved edits laid over the file.
import type { ByteSource } from '../../core/io/byteSource';
import type { FixPlan, Patch } from '../../core/patch';
import { describeErrorText } from '../../core/errors';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';
import type { FindMessage, ToWebview } from '../../shared/protocol/editor';
import type { ImageEdit } from '../editStack';
import { changesNoByte } from '../fixPreview';
import { findInDocument } from '../handEdits';
import type { EditOutcome } from './effects';

/** Plans a hand edit and pushes it through `apply`, or says why not. */
export async function runHandEdit(
  blocked: string | null,
  plan: () => Promise<FixPlan>,
  apply: (plan: FixPlan) => Promise<ImageEdit>,
  l10n: Localizer = ENGLISH,
): Promise<EditOutcome> {
  if (blocked) return { ok: false, reason: blocked };
  let made: FixPlan;
  try {
    made = await plan();
  } catch (error) {
    return { ok: false, reason: l10n.text(describeErrorText(error)) };
  }
  if (changesNoByte(made)) return { ok: false, reason: l10n.t('it changes no byte') };
  return { ok: true, edit: await apply(made) };
}

/**
 * Searches the document as the find bar asks; `path` is the file to read directly
 * (null when the bytes must come through `source`). Failures and cancels become an error reply.
 */
export function searchDocument(
  path: string | null,
  source: ByteSource,
  patches: readonly Patch[],
  message: FindMessage,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
  l10n: Localizer = ENGLISH,
): Promise<ToWebview> {
  return findInDocument(path, source, patches, message, { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) }).catch((error: unknown) => ({
    type: 'error' as const,
    requestId: message.requestId,
    message: signal?.aborted ? l10n.t('Search cancelled.') : l10n.t('Search: {0}', l10n.text(describeErrorText(error))),
  }));
}
