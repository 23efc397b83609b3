// `diskx undo`: reverts the newest repair that is not undone yet, from its journal.
// An "applied" entry is reverted only when every sector it wrote still holds
// what it wrote (someone else's later write is never destroyed). A "pending" or
// "undoing" entry (a crash mid-write or mid-undo) is reverted when every byte
// holds either its old or its new value, which is all a crash can leave.
// Undo itself is journaled: "undoing" before the first byte, "undone" after the
// fsync, so an interrupted undo can simply be run again.
import type { Patch } from '../patch';
import type { OpenImageOptions } from '../io/openImage';
import { resolveImageFiles } from './imageFiles';
import { ImageWriter } from './imageWriter';
import { orderWrites } from './sectorWrites';
import type { JournalEntry, JournalOptions } from './journal';
import { fromHex, journalPathFor, lastUndoable, readJournal, writeJournal } from './journal';
import type { WriteStep } from './applyPlans';
import { NothingToUndoError, UndoConflictError } from './errors';

export interface UndoOptions extends JournalOptions {
  allowDevice?: boolean;
  /** How the image may be opened (VMDK extents outside the descriptor's folder). */
  open?: OpenImageOptions;
  onStep?: (step: WriteStep, index: number) => void;
}

export interface UndoResult {
  image: string;
  journalPath: string;
  entryId: number;
  fixIds: string[];
  /** The state the entry was in: "applied", or "pending"/"undoing" after a crash. */
  previousState: JournalEntry['state'];
  sectorsWritten: number;
  bytesWritten: number;
  /** Older repairs that `diskx undo` can still revert. */
  remaining: number;
}

/** Reverts the newest not-yet-undone repair of the image at `imagePath`. */
export async function undoLast(imagePath: string, options: UndoOptions = {}): Promise<UndoResult> {
  let files = await resolveImageFiles(imagePath, options.open);
  const journalPath = await journalPathFor(files.image, files.kind, options);
  const journal = await readJournal(journalPath);
  const entry = lastUndoable(journal);
  if (!journal || !entry) throw new NothingToUndoError(journalPath);
  // A container is mapped for exactly the sectors the repair wrote.
  if (files.kind === 'container') files = await resolveImageFiles(imagePath, options.open, entry.writes.map((w) => ({ offset: w.offset, length: fromHex(w.after).length })));
  if (entry.sizeBytes !== files.sizeBytes) {
    throw new UndoConflictError(journalPath, 0, `the image size changed (${entry.sizeBytes} bytes when repaired, ${files.sizeBytes} now)`);
  }

  const writer = await ImageWriter.open(files, options.allowDevice ?? false);
  let step = 0;
  const done = (s: WriteStep): void => options.onStep?.(s, ++step);
  try {
    const crashed = entry.state !== 'applied';
    const toRestore: Patch[] = [];
    for (const w of entry.writes) {
      const before = fromHex(w.before);
      const after = fromHex(w.after);
      const now = await writer.read(w.offset, after.length);
      for (let i = 0; i < now.length; i++) {
        const ok = now[i] === after[i] || (crashed && now[i] === before[i]);
        if (!ok) {
          const detail = crashed ? 'a byte holds neither its old nor its new value' : 'the bytes the repair wrote have changed';
          throw new UndoConflictError(journalPath, w.offset + i, detail);
        }
      }
      // Sectors already back at their old bytes (a crash before they were written) are not rewritten.
      if (!equal(now, before)) toRestore.push({ offset: w.offset, before: now, after: before });
    }

    const previousState = entry.state;
    entry.state = 'undoing';
    await writeJournal(journalPath, journal);
    done({ kind: 'journal', state: 'undoing' });

    let sectorsWritten = 0;
    const { backup, primary } = orderWrites(toRestore, files.sizeBytes);
    for (const [group, list] of [['backup', backup], ['primary', primary]] as const) {
      for (const w of list) {
        await writer.write(w.offset, w.after);
        sectorsWritten += Math.ceil(w.after.length / entry.sectorSize);
        done({ kind: 'write', offset: w.offset, length: w.after.length });
      }
      if (list.length > 0) {
        await writer.sync();
        done({ kind: 'fsync', group });
      }
    }

    entry.state = 'undone';
    entry.undoneAt = new Date().toISOString();
    await writeJournal(journalPath, journal);
    done({ kind: 'journal', state: 'undone' });
    const remaining = journal.entries.filter((e) => e.state !== 'undone').length;
    return { image: files.image, journalPath, entryId: entry.id, fixIds: entry.fixes.map((f) => f.id), previousState, sectorsWritten, bytesWritten: writer.bytesWritten, remaining };
  } finally {
    await writer.close();
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
