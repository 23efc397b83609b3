// One writer per image. Every write and undo (the CLI, the editor's Save, the
// compare view) takes this lock first and holds it from reading the journal to
// marking the entry done, so two writers can never interleave.
//
// The lock has two parts:
//   - a local kernel name, bound exclusively: on Linux an abstract Unix socket
//     `\0diskx-image-lock:<hash of dev:ino>`, on Windows a named pipe. The kernel
//     frees it the moment its holder dies (kill -9, power loss of the process),
//     so a crash never leaves it behind, and binding it is atomic;
//   - a lock file `IMAGE.diskx-lock` (next to the image; for block devices, or
//     when that folder is not writable, next to the journal), created with
//     O_CREAT|O_EXCL|O_NOFOLLOW and holding {pid, host, bootId, startTicks,
//     tool, since}. It names the holder in the error the second writer gets, and
//     it is seen by writers that cannot see the kernel name (another network
//     namespace such as a container, another host over NFS, macOS).
// A lock file left by a crash is stale when its host and boot id are ours and
// its process is gone (or the pid now belongs to a process started later). It is
// removed only while holding the kernel name, so two writers cannot both decide
// to break it. Where there is no kernel name (macOS and other Unixes), a stale
// file is renamed aside and checked to be the one judged stale before it is
// removed. A lock file from another host is never broken automatically: the
// error says which file to remove once that writer is known to be gone.
import type { ImageKind } from '../io/openImage';
import { constants as fsc, promises as fsp } from 'node:fs';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { IMAGE_LOCK_POLL_MS, IMAGE_LOCK_WAIT_MS, MAX_LOCK_FILE_BYTES } from '../limits';
import { ImageLockedError, JournalNotWritableError } from './errors';
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

export const LOCK_SUFFIX = '.diskx-lock';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Linux boot id: a pid is only meaningful within one boot. */
  bootId: string | null;
  /** Start time of the process in clock ticks since boot (Linux /proc/PID/stat field 22): tells a reused pid apart. */
  startTicks: string | null;
  /** What holds it: "diskx fix", "VS Code", ... */
  tool: string;
  since: string;
}

export interface LockOptions {
  /** How long to wait for another writer to finish before giving up (default IMAGE_LOCK_WAIT_MS; 0: do not wait). */
  lockWaitMs?: number;
  /** Named in the lock file (default: the process title). */
  tool?: string;
  /** Called once when the lock is busy and we start waiting (tests use it to release the holder). */
  onWait?: (holder: LockHolder | null) => void;
}

/** A held lock; release() is idempotent. */
export interface ImageLock {
  readonly lockFile: string;
  release(): Promise<void>;
}

/**
 * Takes the write lock of the image at `image` (absolute path of the raw file,
 * the VMDK descriptor or the block device). `fallbackDir` is where the lock file
 * goes when it cannot be created next to the image (the journal's folder).
 * Waits up to lockWaitMs for a live holder, then throws ImageLockedError.
 */
