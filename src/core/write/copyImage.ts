// Save As: a copy of an image with patches laid over it, written to a temporary
// file next to the destination and renamed over it at the end (cancelling or a
// failure removes the temporary file). The temporary file lives in a private
// folder (mkdtemp, mode 0700, named `.DEST.diskx-partial-PID-XXXXXX`), so
// nobody else can plant a symlink at its name for cp or us to follow; folders
// that killed copies left behind are removed first. A regular file on Linux is copied by
// coreutils `cp --sparse=always` (holes skipped, so a 2 TiB sparse image copies
// in moments; clones where the filesystem can), then the patches are written
// over the copy; otherwise, or if cp fails, a stream copy in COPY_CHUNK steps
// through the byte source, all-zero chunks left as holes. The copy is a new
// file, so no journal: the original is never touched.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { removeLeftovers } from './safeFiles';
import { spawn } from 'node:child_process';
import type { ByteSource } from '../io/byteSource';
import type { Patch } from '../patch';
import { DiskxError } from '../errors';
import { msg } from '../../shared/l10n';

/** Bytes copied per step of the stream copy. */
export const COPY_CHUNK = 4 * 1024 * 1024;

/** The copy was cancelled; the partial file was removed. */
export class CopyCancelledError extends DiskxError {
  constructor(readonly destination: string) {
    super(msg('Save As to {0} was cancelled; no file was left behind', destination));
  }
}

export interface CopyProgress {
  report(done: number, total: number): void;
  cancelled(): boolean;
}

export interface CopyImageOptions {
  /** The image's path (for the fast paths: cp, and one read handle for a raw file). */
  path: string;
  /** A raw (or plain) file can be copied as a file; VMDK extents and devices only through `source`. */
  isPlainFile: boolean;
  /** The image's bytes (without the patches). */
  source: ByteSource;
  /** Laid over the copy in order, as PatchedSource lays them over the source. */
  patches: readonly Patch[];
  destination: string;
  progress?: CopyProgress;
  /** 'stream' skips the cp fast path (tests: both must give the same bytes). */
  strategy?: 'auto' | 'stream';
}

const NO_PROGRESS: CopyProgress = { report: () => undefined, cancelled: () => false };

/** Writes the image with `patches` laid over it to `destination` (see the file comment). */
export async function copyImage(options: CopyImageOptions): Promise<void> {
  const { destination, patches } = options;
  const progress = options.progress ?? NO_PROGRESS;
  const size = options.source.size;
  if (progress.cancelled()) throw new CopyCancelledError(destination);
  const folder = path.dirname(destination);
  const base = `.${path.basename(destination)}.diskx-partial-`;
  await removeLeftovers(folder, base, { dirs: true });
  const privateDir = await fsp.mkdtemp(path.join(folder, `${base}${process.pid}-`));
  const temp = path.join(privateDir, 'copy');
  try {
    if ((options.strategy ?? 'auto') === 'auto' && options.isPlainFile && (await copyWithCp(options.path, temp, size, progress, destination))) {
      let ok = false;
      const handle = await fsp.open(temp, 'r+');
      try {
        for (const patch of patches) await handle.write(patch.after, 0, patch.after.length, patch.offset);
        await handle.sync();
        ok = true;
      } finally {
        await handle.close();
        if (!ok) await fsp.rm(temp, { force: true });
      }
      progress.report(size, size);
      await fsp.rename(temp, destination);
      return;
    }
    await streamCopy(options, temp, size, progress);
    await fsp.rename(temp, destination);
  } finally {
    await fsp.rm(privateDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function streamCopy(options: CopyImageOptions, temp: string, size: number, progress: CopyProgress): Promise<void> {
  // A raw file is read straight through one handle (the page cache would cut 4 MiB into 64 KiB reads).
  const input = options.isPlainFile ? await fsp.open(options.path, 'r') : null;
  const handle = await fsp.open(temp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | (fsc.O_NOFOLLOW ?? 0), 0o644);
  const zeros = Buffer.alloc(COPY_CHUNK);
  let ok = false;
  try {
    for (let offset = 0; offset < size; offset += COPY_CHUNK) {
      if (progress.cancelled()) throw new CopyCancelledError(options.destination);
      const length = Math.min(COPY_CHUNK, size - offset);
      let bytes: Buffer;
      if (input) {
        bytes = Buffer.alloc(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await input.read(bytes, filled, length - filled, offset + filled);
          if (bytesRead === 0) throw new DiskxError(`${options.path} shrank while it was copied`);
          filled += bytesRead;
        }
      } else {
        const read = await options.source.read(offset, length);
        bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
      }
      for (const patch of options.patches) {
        const from = Math.max(offset, patch.offset);
        const to = Math.min(offset + length, patch.offset + patch.after.length);
        if (from < to) bytes.set(patch.after.subarray(from - patch.offset, to - patch.offset), from - offset);
      }
      // All-zero chunks stay holes (sparse images stay sparse).
      if (!bytes.equals(zeros.subarray(0, length))) await handle.write(bytes, 0, length, offset);
      progress.report(offset + length, size);
    }
    await handle.truncate(size);
    await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    await input?.close();
    if (!ok) await fsp.rm(temp, { force: true });
  }
}

/**
 * `cp --sparse=always` of `file` to `temp`. True when the copy is complete;
 * false (temp removed) when cp is not there or failed, so the caller streams
 * instead; throws CopyCancelledError when cancelled.
 */
async function copyWithCp(file: string, temp: string, size: number, progress: CopyProgress, destination: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const stat = await fsp.stat(file).catch(() => null);
  if (!stat?.isFile() || stat.size !== size) return false;
  const child = spawn('cp', ['--sparse=always', '--reflink=auto', '--', file, temp], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  let cancelled = false;
  const timer = setInterval(() => {
    if (progress.cancelled()) {
      cancelled = true;
      child.kill();
      return;
    }
    void fsp.stat(temp).then(
      (s) => progress.report(Math.min(s.size, size), size),
      () => undefined,
    );
  }, 250);
  let code: number | null;
  try {
    code = await exited;
  } finally {
    clearInterval(timer);
  }
  if (cancelled || code !== 0) await fsp.rm(temp, { force: true });
  if (cancelled) throw new CopyCancelledError(destination);
  return code === 0 && (await fsp.stat(temp)).size === size;
}
