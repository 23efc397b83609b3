// Typed errors. Recoverable damage becomes a finding; these are for input we
// cannot read at all. The CLI prints them as one line and exits 2.

/** Base class of every error the core throws on purpose. */
export class DiskxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
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
    message: string,
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
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a disk image';
    case 'EIO':
      return 'input/output error while reading';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      break;
  }
  if (error instanceof RangeError) return `cannot read the image: ${error.message}`;
  if (error instanceof Error) return `internal error: ${error.message} (run with DISKX_DEBUG=1 for details)`;
  return `internal error: ${String(error)}`;
}
