// Runs a byte diff of two files with the native helper set up for a test
// (smaller windows, thread counts, a fake helper path...), records the pid of
// every helper started, and puts NATIVE_DIFF back afterwards.
import { NATIVE_DIFF } from '../../src/core/diff/nativeDiff';
import { ScanFileSource } from '../../src/core/io/scanSource';

export async function withNativeSetup<T>(
  fileA: string,
  fileB: string,
  setup: Partial<typeof NATIVE_DIFF>,
  run: (a: ScanFileSource, b: ScanFileSource) => Promise<T>,
): Promise<{ value: T; pids: number[] }> {
  const saved = { ...NATIVE_DIFF };
  const pids: number[] = [];
  Object.assign(NATIVE_DIFF, { minBytes: 0, onSpawn: (pid: number) => pids.push(pid) }, setup);
  const a = await ScanFileSource.open(fileA);
  const b = await ScanFileSource.open(fileB);
  try {
    return { value: await run(a, b), pids };
  } finally {
    Object.assign(NATIVE_DIFF, saved);
    await a.close();
    await b.close();
  }
}
