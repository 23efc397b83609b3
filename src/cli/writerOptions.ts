// Options every CLI write and undo passes to the safe writer (core/write): where
// the journal lives (DISKX_JOURNAL_DIR), how long to wait for another writer's
// lock (DISKX_LOCK_WAIT_MS) and how the lock file names us.
import { UsageError } from '../core/errors';
import { MAX_LOCK_WAIT_MS } from '../core/limits';

/** The writer options of `diskx <command>` from the environment. */
export function writerOptions(command: string): { journalDir?: string; lockWaitMs?: number; tool: string } {
  const dir = process.env.DISKX_JOURNAL_DIR;
  const wait = process.env.DISKX_LOCK_WAIT_MS;
  const options: { journalDir?: string; lockWaitMs?: number; tool: string } = { tool: `diskx ${command}` };
  if (dir) options.journalDir = dir;
  if (wait !== undefined && wait !== '') {
    const ms = Number(wait);
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_LOCK_WAIT_MS) throw new UsageError(`DISKX_LOCK_WAIT_MS must be a whole number of milliseconds from 0 to ${MAX_LOCK_WAIT_MS}, not "${wait}"`);
    options.lockWaitMs = ms;
  }
  return options;
}
