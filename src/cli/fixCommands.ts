// `diskx fix` and `diskx undo`: the CLI face of the pure fixes (core/fixes) and
// the safe writer (core/write). Planning never touches the image; several
// --fix ids are planned in sequence, each on the image as the earlier ones
// would leave it (a PatchedSource view), and written as one journal entry.
//
// Exit codes. fix: 0 every requested fix applies (and, with --write, was
// written), 1 a fix does not apply (the reason on stderr; nothing is written),
// 2 any error (unreadable image, refused write, journal problem). A write that
// succeeded exits 0 even if a finding the fixes address is still reported
// afterwards (that is printed as a warning on stderr; it would be a bug).
// undo: 0 reverted, 1 nothing to undo or the repaired bytes changed since
// (refused, nothing written), 2 any other error.
import path from 'node:path';
import type { ByteSource } from '../core/io/byteSource';
import { openImage } from '../core/io/openImage';
import { PatchedSource } from '../core/io/patchedSource';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { checkDisk } from '../core/checks';
import { analyzeImage } from '../core/index';
import type { Finding, FixId } from '../core/findings';
import type { FixPlan, Patch } from '../core/patch';
import { planFix } from '../core/fixes/index';
import { applyPlans, undoLast, journalStatus, journalPathFor, NothingToUndoError, UndoConflictError } from '../core/write/index';
import type { WriteStep } from '../core/write/index';
import { sectorWrites } from '../core/write/sectorWrites';
import { containerRefusal } from '../core/write/containerPlans';
import { describeError, UsageError } from '../core/errors';
import type { Command, CommandContext } from './main';
import { parseArgs, sectorSizeFlag } from './args';
import { isFixId } from './fixHelp';
import { fixWithReferenceCommand, hasReferenceFlag } from './diffCommand';
import { COPY_SLOTS_FROM_REFERENCE } from '../core/diff/copySlots';
import { fixJson, formatPlan, formatUndo, formatWritten, undoJson } from './fixFormat';
import type { Refusal, Planned, FixReport, UndoReport } from './fixFormat';

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** DISKX_JOURNAL_DIR puts every journal in one folder (see core/write/journal.ts). */
function journalOptions(): { journalDir?: string } {
  const dir = process.env.DISKX_JOURNAL_DIR;
  return dir ? { journalDir: dir } : {};
}

/** The plans of `ids` in order, each planned on the image as the plans before it leave it. */
export async function planSequence(
  source: ByteSource,
  ids: readonly FixId[],
  sectorSize: number | undefined,
): Promise<{ before: DiskModel; findingsBefore: Finding[]; planned: Planned[]; refused: Refusal[]; after: DiskModel; findingsAfter: Finding[]; writes: Patch[] }> {
  const before = await readDisk(source, { sectorSize });
  const findingsBefore = checkDisk(before);
  // Later models keep the first model's sector size: the patches are in its units.
  const options = { sectorSize: sectorSize ?? before.sectorSize };
  const patched = new PatchedSource(source);
  const planned: Planned[] = [];
  const refused: Refusal[] = [];
  let disk = before;
  let stale = false;
  for (const id of ids) {
    if (stale) {
      disk = await readDisk(patched, options);
      stale = false;
    }
    const result = planFix(disk, id);
    if (!result.ok) {
      refused.push({ id, reason: result.reason });
      continue;
    }
    // Through a container only into its plain allocated data (never its metadata, a parent or a compressed grain).
    const containerReason = await containerRefusal(source, result.plan, disk.sectorSize);
    if (containerReason) {
      refused.push({ id, reason: containerReason });
      continue;
    }
    planned.push({ plan: result.plan, disk });
    patched.add(result.plan.patches);
    stale = result.plan.patches.length > 0;
  }
  const after = stale ? await readDisk(patched, options) : disk;
  // The sectors the writer would write, verified against every patch's `before` exactly as --write will.
  const plans = planned.map((p) => p.plan);
  const writes = await sectorWrites(plans, before.sectorSize, source.size, (offset, length) => source.read(offset, length));
  return { before, findingsBefore, planned, refused, after, findingsAfter: after === before ? findingsBefore : checkDisk(after), writes };
}

/** Codes of the findings before the repair that name one of `fixIds` as their fix. */
function addressedCodes(before: Finding[], fixIds: readonly FixId[]): string[] {
  return [...new Set(before.filter((f) => f.fixes.some((id) => fixIds.includes(id))).map((f) => f.code))];
}

/** Findings the applied fixes address that are still there (by code). */
function unresolvedFindings(before: Finding[], after: Finding[], fixIds: readonly FixId[]): Finding[] {
  const addressed = new Set(addressedCodes(before, fixIds));
  return after.filter((f) => addressed.has(f.code));
}

