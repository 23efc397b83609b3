// The undo journal: what a repair is about to write and what it overwrites, on
// stable storage before the first byte of the image changes.
//
// Location: a sidecar file next to the image, `IMAGE.diskx-journal` (IMAGE the
// real path of what the user named: the raw file or the .vmdk descriptor), so it
// travels with the image and is found without configuration. Block devices get
// theirs in a state folder instead (`$XDG_STATE_HOME/diskx/journals`, default
// `~/.local/state/diskx/journals`), since /dev is a tmpfs lost at reboot. The
// environment variable DISKX_JOURNAL_DIR (passed in as `journalDir`) puts every
// journal in that folder, named after the image's encoded real path.
//
// Format: JSON (readable in an emergency with any editor):
//   { format: "diskx-undo-journal", version: 1, image, entries: [Entry...] }
//   Entry = { id, state, fixes: [{id, title}], createdAt, appliedAt?, undoneAt?,
//             sizeBytes, sectorSize, identity, files: [{file, start, size, fileOffset}],
//             writes: [{offset, before: hex, after: hex}],
//             sectorsAfter: [{offset, bytes: hex}],
//             containerWrites?: [{file, offset, before: hex, after: hex, what}] }
// `containerWrites` are a container's own metadata (a VHDX header), at file
// offsets of `file`: written (and fsynced) before `writes`, restored after them.
// `writes` are byte runs (image offsets; whole sectors in journals written before
// byte runs) in the order they are written; `sectorsAfter` holds the whole
// sectors they touch as they were right after the repair, so undo can tell
// when anything in them changed since. The history keeps every entry, so
// repairs are undone newest first.
// States: "pending" (journal on disk, image writes may have started), "applied"
// (every write done and fsynced), "undoing" (undo started), "undone".
// Every update replaces the file atomically: write a temporary file, fsync it,
// rename it over the journal, fsync the folder. A crash therefore leaves the old
// or the new journal, never a torn one.
import type { ImageKind } from '../io/openImage';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { JournalCorruptError, JournalNotWritableError, JournalUntrustedError } from './errors';
import { createExclusive, readRegularFile, removeLeftovers, untrustedBecause } from './safeFiles';
import { MAX_JOURNAL_BYTES, SUPPORTED_SECTOR_SIZES } from '../limits';
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

export const JOURNAL_FORMAT = 'diskx-undo-journal';
export const JOURNAL_VERSION = 1;
export const JOURNAL_SUFFIX = '.diskx-journal';

export type JournalState = 'pending' | 'applied' | 'undoing' | 'undone';

/** One sector-aligned write: image offset, old and new bytes as hex. */
export interface JournalWrite {
  offset: number;
  before: string;
  after: string;
}

/** One repair (one `diskx fix --write`, possibly several fix ids). */
export interface JournalEntry {
  id: number;
  state: JournalState;
  fixes: { id: string; title: string }[];
  createdAt: string;
  appliedAt?: string;
  undoneAt?: string;
  sizeBytes: number;
  sectorSize: number;
  files: { file: string; start: number; size: number; fileOffset: number }[];
  writes: JournalWrite[];
  /** diskFingerprint() of the image before and after the repair (undo runs only on an image with one of them); absent in old journals. */
  identity?: string[];
  /** The whole sectors the writes touch as they were right after the repair (hex); absent in old journals, whose writes were whole sectors. */
  sectorsAfter?: { offset: number; bytes: string }[];
  /** Container metadata written before `writes` (file offsets of `file`), restored after them by undo; absent when none. */
  containerWrites?: JournalContainerWrite[];
}

/** One write of a container's own metadata: file, file offset, old and new bytes as hex, what it is. */
export interface JournalContainerWrite {
  file: string;
  offset: number;
  before: string;
  after: string;
  what: string;
}

export interface Journal {
  format: typeof JOURNAL_FORMAT;
  version: typeof JOURNAL_VERSION;
  image: string;
  entries: JournalEntry[];
}

export interface JournalOptions {
  /** Folder for every journal (DISKX_JOURNAL_DIR); default: next to the image, or the state folder for devices. */
  journalDir?: string;
}

/** Where the journal of `image` (an absolute path) lives. */
export async function journalPathFor(image: string, kind: ImageKind, options: JournalOptions = {}): Promise<string> {
  let real = image;
  try {
    real = await fsp.realpath(image);
  } catch {
    /* keep the given path; opening the image reports the real problem */
  }
  if (options.journalDir) return path.join(path.resolve(options.journalDir), encodedName(real));
  if (kind === 'block-device') {
    const state = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
    return path.join(state, 'diskx', 'journals', encodedName(real));
  }
  return real + JOURNAL_SUFFIX;
}

