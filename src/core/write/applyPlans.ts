// Safe in-place repair, generic over fix plans:
//   1. resolve the files behind the image and refuse devices / read-only files
//      (unless allowDevice); refuse while an earlier write is still "pending";
//   2. check the journal folder is writable;
//   3. read the touched sectors straight from the files and verify every patch's
//      `before` (ImageChangedError: nothing written);
//   4. write the journal entry ("pending", with every sector's old and new bytes)
//      and fsync it;
//   5. write the changed sectors, backup half first, fsync, then the primary
//      half, fsync (UEFI 5.3.2: backup before primary);
//   6. mark the entry "applied".
// A crash before 4 leaves the old image and no entry; between 4 and 6 a
// "pending" entry whose sectors are each old or new, which `diskx undo`
// restores (undoLast); after 6 the new image, revertible with `diskx undo`.
import type { FixPlan } from '../patch';
import type { ImageKind, OpenImageOptions } from '../io/openImage';
import { resolveImageFiles } from './imageFiles';
import { ImageWriter } from './imageWriter';
import { orderWrites, sectorWrites } from './sectorWrites';
import type { Journal, JournalEntry, JournalOptions } from './journal';
import { interruptedEntry, JOURNAL_FORMAT, JOURNAL_VERSION, journalPathFor, probeJournalDir, readJournal, toHex, writeJournal } from './journal';
import { PendingRepairError, WriteInterruptedError } from './errors';
import { describeError } from '../errors';

/** A step of a write or an undo, reported after it completed (crash tests stop the process here). */
export type WriteStep =
  | { kind: 'journal'; state: 'pending' | 'applied' | 'undoing' | 'undone' }
  | { kind: 'write'; offset: number; length: number }
  | { kind: 'fsync'; group: 'backup' | 'primary' };

export interface WriteOptions extends JournalOptions {
  /** Logical sector size: the unit of writes and of the counts reported. */
  sectorSize: number;
  /** Write block devices, read-only files and read-only VMDK extents (--allow-device). */
  allowDevice?: boolean;
  /** How the image may be opened (VMDK extents outside the descriptor's folder). */
  open?: OpenImageOptions;
  /** Called after every completed step. */
  onStep?: (step: WriteStep, index: number) => void;
}

/** What a repair wrote. */
export interface WriteResult {
  image: string;
  kind: ImageKind;
  journalPath: string;
  /** Journal entry id, or null when the plans changed no byte (nothing journaled). */
  entryId: number | null;
  fixIds: string[];
  sectorSize: number;
  /** Sectors written (each changed sector once). */
  sectorsWritten: number;
  /** Bytes handed to write(2): sectorsWritten whole sectors. */
  bytesWritten: number;
  writeCalls: number;
  /** The writes, in the order done: image offset and length. */
  writes: { offset: number; length: number }[];
}

/** The whole sectors the plans' patches touch (a container maps exactly these for writing). */
export function touchedSectors(plans: readonly FixPlan[], sectorSize: number): { offset: number; length: number }[] {
  return plans.flatMap((plan) =>
    plan.patches
      .filter((p) => p.after.length > 0)
      .map((p) => {
        const first = Math.floor(p.offset / sectorSize) * sectorSize;
        return { offset: first, length: Math.ceil((p.offset + p.after.length) / sectorSize) * sectorSize - first };
      }),
  );
}

/** Applies `plans` (in order) to the image at `imagePath` in place; see the file comment for the protocol. */
export async function applyPlans(imagePath: string, plans: readonly FixPlan[], options: WriteOptions): Promise<WriteResult> {
  const files = await resolveImageFiles(imagePath, options.open, touchedSectors(plans, options.sectorSize));
  const journalPath = await journalPathFor(files.image, files.kind, options);
  const journal = await readJournal(journalPath);
  const interrupted = interruptedEntry(journal);
  if (interrupted) throw new PendingRepairError(journalPath, interrupted.id, interrupted.fixes.map((f) => f.id));

  const writer = await ImageWriter.open(files, options.allowDevice ?? false);
  let step = 0;
  const done = (s: WriteStep): void => options.onStep?.(s, ++step);
  try {
    await probeJournalDir(journalPath);
    const writes = await sectorWrites(plans, options.sectorSize, files.sizeBytes, (offset, length) => writer.read(offset, length));
    const fixIds = plans.map((p) => p.id);
    const result: WriteResult = { image: files.image, kind: files.kind, journalPath, entryId: null, fixIds, sectorSize: options.sectorSize, sectorsWritten: 0, bytesWritten: 0, writeCalls: 0, writes: [] };
    if (writes.length === 0) return result;

    const { backup, primary } = orderWrites(writes, files.sizeBytes);
    const ordered = [...backup, ...primary];
    const entry: JournalEntry = {
      id: (journal?.entries.reduce((max, e) => Math.max(max, e.id), 0) ?? 0) + 1,
      state: 'pending',
      fixes: plans.map((p) => ({ id: p.id, title: p.title })),
      createdAt: new Date().toISOString(),
      sizeBytes: files.sizeBytes,
      sectorSize: options.sectorSize,
      files: files.extents.map(({ file, start, size, fileOffset }) => ({ file, start, size, fileOffset })),
      writes: ordered.map((w) => ({ offset: w.offset, before: toHex(w.before), after: toHex(w.after) })),
    };
    const next: Journal = journal ?? { format: JOURNAL_FORMAT, version: JOURNAL_VERSION, image: files.image, entries: [] };
    next.entries.push(entry);
    await writeJournal(journalPath, next);
    done({ kind: 'journal', state: 'pending' });

    try {
      for (const [group, list] of [['backup', backup], ['primary', primary]] as const) {
        for (const w of list) {
          await writer.write(w.offset, w.after);
          result.writes.push({ offset: w.offset, length: w.after.length });
          result.sectorsWritten += Math.ceil(w.after.length / options.sectorSize);
          done({ kind: 'write', offset: w.offset, length: w.after.length });
        }
        if (list.length > 0) {
          await writer.sync();
          done({ kind: 'fsync', group });
        }
      }
      entry.state = 'applied';
      entry.appliedAt = new Date().toISOString();
      await writeJournal(journalPath, next);
    } catch (error) {
      // The journal says "pending": say so, the user's next step is `diskx undo`.
      throw new WriteInterruptedError(journalPath, result.sectorsWritten, describeError(error));
    }
    done({ kind: 'journal', state: 'applied' });
    result.entryId = entry.id;
    result.bytesWritten = writer.bytesWritten;
    result.writeCalls = writer.writeCalls;
    return result;
  } finally {
    await writer.close();
  }
}
