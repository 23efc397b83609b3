// `diskx fix A --fix copy-slots-from-reference --reference B [--write] [--json]`:
// the fix that needs a second image. The fix command hands every call with
// --reference here. Exit codes as for fix: 0 applies (dry run) or written, 1
// does not apply, 2 error.
import type { DiskModel } from '../../core/model';
import { analyzeImage } from '../../core/index';
import { describeError, UsageError } from '../../core/errors';
import { COPY_SLOTS_FROM_REFERENCE, planCopySlotsFromReference } from '../../core/diff/copySlots';
import { applyPlans } from '../../core/write/index';
import { writerOptions } from '../journal';
import type { Patch } from '../../core/patch';
import type { CommandContext, CommandResult } from '../command';
import { fail } from '../command';
import { parseArgs, sectorSizeFlag } from '../args';
import type { FlagSpec } from '../args';

/** Usage lines of the reference fix (for the CLI's help text). */
export const FIX_REFERENCE_USAGE = `  fix     A --fix copy-slots-from-reference --reference B [--write] [--json] [--sector-size 512|4096] [--allow-device]
          move A's entries into the slots B uses for the same partitions (matched by unique GUID,
          else type + first LBA), primary and backup, CRCs recomputed; dry run without --write`;

/** The flags of `diskx fix` with --reference; the plain fix takes these and --allow-overwrite-volume (see fix.ts). */
export const FIX_REFERENCE_FLAGS = {
  fix: { value: true, repeat: true },
  reference: { value: true },
  write: {},
  json: {},
  'sector-size': { value: true },
  'allow-device': {},
} satisfies Record<string, FlagSpec>;

/** True when a `diskx fix` command line names a reference image: fixWithReference handles it. */
export function hasReferenceFlag(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--reference' || arg.startsWith('--reference='));
}

function patchJson(p: Patch, sectorSize: number) {
  return {
    offset: p.offset,
    lba: Math.floor(p.offset / sectorSize),
    length: p.after.length,
    before: Buffer.from(p.before).toString('hex'),
    after: Buffer.from(p.after).toString('hex'),
  };
}

/** `diskx fix A --fix copy-slots-from-reference --reference B [--write] [--json]`. */
export async function fixWithReference(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FIX_REFERENCE_FLAGS);
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
    const a = await analyzeImage(image, { sectorSize, open: context.open });
    await a.opened.source.close();
    disk = a.disk;
    current = reference;
    const b = await analyzeImage(reference, { sectorSize, open: context.open });
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
    ...plan.patches.map(
      (p) => `  0x${p.offset.toString(16).toUpperCase().padStart(10, '0')} (LBA ${Math.floor(p.offset / disk.sectorSize)})  ${p.after.length} bytes`,
    ),
  ];
  let written: Awaited<ReturnType<typeof applyPlans>> | null = null;
  if (write) {
    try {
      written = await applyPlans(image, [plan], {
        sectorSize: disk.sectorSize,
        allowDevice: args.flags.has('allow-device'),
        open: context.open,
        ...writerOptions('fix'),
      });
    } catch (error) {
      return fail(context, `${image}: ${describeError(error)}`);
    }
    planText.push(
      `Written: ${written.sectorsWritten} sectors of ${written.sectorSize} bytes, backup first; undo with: diskx undo ${image} (journal ${written.journalPath})`,
    );
  }
  if (asJson) {
    const doc = {
      image,
      reference,
      dryRun: !write,
      applies: true,
      plan: { id: plan.id, title: plan.title, description: plan.description, patches: plan.patches.map((p) => patchJson(p, disk.sectorSize)) },
      written: written
        ? { sectorsWritten: written.sectorsWritten, bytesWritten: written.bytesWritten, journalPath: written.journalPath, entryId: written.entryId }
        : null,
    };
    return { stdout: JSON.stringify(doc, null, 2), exitCode: 0 };
  }
  return { stdout: planText.join('\n'), exitCode: 0 };
}