// A file name that identifies the image's path and stays within NAME_MAX.
function encodedName(real: string): string {
  const readable = real
    .replace(/[^\w.-]+/g, '_')
    .replace(/^_+/, '')
    .slice(-120);
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  return `${readable}-${hash}${JOURNAL_SUFFIX}`;
}

/**
 * Reads the journal, or null when there is none. Throws JournalCorruptError on
 * anything unreadable (not a regular file, over MAX_JOURNAL_BYTES, not our
 * format) and JournalUntrustedError when someone else could have written it.
 */
export async function readJournal(journalPath: string): Promise<Journal | null> {
  let read: Awaited<ReturnType<typeof readRegularFile>>;
  try {
    read = await readRegularFile(journalPath, MAX_JOURNAL_BYTES);
  } catch (error) {
    throw new JournalCorruptError(journalPath, (error as Error).message);
  }
  if (!read) return null;
  // ssh's rule for key files: a journal tells undo what to write, so it must be ours.
  const untrusted = untrustedBecause(read.stat);
  if (untrusted) throw new JournalUntrustedError(journalPath, untrusted);
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    throw new JournalCorruptError(journalPath, msg('not JSON: {0}', (error as Error).message));
  }
  return validateJournal(journalPath, value);
}

// The journal is input like any other: check its shape before trusting offsets.
function validateJournal(journalPath: string, value: unknown): Journal {
  const bad = (what: Message): never => {
    throw new JournalCorruptError(journalPath, what);
  };
  if (!isRecord(value) || value.format !== JOURNAL_FORMAT) bad(msg('not a {0} file', JOURNAL_FORMAT));
  const record = value as Record<string, unknown>;
  if (record.version !== JOURNAL_VERSION) bad(msg('version {0} is not {1}', String(record.version), JOURNAL_VERSION));
  if (typeof record.image !== 'string' || !Array.isArray(record.entries)) bad(msg('missing image or entries'));
  const states: JournalState[] = ['pending', 'applied', 'undoing', 'undone'];
  for (const entry of record.entries as unknown[]) {
    if (!isRecord(entry)) bad(msg('an entry is not an object'));
    const e = entry as Record<string, unknown>;
    if (!Number.isSafeInteger(e.id) || !states.includes(e.state as JournalState)) bad(msg('an entry has no id or an unknown state'));
    if (
      !Number.isSafeInteger(e.sizeBytes) ||
      !Number.isSafeInteger(e.sectorSize) ||
      !Array.isArray(e.writes) ||
      !Array.isArray(e.fixes) ||
      !Array.isArray(e.files)
    ) {
      bad(msg('entry {0} lacks sizeBytes, sectorSize, files, fixes or writes', String(e.id)));
    }
    if (!SUPPORTED_SECTOR_SIZES.includes(e.sectorSize as number))
      bad(msg('entry {0} has sector size {1}, not 512 or 4096', String(e.id), String(e.sectorSize)));
    for (const write of e.writes as unknown[]) {
      const w = write as Record<string, unknown>;
      const ok =
        isRecord(write) &&
        Number.isSafeInteger(w.offset) &&
        (w.offset as number) >= 0 &&
        typeof w.before === 'string' &&
        typeof w.after === 'string' &&
        /^([0-9a-f]{2})*$/i.test(w.before) &&
        w.before.length === w.after.length &&
        /^([0-9a-f]{2})*$/i.test(w.after) &&
        (w.offset as number) + w.before.length / 2 <= (e.sizeBytes as number);
      if (!ok) bad(msg('entry {0} has a malformed write', String(e.id)));
    }
    if (e.identity !== undefined && (!Array.isArray(e.identity) || e.identity.length > 2 || !e.identity.every((x) => typeof x === 'string' && x.length <= 200)))
      bad(msg('entry {0} has a malformed identity', String(e.id)));
    if (e.sectorsAfter !== undefined) {
      if (!Array.isArray(e.sectorsAfter)) bad(msg('entry {0} has malformed sectorsAfter', String(e.id)));
      for (const sector of e.sectorsAfter as unknown[]) {
        const x = sector as Record<string, unknown>;
        const ok =
          isRecord(sector) &&
          Number.isSafeInteger(x.offset) &&
          (x.offset as number) >= 0 &&
          typeof x.bytes === 'string' &&
          /^([0-9a-f]{2})*$/i.test(x.bytes) &&
          (x.offset as number) + x.bytes.length / 2 <= (e.sizeBytes as number);
        if (!ok) bad(msg('entry {0} has malformed sectorsAfter', String(e.id)));
      }
    }
    if (e.containerWrites !== undefined) {
      if (!Array.isArray(e.containerWrites)) bad(msg('entry {0} has malformed containerWrites', String(e.id)));
      for (const write of e.containerWrites as unknown[]) {
        const w = write as Record<string, unknown>;
        const ok =
          isRecord(write) &&
          typeof w.file === 'string' &&
          typeof w.what === 'string' &&
          Number.isSafeInteger(w.offset) &&
          (w.offset as number) >= 0 &&
          typeof w.before === 'string' &&
          typeof w.after === 'string' &&
          /^([0-9a-f]{2})*$/i.test(w.before) &&
          /^([0-9a-f]{2})*$/i.test(w.after) &&
          w.before.length === w.after.length;
        if (!ok) bad(msg('entry {0} has a malformed container write', String(e.id)));
      }
    }
  }
  return value as Journal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces the journal atomically and durably: a temporary file created
 * exclusively under an unpredictable name (never through a planted symlink),
 * fsync, rename over the journal, fsync of the folder. With `syncFolder: false`
 * the folder is not fsynced: the journal is then the old or the new file after
 * a power loss (both complete), and the next update's folder fsync makes the
 * rename durable. Only for an update whose loss leaves a recoverable state.
 */
export async function writeJournal(journalPath: string, journal: Journal, options: { syncFolder?: boolean } = {}): Promise<void> {
  const dir = path.dirname(journalPath);
  const text = JSON.stringify(journal, null, 1) + '\n';
  if (Buffer.byteLength(text) > MAX_JOURNAL_BYTES) {
    throw new JournalNotWritableError(
      journalPath,
      msg('it would grow beyond {0} bytes; once the image is known to be fine, move the journal aside to start a new one', MAX_JOURNAL_BYTES),
    );
  }
  let temp: string | null = null;
  try {
    await fsp.mkdir(dir, { recursive: true });
    const created = await createExclusive(`${journalPath}${TEMP_INFIX}`);
    temp = created.file;
    try {
      await created.handle.writeFile(text);
      await created.handle.sync();
    } finally {
      await created.handle.close();
    }
    await fsp.rename(temp, journalPath);
  } catch (error) {
    if (temp) await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw new JournalNotWritableError(journalPath, errnoText(error));
  }
  if (options.syncFolder ?? true) await syncDir(dir);
}

/** Checks that the journal's folder accepts files, before anything else happens (the probe is created exclusively too). */
export async function probeJournalDir(journalPath: string): Promise<void> {
  let probe: string | null = null;
  try {
    await fsp.mkdir(path.dirname(journalPath), { recursive: true });
    const created = await createExclusive(`${journalPath}${PROBE_INFIX}`);
    probe = created.file;
    await created.handle.close();
    await fsp.rm(probe);
  } catch (error) {
    if (probe) await fsp.rm(probe, { force: true }).catch(() => undefined);
    throw new JournalNotWritableError(journalPath, errnoText(error));
  }
}

/** Removes temporary and probe files of this journal that writers killed mid-update left behind. */
export async function removeJournalLeftovers(journalPath: string): Promise<string[]> {
  const dir = path.dirname(journalPath);
  const base = path.basename(journalPath);
  return [...(await removeLeftovers(dir, `${base}${TEMP_INFIX}`)), ...(await removeLeftovers(dir, `${base}${PROBE_INFIX}`))];
}

const TEMP_INFIX = '.tmp-';
const PROBE_INFIX = '.probe-';

// fsync of the folder makes the rename itself durable; some file systems refuse
// to open or sync a folder, where the rename is then as durable as they allow.
async function syncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    /* best effort: see above */
  } finally {
    await handle?.close();
  }
}

function errnoText(error: unknown): string | Message {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return msg('permission denied');
    case 'EROFS':
      return msg('read-only file system');
    case 'ENOSPC':
      return msg('no space left on device');
    case 'ENOTDIR':
      return msg('a part of the folder path is not a folder');
    case 'ENOENT':
      return msg('the folder cannot be created');
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The newest entry that is not undone (what `diskx undo` reverts), or null. */
export function lastUndoable(journal: Journal | null): JournalEntry | null {
  if (!journal) return null;
  for (let i = journal.entries.length - 1; i >= 0; i--) if (journal.entries[i]!.state !== 'undone') return journal.entries[i]!;
  return null;
}

/** The entry of an interrupted write or undo ("pending" / "undoing"), or null. */
export function interruptedEntry(journal: Journal | null): JournalEntry | null {
  const entry = lastUndoable(journal);
  return entry && (entry.state === 'pending' || entry.state === 'undoing') ? entry : null;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
