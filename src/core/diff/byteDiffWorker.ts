// Worker-thread entry (bundled as dist/byteDiffWorker.js): opens both images the
// way the comparison does (an image, else the plain file), streams byteDiff and
// posts progress at most every PROGRESS_INTERVAL_MS, then the result.
import { parentPort, workerData } from 'node:worker_threads';
import { byteDiff } from './byteDiff';
import type { ByteSource } from '../io/byteSource';
import { openImage } from '../io/openImage';
import type { OpenImageOptions } from '../io/openImage';
import { scanSourceFor, ScanFileSource } from '../io/scanSource';
import { NotADiskImageError, UnsupportedImageError, describeError } from '../errors';
import type { CancelMessage, WorkerJob, WorkerReply } from './workerProtocol';

const PROGRESS_INTERVAL_MS = 100;

async function openForScan(path: string, options: OpenImageOptions): Promise<ByteSource> {
  try {
    const opened = await openImage(path, options);
    const scan = await scanSourceFor(opened);
    if (scan !== opened.source) await opened.source.close();
    return scan;
  } catch (error) {
    if (!(error instanceof NotADiskImageError || error instanceof UnsupportedImageError)) throw error;
    return ScanFileSource.open(path);
  }
}

async function run(job: WorkerJob): Promise<void> {
  const port = parentPort!;
  const post = (reply: WorkerReply): void => port.postMessage(reply);
  const controller = new AbortController();
  port.on('message', (message: CancelMessage) => {
    if (message?.type === 'cancel') controller.abort(new Error('cancelled'));
  });
  const sources: ByteSource[] = [];
  let last = 0;
  try {
    sources.push(await openForScan(job.pathA, job.open ?? {}));
    sources.push(await openForScan(job.pathB, job.open ?? {}));
    const result = await byteDiff(sources[0]!, sources[1]!, {
      maxRanges: job.maxRanges,
      ...(job.chunkSize ? { chunkSize: job.chunkSize } : {}),
      ...(job.readAhead ? { readAhead: job.readAhead } : {}),
      ...(job.skipHoles === false ? { skipHoles: false } : {}),
      signal: controller.signal,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && done < total) return;
        last = now;
        post({ type: 'progress', done, total });
      },
    });
    post({ type: 'result', result });
  } catch (error) {
    post({ type: 'error', message: describeError(error), cancelled: controller.signal.aborted });
  } finally {
    await Promise.allSettled(sources.map((s) => s.close()));
    port.close();
  }
}

if (parentPort) void run(workerData as WorkerJob);
