// Findings about the Apple, BSD, Sun and SGI labels: what their readers found
// wrong (checksums, signatures, counts) and partitions that leave the disk,
// or, for a BSD label in an MBR slice, the slice.
import type { DiskModel, Partition } from './model';
import type { FindingCode, FixId, Severity } from './findings';
import { msg } from '../shared/l10n';
import type { Message } from '../shared/l10n';

type Add = (code: FindingCode, severity: Severity, text: Message | string, offset: number, length: number, fixes?: FixId[]) => void;

const SCHEME_WORDS: Record<string, string> = { apm: 'Apple map entry', bsd: 'BSD partition', sun: 'Sun partition', sgi: 'SGI partition' };

/** Every problem of every label, and each label partition outside the disk (or its slice). */
export function checkLabels(disk: DiskModel, add: Add): void {
  for (const label of disk.labels ?? []) {
    for (const p of label.problems) add(p.code, p.severity, p.message, p.offset, p.length);
    const slice = label.parentNumber !== undefined ? disk.partitions.find((p) => p.number === label.parentNumber) : undefined;
    for (const p of label.partitions) {
      const field = label.nodes[Math.min(label.nodes.length - 1, label.scheme === 'apm' ? p.slot + 1 : 0)]!;
      const name = `${SCHEME_WORDS[label.scheme]} ${label.scheme === 'bsd' ? p.name : p.number}${slice ? ` of MBR slice ${slice.number}` : ''}`;
      if (p.lastLba >= disk.totalSectors) {
        add(
          'label-partition-out-of-range',
          'error',
          msg(
            '{0} covers LBAs {1}..{2} but the disk ends at LBA {3}: the disk was copied to a smaller one or the label edited; data past the end is missing.',
            name,
            p.firstLba,
            p.lastLba,
            disk.lastLba,
          ),
          field.offset,
          field.length,
        );
      } else if (slice && !inside(p, slice)) {
        add(
          'label-partition-out-of-range',
          'error',
          msg(
            '{0} covers LBAs {1}..{2}, outside its slice (LBAs {3}..{4}): the slice was moved or resized without its BSD label.',
            name,
            p.firstLba,
            p.lastLba,
            slice.firstLba,
            slice.lastLba,
          ),
          field.offset,
          field.length,
        );
      }
    }
  }
}

const inside = (p: Partition, slice: Partition): boolean => p.firstLba >= slice.firstLba && p.lastLba <= slice.lastLba;
