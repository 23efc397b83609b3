// `diskx diff A B [--json] [--bytes]`: the structural diff (headers field by
// field, partitions matched by unique GUID with their slots) and, with --bytes,
// a streaming byte diff of both whole images in bounded memory.
//
// Exit codes: 0 identical in what was compared (the structures; with --bytes
// also every byte and the size), 1 different, 2 error (one line on stderr).
//
// Also `diskx fix A --fix copy-slots-from-reference --reference B [--write]`
// (fixWithReferenceCommand): the fix command hands every call with --reference
// here. Exit codes as for fix: 0 applies (dry run) or written, 1 does not apply,
// 2 error.
import type { AnalyzedImage } from '../core/index';
import { analyzeImage } from '../core/index';
import type { DiskModel, Partition } from '../core/diskModel';
import { describeError, UsageError } from '../core/errors';
import { structuralDiff, partitionLabel } from '../core/diff/structuralDiff';
import type { StructuralDiff } from '../core/diff/structuralDiff';
import { byteDiff, DEFAULT_MAX_RANGES, MAX_RANGES_LIMIT } from '../core/diff/byteDiff';
import type { ByteDiffResult } from '../core/diff/byteDiff';
import { scanSourceFor } from '../core/io/scanSource';
import { COPY_SLOTS_FROM_REFERENCE, planCopySlotsFromReference } from '../core/diff/copySlots';
import { applyPlans } from '../core/write/index';
import { writerOptions } from './writerOptions';
import type { Patch } from '../core/patch';
import type { ByteSource } from '../core/io/byteSource';
import type { Command, CommandContext } from './main';
import { parseArgs, sectorSizeFlag } from './args';
import { formatSize } from './format';

/** Usage lines of the diff command (for the CLI's help text). */
export const DIFF_USAGE = `  diff    A B [--json] [--bytes] [--max-ranges N] [--sector-size 512|4096]
          compare two images: GPT/MBR headers field by field, partitions matched by unique GUID
          (else type + first LBA) with their slots; --bytes also scans every byte (bounded memory);
          exit 0 identical in what was compared, 1 different, 2 error`;

/** Text shown for at most this many byte ranges (JSON lists every range found). */
const TEXT_RANGES = 20;

/** The `diskx diff --json` document. */
export function diffJson(diff: StructuralDiff, bytes: ByteDiffResult | null) {
  return {
    a: diff.a,
    b: diff.b,
    identical: diff.identical && (bytes === null || bytes.identical),
    headers: diff.headers.filter((h) => !h.equal).map(({ field, a, b }) => ({ field, a, b })),
    partitions: diff.partitions.map((p) => ({ uuid: p.uuid, label: p.label, slotA: p.slotA, slotB: p.slotB, status: p.status, matchedBy: p.matchedBy, changes: p.changes, summary: p.summary })),
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

export const diffCommand: Command = async (argv, context) => {
  const args = parseArgs(argv, { json: {}, bytes: {}, 'max-ranges': { value: true }, 'sector-size': { value: true } });
  if (args.positional.length !== 2) throw new UsageError(args.positional.length < 2 ? 'diff needs two images: diskx diff A B' : `diff compares two images, got ${args.positional.length}`);
  const [pathA, pathB] = args.positional as [string, string];
  const sectorSize = sectorSizeFlag(args);
  const maxRanges = maxRangesFlag(args.flags.get('max-ranges')?.[0]);

  const opened: AnalyzedImage[] = [];
  const scans: ByteSource[] = [];
  let current = pathA;
  try {
    opened.push(await analyzeImage(pathA, { sectorSize }));
    current = pathB;
    opened.push(await analyzeImage(pathB, { sectorSize }));
    const [a, b] = opened as [AnalyzedImage, AnalyzedImage];
    const diff = structuralDiff(a.disk, b.disk);
    let bytes: ByteDiffResult | null = null;
    if (args.flags.has('bytes')) {
      current = pathA;
      scans.push(await scanSourceFor(a.opened));
      current = pathB;
      scans.push(await scanSourceFor(b.opened));
      current = `${pathA}, ${pathB}`;
      bytes = await byteDiff(scans[0]!, scans[1]!, { maxRanges, onProgress: progressReporter() });
    }
    const identical = diff.identical && (bytes === null || bytes.identical);
    const stdout = args.flags.has('json') ? JSON.stringify(diffJson(diff, bytes), null, 2) : formatDiff(diff, a.disk, b.disk, bytes);
    return { stdout, exitCode: identical ? 0 : 1 };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (process.env.DISKX_DEBUG === '1' && error instanceof Error) context.stderr(String(error.stack));
    return fail(context, `${current}: ${describeError(error)}`);
  } finally {
    clearProgress();
    const sources = new Set<ByteSource>([...scans, ...opened.map((o) => o.opened.source)]);
    await Promise.allSettled([...sources].map((s) => s.close()));
  }
};

function fail(context: CommandContext, line: string): { stdout: string; exitCode: number } {
  context.stderr(`diskx: ${line}`);
  return { stdout: '', exitCode: 2 };
}

function maxRangesFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_RANGES;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_RANGES_LIMIT) throw new UsageError(`--max-ranges must be a whole number from 1 to ${MAX_RANGES_LIMIT}, not ${text}`);
  return value;
}

// Progress goes to a terminal only (never into a pipe or a log), at most ~4 times a second.
let progressShown = false;
function progressReporter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 250 && done < total) return;
    last = now;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    process.stderr.write(`\rdiskx: comparing bytes ${String(percent).padStart(3)}% (${formatSize(done)} of ${formatSize(total)})\x1b[K`);
    progressShown = true;
  };
}

