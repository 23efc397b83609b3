// `diskx set IMAGE PATH=VALUE... [--write] [--no-reseal] [--no-mirror] [--json]`:
// hand edits of named fields, planned by core/edit (the edit itself, its mirror
// in the other GPT copy, the resealed CRCs), shown like a fix's plan, and with
// --write written through the same safe writer (journal, before-bytes check,
// backup first), so `diskx undo` reverts it.
//
// Exit codes: 0 planned (and, with --write, written; also when the values are
// already there), 2 any error: a bad path, a value out of range, a name too
// long, an unreadable image, a refused write. Nothing is written on an error.
import path from 'node:path';
import { openImage } from '../../core/io/openImage';
import { PatchedSource } from '../../core/io/patchedSource';
import { readDisk } from '../../core/diskModel';
import type { DiskModel } from '../../core/diskModel';
import { checkDisk } from '../../core/checks';
import { analyzeImage } from '../../core/index';
import type { Finding } from '../../core/findings';
import type { Patch } from '../../core/patch';
import { parseAssignment, planFieldEdits } from '../../core/edit/planEdits';
import type { EditPlanResult, PlannedChange } from '../../core/edit/planEdits';
import { applyPlans, journalPathFor } from '../../core/write/index';
import type { WriteResult } from '../../core/write/index';
import { byteWrites } from '../../core/write/byteWrites';
import { describeError, UsageError } from '../../core/errors';
import { jsonInteger } from '../../core/report';
import type { CliCommand, CommandContext, CommandResult } from '../command';
import { json } from '../command';
import { parseArgs, sectorSizeFlag } from '../args';
import { journalOptions, warnAboutJournal, writerOptions } from '../journal';
import { findingCounts as counts, hexDiff, lbaRuns, offsetText, plannedLbas, plural, toHex, writtenJson, writtenLines } from '../fixFormat';
import { formatSize } from '../format';

/** The findings that mean "a CRC no longer matches its bytes" (recompute-crcs reseals them). */
export const STALE_CRC_CODES: readonly string[] = ['gpt-primary-header-crc', 'gpt-backup-header-crc', 'gpt-primary-array-crc', 'gpt-backup-array-crc'];

const FLAGS = { write: {}, 'no-reseal': {}, 'no-mirror': {}, json: {}, 'sector-size': { value: true }, 'allow-device': {} };

export const setCommand: CliCommand = {
  name: 'set',
  usage: `  set     IMAGE PATH=VALUE... [--write] [--no-reseal] [--no-mirror] [--json] [--sector-size 512|4096] [--allow-device]
          edit fields by name: primaryHeader.diskGuid, primaryArray.entries.4.name, mbr.partitions.0.type,
          or partition:N.FIELD (name, type, uuid, firstLba, lastLba, attributes) for partition N in both arrays;
          values: numbers (decimal or 0x), LBAs also as 1M / +512M, GUIDs or type names (linux, efi, vmfs,
          basic-data, ...), attributes 0x... or +required,-hidden,priority=3; a dry run without --write;
          by default edits go to both GPT copies and the CRCs are recomputed (--no-mirror, --no-reseal);
          exit 0 planned or written, 2 bad path/value or error (nothing written)`,
  flags: FLAGS,
  run: runSet,
};

interface SetReport {
  image: string;
  disk: DiskModel;
  options: { reseal: boolean; mirror: boolean };
  result: EditPlanResult;
  writes: Patch[];
  journal: string;
  written: WriteResult | null;
  findings: Finding[];
}

async function runSet(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FLAGS);
  const [image, ...texts] = args.positional;
  if (image === undefined) throw new UsageError('missing IMAGE');
  if (texts.length === 0) throw new UsageError('set needs at least one PATH=VALUE after IMAGE');
  const assignments = texts.map(parseAssignment);
  const options = { reseal: !args.flags.has('no-reseal'), mirror: !args.flags.has('no-mirror') };
  const sectorSize = sectorSizeFlag(args);

  const opened = await openImage(image, context.open);
  let disk: DiskModel;
  let result: EditPlanResult;
  let findings: Finding[];
  let writes: Patch[];
  try {
    const source = opened.source;
    disk = await readDisk(source, { sectorSize });
    result = await planFieldEdits(disk, assignments, options, (offset, length) => source.read(offset, length));
    findings =
      result.plan.patches.length > 0
        ? checkDisk(await readDisk(new PatchedSource(source, result.plan.patches), { sectorSize: disk.sectorSize }))
        : checkDisk(disk);
    writes = await byteWrites([result.plan], source.size, (offset, length) => source.read(offset, length));
  } finally {
    await opened.source.close();
  }
  const journal = await journalPathFor(path.resolve(image), opened.kind, journalOptions());
  await warnAboutJournal(image, context);
  const report: SetReport = { image, disk, options, result, writes, journal, written: null, findings };
  if (!args.flags.has('write') || result.plan.patches.length === 0) {
    return { stdout: args.flags.has('json') ? json(setJson(report)) : formatSetPlan(report), exitCode: 0 };
  }
  report.written = await applyPlans(image, [result.plan], {
    sectorSize: disk.sectorSize,
    allowDevice: args.flags.has('allow-device'),
    open: context.open,
    ...writerOptions('set'),
  });
  report.journal = report.written.journalPath;
  try {
    const checked = await analyzeImage(image, { sectorSize: disk.sectorSize, open: context.open });
    await checked.opened.source.close();
    report.findings = checked.findings;
  } catch (error) {
    context.stderr(`diskx: ${image}: warning: the edit was written, but checking the result failed: ${describeError(error)}`);
  }
  return { stdout: args.flags.has('json') ? json(setJson(report)) : `${formatSetPlan(report)}\n\n${formatSetWritten(report)}`, exitCode: 0 };
}

