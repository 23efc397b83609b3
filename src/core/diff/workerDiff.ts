// Runs byteDiff in a worker thread (see byteDiffWorker.ts): the caller keeps its
// event loop, gets progress, and can cancel through an AbortSignal.
import { Worker } from 'node:worker_threads';
import type { ByteDiffResult } from './byteDiff';
import type { WorkerJob, WorkerReply } from './workerProtocol';
import type { OpenImageOptions } from '../io/openImage';

export interface WorkerDiffOptions {
  maxRanges: number;
  chunkSize?: number;
  readAhead?: number;
  skipHoles?: boolean;
  open?: OpenImageOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** How long a cancelled worker may take to stop by itself before it is terminated. */
const CANCEL_GRACE_MS = 2000;

/** Error from the worker (the message is already one line for the user). */
export class WorkerDiffError extends Error {}

/**
 * Compares the images at `pathA` and `pathB` byte for byte in a worker running
 * `workerScript` (the bundled byteDiffWorker.js). Rejects with the signal's
 * reason when cancelled.
 */
export function byteDiffInWorker(workerScript: string, pathA: string, pathB: string, options: WorkerDiffOptions): Promise<ByteDiffResult> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const job: WorkerJob = {
    pathA,
    pathB,
    maxRanges: options.maxRanges,
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    ...(options.readAhead ? { readAhead: options.readAhead } : {}),
    ...(options.skipHoles === false ? { skipHoles: false } : {}),
    ...(options.open ? { open: options.open } : {}),
  };
  return new Promise<ByteDiffResult>((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData: job });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      action();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' });
      killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: WorkerReply) => {
      switch (reply.type) {
        case 'progress':
          if (!settled) onProgress?.(reply.done, reply.total);
          break;
        case 'result':
          finish(() => resolve(reply.result));
          break;
        case 'error':
          finish(() => reject(reply.cancelled && signal?.aborted ? signal.reason : new WorkerDiffError(reply.message)));
          break;
      }
    });
    worker.on('error', (error) => finish(() => reject(new WorkerDiffError(`the byte diff stopped: ${error.message}`))));
    worker.on('exit', (code) =>
      finish(() => (signal?.aborted ? reject(signal.reason) : reject(new WorkerDiffError(`the byte diff worker exited (code ${code}) before it finished`)))),
    );
  });
}
