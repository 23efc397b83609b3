// Safe in-place repair, generic over fix plans:
//   1. resolve the files behind the image and refuse devices / read-only files
//      (unless allowDevice);
//   2. take the image's write lock (imageLock.ts): from here to the end no other
//      writer of ours reads or writes the image or its journal;
//   3. read the journal; refuse while an earlier write is still "pending";
//      check the journal folder is writable;
//   4. read the patched byte ranges straight from the files and verify every
//      patch's `before` (ImageChangedError: nothing written);
//   5. write the journal entry ("pending", with every run's old and new bytes)
//      and fsync it;
//   6. a container's own metadata update, if its format needs one before data
//      is written (a VHDX header with a new DataWriteGuid): compared with the
//      journal's old bytes, written, fsynced; then for each run, backup half first: read it again and compare with what the
//      journal says it holds (the last thing before the write), then write only
//      that byte range; fsync; the same for the primary half (UEFI 5.3.2:
//      backup before primary). A run that changed under us (a writer that ignores
//      the lock) stops the repair: what was written is put back, the entry is
//      dropped, ImageChangedError;
//   7. mark the entry "applied" (the journal fsynced, not its folder: see there);
//      release the lock.
// Only bytes a patch covers are written, never a whole sector rebuilt from an
// earlier read. A crash before 5 leaves the old image and no entry; between 5
// and 7 a "pending" entry whose bytes are each old or new, which `diskx undo`
// restores (undoLast); after 7 the new image, revertible with `diskx undo`.
import path from 'node:path';
import type { FixPlan, Patch } from '../patch';
import type { ImageKind, OpenImageOptions } from '../io/openImage';
import { planSectorRanges } from './containerPlans';
import { resolveImageFiles } from './imageFiles';
import { readDiskAfter, readDiskNow } from './readDiskOf';
import { HAND_EDIT_ID } from '../edit/planEdits';
import { diskFingerprint, partitionOverlap, partitionRanges } from '../diskAreas';
import { ImageWriter } from './imageWriter';
import { byteWrites, orderWrites, touchedSectors } from './byteWrites';
import { lockImage } from './imageLock';
import type { ImageLock, LockOptions } from './imageLock';
import type { Journal, JournalEntry, JournalOptions } from './journal';
import {
  interruptedEntry,
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  journalPathFor,
  probeJournalDir,
  readJournal,
  removeJournalLeftovers,
  toHex,
  writeJournal,
} from './journal';
import { ImageChangedError, PartitionWriteError, PendingRepairError, WriteInterruptedError } from './errors';
import { describeErrorText } from '../errors';
import type { ContainerMetadataWrite } from '../io/containerSource';
import { msg } from '../../shared/l10n';

/** A step of a write or an undo, reported after it completed (crash tests stop the process here). */
export type WriteStep =
  | { kind: 'lock' }
  | { kind: 'journal'; state: 'pending' | 'applied' | 'undoing' | 'undone' }
  | { kind: 'write'; offset: number; length: number }
  /** Container metadata (a VHDX header) at a file offset of `file`. */
  | { kind: 'metadata'; file: string; offset: number; length: number }
  | { kind: 'fsync'; group: 'metadata' | 'backup' | 'primary' };

export interface WriteOptions extends JournalOptions, LockOptions {
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
  /** Sectors the written byte runs touch (each once). */
  sectorsWritten: number;
  /** Bytes handed to write(2): only the patched byte ranges. */
  bytesWritten: number;
  writeCalls: number;
  /** The writes, in the order done: image offset and length. */
  writes: { offset: number; length: number }[];
  /** Container metadata written before them (a VHDX header update): file, file offset, length, what. */
  containerWrites: { file: string; offset: number; length: number; what: string; change: string }[];
}

