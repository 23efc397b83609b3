// Short texts of the comparison shown by the host (progress, status bar). Pure.
import type { ScanSummary } from '../../shared/protocol/compare';

/** "1.5 GiB" style sizes for progress lines. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One line about a finished byte scan. */
export function scanLine(s: ScanSummary): string {
  if (s.identical) return 'The images are identical byte for byte.';
  const ranges = `${s.ranges.length}${s.truncated ? '+' : ''} differing range(s), ${s.differingBytes} byte(s)`;
  return s.tail ? `${ranges}; image ${s.tail.in.toUpperCase()} has ${s.tail.length} more byte(s)` : ranges;
}
