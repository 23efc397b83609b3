// The comparison view's message protocol between the extension host and its
// webview (two images side by side: structural diff, byte diff, copy-slots fix).
// Discriminated unions on `type`, both handlers end their switch in
// `assertNever`; what it shares with the editor's protocol is in common.ts,
// re-exported here. Types and pure helpers only.
import type { ErrorMessage, HexSettings, ImageSummary, PlanPreview, RequestMessage } from './common';
import type { CompareMapsView } from './diskMap';

export * from './common';

/** Which image of the comparison: A (the one being compared, and repaired) or B (the reference). */
export type Side = 'a' | 'b';

export const SIDES: readonly Side[] = ['a', 'b'];

/** What the webview needs to know about one image. */
export interface CompareImageInfo extends ImageSummary {
  /** Full path, for titles and tooltips. */
  path: string;
  /** Why the image could not be parsed, if it could not. */
  problem: string | null;
}

/** One header field compared: values already formatted for display. */
export interface HeaderRow {
  field: string;
  a: string | null;
  b: string | null;
  equal: boolean;
}

export type PartitionStatusView = 'same' | 'moved-slot' | 'changed' | 'only-a' | 'only-b';

/** One partition of A and/or B and how they compare. */
export interface PartitionRow {
  label: string;
  uuid: string | null;
  slotA: number | null;
  slotB: number | null;
  status: PartitionStatusView;
  changes: { field: string; a: string | null; b: string | null }[];
  /** "bootbank: slot 3 in A, slot 4 in B". */
  summary: string;
}

/** The structural diff as the webview shows it (null when an image could not be parsed). */
export interface StructureDiffView {
  headers: HeaderRow[];
  partitions: PartitionRow[];
  identical: boolean;
}

/** The copy-slots-from-reference fix as offered to the user. */
export type FixOffer = ({ available: true; id: string; readOnlyReason: string | null } & PlanPreview) | { available: false; id: string; reason: string };

/** State of the streaming byte scan. */
export type ScanState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** A run of differing bytes [offset, offset + length) present in both images. */
export interface RangeView {
  offset: number;
  length: number;
}

/** The result of a whole-image byte scan. */
export interface ScanSummary {
  ranges: RangeView[];
  /** More differing runs exist than `ranges` lists. */
  truncated: boolean;
  differingBytes: number;
  comparedBytes: number;
  scannedBytes: number;
  /** The longer image's extra bytes. */
  tail: { offset: number; length: number; in: Side } | null;
  identical: boolean;
  /** Milliseconds the scan took. */
  elapsedMs: number;
}

export type CompareSettings = HexSettings;

/** The most ranges the host sends after a scan (the scan itself stops at this many). */
export const MAX_SCAN_RANGES = 10_000;

// ---- host -> webview ----

export interface CompareInitMessage {
  type: 'init';
  a: CompareImageInfo;
  b: CompareImageInfo;
  structure: StructureDiffView | null;
  fix: FixOffer;
  settings: CompareSettings;
  /** The last scan's result, kept across a refresh only when no byte changed (else null). */
  scan: ScanSummary | null;
  /** A line shown after a refresh ("Copied the slots of B into A; Undo is offered"). */
  notice: string | null;
  /** A's and B's disk maps on one scale, with the partitions that moved between them. */
  maps: CompareMapsView;
}

export interface CompareBytesMessage extends RequestMessage {
  type: 'bytes';
  side: Side;
  offset: number;
  data: Uint8Array;
}

export interface ScanProgressMessage {
  type: 'scanProgress';
  done: number;
  total: number;
}

export interface ScanStateMessage {
  type: 'scanState';
  state: ScanState;
  /** The summary when state is "done". */
  summary: ScanSummary | null;
  /** What went wrong ("failed") or that it was cancelled. */
  message: string | null;
}

export type ToCompareWebview = CompareInitMessage | CompareBytesMessage | ScanProgressMessage | ScanStateMessage | ErrorMessage;

// ---- webview -> host ----

export interface CompareReadyMessage {
  type: 'ready';
}

export interface CompareReadRangeMessage extends RequestMessage {
  type: 'readRange';
  side: Side;
  offset: number;
  length: number;
}

/** Scan both whole images for differing bytes (the host shows progress with cancel). */
export interface StartScanMessage {
  type: 'startScan';
}

export interface CancelScanMessage {
  type: 'cancelScan';
}

/** Apply the copy-slots-from-reference fix to A (the host asks for a modal confirmation first). */
export interface ApplyFixMessage {
  type: 'applyFix';
  fixId: string;
}

/** Re-read both images and send a new init. */
export interface RefreshMessage {
  type: 'refresh';
}

/** Swap A and B (so the other image becomes the one repaired). */
export interface SwapMessage {
  type: 'swap';
}

export type FromCompareWebview =
  CompareReadyMessage | CompareReadRangeMessage | StartScanMessage | CancelScanMessage | ApplyFixMessage | RefreshMessage | SwapMessage;