export const fixCommand: Command = async (argv: string[], context: CommandContext) => {
  // A fix that needs a second image (copy-slots-from-reference) lives with diff.
  if (hasReferenceFlag(argv)) return fixWithReferenceCommand(argv, context);
  const args = parseArgs(argv, { fix: { value: true, repeat: true }, write: {}, json: {}, 'sector-size': { value: true }, 'allow-device': {} });
  const image = oneImage(args.positional);
  const ids = args.flags.get('fix') ?? [];
  if (ids.length === 0) throw new UsageError('fix needs at least one --fix ID (see diskx codes for the fix ids)');
  if (ids.includes(COPY_SLOTS_FROM_REFERENCE)) throw new UsageError(`--fix ${COPY_SLOTS_FROM_REFERENCE} needs --reference B (an image whose slots to copy)`);
  for (const id of ids) if (!isFixId(id)) throw new UsageError(`unknown fix id "${id}" (see diskx codes for the fix ids)`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new UsageError(`--fix ${twice} given twice`);
  const fixIds = ids as FixId[];
  const sectorSize = sectorSizeFlag(args);
  const write = args.flags.has('write');
  const asJson = args.flags.has('json');
  const allowDevice = args.flags.has('allow-device');

  const opened = await openImage(image, context.open);
  let sequence: Awaited<ReturnType<typeof planSequence>>;
  try {
    sequence = await planSequence(opened.source, fixIds, sectorSize);
  } finally {
    await opened.source.close();
  }
  const { before, findingsBefore, planned, refused, findingsAfter, writes } = sequence;
  const journal = await journalPathFor(path.resolve(image), opened.kind, journalOptions());
  await warnAboutJournal(image, context);
  for (const r of refused) context.stderr(`diskx: ${image}: fix ${r.id} does not apply: ${r.reason}`);

  const report: FixReport = {
    image,
    disk: before,
    dryRun: !write,
    planned,
    refused,
    writes,
    journal,
    written: null,
    findingsBefore,
    remainingFindings: findingsAfter,
    addressed: addressedCodes(findingsBefore, fixIds),
    unresolved: refused.length === 0 ? unresolvedFindings(findingsBefore, findingsAfter, fixIds) : [],
  };
  if (refused.length > 0 || !write) {
    if (write) context.stderr(`diskx: ${image}: nothing was written`);
    return { stdout: asJson ? json(fixJson(report)) : formatPlan(report), exitCode: refused.length > 0 ? 1 : 0 };
  }

  // --write: journal first, verify every `before`, backup before primary, fsync (core/write/applyPlans.ts).
  const plans: FixPlan[] = planned.map((p) => p.plan);
  const result = await applyPlans(image, plans, { sectorSize: before.sectorSize, allowDevice, open: context.open, ...journalOptions() });
  report.written = result;
  report.journal = result.journalPath;
  // The write is done and journaled: a failing re-check must not turn it into an error exit.
  try {
    const checked = await analyzeImage(image, { sectorSize: sectorSize ?? before.sectorSize, open: context.open });
    await checked.opened.source.close();
    report.remainingFindings = checked.findings;
    report.unresolved = unresolvedFindings(findingsBefore, checked.findings, fixIds);
  } catch (error) {
    context.stderr(`diskx: ${image}: warning: the repair was written, but checking the result failed: ${describeError(error)}`);
  }
  for (const f of report.unresolved) context.stderr(`diskx: ${image}: warning: ${f.code} is still reported after the repair: ${f.message}`);
  return { stdout: asJson ? json(fixJson(report)) : `${formatPlan(report)}\n\n${formatWritten(report)}`, exitCode: 0 };
};

export const undoCommand: Command = async (argv: string[], context: CommandContext) => {
  const args = parseArgs(argv, { json: {}, 'allow-device': {} });
  const image = oneImage(args.positional);
  const status = await journalStatus(image, journalOptions());
  const entry = status?.undoable ?? null;
  const restored: { offset: number; length: number }[] = [];
  let result;
  try {
    result = await undoLast(image, {
      allowDevice: args.flags.has('allow-device'),
      open: context.open,
      ...journalOptions(),
      onStep: (step: WriteStep) => {
        if (step.kind === 'write') restored.push({ offset: step.offset, length: step.length });
      },
    });
  } catch (error) {
    // Nothing to undo, or undoing would destroy a later change: the undo does not apply (exit 1, one line).
    if (error instanceof NothingToUndoError || error instanceof UndoConflictError) {
      context.stderr(`diskx: ${image}: ${describeError(error)}`);
      return { stdout: '', exitCode: 1 };
    }
    throw error;
  }
  const checked = await analyzeImage(image, { sectorSize: entry?.sectorSize, open: context.open });
  await checked.opened.source.close();
  const report: UndoReport = { image, result, sectorSize: entry?.sectorSize ?? checked.disk.sectorSize, restored, fixTitles: entry?.fixes ?? [], remainingFindings: checked.findings };
  return { stdout: args.flags.has('json') ? json(undoJson(report)) : formatUndo(report), exitCode: 0 };
};

/** Says so (stderr) when an earlier repair was interrupted: --write will refuse until `diskx undo`. */
export async function warnAboutJournal(image: string, context: CommandContext): Promise<void> {
  try {
    const status = await journalStatus(image, journalOptions());
    if (status?.interrupted) {
      context.stderr(`diskx: ${image}: warning: an earlier repair (${status.interrupted.fixes.map((f) => f.id).join(', ')}) was interrupted; run diskx undo first (journal ${status.journalPath})`);
    }
  } catch (error) {
    context.stderr(`diskx: ${image}: warning: ${describeError(error)}`);
  }
}

function oneImage(positional: string[]): string {
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing IMAGE' : `expected one IMAGE, got ${positional.length}`);
  return positional[0]!;
}
