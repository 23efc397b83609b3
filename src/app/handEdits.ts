// Hand edits as the editor makes them: bytes typed, pasted or filled in the hex
// view, bytes put back to what the file holds, a field set by value in the tree,
// and the editor's search. Each becomes one plan (core/edit plans it, with the
// dependent bytes when asked), which the session pushes as one edit like a fix.
// Also which bytes differ from the file (the hex view marks them until saved).
// Pure: no `vscode`.
import type { ByteSource } from '../core/io/byteSource';
import type { DiskModel } from '../core/diskModel';
import type { FixPlan, Patch } from '../core/patch';
import { HAND_EDIT_ID, planByteEdit, planFieldEdits } from '../core/edit/planEdits';
import { findAll, parsePattern } from '../core/find/index';
import type { FindMessage, FindResultMessage } from '../shared/protocol/editor';
import { MAX_EDITED_RANGES } from '../shared/protocol/editor';
import { dataRanges, mergeSpans } from '../core/io/dataRanges';
import type { DataMap } from '../core/io/dataRegions';
import { SpanDataMap, WholeDataMap } from '../core/io/dataRegions';
import { scanSourceFor } from '../core/io/scanSource';
import { PatchedSource } from '../core/io/patchedSource';
import { openImage } from '../core/io/openImage';
import { msg, renderMessage } from '../shared/l10n';
import type { Message } from '../shared/l10n';
import { EditPathError } from '../core/edit/errors';

/** What the planners need of the document. */
export interface EditTarget {
  /** The model of the document as it is now (null: not read as a disk; bytes are then plain). */
  model: DiskModel | null;
  /** The document's bytes (unsaved edits included). */
  source: ByteSource;
}

const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

/** The plan of overwriting `bytes` at `offset`, with mirror and reseal when `dependents`. */
export async function planBytes(target: EditTarget, offset: number, bytes: Uint8Array, dependents: boolean, titleText: Message): Promise<FixPlan> {
  const title = renderMessage(titleText);
  const read = (at: number, length: number): Promise<Uint8Array> => target.source.read(at, length);
  if (!target.model) {
    const before = await read(offset, bytes.length);
    return { id: HAND_EDIT_ID, title, titleText, description: `${title} (plain bytes).`, patches: differing({ offset, before, after: bytes }) };
  }
  const result = await planByteEdit(target.model, offset, bytes, { reseal: dependents, mirror: dependents }, read);
  return { ...result.plan, title, titleText };
}

/** The plan of a field set by value (`primaryArray.entries.0.name` = `bootbank`). */
export async function planField(target: EditTarget, path: string, value: string, dependents: boolean): Promise<FixPlan> {
  if (!target.model) throw new EditPathError(msg('the file is not read as a disk image, so it has no fields to set'));
  const result = await planFieldEdits(target.model, [{ path, value }], { reseal: dependents, mirror: dependents }, (at, length) =>
    target.source.read(at, length),
  );
  return result.plan;
}

/** "Type 1 byte at 0x200", "Paste 16 bytes at 0x1000", "Fill 512 bytes at 0x0". */
export function byteEditTitle(action: 'type' | 'paste' | 'fill' | 'revert', offset: number, length: number): string {
  return renderMessage(byteEditTitleText(action, offset, length));
}

/** byteEditTitle as a msg() template (the editor shows it in the user's language). */
export function byteEditTitleText(action: 'type' | 'paste' | 'fill' | 'revert', offset: number, length: number): Message {
  const count = length === 1 ? msg('1 byte') : msg('{0} bytes', length);
  const at = hex(offset);
  if (action === 'type') return msg('Type {0} at {1}', count, at);
  if (action === 'paste') return msg('Paste {0} at {1}', count, at);
  if (action === 'fill') return msg('Fill {0} at {1}', count, at);
  return msg('Revert {0} at {1} to the saved bytes', count, at);
}

/** Patches reduced to the bytes that change (a typed byte equal to the old one changes nothing). */
function differing(patch: Patch): Patch[] {
  const out: Patch[] = [];
  let i = 0;
  while (i < patch.after.length) {
    if (patch.before[i] === patch.after[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < patch.after.length && patch.before[j] !== patch.after[j]) j++;
    out.push({ offset: patch.offset + i, before: patch.before.slice(i, j), after: patch.after.slice(i, j) });
    i = j;
  }
  return out;
}

/**
 * The bytes where the document differs from the file: each pending patch range
 * compared byte by byte (an edit typed back to the old value is not marked),
 * merged, at most MAX_EDITED_RANGES (the last one then covers the rest).
 */
export async function editedRanges(file: ByteSource, document: ByteSource, patches: readonly Patch[]): Promise<{ offset: number; length: number }[]> {
  const spans = mergeSpans(patches.map((p) => ({ offset: p.offset, length: p.after.length })));
  const out: { offset: number; length: number }[] = [];
  for (const span of spans) {
    const [a, b] = [await file.read(span.offset, span.length), await document.read(span.offset, span.length)];
    for (let i = 0; i < span.length;) {
      if (a[i] === b[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < span.length && a[j] !== b[j]) j++;
      const last = out[out.length - 1];
      if (last && last.offset + last.length === span.offset + i) last.length += j - i;
      else out.push({ offset: span.offset + i, length: j - i });
      i = j;
    }
  }
  if (out.length > MAX_EDITED_RANGES) {
    const tail = out.slice(MAX_EDITED_RANGES - 1);
    const end = tail[tail.length - 1]!;
    return [...out.slice(0, MAX_EDITED_RANGES - 1), { offset: tail[0]!.offset, length: end.offset + end.length - tail[0]!.offset }];
  }
  return out;
}

/**
 * Searches the document for the find bar: matches from `from` in the message's
 * direction (streamed, bounded memory). The file's holes are skipped where the
 * file system lists its extents, the unsaved edits counted as data.
 */
export async function findInDocument(
  path: string | null,
  document: ByteSource,
  patches: readonly Patch[],
  message: FindMessage,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<FindResultMessage> {
  const patterns = parsePattern(message.pattern, message.mode);
  let map: DataMap = new WholeDataMap(document.size);
  let source: ByteSource = document;
  let opened: Awaited<ReturnType<typeof openImage>> | null = null;
  if (path) {
    const spans = await dataRanges(path, document.size);
    if (spans) map = new SpanDataMap(mergeSpans([...spans, ...patches.map((p) => ({ offset: p.offset, length: p.after.length }))]));
    // Large unbuffered reads of the file, the edits laid over them.
    opened = await openImage(path).catch(() => null);
    if (opened?.kind === 'raw' && opened.source.size === document.size) source = new PatchedSource(await scanSourceFor(opened), patches);
  }
  try {
    const result = await findAll(source, patterns, { from: message.from, direction: message.direction, dataMap: map, ...options });
    return {
      type: 'findResult',
      requestId: message.requestId,
      matches: result.matches.map((m) => ({ offset: m.offset, length: patterns[m.pattern]!.bytes.length })),
      truncated: result.truncated,
      cancelled: false,
    };
  } finally {
    if (source !== document) await source.close().catch(() => undefined);
    if (opened) await opened.source.close().catch(() => undefined);
  }
}
