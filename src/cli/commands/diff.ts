// `diskx diff A B [--json] [--bytes]`: the structural diff (headers field by
// field, partitions matched by unique GUID with their slots) and, with --bytes,
// a streaming byte diff of both whole images in bounded memory.
//
// Exit codes: 0 identical in what was compared (the structures; with --bytes
// also every byte and the size), 1 different, 2 error (one line on stderr).
import type { AnalyzedImage } from '../../core/index';
import { analyzeImage } from '../../core/index';
import { describeError, UsageError } from '../../core/errors';
import { structuralDiff } from '../../core/diff/structuralDiff';
import { byteDiff, DEFAULT_MAX_RANGES, MAX_RANGES_LIMIT } from '../../core/diff/byteDiff';
import type { ByteDiffResult } from '../../core/diff/byteDiff';
import { scanSourceFor } from '../../core/io/scanSource';
import type { ByteSource } from '../../core/io/byteSource';
import type { CliCommand, CommandContext, CommandResult } from '../command';
import { fail } from '../command';
import { parseArgs, sectorSizeFlag } from '../args';
import { formatSize } from '../format';
import { diffJson, formatDiff } from '../diffFormat';
import { terminalProgress } from '../progress';

const FLAGS = { json: {}, bytes: {}, 'max-ranges': { value: true }, 'sector-size': { value: true } };

export const diffCommand: CliCommand = {
  name: 'diff',
  usage: `  diff    A B [--json] [--bytes] [--max-ranges N] [--sector-size 512|4096]
          compare two images: GPT/MBR headers field by field, partitions matched by unique GUID
          (else type + first LBA) with their slots; --bytes also scans every byte (bounded memory);
          exit 0 identical in what was compared, 1 different, 2 error`,
  flags: FLAGS,
  run: runDiff,
};

async function runDiff(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FLAGS);
  if (args.positional.length !== 2)
    throw new UsageError(args.positional.length < 2 ? 'diff needs two images: diskx diff A B' : `diff compares two images, got ${args.positional.length}`);
  const [pathA, pathB] = args.positional as [string, string];
  const sectorSize = sectorSizeFlag(args);
  const maxRanges = maxRangesFlag(args.flags.get('max-ranges')?.[0]);

  const progress = args.flags.has('bytes')
    ? terminalProgress('diskx: comparing bytes', (done, total) => `(${formatSize(done)} of ${formatSize(total)})`)
    : undefined;
  const opened: AnalyzedImage[] = [];
  const scans: ByteSource[] = [];
  let current = pathA;
  try {
    opened.push(await analyzeImage(pathA, { sectorSize, open: context.open }));
    current = pathB;
    opened.push(await analyzeImage(pathB, { sectorSize, open: context.open }));
    const [a, b] = opened as [AnalyzedImage, AnalyzedImage];
    const diff = structuralDiff(a.disk, b.disk);
    let bytes: ByteDiffResult | null = null;
    if (args.flags.has('bytes')) {
      current = pathA;
      scans.push(await scanSourceFor(a.opened));
      current = pathB;
      scans.push(await scanSourceFor(b.opened));
      current = `${pathA}, ${pathB}`;
      bytes = await byteDiff(scans[0]!, scans[1]!, { maxRanges, ...(progress ? { onProgress: progress.update } : {}) });
    }
    const identical = diff.identical && (bytes === null || bytes.identical);
    const stdout = args.flags.has('json') ? JSON.stringify(diffJson(diff, bytes), null, 2) : formatDiff(diff, a.disk, b.disk, bytes);
    return { stdout, exitCode: identical ? 0 : 1 };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (process.env.DISKX_DEBUG === '1' && error instanceof Error) context.stderr(String(error.stack));
    return fail(context, `${current}: ${describeError(error)}`);
  } finally {
    progress?.done();
    const sources = new Set<ByteSource>([...scans, ...opened.map((o) => o.opened.source)]);
    await Promise.allSettled([...sources].map((s) => s.close()));
  }
}

function maxRangesFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_RANGES;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_RANGES_LIMIT)
    throw new UsageError(`--max-ranges must be a whole number from 1 to ${MAX_RANGES_LIMIT}, not ${text}`);
  return value;
}
