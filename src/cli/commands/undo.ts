// `diskx undo IMAGE`: reverts the last repair from its journal.
//
// Exit codes: 0 reverted, 1 nothing to undo or the repaired bytes changed since
// (refused, nothing written), 2 any other error.
import { analyzeImage } from '../../core/index';
import { undoLast, journalStatus, NothingToUndoError, UndoConflictError } from '../../core/write/index';
import type { WriteStep } from '../../core/write/index';
import { describeError } from '../../core/errors';
import type { CliCommand, CommandContext, CommandResult } from '../command';
import { json, oneImage } from '../command';
import { parseArgs } from '../args';
import { journalOptions, writerOptions } from '../journal';
import { formatUndo, undoJson } from '../fixFormat';
import type { UndoReport } from '../fixFormat';

const FLAGS = { json: {}, 'allow-device': {}, 'allow-data-writes': {} };

export const undoCommand: CliCommand = {
  name: 'undo',
  usage: `  undo    IMAGE [--json] [--allow-device] [--allow-data-writes]  revert the last repair from its journal;
          an entry writing outside the MBR/GPT areas (a hand edit of data) needs --allow-data-writes;
          exit 0 reverted, 1 nothing to undo or the repaired bytes changed since (nothing written), 2 error`,
  flags: FLAGS,
  run: runUndo,
};

async function runUndo(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FLAGS);
  const image = oneImage(args.positional);
  const status = await journalStatus(image, journalOptions());
  const entry = status?.undoable ?? null;
  const restored: { offset: number; length: number }[] = [];
  let result;
  try {
    result = await undoLast(image, {
      allowDevice: args.flags.has('allow-device'),
      allowDataWrites: args.flags.has('allow-data-writes'),
      open: context.open,
      ...writerOptions('undo'),
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
  const report: UndoReport = {
    image,
    result,
    sectorSize: entry?.sectorSize ?? checked.disk.sectorSize,
    restored,
    fixTitles: entry?.fixes ?? [],
    remainingFindings: checked.findings,
  };
  return { stdout: args.flags.has('json') ? json(undoJson(report)) : formatUndo(report), exitCode: 0 };
}
