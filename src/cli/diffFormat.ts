// The `diskx diff` report, as text and as JSON: summary lines, slots side by
// side, differing header fields, byte ranges.
import type { DiskModel, Partition } from '../core/model';
import { partitionLabel } from '../core/diff/structuralDiff';
import type { StructuralDiff } from '../core/diff/structuralDiff';
import type { ByteDiffResult } from '../core/diff/byteDiff';
import { formatSize } from './format';

/** Text shown for at most this many byte ranges (JSON lists every range found). */
const TEXT_RANGES = 20;

/** The `diskx diff --json` document. */
export function diffJson(diff: StructuralDiff, bytes: ByteDiffResult | null) {
  return {
    a: diff.a,
    b: diff.b,
    identical: diff.identical && (bytes === null || bytes.identical),
    headers: diff.headers.filter((h) => !h.equal).map(({ field, a, b }) => ({ field, a, b })),
    partitions: diff.partitions.map((p) => ({
      uuid: p.uuid,
      label: p.label,
      slotA: p.slotA,
      slotB: p.slotB,
      status: p.status,
      matchedBy: p.matchedBy,
      changes: p.changes,
      summary: p.summary,
    })),
    ...(bytes
      ? {
          bytes: {
            ranges: bytes.ranges,
            truncated: bytes.truncated,
            differingBytes: bytes.differingBytes,
            sizeA: bytes.sizeA,
            sizeB: bytes.sizeB,
            comparedBytes: bytes.comparedBytes,
            scannedBytes: bytes.scannedBytes,
            tail: bytes.tail,
          },
        }
      : {}),
  };
}

function describeDisk(disk: DiskModel): string {
  const scheme =
    disk.scheme === 'gpt'
      ? `GPT (${disk.partitions.length} partitions)`
      : disk.scheme === 'none'
        ? 'no partition table'
        : `${disk.scheme.toUpperCase()} (${disk.partitions.length} partitions)`;
  const layout = disk.esxi ? `, ${disk.esxi.profile}${disk.esxi.compacted ? ' ENTRIES NOT IN THEIR SLOTS' : ' layout'}` : '';
  return `${formatSize(disk.sizeBytes)}, ${disk.sectorSize}-byte sectors, ${scheme}${layout}`;
}

function slotCell(disk: DiskModel, p: Partition | undefined): string {
  return p ? `${partitionLabel(disk, p)} ${p.firstLba}..${p.lastLba}` : '-';
}

