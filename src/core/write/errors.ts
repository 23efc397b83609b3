// Typed errors of the writer and of undo. Each says what was (not) changed, so
// the CLI's one line is enough for a user to know whether the image is intact.
import { DiskxError } from '../errors';

/** The bytes on disk are not what the plan expected: the image changed since it was planned. Nothing was written. */
export class ImageChangedError extends DiskxError {
  constructor(
    readonly fixId: string,
    readonly offset: number,
    readonly expected: number,
    readonly found: number,
    /** When it was noticed, if not before the first write. */
    readonly when?: string,
  ) {
    super(
      `the image changed ${when ?? `since fix ${fixId} was planned`}: byte 0x${offset.toString(16).toUpperCase()} is 0x${hex2(found)}, the plan expected 0x${hex2(expected)}; nothing was written, plan the fix again`,
    );
  }
}

/** Writing was refused: a block device, a read-only file or a read-only VMDK extent, without --allow-device. */
export class WriteRefusedError extends DiskxError {
  constructor(
    readonly file: string,
    readonly why: 'block-device' | 'read-only-file' | 'read-only-extent',
  ) {
    const what =
      why === 'block-device'
        ? `${file} is a block device`
        : why === 'read-only-file'
          ? `${file} is read-only`
          : `the VMDK descriptor marks extent ${file} read-only`;
    super(`${what}; refusing to write without --allow-device (nothing was written)`);
  }
}

/** A write through a container (qcow2, VHD, ...) would land outside plain allocated data; nothing was written. */
export class ContainerWriteRefusedError extends DiskxError {
  constructor(
    readonly format: string,
    readonly reason: string,
    readonly conversion: string,
  ) {
    super(`cannot repair this ${format} image in place: ${reason}; nothing was written. Repair a raw copy instead: ${conversion}`);
  }
}

/** The undo journal cannot be written where it belongs; nothing was changed. */
export class JournalNotWritableError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly reason: string,
  ) {
    super(`cannot write the undo journal ${journalPath} (${reason}); nothing was written. Set DISKX_JOURNAL_DIR to a writable folder`);
  }
}

/** The journal exists but is not one we can read; we never overwrite it. */
export class JournalCorruptError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly problem: string,
  ) {
    super(`the undo journal ${journalPath} cannot be read (${problem}); move it aside only once you know the image is fine`);
  }
}

/** A previous write was interrupted (the journal says pending): undo it before writing again. */
export class PendingRepairError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly entryId: number,
    readonly fixIds: string[],
  ) {
    super(`an earlier repair (${fixIds.join(', ')}) was interrupted; run diskx undo on this image first to restore the old bytes (journal ${journalPath})`);
  }
}

/** Nothing in the journal can be undone. */
export class NothingToUndoError extends DiskxError {
  constructor(readonly journalPath: string) {
    super(`nothing to undo (no applied repair in ${journalPath})`);
  }
}

/** The bytes a repair wrote have changed since: undoing would destroy someone else's write. Nothing was written. */
export class UndoConflictError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`cannot undo: ${detail} at byte 0x${offset.toString(16).toUpperCase()} since the repair; nothing was written (journal ${journalPath})`);
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** A write failed after the journal said "pending": the image may be part old, part new; `diskx undo` restores it. */
export class WriteInterruptedError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly sectorsWritten: number,
    readonly reason: string,
  ) {
    super(
      `the repair failed after ${sectorsWritten} sector(s) were written (${reason}); run diskx undo on this image to restore the old bytes (journal ${journalPath})`,
    );
  }
}

/** Another writer holds the image's write lock (core/write/imageLock.ts). Nothing was written. */
export class ImageLockedError extends DiskxError {
  constructor(
    readonly image: string,
    readonly lockFile: string,
    /** "diskx (pid 123 on host h, since ...)", or null when the holder did not say. */
    readonly holder: string | null,
    /** The holder runs where we cannot check it (another host or container). */
    readonly unverifiable: boolean,
  ) {
    super(
      unverifiable
        ? `the image is locked by ${holder ?? 'an unreadable lock file'}, which cannot be checked from here (another host or container); nothing was written. If no such writer is running, remove ${lockFile}`
        : `the image is being written by ${holder ?? 'another process on this host'}; nothing was written, try again when it has finished (lock ${lockFile})`,
    );
  }
}

/** The journal could have been written by someone else (another owner, group- or world-writable): undo would write what it says, so it is not used. */
export class JournalUntrustedError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly reason: string,
  ) {
    super(
      `refusing to use the undo journal ${journalPath}: ${reason}; anyone who can write it could make diskx write arbitrary bytes. Check it, then make it yours and not writable by others (chown, chmod go-w); nothing was written`,
    );
  }
}

/** A journal entry that does not belong to this image (another file) or would write outside its partition tables. */
export class JournalForeignError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly entryId: number,
    readonly detail: string,
  ) {
    super(`refusing to undo repair ${entryId} from ${journalPath}: ${detail}; nothing was written`);
  }
}

/** A plan would write into partition data; no fix may. */
export class PartitionWriteError extends DiskxError {
  constructor(
    readonly fixIds: string,
    readonly offset: number,
    readonly partition: string,
  ) {
    super(
      `refusing to write ${fixIds}: byte 0x${offset.toString(16).toUpperCase()} lies in ${partition}, and no repair writes into a partition; nothing was written`,
    );
  }
}