/** Applies `plans` (in order) to the image at `imagePath` in place; see the file comment for the protocol. */
export async function applyPlans(imagePath: string, plans: readonly FixPlan[], options: WriteOptions): Promise<WriteResult> {
  // A container is mapped for exactly the sectors the plans touch (and refused if one is not plain data).
  const files = await resolveImageFiles(imagePath, options.open, planSectorRanges(plans, options.sectorSize));
  const journalPath = await journalPathFor(files.image, files.kind, options);
  const writer = await ImageWriter.open(files, options.allowDevice ?? false);
  let step = 0;
  const done = (s: WriteStep): void => options.onStep?.(s, ++step);
  let lock: ImageLock | null = null;
  try {
    lock = await lockImage(files.image, files.kind, path.dirname(journalPath), options);
    done({ kind: 'lock' });
    const journal = await readJournal(journalPath);
    const interrupted = interruptedEntry(journal);
    if (interrupted)
      throw new PendingRepairError(
        journalPath,
        interrupted.id,
        interrupted.fixes.map((f) => f.id),
      );
    await removeJournalLeftovers(journalPath);
    await probeJournalDir(journalPath);
    const writes = await byteWrites(plans, files.sizeBytes, (offset, length) => writer.read(offset, length));
    const fixIds = plans.map((p) => p.id);
    // No repair writes into partition data, whatever a plan says (the fixes refuse it already);
    // hand edits (typing bytes in the editor) are the user's own and may.
    const now = await readDiskNow(files.image, options.sectorSize, options.open);
    const disk = now.model;
    const guarded = plans.filter((p) => p.id !== HAND_EDIT_ID);
    if (disk && guarded.length > 0) {
      const partitions = partitionRanges(disk);
      for (const w of guarded.length === plans.length ? writes : await byteWrites(guarded, files.sizeBytes, (offset, length) => writer.read(offset, length))) {
        const hit = partitionOverlap(disk, w.offset, w.after.length, partitions);
        if (hit) throw new PartitionWriteError(fixIds.join(', '), Math.max(w.offset, hit.start), hit.whatText ?? hit.what);
      }
    }
    const result: WriteResult = {
      image: files.image,
      kind: files.kind,
      journalPath,
      entryId: null,
      fixIds,
      sectorSize: options.sectorSize,
      sectorsWritten: 0,
      bytesWritten: 0,
      writeCalls: 0,
      writes: [],
      containerWrites: [],
    };
    if (writes.length === 0) return result;

    // The container's metadata update (a VHDX header with a new DataWriteGuid) goes first, flushed before any data.
    const metadata = files.metadata?.writes ?? [];
    const { backup, primary } = orderWrites(writes, files.sizeBytes);
    const ordered = [...backup, ...primary];
    const sectorsAfter = await sectorsAfterWrites(writes, options.sectorSize, files.sizeBytes, (offset, length) => writer.read(offset, length));
    const entry: JournalEntry = {
      id: (journal?.entries.reduce((max, e) => Math.max(max, e.id), 0) ?? 0) + 1,
      state: 'pending',
      fixes: plans.map((p) => ({ id: p.id, title: p.title })),
      createdAt: new Date().toISOString(),
      sizeBytes: files.sizeBytes,
      sectorSize: options.sectorSize,
      identity: [
        ...new Set([
          diskFingerprint(disk, files.sizeBytes),
          // The image as it will be: parsed again only when a write lands on bytes the parser read.
          diskFingerprint(await readDiskAfter(files.image, options.sectorSize, options.open, now, writes), files.sizeBytes),
        ]),
      ],
      files: files.extents.map(({ file, start, size, fileOffset }) => ({ file, start, size, fileOffset })),
      writes: ordered.map((w) => ({ offset: w.offset, before: toHex(w.before), after: toHex(w.after) })),
      sectorsAfter: sectorsAfter.map((s) => ({ offset: s.offset, bytes: toHex(s.bytes) })),
      ...(metadata.length > 0
        ? { containerWrites: metadata.map((m) => ({ file: m.file, offset: m.fileOffset, before: toHex(m.before), after: toHex(m.after), what: m.what })) }
        : {}),
    };
    const next: Journal = journal ?? { format: JOURNAL_FORMAT, version: JOURNAL_VERSION, image: files.image, entries: [] };
    next.entries.push(entry);
    await writeJournal(journalPath, next);
    done({ kind: 'journal', state: 'pending' });

    const written: Patch[] = [];
    const writtenMetadata: ContainerMetadataWrite[] = [];
    const changed = async (at: number, expected: Uint8Array, now: Uint8Array, where: { what: string; file: string } | null): Promise<never> => {
      const differs = now.findIndex((b, i) => b !== expected[i]);
      await rollBack(writer, written, writtenMetadata);
      next.entries.pop();
      await writeJournal(journalPath, next);
      throw new ImageChangedError(
        fixIds.join(', '),
        at + differs,
        expected[differs]!,
        now[differs]!,
        written.length + writtenMetadata.length > 0
          ? where
            ? msg('({0} in {1}) while it was being written (what was written is restored)', where.what, where.file)
            : msg('while it was being written (what was written is restored)')
          : where
            ? msg('({0} in {1}) while its journal was written', where.what, where.file)
            : msg('while its journal was written'),
      );
    };
    try {
      for (const m of metadata) {
        const now = await writer.readMetadata(m.file, m.fileOffset, m.before.length);
        if (!bytesEqual(now, m.before)) await changed(m.fileOffset, m.before, now, { what: m.what, file: m.file });
        await writer.writeMetadata(m.file, m.fileOffset, m.after);
        writtenMetadata.push(m);
        result.containerWrites.push({ file: m.file, offset: m.fileOffset, length: m.after.length, what: m.what, change: m.change });
        done({ kind: 'metadata', file: m.file, offset: m.fileOffset, length: m.after.length });
      }
      if (metadata.length > 0) {
        await writer.sync();
        done({ kind: 'fsync', group: 'metadata' });
      }
      for (const [group, list] of [
        ['backup', backup],
        ['primary', primary],
      ] as const) {
        for (const w of list) {
          // The last look before the write: still the bytes the journal recorded as old?
          const now = await writer.read(w.offset, w.before.length);
          if (!bytesEqual(now, w.before)) await changed(w.offset, w.before, now, null);
          await writer.write(w.offset, w.after);
          written.push(w);
          result.writes.push({ offset: w.offset, length: w.after.length });
          done({ kind: 'write', offset: w.offset, length: w.after.length });
        }
        if (list.length > 0) {
          await writer.sync();
          done({ kind: 'fsync', group });
        }
      }
      entry.state = 'applied';
      entry.appliedAt = new Date().toISOString();
      // The file is fsynced, its folder not: should a power loss undo this rename, the entry
      // reads "pending" over the new bytes, which `diskx undo` reverts like any interrupted write.
      await writeJournal(journalPath, next, { syncFolder: false });
    } catch (error) {
      if (error instanceof ImageChangedError) throw error;
      // The journal says "pending": say so, the user's next step is `diskx undo`.
      throw new WriteInterruptedError(journalPath, touchedSectors(result.writes, options.sectorSize).length, describeErrorText(error));
    }
    done({ kind: 'journal', state: 'applied' });
    result.entryId = entry.id;
    result.sectorsWritten = touchedSectors(result.writes, options.sectorSize).length;
    result.bytesWritten = writer.bytesWritten;
    result.writeCalls = writer.writeCalls;
    return result;
  } finally {
    await lock?.release();
    await writer.close();
  }
}

