// Navigation over the differing ranges of a byte scan: the ranges are sorted
// and disjoint (byteDiff emits them in order), so next/previous and "which range
// holds this byte" are binary searches. The longer image's extra bytes (the
// tail) count as one last stop. Pure: no DOM.
import type { RangeView, ScanSummary } from '../../src/shared/protocol/compare';
import { t } from '../l10n';

/** The stops of next/previous difference: every differing range, then the tail, if any. */
export function navigationStops(summary: ScanSummary | null): RangeView[] {
  if (!summary) return [];
  const stops = summary.ranges.slice();
  if (summary.tail) stops.push({ offset: summary.tail.offset, length: summary.tail.length });
  return stops;
}

/** Index of the first stop that starts after `offset`, or -1 (wrap is the caller's choice). */
export function nextStop(stops: readonly RangeView[], offset: number): number {
  let lo = 0;
  let hi = stops.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stops[mid]!.offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < stops.length ? lo : -1;
}

/** Index of the last stop that starts before `offset`, or -1. */
export function previousStop(stops: readonly RangeView[], offset: number): number {
  let lo = 0;
  let hi = stops.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stops[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the stop containing `offset`, or -1. */
export function stopAt(stops: readonly RangeView[], offset: number): number {
  const i = previousStop(stops, offset + 1);
  return i >= 0 && offset < stops[i]!.offset + stops[i]!.length ? i : -1;
}

/** True when some stop overlaps [offset, offset + length). */
export function overlapsStop(stops: readonly RangeView[], offset: number, length: number): boolean {
  const i = previousStop(stops, offset + length);
  return i >= 0 && stops[i]!.offset + stops[i]!.length > offset;
}

/** How a byte cell of one side looks: both present and equal, different, only on this side, or past this side's end. */
export type CellState = 'same' | 'diff' | 'only' | 'none' | 'loading';

/** Compares the byte at the same offset of this side (`mine`) and the other (`theirs`); undefined = not loaded yet, null = past the end. */
export function cellState(mine: number | null | undefined, theirs: number | null | undefined): CellState {
  if (mine === null) return 'none';
  if (mine === undefined) return 'loading';
  if (theirs === null) return 'only';
  if (theirs === undefined) return 'loading';
  return mine === theirs ? 'same' : 'diff';
}

/** One line about the scan for the toolbar. */
export function describeScan(summary: ScanSummary): string {
  if (summary.identical) return t('Identical: {0} bytes compared.', summary.comparedBytes.toLocaleString('en-US'));
  const parts: string[] = [];
  if (summary.ranges.length > 0) {
    parts.push(
      `${
        summary.ranges.length === 1 && !summary.truncated
          ? t('1 differing range')
          : t('{0} differing ranges', `${summary.ranges.length.toLocaleString('en-US')}${summary.truncated ? '+' : ''}`)
      }, ${summary.differingBytes === 1 ? t('1 byte') : t('{0} bytes', summary.differingBytes.toLocaleString('en-US'))}`,
    );
  } else {
    parts.push(t('No differing byte in the common part'));
  }
  if (summary.truncated) parts.push(t('scan stopped at 0x{0} (range limit)', summary.scannedBytes.toString(16).toUpperCase()));
  if (summary.tail)
    parts.push(
      t(
        '{0} has {1} more bytes from 0x{2}',
        summary.tail.in.toUpperCase(),
        summary.tail.length.toLocaleString('en-US'),
        summary.tail.offset.toString(16).toUpperCase(),
      ),
    );
  return `${parts.join('; ')}.`;
}
