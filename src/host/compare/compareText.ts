// Short texts of the comparison shown by the host (progress, status bar). Pure.
import type { ScanSummary } from '../../shared/protocol/compare';

/** One line about a finished byte scan. */
export function scanLine(s: ScanSummary): string {
  if (s.identical) return 'The images are identical byte for byte.';
  const ranges = `${s.ranges.length}${s.truncated ? '+' : ''} differing range(s), ${s.differingBytes} byte(s)`;
  return s.tail ? `${ranges}; image ${s.tail.in.toUpperCase()} has ${s.tail.length} more byte(s)` : ranges;
}
