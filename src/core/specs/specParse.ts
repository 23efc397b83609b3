// Applies a compiled spec to an image: reads the window through the ByteSource (never
// more than SPEC_WINDOW_BYTES) and parses it in a worker thread with a heap cap and a
// time limit. The worker stays up for lazy instances until disposed.
import { Worker } from 'node:worker_threads';
import type { ByteSource } from '../io/byteSource';
import { MAX_SPEC_FIELDS, SPEC_PARSE_HEAP_MB, SPEC_PARSE_TIME_LIMIT_MS, SPEC_WINDOW_BYTES } from '../limits';
import { distFile, type CompiledSpec } from './specCompiler';
import { SpecParseError, type SpecField, type SpecParseResult } from './specTypes';
import { msg } from '../../shared/l10n';
import type { SpecWorkerInput, SpecWorkerReply } from './specWorker';

export interface SpecParseOptions {
  /** Absolute offset where the spec's root structure starts. */
  at: number;
  /** Bytes the spec may read from `at` (default SPEC_WINDOW_BYTES; never more). */
  windowBytes?: number;
  timeLimitMs?: number;
  heapMb?: number;
  /** Evaluate every instance now (the CLI) instead of on `expand` (the editor). */
  evaluateInstances?: boolean;
  maxFields?: number;
  /** The worker script; default dist/spec-worker.js. */
  workerPath?: string;
}

/** Bytes read per call while filling the window. */
const WINDOW_READ_CHUNK = 1024 * 1024;

/** A spec applied at one place: its result, and a live worker for lazy instances. */
export class SpecParse {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (field: SpecField) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly result: SpecParseResult,
    private readonly timeLimitMs: number,
  ) {
    worker.on('message', (reply: SpecWorkerReply) => {
      if (reply.type !== 'expanded') return;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.field) waiting.resolve(reply.field);
      else waiting.reject(new SpecParseError(reply.error ?? 'the instance could not be read'));
    });
    const stop = (message: string): void => {
      this.closed = true;
      for (const waiting of this.pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject(new SpecParseError(message));
      }
      this.pending.clear();
    };
    worker.on('error', (error) => stop(workerFailure(error)));
    worker.on('exit', () => stop('the parse worker has stopped'));
  }

  /** Reads the window and parses it; rejects with SpecParseError when the worker is stopped. */
  static async start(compiled: CompiledSpec, source: ByteSource, options: SpecParseOptions): Promise<SpecParse> {
    const window = await readWindow(source, options.at, options.windowBytes ?? SPEC_WINDOW_BYTES);
    const workerPath = options.workerPath ?? distFile('spec-worker.js');
    if (!workerPath) throw new SpecParseError(msg('dist/spec-worker.js is missing: run the build (npm run build)'));
    const limitMs = options.timeLimitMs ?? SPEC_PARSE_TIME_LIMIT_MS;
    const heapMb = options.heapMb ?? SPEC_PARSE_HEAP_MB;
    const input: SpecWorkerInput = {
      files: compiled.files,
      mainClass: compiled.mainClass,
      id: compiled.id,
      types: compiled.types,
      window: window.buffer,
      at: options.at,
      windowEnd: window.byImageEnd ? 'image' : 'limit',
      evaluateInstances: options.evaluateInstances ?? false,
      maxFields: options.maxFields ?? MAX_SPEC_FIELDS,
    };
    const worker = new Worker(workerPath, {
      workerData: input,
      transferList: [window.buffer],
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, heapMb / 8)), stackSizeMb: 4 },
      stdout: true,
      stderr: true,
      execArgv: [],
      env: {},
    });
    const result = await new Promise<SpecParseResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(
          new SpecParseError(
            msg('{0}: parsing did not finish within {1} s and was stopped (an endless repeat, or too much to read?)', compiled.id, limitMs / 1000),
          ),
        );
      }, limitMs);
      worker.once('message', (reply: SpecWorkerReply) => {
        clearTimeout(timer);
        if (reply.type === 'result') resolve(reply.result);
      });
      worker.once('error', (error) => (clearTimeout(timer), reject(new SpecParseError(msg('{0}: {1}', compiled.id, workerFailure(error, heapMb))))));
      worker.once('exit', (code) => (clearTimeout(timer), reject(new SpecParseError(msg('{0}: the parse worker stopped (exit {1})', compiled.id, code)))));
    });
    return new SpecParse(worker, result, limitMs);
  }

  /** Evaluates the instance at `path` (lazy `pos:`/`value:` fields) and returns it with its children. */
  expand(path: string): Promise<SpecField> {
    if (this.closed) return Promise.reject(new SpecParseError(msg('the parse worker has stopped; apply the spec again')));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.dispose();
        reject(new SpecParseError(msg('{0}: did not finish within {1} s and was stopped', path, this.timeLimitMs / 1000)));
      }, this.timeLimitMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ type: 'expand', id, path });
    });
  }

  /** Stops the worker. */
  async dispose(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}

function workerFailure(error: Error, heapMb = SPEC_PARSE_HEAP_MB): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return `parsing used more than its ${heapMb} MiB and was stopped (an endless repeat, or a huge array?)`;
  return `the parse failed: ${error.message}`;
}

/** Reads [at, at + limit) clipped to the image, in chunks, into one buffer. */
export async function readWindow(source: ByteSource, at: number, limit: number): Promise<{ buffer: ArrayBuffer; byImageEnd: boolean }> {
  if (!Number.isSafeInteger(at) || at < 0 || at >= source.size) {
    throw new SpecParseError(msg('offset {0} is outside the image ({1} bytes)', at, source.size));
  }
  const size = Math.min(limit, SPEC_WINDOW_BYTES, source.size - at);
  const bytes = new Uint8Array(size);
  for (let done = 0; done < size; done += WINDOW_READ_CHUNK) {
    bytes.set(await source.read(at + done, Math.min(WINDOW_READ_CHUNK, size - done)), done);
  }
  return { buffer: bytes.buffer, byImageEnd: source.size - at <= Math.min(limit, SPEC_WINDOW_BYTES) };
}
