// `diskx fix`: the CLI face of the pure fixes (core/fixes) and the safe writer
// (core/write). Planning never touches the image; several --fix ids are planned
// in sequence, each on the image as the earlier ones would leave it (a
// PatchedSource view), and written as one journal entry.
//
// Exit codes: 0 every requested fix applies (and, with --write, was
// written), 1 a fix does not apply (the reason on stderr; nothing is written),
// 2 any error (unreadable image, refused write, journal problem). A write that
// succeeded exits 0 even if a finding the fixes address is still reported
// afterwards (that is printed as a warning on stderr; it would be a bug).
import path from 'node:path';
import type { ByteSource } from '../../core/io/byteSource';
import { openImage } from '../../core/io/openImage';
import { PatchedSource } from '../../core/io/patchedSource';
import { readDisk } from '../../core/diskModel';
import type { DiskModel } from '../../core/model';
import { checkDisk } from '../../core/checks';
import { analyzeImage } from '../../core/index';
import type { Finding, FixId } from '../../core/findings';
import type { FixPlan, Patch } from '../../core/patch';
import { planFix } from '../../core/fixes/index';
import { isFixId, isScanFixId, SCAN_FIXES } from '../../core/fixes/registry';
import type { ScanFixId } from '../../core/findings';
import { scanImage } from '../../core/scan/scanner';
import type { ScanResult } from '../../core/scan/scanner';
import { scanSourceFor } from '../../core/io/scanSource';
import { terminalProgress } from '../progress';
import { interruptible } from '../interrupt';
import { applyPlans, journalPathFor } from '../../core/write/index';
import { byteWrites } from '../../core/write/byteWrites';
import { containerRefusal } from '../../core/write/containerPlans';
import { describeError, UsageError } from '../../core/errors';
import { COPY_SLOTS_FROM_REFERENCE } from '../../core/diff/copySlots';
import type { CliCommand, CommandContext, CommandResult } from '../command';
import { json, oneImage } from '../command';
import { parseArgs, sectorSizeFlag } from '../args';
import { journalOptions, warnAboutJournal, writerOptions } from '../journal';
import { fixJson, formatPlan, formatWritten } from '../fixFormat';
import type { Refusal, Planned, FixReport } from '../fixFormat';
import { FIX_REFERENCE_FLAGS, FIX_REFERENCE_USAGE, fixWithReference, hasReferenceFlag } from './fixReference';

// The reference fix's flags (one table, so the two parsers cannot drift apart) and the one flag only a plain fix takes.
const FLAGS = { ...FIX_REFERENCE_FLAGS, 'allow-overwrite-volume': {} };

export const fixCommand: CliCommand = {
  name: 'fix',
  usage: `  fix     IMAGE --fix ID [--fix ID ...] [--write] [--json] [--sector-size 512|4096] [--allow-device] [--allow-overwrite-volume]
          without --write a dry run: prints every patch (offset, LBA, fields, before/after), writes nothing;
          with --write: applies it after saving an undo journal (IMAGE.diskx-journal), backup GPT first;
          several --fix are planned in sequence and written as one repair;
          --allow-overwrite-volume: confirms a repair that overwrites a volume (rebuild-from-scan over a file
          system made on the whole disk by mistake: the plan says what it destroys); without it --write refuses;
          exit 0 applies (written), 1 a fix does not apply (nothing written), 2 error
${FIX_REFERENCE_USAGE}`,
  flags: FLAGS,
  // A fix that needs a second image (copy-slots-from-reference) has its own module.
  run: (argv, context) => (hasReferenceFlag(argv) ? fixWithReference(argv, context) : runFix(argv, context)),
};

/** The plans of `ids` in order, each planned on the image as the plans before it leave it. */
export async function planSequence(
  source: ByteSource,
  ids: readonly (FixId | ScanFixId)[],
  sectorSize: number | undefined,
  scan?: ScanResult,
): Promise<{
  before: DiskModel;
  findingsBefore: Finding[];
  planned: Planned[];
  refused: Refusal[];
  after: DiskModel;
  findingsAfter: Finding[];
  writes: Patch[];
}> {
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
    const result = isScanFixId(id)
      ? scan
        ? SCAN_FIXES[id].plan(disk, scan)
        : { ok: false as const, id, reason: 'needs a scan of the whole disk first' }
      : planFix(disk, id);
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
  const writes = await byteWrites(plans, source.size, (offset, length) => source.read(offset, length));
  return { before, findingsBefore, planned, refused, after, findingsAfter: after === before ? findingsBefore : checkDisk(after), writes };
}

