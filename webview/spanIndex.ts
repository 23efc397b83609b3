// Looks up the annotated field under a byte: spans are sorted and disjoint
// (the host normalizes them), so a binary search finds it. Pure: no DOM.
import type { FieldSpan } from '../src/shared/protocol/editor';

/** The span containing `offset`, or undefined. */
export function spanAt(spans: readonly FieldSpan[], offset: number): FieldSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = spans[mid]!;
    if (offset < span.offset) hi = mid - 1;
    else if (offset >= span.offset + span.length) lo = mid + 1;
    else return span;
  }
  return undefined;
}

/** Index of the first span ending after `offset` (to walk the spans of a row in order). */
export function firstSpanFrom(spans: readonly FieldSpan[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.offset + spans[mid]!.length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