function staleCrcs(findings: Finding[]): string[] {
  return [...new Set(findings.filter((f) => STALE_CRC_CODES.includes(f.code)).map((f) => f.code))];
}

const ROLE_TEXT: Record<PlannedChange['role'], string> = { edit: 'edit  ', mirror: 'mirror', reseal: 'reseal' };

function changeLines(change: PlannedChange, sectorSize: number): string[] {
  const because = change.role === 'mirror' ? ` (mirror of ${change.because})` : change.role === 'reseal' ? ` (${change.because})` : '';
  const quote = (s: string): string => (change.path.endsWith('.name') ? JSON.stringify(s) : s);
  return [
    `  ${ROLE_TEXT[change.role]} ${change.path}${because}: ${quote(change.from)} -> ${quote(change.to)}`,
    `         ${plural(change.after.length, 'byte')} at ${offsetText(change.offset, sectorSize)}`,
    ...hexDiff({ offset: change.offset, before: change.before, after: change.after }, '         '),
  ];
}

/** The dry-run plan: every change (edit, mirror, reseal) with its bytes, then what would be written and found. */
export function formatSetPlan(report: SetReport): string {
  const { disk, result } = report;
  const lines = [`${report.written ? 'Edit' : 'Plan'} for ${report.image} (${formatSize(disk.sizeBytes)}, ${disk.sectorSize}-byte sectors)`, ''];
  lines.push(
    `${result.plan.title} (${report.options.mirror ? 'mirrored to the other GPT copy' : 'not mirrored (--no-mirror)'}, ${report.options.reseal ? 'CRCs resealed' : 'CRCs not resealed (--no-reseal)'})`,
  );
  for (const change of result.changes) lines.push(...changeLines(change, disk.sectorSize));
  for (const note of result.notes) lines.push(`  note: ${note}`);
  lines.push('');
  if (result.plan.patches.length === 0) {
    lines.push('Nothing to write: the fields already hold these values.');
    return lines.join('\n');
  }
  const lbas = plannedLbas(report.writes, disk.sectorSize);
  const stale = staleCrcs(report.findings);
  if (!report.written) {
    lines.push(`Sectors to write: LBA ${lbaRuns(lbas)}; undo journal: ${report.journal}`);
    lines.push(`After the edit diskx check would report ${counts(report.findings)}.`);
  }
  if (stale.length > 0)
    lines.push(`Stale CRCs ${report.written ? 'now' : 'after this edit'}: ${stale.join(', ')}; diskx fix ${report.image} --fix recompute-crcs reseals them.`);
  if (!report.written)
    lines.push(`${plural(result.changes.length, 'change')}, ${plural(lbas.length, 'sector')} would be written, nothing written (dry run; add --write)`);
  return lines.join('\n');
}

function formatSetWritten(report: SetReport): string {
  const written = report.written!;
  if (written.entryId === null) return `Nothing to write: the edit changes no byte of ${report.image}; no journal entry.`;
  return writtenLines(report.image, written, report.findings, 'edit').join('\n');
}

/**
 * The `diskx set --json` document:
 * { image, sectorSize, dryRun, reseal, mirror, title,
 *   changes: [{role: "edit"|"mirror"|"reseal", path, offset, length, lba, from, to, because, before, after}],
 *   notes: [text], sectors: [LBA...], written: null | {sectors, sectorsWritten, bytesWritten, entryId},
 *   journal, remainingFindings: [finding...], staleCrcs: [finding code...] }
 */
export function setJson(report: SetReport) {
  const { sectorSize } = report.disk;
  return {
    image: report.image,
    sectorSize,
    dryRun: report.written === null,
    reseal: report.options.reseal,
    mirror: report.options.mirror,
    title: report.result.plan.title,
    changes: report.result.changes.map((c) => ({
      role: c.role,
      path: c.path,
      offset: jsonInteger(c.offset),
      length: c.after.length,
      lba: jsonInteger(Math.floor(c.offset / sectorSize)),
      from: c.from,
      to: c.to,
      because: c.because ?? null,
      before: toHex(c.before),
      after: toHex(c.after),
    })),
    notes: report.result.notes,
    sectors: plannedLbas(report.writes, sectorSize).map(jsonInteger),
    written: writtenJson(report.written),
    journal: report.journal,
    remainingFindings: report.findings,
    staleCrcs: staleCrcs(report.findings),
  };
}
