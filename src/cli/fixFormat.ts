// Output of `diskx fix` and `diskx undo`: the readable plan (every patch with its
// offset, LBA, the fields it touches and a before/after hex diff), what was
// written, and the stable JSON documents.
import type { DiskModel } from '../core/model';
import { numberRuns } from '../core/numberRuns';
import type { Finding, FixId, ScanFixId } from '../core/findings';
import type { FixPlan, Patch } from '../core/patch';
import type { UndoResult, WriteResult } from '../core/write/index';
import { annotatePatch, summarizePatchFields } from '../core/fixes/index';
import { jsonInteger } from '../core/report';
import { formatSize } from './format';
import { formatGuid, isZeroGuid } from '../core/guid';
import { gptTypeName } from '../core/partitionTypes';
import { safeField } from './terminalText';

/** A plan and the model it was planned on (the image as the earlier fixes leave it). */
export interface Planned {
  plan: FixPlan;
  disk: DiskModel;
}

/** A requested fix that does not apply, and why. */
export interface Refusal {
  id: FixId | ScanFixId;
  reason: string;
}

/** Everything `diskx fix` reports. */
export interface FixReport {
  /** The IMAGE argument as given. */
  image: string;
  /** The model before any fix. */
  disk: DiskModel;
  dryRun: boolean;
  planned: Planned[];
  refused: Refusal[];
  /** The sector writes the plans come to (only sectors whose bytes change). */
  writes: Patch[];
  /** Where the undo journal is (or would be). */
  journal: string;
  written: WriteResult | null;
  findingsBefore: Finding[];
  /** Findings after the plans: predicted on the patched view in a dry run, re-checked from disk after --write. */
  remainingFindings: Finding[];
  /** Codes of the findings before the repair that the requested fixes address. */
  addressed: string[];
  /** Findings the fixes address that remain (should be none). */
  unresolved: Finding[];
}

/** Everything `diskx undo` reports. */
export interface UndoReport {
  image: string;
  result: UndoResult;
  sectorSize: number;
  /** The writes undo made, in order. */
  restored: { offset: number; length: number }[];
  fixTitles: { id: string; title: string }[];
  remainingFindings: Finding[];
}

/** Rows of hex shown per patch before the rest is summarised (512 bytes of changes). */
export const MAX_CHANGED_ROWS = 32;
const ROW = 16;

const hex = (n: number | bigint): string => `0x${n.toString(16).toUpperCase()}`;
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** "0x1FFFFBE80 (LBA 16777183 +0x80)" */
export function offsetText(offset: number, sectorSize: number): string {
  const lba = Math.floor(offset / sectorSize);
  const within = offset - lba * sectorSize;
  return `${hex(offset)} (LBA ${lba}${within ? ` +${hex(within)}` : ''})`;
}

/** Sector numbers that writes (byte runs) touch, in the order first written. */
export function writeLbas(writes: { offset: number; length: number }[], sectorSize: number): number[] {
  // Writes are byte runs: a sector touched by several runs is listed once, where it is first written.
  const lbas: number[] = [];
  const seen = new Set<number>();
  for (const w of writes) {
    if (w.length === 0) continue;
    for (let lba = Math.floor(w.offset / sectorSize); lba <= Math.floor((w.offset + w.length - 1) / sectorSize); lba++) {
      if (!seen.has(lba)) lbas.push(lba);
      seen.add(lba);
    }
  }
  return lbas;
}

/** "1..3, 16777183..16777184" for numbers in the order given (runs of +1 collapse). */
export function lbaRuns(lbas: number[]): string {
  return numberRuns(lbas) || 'none';
}

function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Before/after of a patch as 16-byte rows at absolute offsets: a changed row
 * shows "-" (before) and "+" (after), runs of unchanged rows collapse to one
 * line; after MAX_CHANGED_ROWS changed rows the rest is counted, not shown.
 */
