// What the check modules share: the function a check reports a finding with, and
// the sweep that finds overlapping LBA spans.
import type { FindingCode, FixId, Severity } from './findings';
import type { Message } from '../shared/l10n';

/** Reports one finding: its code, severity, message, the bytes it is about and the fixes that address it. */
export type Add = (code: FindingCode, severity: Severity, text: Message, offset: number, length: number, fixes?: FixId[]) => void;

export interface Span {
  number: number;
  firstLba: bigint;
  lastLba: bigint;
}

/** Pairs of spans that share at least one LBA (sorted sweep: O(n log n) plus the pairs). */
export function overlappingPairs<T extends Span>(spans: T[]): [T, T][] {
  const sorted = [...spans].sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : a.number - b.number));
  const pairs: [T, T][] = [];
  const open: T[] = [];
  for (const span of sorted) {
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.lastLba < span.firstLba) open.splice(i, 1);
    for (const other of open) {
      if (pairs.length >= 100) return pairs; // a crafted table could make n^2 pairs; 100 say enough
      pairs.push([other, span]);
    }
    open.push(span);
  }
  return pairs;
}