export async function lockImage(image: string, kind: ImageKind, fallbackDir: string, options: LockOptions = {}): Promise<ImageLock> {
  const real = await fsp.realpath(image).catch(() => image);
  const stat = await fsp.stat(real);
  const key = kind === 'block-device' ? `rdev:${stat.rdev}` : `file:${stat.dev}:${stat.ino}`;
  const nextToImage = kind === 'block-device' ? null : real + LOCK_SUFFIX;
  const inFallback = path.join(fallbackDir, `${path.basename(real)}-${hash(key)}${LOCK_SUFFIX}`);
  const wait = options.lockWaitMs ?? IMAGE_LOCK_WAIT_MS;
  const deadline = Date.now() + wait;
  let waited = false;
  for (;;) {
    const attempt = await tryLock(key, nextToImage, inFallback, options.tool ?? defaultTool());
    if ('lock' in attempt) return attempt.lock;
    if (Date.now() >= deadline) throw new ImageLockedError(image, attempt.lockFile, attempt.holder ? describeHolder(attempt.holder) : null, !attempt.checkable);
    if (!waited) options.onWait?.(attempt.holder);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(IMAGE_LOCK_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}

type Attempt = { lock: ImageLock } | { holder: LockHolder | null; lockFile: string; checkable: boolean };

async function tryLock(key: string, nextToImage: string | null, inFallback: string, tool: string): Promise<Attempt> {
  const kernel = await bindKernelName(key);
  if (kernel === 'busy') {
    // A live process on this host holds it; its lock file names it (if it got that far).
    const holder = (nextToImage ? await readHolder(nextToImage) : null) ?? (await readHolder(inFallback));
    return { holder, lockFile: nextToImage ?? inFallback, checkable: true };
  }
  try {
    const candidates = nextToImage ? [nextToImage, inFallback] : [inFallback];
    let lastError: unknown = null;
    for (const file of candidates) {
      const result = await tryLockFile(file, kernel !== null, tool);
      if (result === 'unwritable') {
        lastError = new JournalNotWritableError(file, msg('the folder does not accept the lock file'));
        continue;
      }
      if ('fd' in result) {
        const lock = heldLock(file, result.fd, result.ino, kernel);
        // A writer that could not write next to the image keeps its lock file in the fallback folder.
        const other = file !== inFallback ? await readLockFile(inFallback) : null;
        const verdict = other?.holder ? staleness(other.holder) : 'stale';
        if (verdict !== 'stale') {
          await lock.release();
          return { holder: other!.holder, lockFile: inFallback, checkable: verdict === 'live' };
        }
        return { lock };
      }
      await closeKernelName(kernel);
      return { holder: result.holder, lockFile: file, checkable: result.checkable };
    }
    throw lastError;
  } catch (error) {
    await closeKernelName(kernel);
    throw error;
  }
}

/** Creates the lock file exclusively, breaking it first if it is stale. */
async function tryLockFile(
  file: string,
  haveKernelName: boolean,
  tool: string,
): Promise<{ fd: fsp.FileHandle; ino: number } | { holder: LockHolder | null; checkable: boolean } | 'unwritable'> {
  for (let round = 0; round < 3; round++) {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | (fsc.O_NOFOLLOW ?? 0), 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'ENOTDIR') {
        if (code === 'ENOENT') {
          // The fallback folder may not exist yet.
          const made = await fsp.mkdir(path.dirname(file), { recursive: true }).then(
            () => true,
            () => false,
          );
          if (made && round === 0) continue;
        }
        return 'unwritable';
      }
      if (code !== 'EEXIST' && code !== 'ELOOP') throw error;
      // Someone's lock file (or something planted at its name: a symlink is never followed).
      const seen = await readLockFile(file);
      if (!seen) continue; // gone again: try once more
      if (seen.unreadable) {
        // Garbage or a planted symlink: only a writer holding the kernel name may remove it.
        if (haveKernelName && (await breakStale(file, seen, true))) continue;
        return { holder: null, checkable: false };
      }
      const verdict = staleness(seen.holder);
      if (verdict !== 'stale') return { holder: seen.holder, checkable: verdict === 'live' };
      if (!(await breakStale(file, seen, haveKernelName))) return { holder: seen.holder, checkable: true };
      continue;
    }
    try {
      await handle.writeFile(JSON.stringify(me(tool)) + '\n');
      const { ino } = await handle.stat();
      return { fd: handle, ino };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(file, { force: true }).catch(() => undefined);
      throw error;
    }
  }
  return { holder: null, checkable: true };
}

interface SeenLock {
  holder: LockHolder | null;
  ino: number;
  text: string;
  /** Not a lock file we can read (garbage, a symlink, too large). */
  unreadable: boolean;
}

async function readLockFile(file: string): Promise<SeenLock | null> {
  let stat: fs.Stats;
  try {
    stat = await fsp.lstat(file);
  } catch {
    return null;
  }
  if (!stat.isFile()) return { holder: null, ino: stat.ino, text: '', unreadable: true };
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(file, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0) | (fsc.O_NONBLOCK ?? 0));
    const fstat = await handle.stat();
    if (!fstat.isFile() || fstat.size > MAX_LOCK_FILE_BYTES) return { holder: null, ino: fstat.ino, text: '', unreadable: true };
    const buffer = Buffer.alloc(MAX_LOCK_FILE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    return { holder: parseHolder(text), ino: fstat.ino, text, unreadable: parseHolder(text) === null };
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function readHolder(file: string): Promise<LockHolder | null> {
  return (await readLockFile(file))?.holder ?? null;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || !Number.isSafeInteger(v.pid) || typeof v.host !== 'string') return null;
    const str = (x: unknown): string | null => (typeof x === 'string' ? x.slice(0, 200) : null);
    return {
      pid: v.pid as number,
      host: (v.host as string).slice(0, 200),
      bootId: str(v.bootId),
      startTicks: str(v.startTicks),
      tool: str(v.tool) ?? 'unknown',
      since: str(v.since) ?? '',
    };
  } catch {
    return null;
  }
}