export function hexDiff(patch: Patch, indent: string): string[] {
  const lines: string[] = [];
  const width = hex(patch.offset + patch.after.length).length;
  let unchanged = 0;
  let unchangedFrom = 0;
  let shown = 0;
  let hidden = 0;
  const flush = (): void => {
    if (unchanged === 0) return;
    lines.push(`${indent}${hex(unchangedFrom).padStart(width)}  = ${plural(unchanged, 'unchanged byte')}`);
    unchanged = 0;
  };
  // Rows aligned to absolute 16-byte boundaries, so offsets read like a hex editor's.
  for (let rowStart = patch.offset - (patch.offset % ROW); rowStart < patch.offset + patch.after.length; rowStart += ROW) {
    const from = Math.max(rowStart, patch.offset) - patch.offset;
    const to = Math.min(rowStart + ROW, patch.offset + patch.after.length) - patch.offset;
    const before = patch.before.subarray(from, to);
    const after = patch.after.subarray(from, to);
    if (before.every((b, i) => b === after[i])) {
      if (unchanged === 0) unchangedFrom = patch.offset + from;
      unchanged += to - from;
      continue;
    }
    if (shown >= MAX_CHANGED_ROWS) {
      hidden++;
      continue;
    }
    flush();
    lines.push(`${indent}${hex(patch.offset + from).padStart(width)}  - ${bytesHex(before)}`);
    lines.push(`${indent}${''.padStart(width)}  + ${bytesHex(after)}`);
    shown++;
  }
  flush();
  // A CRC or an LBA field: its value reads better than its bytes.
  if (patch.after.length === 4 || patch.after.length === 8) {
    const value = (b: Uint8Array): string =>
      `0x${b
        .reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n)
        .toString(16)
        .toUpperCase()
        .padStart(b.length * 2, '0')}`;
    lines.push(`${indent}${''.padStart(width)}  as little-endian u${patch.after.length * 8}: ${value(patch.before)} -> ${value(patch.after)}`);
  }
  if (hidden > 0) lines.push(`${indent}... ${plural(hidden, 'more changed row')} of ${ROW} bytes not shown (diskx fix --json has every byte)`);
  return lines;
}

/** "8224..520191 Microsoft basic data [00000005]" (type name, unique GUID's first group) or "(empty)" for one GPT entry's bytes (UEFI 5.3.3). */
function entrySummary(entry: Uint8Array): string {
  const type = entry.subarray(0, 16);
  if (isZeroGuid(type)) return '(empty)';
  const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
  const typeGuid = formatGuid(type);
  const name = gptTypeName(typeGuid) ?? typeGuid;
  // The unique GUID's first group is enough to follow an entry from slot to slot.
  return `${view.getBigUint64(32, true)}..${view.getBigUint64(40, true)} ${name} [${formatGuid(entry.subarray(16, 32)).slice(0, 8)}]`;
}

/**
 * One line per GPT entry the patch covers whole: "slot 4: <before> -> <after>",
 * so a moved entry reads as a move, not as 128 bytes of hex.
 */
export function entryMoves(disk: DiskModel, patch: Patch, indent: string): string[] {
  const lines: string[] = [];
  for (const header of [disk.primary, disk.backup]) {
    if (!header?.array || header.partitionEntrySize < 128) continue;
    const size = header.partitionEntrySize;
    const start = header.array.offset;
    const end = start + header.array.bytes.length;
    const from = Math.max(patch.offset, start);
    const to = Math.min(patch.offset + patch.after.length, end);
    for (let slot = Math.ceil((from - start) / size); start + (slot + 1) * size <= to; slot++) {
      const at = start + slot * size - patch.offset;
      const before = entrySummary(patch.before.subarray(at, at + size));
      const after = entrySummary(patch.after.subarray(at, at + size));
      lines.push(`${indent}slot ${slot} (partition ${slot + 1}): ${before === after ? `${before}, other fields change` : `${before} -> ${after}`}`);
    }
  }
  return lines;
}

