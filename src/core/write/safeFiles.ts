// File handling around the image that an attacker with write access to its
// folder cannot turn against us: our temporary and probe files are created
// exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) under unpredictable names, so a
// planted symlink or file makes the create fail instead of redirecting the
// write; files we read (journals) must be regular files, are opened so that a
// FIFO cannot block (O_NONBLOCK) and read only up to a limit; and a journal must
// be ours, the way ssh treats its key files.
import { constants as fsc, promises as fsp } from 'node:fs';
import type fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

const O_NOFOLLOW = fsc.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fsc.O_NONBLOCK ?? 0;

/** `${prefix}${pid}-${random}`: a name nobody can guess, that still says which process made it. */
export function unpredictableName(prefix: string): string {
  return `${prefix}${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** Creates a new file `${prefix}<pid>-<random>` exclusively, never through a symlink. */
export async function createExclusive(prefix: string, mode = 0o644): Promise<{ file: string; handle: fsp.FileHandle }> {
  const file = unpredictableName(prefix);
  const handle = await fsp.open(file, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | O_NOFOLLOW, mode);
  return { file, handle };
}

/**
 * Removes what killed writers left in `dir`: entries named `${base}<pid>` or
 * `${base}<pid>-<hex>` (the old and the new naming) whose process is gone.
 * Symlinks are removed, never followed; folders are removed only when `dirs`.
 */
export async function removeLeftovers(dir: string, base: string, options: { dirs?: boolean } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const match = /^(\d+)(?:-[0-9a-zA-Z]+)?$/.exec(name.slice(base.length));
    if (!match || processAlive(Number(match[1]))) continue;
    const file = path.join(dir, name);
    const stat = await fsp.lstat(file).catch(() => null);
    if (!stat) continue;
    if (stat.isDirectory() && !options.dirs) continue;
    if (!stat.isDirectory() && !stat.isFile() && !stat.isSymbolicLink()) continue;
    await fsp.rm(file, { recursive: stat.isDirectory(), force: true }).catch(() => undefined);
    removed.push(file);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a file cannot be read as a journal (or a lock file): not regular, too big. */
export class UnsafeFileError extends Error {}

/**
 * Reads a regular file of at most `maxBytes`: refuses symlinks, FIFOs, devices,
 * folders and sockets (lstat first, then opened O_NOFOLLOW|O_NONBLOCK and
 * checked again with fstat, so a swap in between is caught), and files that
 * are, or grow, larger than the limit. Null when there is no file.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<{ text: string; stat: fs.Stats } | null> {
  let link: fs.Stats;
  try {
    link = await fsp.lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  if (!link.isFile()) throw new UnsafeFileError(`it is ${kindOf(link)}, not a regular file`);
  if (link.size > maxBytes) throw new UnsafeFileError(`it is ${link.size} bytes, more than the ${maxBytes} a journal may have`);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, fsc.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UnsafeFileError('it is a symbolic link, not a regular file');
    if (code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.ino !== link.ino || stat.dev !== link.dev) throw new UnsafeFileError('it was replaced while it was opened');
    // Read at most one byte past the limit: a file that grew beyond it is refused, not read whole.
    const buffer = Buffer.alloc(Math.min(maxBytes, Math.max(stat.size, 0)) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    if (filled > maxBytes) throw new UnsafeFileError(`it is more than the ${maxBytes} bytes a journal may have`);
    if (filled > stat.size) throw new UnsafeFileError('it grew while it was read');
    return { text: buffer.subarray(0, filled).toString('utf8'), stat };
  } finally {
    await handle.close();
  }
}

/**
 * Why we do not trust a file someone else could have written: owned by another
 * user than us or root, or writable by group or others. Null when it is fine
 * (and on platforms without Unix owners).
 */
export function untrustedBecause(stat: fs.Stats): Message | null {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (uid === null || process.platform === 'win32') return null;
  if (stat.uid !== uid && stat.uid !== 0) return msg('it is owned by uid {0}, not by you (uid {1}) or root', stat.uid, uid);
  if ((stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    const group = (stat.mode & 0o020) !== 0;
    const others = (stat.mode & 0o002) !== 0;
    return group && others
      ? msg('it is writable by its group and others (mode {0})', mode)
      : group
        ? msg('it is writable by its group (mode {0})', mode)
        : msg('it is writable by others (mode {0})', mode);
  }
  return null;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}
