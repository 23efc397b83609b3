// Ctrl+C during a long read-only phase (a scan before a rebuild): instead of
// dying wherever it is, the command aborts at its next check and says that
// nothing was written (exit 130). Once the handler is removed (before any
// write starts) Ctrl+C is Node's default again; the writer's journal covers that.
import { InterruptedError } from '../core/errors';

/** Runs `task` with a signal that Ctrl+C (SIGINT) aborts with an InterruptedError saying what was stopped. */
export async function interruptible<T>(what: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new InterruptedError(`interrupted (Ctrl+C) during the ${what}: nothing was written`));
  process.on('SIGINT', onInterrupt);
  try {
    const result = await task(controller.signal);
    controller.signal.throwIfAborted();
    return result;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
