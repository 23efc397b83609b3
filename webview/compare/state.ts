// What the comparison view knows: both images, their byte caches, the cursor and
// the byte scan. One object, created by main.ts and passed to every pane.
import type { CompareImageInfo, RangeView, ScanSummary, Side, StructureDiffView } from '../../src/shared/protocol/compare';
import type { ByteCache } from '../byteCache';

export interface CompareState {
  a: CompareImageInfo | null;
  b: CompareImageInfo | null;
  caches: Record<Side, ByteCache | null>;
  /** The structural diff (null when an image could not be parsed). */
  structure: StructureDiffView | null;
  showEqualHeaders: boolean;
  /** The byte under the cursor in both hex views. */
  cursor: number;
  /** The last whole-image scan and its next/previous stops. */
  scan: ScanSummary | null;
  stops: RangeView[];
  /** Index in `stops` of the difference navigated to, or -1. */
  currentStop: number;
  scanRunning: boolean;
  /** Set when n / p was pressed before any scan: go there once the scan is done. */
  pendingNavigation: 'next' | 'previous' | null;
}

export function createCompareState(): CompareState {
  return {
    a: null,
    b: null,
    caches: { a: null, b: null },
    structure: null,
    showEqualHeaders: false,
    cursor: 0,
    scan: null,
    stops: [],
    currentStop: -1,
    scanRunning: false,
    pendingNavigation: null,
  };
}

/** Bytes the views cover: the longer image. */
export function totalBytes(state: CompareState): number {
  return Math.max(state.a?.sizeBytes ?? 0, state.b?.sizeBytes ?? 0);
}
