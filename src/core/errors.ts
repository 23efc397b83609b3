// Typed errors. Recoverable damage becomes a finding; these are for input we
// cannot read at all. The CLI prints them as one line and exits 2.

import { msg, renderMessage } from '../shared/l10n';
import type { Message } from '../shared/l10n';

/** Base class of every error the core throws on purpose. */
export class DiskxError extends Error {
  /** The message as a msg() template, when the error was made from one (the editor shows it in the user's language). */
  readonly text?: Message;

  /** `message` in English, or a msg() template rendered in English for `message` and kept as `text`. */
  constructor(message: string | Message) {
    super(typeof message === 'string' ? message : renderMessage(message));
    this.name = new.target.name;
    if (typeof message !== 'string') this.text = message;
  }
}

/** A read wanted bytes beyond the end of the image. */
export class TruncatedError extends DiskxError {
  constructor(
    readonly offset: number,
    readonly needed: number,
    readonly available: number,
  ) {
    super(`truncated: needed ${needed} bytes at offset ${offset}, only ${available} available`);
  }
}

/** The input is not something we can read as a disk (a directory, an empty file, ...). */
export class NotADiskImageError extends DiskxError {}

/** The input is a disk image format we do not read directly (e.g. a sparse VMDK). */
export class UnsupportedImageError extends DiskxError {
  constructor(
    message: string | Message,
    readonly kind: string,
  ) {
    super(message);
  }
}

/** A value read from the image exceeds one of the named limits in limits.ts. */
export class LimitError extends DiskxError {
  constructor(
    readonly limitName: string,
    readonly value: number | bigint,
    readonly limit: number | bigint,
  ) {
    super(`${limitName} exceeded: ${value} > ${limit}`);
  }
}

/** Bad input from the user (an unknown option, an invalid --sector-size). */
export class UsageError extends DiskxError {}

/** A read failed, or the file shrank, while the partition scan read the image front to back. */
export class ScanReadError extends DiskxError {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`the scan could not read the image at byte ${offset} (0x${offset.toString(16)}): ${reason}`);
  }
}

/** The user stopped a command (Ctrl+C) before it wrote anything; the CLI exits 130. */
export class InterruptedError extends DiskxError {}

/** One line saying what went wrong, for any error a command may throw. */
export function describeError(error: unknown): string {
  if (error instanceof DiskxError) return error.message;
  return renderMessage(describeErrorText(error));
}

/** describeError as a message: the error's own template, or its English message as it is (the editor translates templates). */
export function describeErrorText(error: unknown): Message {
  if (error instanceof DiskxError) return error.text ?? { template: error.message, args: [] };
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return msg('no such file or directory');
    case 'EACCES':
    case 'EPERM':
      return msg('permission denied');
    case 'EISDIR':
      return msg('is a directory, not a disk image');
    case 'EIO':
      return msg('input/output error while reading');
    case 'EROFS':
      return msg('the file system is read-only');
    default:
      break;
  }
  if (error instanceof RangeError) return msg('cannot read the image: {0}', error.message);
  if (error instanceof Error) return msg('internal error: {0} (run with DISKX_DEBUG=1 for details)', error.message);
  return msg('internal error: {0}', String(error));
}
