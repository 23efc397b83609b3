// The byte diff's native fast path: a small C program (native/diskx-cmp.c, built by
// esbuild.mjs into dist/native/diskx-cmp when a C compiler is there) that maps both
// files with mmap in bounded windows and compares them with memcmp, without the
// copy that read() costs (about half the CPU of a cached scan). It gets the two
// files as descriptors this process already opened (stdio 3 and 4 of the child):
// it never opens a path, so it compares exactly the files that were checked.
//
// Optional: on another platform, for container images (their bytes come through a
// byte source, not a file), when the helper is missing, not executable or built for
// another machine, or DISKX_NATIVE_DIFF=0, byteDiff runs its JavaScript path with
// the same result. A failure once the helper has started (a file shrank under it,
// a read error, malformed output) is an error, as the JavaScript path's would be.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ByteSource } from '../io/byteSource';
import type { ByteSpan } from '../io/dataRanges';
import { DiskxError, TruncatedError } from '../errors';
import { NATIVE_DIFF_MAX_LINE, NATIVE_DIFF_MAX_STDERR, NATIVE_DIFF_MIN_BYTES, NATIVE_DIFF_THREADS, NATIVE_DIFF_WINDOW_BYTES } from '../limits';

/** A source backed by a plain file the helper can map: its descriptor and where its bytes start. */
export interface NativeMappable {
  /** The open regular file and the byte of it where this source's byte 0 is, or null when it is not one. */
  nativeFile(): { fd: number; base: number } | null;
}

function isNativeMappable(source: ByteSource): source is ByteSource & NativeMappable {
  return typeof (source as Partial<NativeMappable>).nativeFile === 'function';
}

/** Where the bundles live (dist/): the helper is dist/native/diskx-cmp; run from the sources, the built one. */
function defaultHelper(): string {
  const here = __dirname;
  if (path.basename(here) === 'dist') return path.join(here, 'native', 'diskx-cmp');
  return path.resolve(here, '..', '..', '..', 'dist', 'native', 'diskx-cmp');
}

/** The helper and how it is run (tests point it elsewhere, or at a smaller window). */
export const NATIVE_DIFF = {
  helper: defaultHelper(),
  windowBytes: NATIVE_DIFF_WINDOW_BYTES,
  threads: NATIVE_DIFF_THREADS,
  minBytes: NATIVE_DIFF_MIN_BYTES,
  /** Told the process id of every helper started (tests: it must be gone when the diff settles). */
  onSpawn: null as ((pid: number) => void) | null,
};

const PROTOCOL = '1';
const HELLO = `diskx-cmp ${PROTOCOL}`;

/** What the helper found (byteDiff adds sizes, tail and skipped bytes). */
export interface NativeOutcome {
  ranges: { offset: number; length: number }[];
  truncated: boolean;
  /** total, or where the first run beyond the cap starts when truncated. */
  scanned: number;
  /** Last progress reported (bytes before it compared). */
  done: number;
}

/** The helper's output did not follow its protocol. */
export class NativeOutputError extends Error {}

/** The helper failed during the scan (the message is one line for the user). */
export class NativeDiffError extends DiskxError {}

const NUMBER = /^(0|[1-9][0-9]{0,15})$/;

