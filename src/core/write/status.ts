// What the journal says about an image, for `diskx check` / `diskx fix` to warn
// about an interrupted repair before anything else happens.
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import type { JournalEntry, JournalOptions } from './journal';
import { interruptedEntry, journalPathFor, lastUndoable, readJournal } from './journal';

export interface JournalStatus {
  journalPath: string;
  /** An entry left "pending" or "undoing" by a crash: the image may be half old, half new. */
  interrupted: JournalEntry | null;
  /** The repair `diskx undo` would revert, if any. */
  undoable: JournalEntry | null;
}

/** Reads the journal of `imagePath` (null when there is none). Throws JournalCorruptError when unreadable. */
export async function journalStatus(imagePath: string, options: JournalOptions = {}): Promise<JournalStatus | null> {
  const image = path.resolve(imagePath);
  const stat = await fsp.stat(image);
  const journalPath = await journalPathFor(image, stat.isBlockDevice() ? 'block-device' : 'raw', options);
  const journal = await readJournal(journalPath);
  if (!journal) return null;
  return { journalPath, interrupted: interruptedEntry(journal), undoable: lastUndoable(journal) };
}