/** The readable `diskx diff` report: summary lines, slots side by side, differing header fields, byte ranges. */
export function formatDiff(diff: StructuralDiff, a: DiskModel, b: DiskModel, bytes: ByteDiffResult | null): string {
  const lines: string[] = [];
  lines.push(`A: ${diff.a}: ${describeDisk(a)}`);
  lines.push(`B: ${diff.b}: ${describeDisk(b)}`);
  lines.push('');

  if (diff.partitions.length > 0) {
    lines.push('Partitions (matched by unique GUID, else type + first LBA):');
    const width = Math.max(...diff.partitions.map((p) => p.status.length));
    for (const p of diff.partitions) lines.push(`  ${p.status.padEnd(width)}  ${p.summary}`);
    lines.push('');
    // Slots side by side: every slot either disk uses; '*' marks a row whose two sides differ.
    const slots = [...new Set([...a.partitions.map((p) => p.slot), ...b.partitions.map((p) => p.slot)])].sort((x, y) => x - y);
    const rows = slots.map((slot) => {
      const pa = a.partitions.find((p) => p.slot === slot);
      const pb = b.partitions.find((p) => p.slot === slot);
      const same =
        !!pa &&
        !!pb &&
        pa.uuid === pb.uuid &&
        pa.typeGuid === pb.typeGuid &&
        pa.firstLba === pb.firstLba &&
        pa.lastLba === pb.lastLba &&
        pa.name === pb.name &&
        pa.attributes === pb.attributes &&
        pa.mbrType === pb.mbrType;
      return [same ? ' ' : '*', String(slot), slotCell(a, pa), slotCell(b, pb)] as const;
    });
    const widthA = Math.max(1, ...rows.map((r) => r[2].length));
    lines.push(`  ${' '} ${'Slot'.padStart(4)}  ${'A'.padEnd(widthA)}  B`);
    for (const [mark, slot, cellA, cellB] of rows) lines.push(`  ${mark} ${slot.padStart(4)}  ${cellA.padEnd(widthA)}  ${cellB}`);
    lines.push('');
  } else {
    lines.push('Partitions: none on either side.');
    lines.push('');
  }

  const differing = diff.headers.filter((h) => !h.equal);
  if (differing.length > 0) {
    lines.push(`Header fields that differ (${differing.length} of ${diff.headers.length} compared):`);
    const widthField = Math.max(5, ...differing.map((h) => h.field.length));
    const widthA = Math.max(1, ...differing.map((h) => String(h.a ?? '-').length));
    lines.push(`  ${'Field'.padEnd(widthField)}  ${'A'.padEnd(widthA)}  B`);
    for (const h of differing) lines.push(`  ${h.field.padEnd(widthField)}  ${String(h.a ?? '-').padEnd(widthA)}  ${String(h.b ?? '-')}`);
  } else {
    lines.push(`Header fields: all ${diff.headers.length} the same.`);
  }

  if (bytes) {
    lines.push('');
    const plural = bytes.ranges.length === 1 ? 'range' : 'ranges';
    const more = bytes.truncated ? `, more beyond (stopped at byte ${bytes.scannedBytes} after ${bytes.ranges.length} ranges; raise --max-ranges)` : '';
    lines.push(`Bytes: ${bytes.ranges.length} differing ${plural}, ${bytes.differingBytes} bytes, in ${bytes.comparedBytes} bytes compared${more}.`);
    for (const r of bytes.ranges.slice(0, TEXT_RANGES)) {
      const firstLba = Math.floor(r.offset / a.sectorSize);
      const lastLba = Math.floor((r.offset + r.length - 1) / a.sectorSize);
      lines.push(`  0x${r.offset.toString(16).toUpperCase().padStart(10, '0')}  +${r.length}  (LBA ${firstLba}${lastLba > firstLba ? `..${lastLba}` : ''})`);
    }
    if (bytes.ranges.length > TEXT_RANGES) lines.push(`  ... ${bytes.ranges.length - TEXT_RANGES} more (--json lists them all)`);
    if (bytes.tail)
      lines.push(
        `Sizes differ: ${bytes.tail.in.toUpperCase()} has ${bytes.tail.length} more bytes from offset ${bytes.tail.offset} (${formatSize(bytes.tail.length)}).`,
      );
  }

  lines.push('');
  const moved = diff.partitions.filter((p) => p.status === 'moved-slot').length;
  const changed = diff.partitions.filter((p) => p.status === 'changed' || (p.status === 'moved-slot' && p.changes.length > 0)).length;
  const onlyA = diff.partitions.filter((p) => p.status === 'only-a').length;
  const onlyB = diff.partitions.filter((p) => p.status === 'only-b').length;
  const parts = [
    moved ? `${moved} partition${moved > 1 ? 's' : ''} in other slots` : '',
    changed ? `${changed} partition${changed > 1 ? 's' : ''} with changed fields` : '',
    onlyA ? `${onlyA} only in A` : '',
    onlyB ? `${onlyB} only in B` : '',
    differing.length ? `${differing.length} header field${differing.length > 1 ? 's' : ''} differ${differing.length > 1 ? '' : 's'}` : '',
    bytes && bytes.ranges.length ? `${bytes.differingBytes}${bytes.truncated ? '+' : ''} bytes differ` : '',
    bytes?.tail ? 'sizes differ' : '',
  ].filter(Boolean);
  const identical = diff.identical && (bytes === null || bytes.identical);
  lines.push(identical ? `Identical${bytes ? ', byte for byte' : ' in structure (use --bytes to compare every byte)'}.` : `Different: ${parts.join(', ')}.`);
  if (moved > 0 && onlyA === 0) lines.push(`To give A the slots of B: diskx fix ${diff.a} --fix copy-slots-from-reference --reference ${diff.b}`);
  return lines.join('\n');
}
