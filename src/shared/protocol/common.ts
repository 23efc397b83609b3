// What the editor's and the comparison's protocols share: the error reply, the
// request ids that pair a reply with its request, the preview of a patch, the
// hex settings and the exhaustiveness check. Types and pure helpers only (no
// vscode, no DOM, no node): src/host, src/app and webview/ all import it.

/** Ends an exhaustive switch: adding a message type without handling it fails to compile. */
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/** The most bytes one readRange request may ask for (both views). */
export const MAX_READ_LENGTH = 64 * 1024;

/** The largest request id a webview may use (ids are positive 31-bit integers). */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

/** A request the host answers with a message carrying the same `requestId`. */
export interface RequestMessage {
  requestId: number;
}

/** Something went wrong; `requestId` names the request that failed, null when none did (a refused action). */
export interface ErrorMessage {
  type: 'error';
  requestId: number | null;
  message: string;
}

/** The request id of a message the host rejected (so the sender can forget it), or null. */
export function requestIdOf(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { requestId?: unknown }).requestId;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/**
 * The requests a webview has in flight: `issue` gives a fresh id for what the
 * request is about, `settle` returns it once (when its reply or error arrives)
 * and forgets it; replies to requests dropped by `clear` settle to undefined.
 */
export class PendingRequests<T> {
  private nextId = 1;
  private readonly pending = new Map<number, T>();

  /** A new id (wraps before MAX_REQUEST_ID) for a request about `context`. */
  issue(context: T): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    this.pending.set(id, context);
    return id;
  }

  /** What request `id` was about, once; undefined for an unknown, settled or cleared id. */
  settle(id: number | null): T | undefined {
    if (id === null) return undefined;
    const context = this.pending.get(id);
    this.pending.delete(id);
    return context;
  }

  /** True while request `id` waits for its reply. */
  has(id: number): boolean {
    return this.pending.has(id);
  }

  /** Forgets every request (their replies, if they still come, are ignored). */
  clear(): void {
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}

/** Hex view settings both views have. */
export interface HexSettings {
  /** `diskx.hex.bytesPerRow`: `auto` is 16, or 8 when 16 do not fit (beside the tree; the comparison: both images). */
  bytesPerRow: BytesPerRowSetting;
  /** `diskx.hex.showLba`: the LBA column, shown when it fits (absent: true). */
  showLba?: boolean;
}

export type BytesPerRowSetting = 'auto' | 8 | 16 | 32;

/** What both views show about an image. */
export interface ImageSummary {
  /** File name ("esxi-compacted.img"). */
  name: string;
  sizeBytes: number;
  sectorSize: number;
  /** "gpt" | "mbr" | "none" | "plain" (not parsed at all). */
  scheme: string;
}

// ---- the preview of a fix plan (one builder in src/app/fixPreview.ts for both views) ----

/** One run of changed bytes inside a patch. */
export interface ByteChangeView {
  offset: number;
  length: number;
  /** Hex of the old and new bytes (at most PREVIEW_BYTES, " …" when cut). */
  before: string;
  after: string;
}

/** One patch of a plan as a preview shows it. */
export interface PatchView {
  offset: number;
  length: number;
  lba: number;
  /** The fields it touches, named as in the specs ("primaryHeader.headerCrc32", "backupArray.entries.3"). */
  fields: string[];
  /** The same in words, for a table cell ("primary header: HeaderCRC32", "backup array: slot 3"). */
  what: string;
  /** Hex of the patch's first PREVIEW_BYTES old and new bytes (" …" when cut). */
  before: string;
  after: string;
  /** Where bytes actually change (at most PREVIEW_MAX_RUNS runs). */
  changes: ByteChangeView[];
  /** Runs left out of `changes`. */
  moreChanges: number;
}

/** The most runs per patch a preview lists (the hex view highlights all of them). */
export const PREVIEW_MAX_RUNS = 12;
/** The most bytes of a run or patch a preview shows in hex. */
export const PREVIEW_BYTES = 32;

/** A fix plan as both views preview it. */
export interface PlanPreview {
  title: string;
  description: string;
  patches: PatchView[];
  /** Every changed byte run, in offset order (for highlighting). */
  changed: { offset: number; length: number }[];
  bytesChanged: number;
  sectorsTouched: number;
}
