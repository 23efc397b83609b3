// Where a spec is applied: a byte offset, an LBA or the start of a partition.
import type { DiskModel } from '../diskModel';
import { DiskxError, UsageError } from '../errors';
import { msg } from '../../shared/l10n';

/** A placement that names no place in this image (a missing partition, past the end). */
export class PlacementError extends DiskxError {}

/** An absolute byte offset and how the user named it (`lba:2048`, `partition:1`, `0x1be`). */
export interface SpecPlacement {
  offset: number;
  label: string;
}

const parseInteger = (text: string): bigint | undefined => (/^(0x[0-9a-f]+|\d+)$/i.test(text) ? BigInt(text) : undefined);

/** Parses `OFFSET` (decimal or 0x hex), `lba:N` or `partition:N` against the disk's sector size and partitions. */
export function resolvePlacement(text: string, disk: Pick<DiskModel, 'sectorSize' | 'sizeBytes' | 'partitions'>): SpecPlacement {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? 'offset' : trimmed.slice(0, colon).toLowerCase();
  const number = parseInteger(colon < 0 ? trimmed : trimmed.slice(colon + 1));
  if (number === undefined || (kind !== 'offset' && kind !== 'lba' && kind !== 'partition')) {
    throw new UsageError(msg('--at {0}: expected OFFSET (decimal or 0x hex), lba:N or partition:N', text));
  }
  let offset: bigint;
  if (kind === 'lba') offset = number * BigInt(disk.sectorSize);
  else if (kind === 'partition') {
    const partition = disk.partitions.find((candidate) => BigInt(candidate.number) === number);
    if (!partition) {
      const numbers = disk.partitions.map((candidate) => candidate.number).join(', ');
      throw new PlacementError(
        numbers
          ? msg('--at {0}: there is no partition {1} (partitions: {2})', text, number, numbers)
          : msg('--at {0}: there is no partition {1} (the disk has no partitions)', text, number),
      );
    }
    offset = partition.firstLba * BigInt(disk.sectorSize);
  } else offset = number;
  if (offset >= BigInt(disk.sizeBytes))
    throw new PlacementError(msg('--at {0}: offset {1} is past the end of the image ({2} bytes)', text, offset, disk.sizeBytes));
  return { offset: Number(offset), label: kind === 'offset' ? `0x${offset.toString(16)}` : `${kind}:${number}` };
}
