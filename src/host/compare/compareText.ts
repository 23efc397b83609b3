// Short texts of the comparison shown by the host (progress, status bar). Pure:
// a message the host shows with localMessage (English with renderMessage).
import type { ScanSummary } from '../../shared/protocol/compare';
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** One line about a finished byte scan. */
export function scanLine(s: ScanSummary): Message {
  if (s.identical) return msg('The images are identical byte for byte.');
  const ranges = msg('{0}{1} differing range(s), {2} byte(s)', s.ranges.length, s.truncated ? '+' : '', s.differingBytes);
  return s.tail ? msg('{0}; image {1} has {2} more byte(s)', ranges, s.tail.in.toUpperCase(), s.tail.length) : ranges;
}