/** Codes of the findings before the repair that name one of `fixIds` as their fix. */
function addressedCodes(before: Finding[], fixIds: readonly (FixId | ScanFixId)[]): string[] {
  return [...new Set(before.filter((f) => f.fixes.some((id) => fixIds.includes(id))).map((f) => f.code))];
}

/** Findings the applied fixes address that are still there (by code). */
function unresolvedFindings(before: Finding[], after: Finding[], fixIds: readonly (FixId | ScanFixId)[]): Finding[] {
  const addressed = new Set(addressedCodes(before, fixIds));
  return after.filter((f) => addressed.has(f.code));
}

async function runFix(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FLAGS);
  const image = oneImage(args.positional);
  const ids = args.flags.get('fix') ?? [];
  if (ids.length === 0) throw new UsageError('fix needs at least one --fix ID (see diskx codes for the fix ids)');
  if (ids.includes(COPY_SLOTS_FROM_REFERENCE)) throw new UsageError(`--fix ${COPY_SLOTS_FROM_REFERENCE} needs --reference B (an image whose slots to copy)`);
  for (const id of ids) if (!isFixId(id) && !isScanFixId(id)) throw new UsageError(`unknown fix id "${id}" (see diskx codes for the fix ids)`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new UsageError(`--fix ${twice} given twice`);
  const scanFix = ids.find((id) => isScanFixId(id));
  if (scanFix && ids.length > 1) throw new UsageError(`--fix ${scanFix} writes a whole new table: give it alone`);
  const fixIds = ids as (FixId | ScanFixId)[];
  const sectorSize = sectorSizeFlag(args);
  const write = args.flags.has('write');
  const asJson = args.flags.has('json');
  const allowDevice = args.flags.has('allow-device');
  const writer = writerOptions('fix'); // checks DISKX_LOCK_WAIT_MS before any work

  // Ctrl+C while the image is read and scanned stops before anything is written.
  const sequence = await interruptible(scanFix ? 'scan' : 'check', async (signal) => {
    const opened = await openImage(image, context.open);
    try {
      const scan = scanFix ? await scanWholeDisk(opened, sectorSize, signal) : undefined;
      return { opened, ...(await planSequence(opened.source, fixIds, sectorSize, scan)) };
    } finally {
      await opened.source.close();
    }
  });
  const { opened } = sequence;
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
  // A plan that destroys a volume's own structures is written only when the user confirmed it by its flag.
  const unconfirmed = write && !args.flags.has('allow-overwrite-volume') ? planned.find((p) => p.plan.destroys) : undefined;
  if (unconfirmed) {
    refused.push({
      id: unconfirmed.plan.id as FixId | ScanFixId,
      reason: 'it overwrites a volume (see OVERWRITES above): add --allow-overwrite-volume to write it',
    });
    context.stderr(`diskx: ${image}: fix ${unconfirmed.plan.id} overwrites ${unconfirmed.plan.destroys}: add --allow-overwrite-volume to write it`);
  }
  if (refused.length > 0 || !write) {
    if (write) context.stderr(`diskx: ${image}: nothing was written`);
    return { stdout: asJson ? json(fixJson(report)) : formatPlan(report), exitCode: refused.length > 0 ? 1 : 0 };
  }

  // --write: journal first, verify every `before`, backup before primary, fsync (core/write/applyPlans.ts).
  const plans: FixPlan[] = planned.map((p) => p.plan);
  const result = await applyPlans(image, plans, { sectorSize: before.sectorSize, allowDevice, open: context.open, ...writer });
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
}

/** rebuild-from-scan plans from a scan of the whole disk at the disk's sector size (progress on a terminal). */
async function scanWholeDisk(opened: Awaited<ReturnType<typeof openImage>>, sectorSize: number | undefined, signal: AbortSignal): Promise<ScanResult> {
  const disk = await readDisk(opened.source, { sectorSize });
  const bulk = await scanSourceFor(opened);
  const progress = terminalProgress('scanning');
  try {
    return await scanImage(opened.source, bulk, { sectorSize: disk.sectorSize, signal, ...(progress ? { onProgress: progress.update } : {}) });
  } finally {
    progress?.done();
    if (bulk !== opened.source) await bulk.close();
  }
}