function num(text: string | undefined): number {
  if (text === undefined || !NUMBER.test(text)) throw new NativeOutputError(`bad number ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new NativeOutputError(`number out of range ${text}`);
  return value;
}

/**
 * Strict reader of the helper's stdout: the greeting, then "r OFFSET LENGTH"
 * (increasing, separated by at least one equal byte, inside [0, total), at most
 * maxRanges), "p DONE" (not decreasing), and one "e TRUNCATED SCANNED" last.
 * Anything else throws a NativeOutputError. Exported for tests.
 */
export class NativeOutputParser {
  readonly ranges: { offset: number; length: number }[] = [];
  greeted = false;
  ended = false;
  truncated = false;
  scanned = 0;
  done = 0;
  private carry = '';
  private lastEnd = -1;

  constructor(
    private readonly total: number,
    private readonly maxRanges: number,
    private readonly onProgress?: (done: number) => void,
  ) {}

  feed(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = this.carry + text.slice(start, nl);
      this.carry = '';
      start = nl + 1;
      if (line.length > NATIVE_DIFF_MAX_LINE) throw new NativeOutputError('line too long');
      this.line(line);
    }
    this.carry += text.slice(start);
    if (this.carry.length > NATIVE_DIFF_MAX_LINE) throw new NativeOutputError('line too long');
  }

  /** The output ended: it must have ended with the "e" record and a newline. */
  finish(): void {
    if (this.carry !== '') throw new NativeOutputError('output ends inside a line');
    if (!this.ended) throw new NativeOutputError('no end record');
  }

  private line(line: string): void {
    if (!this.greeted) {
      if (line !== HELLO) throw new NativeOutputError('no greeting');
      this.greeted = true;
      return;
    }
    if (this.ended) throw new NativeOutputError('output after the end record');
    const fields = line.split(' ');
    switch (fields[0]) {
      case 'r': {
        if (fields.length !== 3) throw new NativeOutputError('bad range record');
        const offset = num(fields[1]);
        const length = num(fields[2]);
        if (length < 1 || offset + length > this.total) throw new NativeOutputError('range outside the compared bytes');
        if (offset <= this.lastEnd) throw new NativeOutputError('ranges out of order or not maximal');
        if (this.ranges.length >= this.maxRanges) throw new NativeOutputError('more ranges than asked for');
        this.ranges.push({ offset, length });
        this.lastEnd = offset + length;
        return;
      }
      case 'p': {
        if (fields.length !== 2) throw new NativeOutputError('bad progress record');
        const done = num(fields[1]);
        if (done < this.done || done > this.total) throw new NativeOutputError('progress out of order');
        this.done = done;
        this.onProgress?.(done);
        return;
      }
      case 'e': {
        if (fields.length !== 3 || (fields[1] !== '0' && fields[1] !== '1')) throw new NativeOutputError('bad end record');
        const scanned = num(fields[2]);
        this.truncated = fields[1] === '1';
        if (!this.truncated && scanned !== this.total) throw new NativeOutputError('the scan ended early');
        if (this.truncated && (this.ranges.length !== this.maxRanges || scanned <= this.lastEnd || scanned >= this.total))
          throw new NativeOutputError('bad truncation');
        this.scanned = scanned;
        this.ended = true;
        return;
      }
      default:
        throw new NativeOutputError('unknown record');
    }
  }
}

/** The error a failed helper stands for: the JavaScript path's own for a shrunk file or a read error. */
function helperError(code: number | null, signal: NodeJS.Signals | null, stderr: string): Error {
  const line = stderr.split('\n')[0]!.trim();
  if (code === 3) {
    const shrunk = /^truncated [ab] (0|[1-9][0-9]{0,15}) (0|[1-9][0-9]{0,15})$/.exec(line);
    if (shrunk) return new TruncatedError(Number(shrunk[1]), Number(shrunk[2]), 0);
    if (/^io( [ab])?$/.test(line)) return Object.assign(new Error('input/output error'), { code: 'EIO' });
  }
  const what = signal ? `was killed (${signal})` : `failed (exit ${code}${line ? `: ${line.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}` : ''})`;
  return new NativeDiffError(`the native byte diff helper ${what}; DISKX_NATIVE_DIFF=0 uses the built-in diff`);
}

/** True when byteDiff should try the helper for these sources (it may still fall back). */
export function nativeWanted(a: ByteSource, b: ByteSource, total: number): boolean {
  if (process.platform !== 'linux' || total <= 0) return false;
  const mode = process.env.DISKX_NATIVE_DIFF;
  if (mode === '0') return false;
  if (mode !== '1' && total < NATIVE_DIFF.minBytes) return false;
  return isNativeMappable(a) && isNativeMappable(b) && a.nativeFile() !== null && b.nativeFile() !== null;
}

export interface NativeDiffOptions {
  total: number;
  maxRanges: number;
  /** What to compare: sorted, disjoint spans of [0, total) (outside them both images hold holes). */
  spans: ByteSpan[];
  signal?: AbortSignal;
  onProgress?: (done: number) => void;
}

/**
 * Compares `a` and `b` with the helper. Resolves null when the helper cannot be
 * used here (it did not start or did not greet: the caller runs its own path);
 * rejects with the signal's reason when cancelled (the helper is killed and has
 * exited by then), else with the scan's error.
 */
export function nativeDiff(a: ByteSource & NativeMappable, b: ByteSource & NativeMappable, options: NativeDiffOptions): Promise<NativeOutcome | null> {
  const fileA = a.nativeFile()!;
  const fileB = b.nativeFile()!;
  const { total, maxRanges, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const args = [
    PROTOCOL,
    '3',
    String(fileA.base),
    '4',
    String(fileB.base),
    String(total),
    String(maxRanges),
    String(NATIVE_DIFF.threads),
    String(NATIVE_DIFF.windowBytes),
  ];
  // Only what it reads: no inherited environment (DISKX_CMP_ADVICE: measurements of the mapping advice).
  const env: Record<string, string> = process.env.DISKX_CMP_ADVICE ? { DISKX_CMP_ADVICE: process.env.DISKX_CMP_ADVICE } : {};
  return new Promise<NativeOutcome | null>((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(NATIVE_DIFF.helper, args, { stdio: ['pipe', 'pipe', 'pipe', fileA.fd, fileB.fd], env, windowsHide: true });
    } catch {
      resolve(null);
      return;
    }
    if (child.pid !== undefined) NATIVE_DIFF.onSpawn?.(child.pid);
    const parser = new NativeOutputParser(total, maxRanges, options.onProgress);
    let failure: Error | null = null;
    let stderr = '';
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = (): void => kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', () => {
      // Could not start (missing, not executable, another machine's binary): the caller's path.
      if (!parser.greeted) settle(() => resolve(null));
      else failure ??= new NativeDiffError('the native byte diff helper stopped');
    });
    child.stdin!.on('error', () => undefined); // it exited before reading every span: its exit says why
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (text: string) => {
      if (failure) return;
      try {
        parser.feed(text);
      } catch (error) {
        failure = error as Error;
        kill();
      }
    });
    child.stderr!.setEncoding('latin1');
    child.stderr!.on('data', (text: string) => {
      if (stderr.length < NATIVE_DIFF_MAX_STDERR) stderr += text.slice(0, NATIVE_DIFF_MAX_STDERR - stderr.length);
    });
    child.on('close', (code, exitSignal) => {
      if (signal?.aborted) return settle(() => reject(signal.reason));
      if (!parser.greeted) return settle(() => resolve(null));
      if (failure) {
        // Malformed output, or an error of the caller's progress callback (passed on as it is, as the JS path does).
        const error =
          failure instanceof NativeOutputError
            ? new NativeDiffError(`the native byte diff helper's output is malformed (${failure.message}); DISKX_NATIVE_DIFF=0 uses the built-in diff`)
            : failure;
        return settle(() => reject(error));
      }
      if (code !== 0) return settle(() => reject(helperError(code, exitSignal, stderr)));
      try {
        parser.finish();
      } catch (error) {
        return settle(() =>
          reject(
            new NativeDiffError(`the native byte diff helper's output is malformed (${(error as Error).message}); DISKX_NATIVE_DIFF=0 uses the built-in diff`),
          ),
        );
      }
      settle(() => resolve({ ranges: parser.ranges, truncated: parser.truncated, scanned: parser.scanned, done: parser.done }));
    });
    child.stdin!.end(options.spans.map((s) => `${s.offset} ${s.length}\n`).join(''));
  });
}
