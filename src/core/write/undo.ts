// `diskx undo`: reverts the newest repair that is not undone yet, from its journal.
// An "applied" entry is reverted only when every sector it wrote still holds
// what it wrote (someone else's later write is never destroyed). A "pending" or
// "undoing" entry (a crash mid-write or mid-undo) is reverted when every byte
// holds either its old or its new value, which is all a crash can leave.
// Undo itself is journaled: "undoing" before the first byte, "undone" after the
// fsync, so an interrupted undo can simply be run again. It holds the image's
// write lock throughout (imageLock.ts), writes only the bytes that differ from
// their old value, and reads each run once more right before writing it.
import type { Patch } from '../patch';
import type { OpenImageOptions } from '../io/openImage';
import { resolveImageFiles } from './imageFiles';
import { readDiskAfter, readDiskNow } from './readDiskOf';
import { HAND_EDIT_ID } from '../edit/planEdits';
import { coveredBy, diskFingerprint, partitionRanges, standardTableRanges, tableRanges } from '../diskAreas';
import { ImageWriter } from './imageWriter';
import path from 'node:path';
import { changedRuns, orderWrites, touchedSectors } from './byteWrites';
import { lockImage } from './imageLock';
import type { ImageLock, LockOptions } from './imageLock';
import type { JournalEntry, JournalOptions } from './journal';
import { fromHex, journalPathFor, lastUndoable, readJournal, removeJournalLeftovers, writeJournal } from './journal';
import type { WriteStep } from './applyPlans';
import { JournalForeignError, NothingToUndoError, UndoConflictError } from './errors';
import { msg } from '../../shared/l10n';

export interface UndoOptions extends JournalOptions, LockOptions {
  /** Replay an entry that writes outside the partition tables (a hand edit of data); off: such entries are refused as forged. */
  allowDataWrites?: boolean;
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
  /** Container metadata put back after the data (the VHDX header the repair updated): file, file offset, length, what. */
  containerWrites: { file: string; offset: number; length: number; what: string }[];
  /** Older repairs that `diskx undo` can still revert. */
  remaining: number;
}

