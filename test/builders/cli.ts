// Runs the built CLI (`node dist/cli.js`) as a user would, capturing its exit
// code and both streams. Async so tests can run several at once.
import { execFile } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

/** What one `diskx` run did. */
export interface CliRun {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args`; never rejects on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.DISKX_DEBUG === undefined) delete childEnv.DISKX_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: childEnv, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; signal?: string | null }) | null;
      resolve({
        status: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

/** Runs `tasks` with at most `limit` of them at once, keeping the results in order. */
export async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