/**
 * The whole sectors the runs touch, as they will be once the runs are written
 * (runs of adjacent sectors joined). Undo compares them with the image so that
 * it refuses when anything in those sectors changed since, not only our bytes:
 * the CRCs we wrote vouch for the whole header and array.
 */
async function sectorsAfterWrites(
  writes: readonly Patch[],
  sectorSize: number,
  sizeBytes: number,
  read: (offset: number, length: number) => Promise<Uint8Array>,
): Promise<{ offset: number; bytes: Uint8Array }[]> {
  const lbas = touchedSectors(
    writes.map((w) => ({ offset: w.offset, length: w.after.length })),
    sectorSize,
  );
  const spans: { offset: number; bytes: Uint8Array }[] = [];
  for (let i = 0; i < lbas.length;) {
    let j = i;
    while (j + 1 < lbas.length && lbas[j + 1] === lbas[j]! + 1) j++;
    const offset = lbas[i]! * sectorSize;
    const end = Math.min((lbas[j]! + 1) * sectorSize, sizeBytes);
    spans.push({ offset, bytes: await read(offset, end - offset) });
    i = j + 1;
  }
  for (const w of writes) {
    const span = spans.find((s) => w.offset >= s.offset && w.offset < s.offset + s.bytes.length)!;
    span.bytes.set(w.after, w.offset - span.offset);
  }
  return spans;
}

/** Puts back the old bytes of runs this repair wrote (newest first), then the container metadata, and fsyncs; we still hold the lock. */
async function rollBack(writer: ImageWriter, written: readonly Patch[], metadata: readonly ContainerMetadataWrite[]): Promise<void> {
  for (const w of [...written].reverse()) await writer.write(w.offset, w.before);
  if (written.length > 0) await writer.sync();
  for (const m of [...metadata].reverse()) await writer.writeMetadata(m.file, m.fileOffset, m.before);
  if (metadata.length > 0) await writer.sync();
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
