// Undo journals as the CLI sees them: where DISKX_JOURNAL_DIR puts them, and the
// warning that an earlier repair was interrupted.
import { journalStatus } from '../core/write/index';
import { describeError } from '../core/errors';
import type { CommandContext } from './command';

/** DISKX_JOURNAL_DIR puts every journal in one folder (see core/write/journal.ts). */
export function journalOptions(): { journalDir?: string } {
  const dir = process.env.DISKX_JOURNAL_DIR;
  return dir ? { journalDir: dir } : {};
}

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