/** Reverts the newest not-yet-undone repair of the image at `imagePath`. */
export async function undoLast(imagePath: string, options: UndoOptions = {}): Promise<UndoResult> {
  let files = await resolveImageFiles(imagePath, options.open);
  const journalPath = await journalPathFor(files.image, files.kind, options);
  if (files.kind === 'container') {
    // A container is mapped for exactly the sectors the repair wrote (the journal is read again under the lock).
    const pending = lastUndoable(await readJournal(journalPath));
    if (!pending) throw new NothingToUndoError(journalPath);
    const ranges = [
      ...pending.writes.map((w) => ({ offset: w.offset, length: fromHex(w.after).length })),
      ...(pending.sectorsAfter ?? []).map((s) => ({ offset: s.offset, length: fromHex(s.bytes).length })),
    ];
    files = await resolveImageFiles(imagePath, options.open, ranges);
  }
  const writer = await ImageWriter.open(files, options.allowDevice ?? false);
  let step = 0;
  const done = (s: WriteStep): void => options.onStep?.(s, ++step);
  let lock: ImageLock | null = null;
  try {
    lock = await lockImage(files.image, files.kind, path.dirname(journalPath), options);
    done({ kind: 'lock' });
    const journal = await readJournal(journalPath);
    const entry = lastUndoable(journal);
    if (!journal || !entry) throw new NothingToUndoError(journalPath);
    if (entry.sizeBytes !== files.sizeBytes) {
      throw new UndoConflictError(journalPath, 0, msg('the image size changed ({0} bytes when repaired, {1} now)', entry.sizeBytes, files.sizeBytes));
    }
    await removeJournalLeftovers(journalPath);
    // A journal is input: replay an entry only on the image it was written for, and only into its partition tables.
    // Table areas and partitions count as they are now and as the undo would leave them
    // (after undoing relocate-backup the old backup location is a table area again).
    const parsed = await readDiskNow(files.image, entry.sectorSize, options.open);
    const now = parsed.model;
    const fingerprint = diskFingerprint(now, files.sizeBytes);
    if (entry.identity !== undefined && !entry.identity.includes(fingerprint)) {
      throw new JournalForeignError(
        journalPath,
        entry.id,
        msg('it was written for another disk ({0}; {1} is {2})', entry.identity.join(' / '), files.image, fingerprint),
      );
    }
    const reverted = entry.writes.map((w) => ({ offset: w.offset, before: fromHex(w.after), after: fromHex(w.before) }));
    // The image as the undo will leave it: parsed again only when a reverted byte is one the parse above read.
    const after = await readDiskAfter(files.image, entry.sectorSize, options.open, parsed, reverted);
    const models = (after === now ? [now] : [now, after]).filter((d) => d !== null);
    const tables = models.length > 0 ? models.flatMap((d) => tableRanges(d)) : standardTableRanges(files.sizeBytes, entry.sectorSize);
    const partitions = models.flatMap((d) => partitionRanges(d));
    for (const w of entry.writes) {
      const length = w.before.length / 2;
      const hit = partitions.find((r) => w.offset < r.end && w.offset + length > r.start);
      if (options.allowDataWrites) continue;
      const handEdit = entry.fixes.some((f) => f.id === HAND_EDIT_ID);
      if (hit)
        throw new JournalForeignError(
          journalPath,
          entry.id,
          handEdit
            ? msg(
                'it would write byte {0}, in {1} (a hand edit of those bytes: pass --allow-data-writes to undo it)',
                `0x${Math.max(w.offset, hit.start).toString(16).toUpperCase()}`,
                hit.whatText ?? hit.what,
              )
            : msg('it would write byte {0}, in {1}', `0x${Math.max(w.offset, hit.start).toString(16).toUpperCase()}`, hit.whatText ?? hit.what),
        );
      if (!coveredBy(tables, w.offset, length))
        throw new JournalForeignError(
          journalPath,
          entry.id,
          handEdit
            ? msg(
                'it would write bytes {0}..+{1} outside the MBR and GPT areas of this image (a hand edit of those bytes: pass --allow-data-writes to undo it)',
                `0x${w.offset.toString(16).toUpperCase()}`,
                length,
              )
            : msg('it would write bytes {0}..+{1} outside the MBR and GPT areas of this image', `0x${w.offset.toString(16).toUpperCase()}`, length),
        );
    }
    // Container metadata (a VHDX header) is replayed only into the slots the container itself names.
    // A write to the journal's own image is one to this image (the two may have moved together).
    const metadata = (entry.containerWrites ?? []).map((w) => ({
      file: w.file === journal.image ? files.image : w.file,
      fileOffset: w.offset,
      before: fromHex(w.before),
      after: fromHex(w.after),
      what: w.what,
    }));
    for (const m of metadata) {
      const inSlot = files.metadata?.slots.some(
        (s) => s.file === m.file && m.fileOffset >= s.fileOffset && m.fileOffset + m.after.length <= s.fileOffset + s.length,
      );
      if (!inSlot)
        throw new JournalForeignError(
          journalPath,
          entry.id,
          msg('it would write file bytes {0}..+{1} of {2}, which hold no container metadata diskx updates', m.fileOffset, m.after.length, m.file),
        );
    }
    const crashed = entry.state !== 'applied';
    if (!crashed) {
      // Anything in the sectors the repair wrote that changed since (the CRCs we wrote cover them) blocks the undo.
      for (const sector of entry.sectorsAfter ?? []) {
        const expected = fromHex(sector.bytes);
        const now = await writer.read(sector.offset, expected.length);
        const differs = now.findIndex((b, i) => b !== expected[i]);
        if (differs >= 0) throw new UndoConflictError(journalPath, sector.offset + differs, msg('the bytes the repair wrote have changed'));
      }
    }
    // Runs still to restore: where the image differs from the old bytes, with what it holds now.
    const toRestore: (Patch & { now: Uint8Array })[] = [];
    for (const w of entry.writes) {
      const before = fromHex(w.before);
      const after = fromHex(w.after);
      const now = await writer.read(w.offset, after.length);
      for (let i = 0; i < now.length; i++) {
        const ok = now[i] === after[i] || (crashed && now[i] === before[i]);
        if (!ok) {
          const detail = crashed ? msg('a byte holds neither its old nor its new value') : msg('the bytes the repair wrote have changed');
          throw new UndoConflictError(journalPath, w.offset + i, detail);
        }
      }
      // Bytes already back at their old value (a crash before they were written) are not rewritten.
      for (const [from, to] of changedRuns(now, before)) {
        toRestore.push({ offset: w.offset + from, before: now.slice(from, to), after: before.slice(from, to), now: now.slice(from, to) });
      }
    }

    // The metadata to put back, checked like the runs: what the repair wrote (or, after a crash, old or new).
    const metadataToRestore: typeof metadata = [];
    const containerWrites: UndoResult['containerWrites'] = [];
    for (const m of metadata) {
      const now = await writer.readMetadata(m.file, m.fileOffset, m.after.length);
      for (let i = 0; i < now.length; i++) {
        if (now[i] !== m.after[i] && !(crashed && now[i] === m.before[i])) {
          const detail = crashed
            ? msg('a byte of the {0} holds neither its old nor its new value', m.what)
            : msg('the {0} has changed (another program opened the file for writing)', m.what);
          throw new UndoConflictError(journalPath, m.fileOffset + i, detail);
        }
      }
      if (now.some((b, i) => b !== m.before[i])) metadataToRestore.push({ ...m, after: m.before, before: now });
    }

    const previousState = entry.state;
    entry.state = 'undoing';
    await writeJournal(journalPath, journal);
    done({ kind: 'journal', state: 'undoing' });

    const restored: { offset: number; length: number }[] = [];
    const { backup, primary } = orderWrites(toRestore, files.sizeBytes);
    for (const [group, list] of [
      ['backup', backup],
      ['primary', primary],
    ] as const) {
      for (const w of list) {
        // The last look before the write: a writer that ignored the lock may have changed it.
        const again = await writer.read(w.offset, w.now.length);
        const differs = again.findIndex((b, i) => b !== w.now[i]);
        if (differs >= 0)
          throw new UndoConflictError(
            journalPath,
            w.offset + differs,
            msg('another program changed the bytes while the undo ran (run diskx undo again to see what is left)'),
          );
        await writer.write(w.offset, w.after);
        restored.push({ offset: w.offset, length: w.after.length });
        done({ kind: 'write', offset: w.offset, length: w.after.length });
      }
      if (list.length > 0) {
        await writer.sync();
        done({ kind: 'fsync', group });
      }
    }

    // The metadata last: until the data is back, the header still says the data changed.
    for (const m of metadataToRestore) {
      const again = await writer.readMetadata(m.file, m.fileOffset, m.before.length);
      const differs = again.findIndex((b, i) => b !== m.before[i]);
      if (differs >= 0)
        throw new UndoConflictError(
          journalPath,
          m.fileOffset + differs,
          msg('another program changed the container header while the undo ran (run diskx undo again to see what is left)'),
        );
      await writer.writeMetadata(m.file, m.fileOffset, m.after);
      containerWrites.push({ file: m.file, offset: m.fileOffset, length: m.after.length, what: m.what });
      done({ kind: 'metadata', file: m.file, offset: m.fileOffset, length: m.after.length });
    }
    if (metadataToRestore.length > 0) {
      await writer.sync();
      done({ kind: 'fsync', group: 'metadata' });
    }

    entry.state = 'undone';
    entry.undoneAt = new Date().toISOString();
    await writeJournal(journalPath, journal);
    done({ kind: 'journal', state: 'undone' });
    const remaining = journal.entries.filter((e) => e.state !== 'undone').length;
    const sectorsWritten = touchedSectors(restored, entry.sectorSize).length;
    return {
      image: files.image,
      journalPath,
      entryId: entry.id,
      fixIds: entry.fixes.map((f) => f.id),
      previousState,
      sectorsWritten,
      bytesWritten: writer.bytesWritten,
      containerWrites,
      remaining,
    };
  } finally {
    await lock?.release();
    await writer.close();
  }
}