/** Wraps `text` at `width` columns with `indent`. */
export function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** "1 error, 2 warnings, 0 info". */
export function findingCounts(findings: Finding[]): string {
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info`;
}

/** The dry-run plan: each fix, each patch with offset, fields and bytes, then the summary. */
export function formatPlan(report: FixReport): string {
  const { disk } = report;
  const lines: string[] = [];
  lines.push(`${report.dryRun ? 'Plan' : 'Repair'} for ${report.image} (${formatSize(disk.sizeBytes)}, ${disk.sectorSize}-byte sectors)`);
  for (const { plan, disk: planned } of report.planned) {
    lines.push('');
    lines.push(`fix ${plan.id}: ${plan.title}`);
    // Each line of the description wrapped on its own, keeping its indent (rebuild-from-scan lists partitions).
    for (const line of plan.description.split('\n')) lines.push(...wrap(line, `  ${/^ */.exec(line)![0]}`));
    if (plan.destroys && report.dryRun) lines.push('', '  --write needs --allow-overwrite-volume (the confirmation that the volume it OVERWRITES may go)');
    plan.patches.forEach((patch, i) => {
      lines.push('');
      lines.push(`  patch ${i + 1} of ${plan.patches.length}: ${plural(patch.after.length, 'byte')} at ${offsetText(patch.offset, disk.sectorSize)}`);
      lines.push(`    fields: ${summarizePatchFields(planned, patch)}`);
      lines.push(...entryMoves(planned, patch, '    '));
      lines.push(...hexDiff(patch, '    '));
    });
  }
  for (const r of report.refused) {
    lines.push('');
    lines.push(`fix ${r.id}: does not apply`);
    lines.push(...wrap(r.reason, '  '));
  }
  lines.push('');
  const patches = report.planned.reduce((n, p) => n + p.plan.patches.length, 0);
  const lbas = plannedLbas(report.writes, disk.sectorSize);
  if (report.refused.length > 0) {
    lines.push(`${plural(report.refused.length, 'requested fix does', 'requested fixes do')} not apply: nothing written`);
  } else if (report.dryRun) {
    lines.push(`Sectors to write: LBA ${lbaRuns(lbas)}; undo journal: ${report.journal}`);
    const gone = report.addressed.length > 0 && report.unresolved.length === 0 ? `; ${report.addressed.join(', ')} would be gone` : '';
    lines.push(`After the repair diskx check would report ${findingCounts(report.remainingFindings)}${gone}${unresolvedText(report)}.`);
    lines.push(`${plural(patches, 'patch', 'patches')}, ${plural(lbas.length, 'sector')} would be written, nothing written (dry run; add --write)`);
  } else {
    lines.push(`${plural(patches, 'patch', 'patches')}, ${plural(lbas.length, 'sector')} to write`);
  }
  return lines.join('\n');
}

function unresolvedText(report: FixReport): string {
  if (report.unresolved.length === 0) return '';
  return `; STILL PRESENT: ${report.unresolved.map((f) => f.code).join(', ')}`;
}

/** What --write did: sectors in write order, bytes, the journal and how to undo; the check afterwards. */
export function formatWritten(report: FixReport): string {
  const written = report.written!;
  if (written.entryId === null) return `Nothing to write: the plans change no byte of ${report.image}; no journal entry.`;
  const lines = writtenLines(report.image, written, report.remainingFindings, 'repair');
  if (report.unresolved.length === 0) {
    if (report.addressed.length > 0) lines.push(`Repaired: ${report.addressed.join(', ')} (no longer reported).`);
  } else {
    lines.push('STILL PRESENT after the repair (please report this):');
    for (const f of report.unresolved) lines.push(`  ${f.severity} ${f.code}: ${safeField(f.message)}`);
  }
  const left = report.remainingFindings.filter((f) => f.severity !== 'info' && !report.unresolved.includes(f));
  for (const f of left) lines.push(`  remaining ${f.severity} ${f.code}: ${safeField(f.message)}`);
  return lines.join('\n');
}

/** What a write did, for fix and set: sectors in write order, bytes, the journal, how to undo, the check after `what`. */
export function writtenLines(image: string, written: WriteResult, findings: Finding[], what: 'repair' | 'edit'): string[] {
  return [
    // A container's header update (VHDX: new DataWriteGuid) is written and flushed before the disk's bytes.
    ...written.containerWrites.map(
      (w) => `First updated the ${w.what} (${w.change}) in ${w.file} (file bytes 0x${w.offset.toString(16)}..+${w.length}), fsynced.`,
    ),
    `Wrote ${plural(written.sectorsWritten, 'sector')} (${plural(written.bytesWritten, 'byte')}) of ${image}, backup GPT first, fsynced: LBA ${lbaRuns(writeLbas(written.writes, written.sectorSize))}`,
    `Undo journal: ${written.journalPath} (entry ${written.entryId})`,
    `undo with: diskx undo ${quote(image)}`,
    `Check after the ${what}: ${findingCounts(findings)}.`,
  ];
}

function quote(p: string): string {
  return /^[\w./@:+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The sectors planned sector writes touch, ascending. */
export function plannedLbas(writes: Patch[], sectorSize: number): number[] {
  return writeLbas(
    writes.map((w) => ({ offset: w.offset, length: w.after.length })),
    sectorSize,
  );
}

/** The JSON `written` object of fix and set: the sectors in write order, the counts and the journal entry; null in a dry run. */
export function writtenJson(written: WriteResult | null) {
  return written
    ? {
        sectors: writeLbas(written.writes, written.sectorSize).map(jsonInteger),
        sectorsWritten: written.sectorsWritten,
        bytesWritten: written.bytesWritten,
        entryId: written.entryId,
        ...(written.containerWrites.length > 0 ? { containerWrites: written.containerWrites } : {}),
      }
    : null;
}

/**
 * The `diskx fix --json` document:
 * { image, sectorSize, dryRun,
 *   plan: [{id, title, description, destroys?, patches: [{offset, length, lba, fields, before, after}]}],
 *     destroys: what the plan overwrites of a volume's own structures (its --write needs --allow-overwrite-volume),
 *   notApplicable: [{id, reason}],
 *   sectors: [LBA...]          sectors the plans write (only those whose bytes change), ascending,
 *   written: null | {sectors: [LBA in write order], sectorsWritten, bytesWritten, entryId,
 *             containerWrites?: [{file, offset, length, what}]   a container header updated first (VHDX)},
 *   journal: path of the undo journal (where it would be, in a dry run),
 *   remainingFindings: [finding...] after the plans (predicted in a dry run, re-checked after --write),
 *   addressed: [finding code...] findings before the repair that the fixes address,
 *   unresolved: [finding code...] of those, the ones that remain (should be none) }
 * before/after are lowercase hex; integers above 2^53 - 1 are decimal strings.
 */
export function fixJson(report: FixReport) {
  const { sectorSize } = report.disk;
  return {
    image: report.image,
    sectorSize,
    dryRun: report.dryRun,
    plan: report.planned.map(({ plan, disk }) => ({
      id: plan.id,
      title: plan.title,
      description: plan.description,
      ...(plan.destroys ? { destroys: plan.destroys } : {}),
      patches: plan.patches.map((p) => ({
        offset: jsonInteger(p.offset),
        length: p.after.length,
        lba: jsonInteger(Math.floor(p.offset / sectorSize)),
        fields: annotatePatch(disk, p),
        before: toHex(p.before),
        after: toHex(p.after),
      })),
    })),
    notApplicable: report.refused.map((r) => ({ id: r.id, reason: r.reason })),
    sectors: plannedLbas(report.writes, sectorSize).map(jsonInteger),
    written: writtenJson(report.written),
    journal: report.journal,
    remainingFindings: report.remainingFindings,
    addressed: report.addressed,
    unresolved: report.unresolved.map((f) => f.code),
  };
}

/** The readable result of `diskx undo`. */
export function formatUndo(report: UndoReport): string {
  const { result } = report;
  const lbas = writeLbas(report.restored, report.sectorSize);
  const what = report.fixTitles.length > 0 ? report.fixTitles.map((f) => f.id).join(', ') : result.fixIds.join(', ');
  const crashed = result.previousState !== 'applied' ? ` (it had been interrupted: ${result.previousState})` : '';
  return [
    `Undid repair ${result.entryId} (${what}) of ${report.image}${crashed}: restored ${plural(result.sectorsWritten, 'sector')} (${plural(result.bytesWritten, 'byte')}), fsynced: LBA ${lbaRuns(lbas)}`,
    ...result.containerWrites.map(
      (w) => `Then put back the ${w.what} as it was before the repair in ${w.file} (file bytes 0x${w.offset.toString(16)}..+${w.length}), fsynced.`,
    ),
    `Undo journal: ${result.journalPath} (entry ${result.entryId} marked undone; ${plural(result.remaining, 'older repair')} can still be undone)`,
    `Check after the undo: ${findingCounts(report.remainingFindings)}.`,
  ].join('\n');
}

/** The `diskx undo --json` document: {image, journal, entryId, fixes, previousState, restored: {sectors, sectorsWritten, bytesWritten, containerWrites?}, remaining, remainingFindings}. */
export function undoJson(report: UndoReport) {
  const { result } = report;
  return {
    image: report.image,
    journal: result.journalPath,
    entryId: result.entryId,
    fixes: result.fixIds,
    previousState: result.previousState,
    restored: {
      sectors: writeLbas(report.restored, report.sectorSize).map(jsonInteger),
      sectorsWritten: result.sectorsWritten,
      bytesWritten: result.bytesWritten,
      ...(result.containerWrites.length > 0 ? { containerWrites: result.containerWrites } : {}),
    },
    remaining: result.remaining,
    remainingFindings: report.remainingFindings,
  };
}
