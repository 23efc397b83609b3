// Typed errors of the writer and of undo. Each says what was (not) changed, so
// the CLI's one line is enough for a user to know whether the image is intact.
// The messages are msg() templates: the CLI prints their English, the editor shows them in the user's language.
import { DiskxError } from '../errors';
import { msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** A detail given as English text or as a template, as the message's text. */
function textOf(detail: string | Message): string {
  return typeof detail === 'string' ? detail : renderMessage(detail);
}

/** The bytes on disk are not what the plan expected: the image changed since it was planned. Nothing was written. */
export class ImageChangedError extends DiskxError {
  constructor(
    readonly fixId: string,
    readonly offset: number,
    readonly expected: number,
    readonly found: number,
    /** When it was noticed, if not before the first write. */
    when?: string | Message,
  ) {
    super(
      msg(
        'the image changed {0}: byte {1} is {2}, the plan expected {3}; nothing was written, plan the fix again',
        when ?? msg('since fix {0} was planned', fixId),
        `0x${offset.toString(16).toUpperCase()}`,
        `0x${hex2(found)}`,
        `0x${hex2(expected)}`,
      ),
    );
  }
}

/** Writing was refused: a block device, a read-only file or a read-only VMDK extent, without --allow-device. */
export class WriteRefusedError extends DiskxError {
  constructor(
    readonly file: string,
    readonly why: 'block-device' | 'read-only-file' | 'read-only-extent',
  ) {
    super(
      why === 'block-device'
        ? msg('{0} is a block device; refusing to write without --allow-device (nothing was written)', file)
        : why === 'read-only-file'
          ? msg('{0} is read-only; refusing to write without --allow-device (nothing was written)', file)
          : msg('the VMDK descriptor marks extent {0} read-only; refusing to write without --allow-device (nothing was written)', file),
    );
  }
}

/** A write through a container (qcow2, VHD, ...) would land outside plain allocated data; nothing was written. */
export class ContainerWriteRefusedError extends DiskxError {
  constructor(
    readonly format: string,
    reason: string | Message,
    readonly conversion: string,
  ) {
    super(msg('cannot repair this {0} image in place: {1}; nothing was written. Repair a raw copy instead: {2}', format, reason, conversion));
    this.reason = textOf(reason);
  }

  readonly reason: string;
}

/** The undo journal cannot be written where it belongs; nothing was changed. */
export class JournalNotWritableError extends DiskxError {
  constructor(
    readonly journalPath: string,
    reason: string | Message,
  ) {
    super(msg('cannot write the undo journal {0} ({1}); nothing was written. Set DISKX_JOURNAL_DIR to a writable folder', journalPath, reason));
    this.reason = textOf(reason);
  }

  readonly reason: string;
}

/** The journal exists but is not one we can read; we never overwrite it. */
export class JournalCorruptError extends DiskxError {
  constructor(
    readonly journalPath: string,
    problem: string | Message,
  ) {
    super(msg('the undo journal {0} cannot be read ({1}); move it aside only once you know the image is fine', journalPath, problem));
    this.problem = textOf(problem);
  }

  readonly problem: string;
}

/** A previous write was interrupted (the journal says pending): undo it before writing again. */
export class PendingRepairError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly entryId: number,
    readonly fixIds: string[],
  ) {
    super(
      msg('an earlier repair ({0}) was interrupted; run diskx undo on this image first to restore the old bytes (journal {1})', fixIds.join(', '), journalPath),
    );
  }
}

/** Nothing in the journal can be undone. */
export class NothingToUndoError extends DiskxError {
  constructor(readonly journalPath: string) {
    super(msg('nothing to undo (no applied repair in {0})', journalPath));
  }
}

/** The bytes a repair wrote have changed since: undoing would destroy someone else's write. Nothing was written. */
export class UndoConflictError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly offset: number,
    detail: string | Message,
  ) {
    super(
      msg('cannot undo: {0} at byte {1} since the repair; nothing was written (journal {2})', detail, `0x${offset.toString(16).toUpperCase()}`, journalPath),
    );
    this.detail = textOf(detail);
  }

  readonly detail: string;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** A write failed after the journal said "pending": the image may be part old, part new; `diskx undo` restores it. */
export class WriteInterruptedError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly sectorsWritten: number,
    reason: string | Message,
  ) {
    super(
      msg(
        'the repair failed after {0} sector(s) were written ({1}); run diskx undo on this image to restore the old bytes (journal {2})',
        sectorsWritten,
        reason,
        journalPath,
      ),
    );
    this.reason = textOf(reason);
  }

  readonly reason: string;
}

/** Another writer holds the image's write lock (core/write/imageLock.ts). Nothing was written. */
export class ImageLockedError extends DiskxError {
  constructor(
    readonly image: string,
    readonly lockFile: string,
    /** "diskx (pid 123 on host h, since ...)", or null when the holder did not say. */
    holder: string | Message | null,
    /** The holder runs where we cannot check it (another host or container). */
    readonly unverifiable: boolean,
  ) {
    super(
      unverifiable
        ? msg(
            'the image is locked by {0}, which cannot be checked from here (another host or container); nothing was written. If no such writer is running, remove {1}',
            holder ?? msg('an unreadable lock file'),
            lockFile,
          )
        : msg(
            'the image is being written by {0}; nothing was written, try again when it has finished (lock {1})',
            holder ?? msg('another process on this host'),
            lockFile,
          ),
    );
    this.holder = holder === null ? null : textOf(holder);
  }

  readonly holder: string | null;
}

/** The journal could have been written by someone else (another owner, group- or world-writable): undo would write what it says, so it is not used. */
export class JournalUntrustedError extends DiskxError {
  constructor(
    readonly journalPath: string,
    reason: string | Message,
  ) {
    super(
      msg(
        'refusing to use the undo journal {0}: {1}; anyone who can write it could make diskx write arbitrary bytes. Check it, then make it yours and not writable by others (chown, chmod go-w); nothing was written',
        journalPath,
        reason,
      ),
    );
    this.reason = textOf(reason);
  }

  readonly reason: string;
}

/** A journal entry that does not belong to this image (another file) or would write outside its partition tables. */
export class JournalForeignError extends DiskxError {
  constructor(
    readonly journalPath: string,
    readonly entryId: number,
    detail: string | Message,
  ) {
    super(msg('refusing to undo repair {0} from {1}: {2}; nothing was written', entryId, journalPath, detail));
    this.detail = textOf(detail);
  }

  readonly detail: string;
}

/** A plan would write into partition data; no fix may. */
export class PartitionWriteError extends DiskxError {
  constructor(
    readonly fixIds: string,
    readonly offset: number,
    partition: string | Message,
  ) {
    super(
      msg(
        'refusing to write {0}: byte {1} lies in {2}, and no repair writes into a partition; nothing was written',
        fixIds,
        `0x${offset.toString(16).toUpperCase()}`,
        partition,
      ),
    );
    this.partition = textOf(partition);
  }

  readonly partition: string;
}