/**
 * 'stale': the holder is gone; 'live': it runs; 'unknown': another host or boot
 * namespace we cannot look into (never broken automatically). Unreadable files
 * count as 'stale' only for the caller that holds the kernel name.
 */
function staleness(holder: LockHolder | null): 'stale' | 'live' | 'unknown' {
  if (!holder) return 'unknown';
  const self = me('');
  if (holder.host !== self.host || holder.bootId !== self.bootId) return 'unknown';
  if (holder.pid <= 0) return 'stale';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'stale';
  }
  // Alive (or not ours to signal: EPERM). A pid reused by a later process is stale.
  const ticks = startTicks(holder.pid);
  if (holder.startTicks !== null && ticks !== null && ticks !== holder.startTicks) return 'stale';
  return 'live';
}

async function breakStale(file: string, seen: SeenLock, haveKernelName: boolean): Promise<boolean> {
  if (haveKernelName) {
    // No other writer on this host can be here: the kernel name is ours.
    const now = await fsp.lstat(file).catch(() => null);
    if (now && now.ino === seen.ino) await fsp.rm(file, { force: true });
    return true;
  }
  // No kernel name: move it aside, then make sure it is the file we judged stale.
  const aside = `${file}.stale-${randomBytes(8).toString('hex')}`;
  try {
    await fsp.rename(file, aside);
  } catch {
    return true; // already gone: try again
  }
  const moved = await readLockFile(aside);
  if (moved && moved.ino === seen.ino && moved.text === seen.text) {
    await fsp.rm(aside, { force: true });
    return true;
  }
  // We moved a fresh lock of another writer: put it back unless a third one took the name.
  await fsp.link(aside, file).catch(() => undefined);
  await fsp.rm(aside, { force: true });
  return false;
}

function heldLock(file: string, handle: fsp.FileHandle, ino: number, kernel: net.Server | null): ImageLock {
  let released = false;
  return {
    lockFile: file,
    async release() {
      if (released) return;
      released = true;
      // Remove the file only while it is still ours (nobody may have replaced it, but be sure).
      const now = await fsp.lstat(file).catch(() => null);
      if (now && now.ino === ino) await fsp.rm(file, { force: true }).catch(() => undefined);
      await handle.close().catch(() => undefined);
      await closeKernelName(kernel);
    },
  };
}

/** Binds the kernel name of `key`: the server, 'busy', or null where the platform has none. */
async function bindKernelName(key: string): Promise<net.Server | 'busy' | null> {
  const name = kernelName(key);
  if (name === null) return null;
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('busy');
      else if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'ENOTSUP' || error.code === 'EAFNOSUPPORT') resolve(null);
      else reject(error);
    });
    server.listen({ path: name, exclusive: true }, () => {
      server.unref(); // never keeps the process alive on its own
      resolve(server);
    });
  });
}

async function closeKernelName(server: net.Server | 'busy' | null): Promise<void> {
  if (server === null || server === 'busy') return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function kernelName(key: string): string | null {
  if (process.platform === 'linux') return `\0diskx-image-lock:${hash(key)}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\diskx-image-lock-${hash(key)}`;
  return null;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

function me(tool: string): LockHolder {
  return { pid: process.pid, host: os.hostname(), bootId: bootId(), startTicks: startTicks(process.pid), tool, since: new Date().toISOString() };
}

let cachedBootId: string | null | undefined;
function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 64) || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
function startTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function defaultTool(): string {
  return process.title || 'node';
}

/** "diskx (pid 123 on host h, since 2026-12-01T12:00:00Z)" */
export function describeHolder(holder: LockHolder): Message {
  return holder.since
    ? msg('{0} (pid {1} on host {2}, since {3})', holder.tool, holder.pid, holder.host, holder.since)
    : msg('{0} (pid {1} on host {2})', holder.tool, holder.pid, holder.host);
}
