// Messages between byteDiffInWorker (the caller's thread) and byteDiffWorker (a
// worker thread that opens both images itself and streams the byte diff there,
// so the extension host's main thread stays free while gigabytes are compared).
import type { ByteDiffResult } from './byteDiff';
import type { OpenImageOptions } from '../io/openImage';

/** The job, sent once as the worker's workerData. */
export interface WorkerJob {
  pathA: string;
  pathB: string;
  maxRanges: number;
  chunkSize?: number;
  readAhead?: number;
  skipHoles?: boolean;
  /** How to open the images (extents outside a descriptor's folder). */
  open?: OpenImageOptions;
}

/** The caller asks the worker to stop after the current chunk. */
export interface CancelMessage {
  type: 'cancel';
}

/** Worker to caller. */
export type WorkerReply =
  { type: 'progress'; done: number; total: number } | { type: 'result'; result: ByteDiffResult } | { type: 'error'; message: string; cancelled: boolean };
