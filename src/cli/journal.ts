// Undo journals as the CLI sees them: where DISKX_JOURNAL_DIR puts them, and the
// warning that an earlier repair was interrupted.
import { journalStatus } from '../core/write/index';
import { describeError, UsageError } from '../core/errors';
import { MAX_LOCK_WAIT_MS } from '../core/limits';
import type { CommandContext } from './command';

/** DISKX_JOURNAL_DIR puts every journal in one folder (see core/write/journal.ts). */
export function journalOptions(): { journalDir?: string } {
  const dir = process.env.DISKX_JOURNAL_DIR;
  return dir ? { journalDir: dir } : {};
}

/**
 * The options every CLI write and undo passes to the safe writer (core/write):
 * the journal folder, how long to wait for another writer's lock
 * (DISKX_LOCK_WAIT_MS, default IMAGE_LOCK_WAIT_MS) and how the lock file names us.
 */
export function writerOptions(command: string): { journalDir?: string; lockWaitMs?: number; tool: string } {
  const wait = process.env.DISKX_LOCK_WAIT_MS;
  const options: { journalDir?: string; lockWaitMs?: number; tool: string } = { ...journalOptions(), tool: `diskx ${command}` };
  if (wait !== undefined && wait !== '') {
    const ms = Number(wait);
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_LOCK_WAIT_MS)
      throw new UsageError(`DISKX_LOCK_WAIT_MS must be a whole number of milliseconds from 0 to ${MAX_LOCK_WAIT_MS}, not "${wait}"`);
    options.lockWaitMs = ms;
  }
  return options;
}

/** Says so (stderr) when an earlier repair was interrupted: --write will refuse until `diskx undo`. */
export async function warnAboutJournal(image: string, context: CommandContext): Promise<void> {
  try {
    const status = await journalStatus(image, journalOptions());
    if (status?.interrupted) {
      context.stderr(
        `diskx: ${image}: warning: an earlier repair (${status.interrupted.fixes.map((f) => f.id).join(', ')}) was interrupted; run diskx undo first (journal ${status.journalPath})`,
      );
    }
  } catch (error) {
    context.stderr(`diskx: ${image}: warning: ${describeError(error)}`);
  }
}