function clearProgress(): void {
  if (progressShown) process.stderr.write('\r\x1b[K');
  progressShown = false;
}

function describeDisk(disk: DiskModel): string {
  const scheme = disk.scheme === 'gpt' ? `GPT (${disk.partitions.length} partitions)` : disk.scheme === 'mbr' ? `MBR (${disk.partitions.length} partitions)` : 'no partition table';
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
      const same = !!pa && !!pb && pa.uuid === pb.uuid && pa.typeGuid === pb.typeGuid && pa.firstLba === pb.firstLba && pa.lastLba === pb.lastLba && pa.name === pb.name && pa.attributes === pb.attributes && pa.mbrType === pb.mbrType;
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
    if (bytes.tail) lines.push(`Sizes differ: ${bytes.tail.in.toUpperCase()} has ${bytes.tail.length} more bytes from offset ${bytes.tail.offset} (${formatSize(bytes.tail.length)}).`);
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

/** Usage lines of the reference fix (for the CLI's help text). */
export const FIX_REFERENCE_USAGE = `  fix     A --fix copy-slots-from-reference --reference B [--write] [--json] [--allow-device]
          move A's entries into the slots B uses for the same partitions (matched by unique GUID,
          else type + first LBA), primary and backup, CRCs recomputed; dry run without --write`;

/** True when a `diskx fix` command line names a reference image: fixWithReferenceCommand handles it. */
export function hasReferenceFlag(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--reference' || arg.startsWith('--reference='));
}

function patchJson(p: Patch, sectorSize: number) {
  return { offset: p.offset, lba: Math.floor(p.offset / sectorSize), length: p.after.length, before: Buffer.from(p.before).toString('hex'), after: Buffer.from(p.after).toString('hex') };
}

/** `diskx fix A --fix copy-slots-from-reference --reference B [--write] [--json]`. */
export const fixWithReferenceCommand: Command = async (argv, context) => {
  const args = parseArgs(argv, { fix: { value: true, repeat: true }, reference: { value: true }, write: {}, json: {}, 'sector-size': { value: true }, 'allow-device': {} });
  if (args.positional.length !== 1) throw new UsageError(args.positional.length === 0 ? 'missing IMAGE' : `expected one IMAGE, got ${args.positional.length}`);
  const image = args.positional[0]!;
  const reference = args.flags.get('reference')?.[0];
  if (!reference) throw new UsageError('--reference needs an image');
  const ids = args.flags.get('fix') ?? [];
  if (ids.length !== 1 || ids[0] !== COPY_SLOTS_FROM_REFERENCE) {
    throw new UsageError(`--reference goes with --fix ${COPY_SLOTS_FROM_REFERENCE} alone (run other fixes separately)`);
  }
  const sectorSize = sectorSizeFlag(args);
  const write = args.flags.has('write');
  const asJson = args.flags.has('json');

  let current = image;
  let disk: DiskModel;
  let referenceDisk: DiskModel;
  try {
    const a = await analyzeImage(image, { sectorSize });
    await a.opened.source.close();
    disk = a.disk;
    current = reference;
    const b = await analyzeImage(reference, { sectorSize });
    await b.opened.source.close();
    referenceDisk = b.disk;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(context, `${current}: ${describeError(error)}`);
  }
  const result = planCopySlotsFromReference(disk, referenceDisk);
  if (!result.ok) {
    context.stderr(`diskx: ${image}: fix ${COPY_SLOTS_FROM_REFERENCE} does not apply: ${result.reason}`);
    if (write) context.stderr(`diskx: ${image}: nothing was written`);
    const stdout = asJson ? JSON.stringify({ image, reference, dryRun: !write, applies: false, reason: result.reason, written: null }, null, 2) : '';
    return { stdout, exitCode: 1 };
  }
  const { plan } = result;
  const planText = [
    `${write ? 'Repair' : 'Dry run (nothing written; add --write to apply)'}: ${plan.title} on ${image}, reference ${reference}`,
    plan.description,
    'Patches:',
    ...plan.patches.map((p) => `  0x${p.offset.toString(16).toUpperCase().padStart(10, '0')} (LBA ${Math.floor(p.offset / disk.sectorSize)})  ${p.after.length} bytes`),
  ];
  let written: Awaited<ReturnType<typeof applyPlans>> | null = null;
  if (write) {
    try {
      written = await applyPlans(image, [plan], { sectorSize: disk.sectorSize, allowDevice: args.flags.has('allow-device'), ...writerOptions('fix') });
    } catch (error) {
      return fail(context, `${image}: ${describeError(error)}`);
    }
    planText.push(`Written: ${written.sectorsWritten} sectors of ${written.sectorSize} bytes, backup first; undo with: diskx undo ${image} (journal ${written.journalPath})`);
  }
  if (asJson) {
    const doc = {
      image,
      reference,
      dryRun: !write,
      applies: true,
      plan: { id: plan.id, title: plan.title, description: plan.description, patches: plan.patches.map((p) => patchJson(p, disk.sectorSize)) },
      written: written ? { sectorsWritten: written.sectorsWritten, bytesWritten: written.bytesWritten, journalPath: written.journalPath, entryId: written.entryId } : null,
    };
    return { stdout: JSON.stringify(doc, null, 2), exitCode: 0 };
  }
  return { stdout: planText.join('\n'), exitCode: 0 };
};
