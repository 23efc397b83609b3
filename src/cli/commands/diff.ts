// `diskx diff A B [--json] [--bytes]`: the structural diff (headers field by
// field, partitions matched by unique GUID with their slots) and, with --bytes,
// a streaming byte diff of both whole images in bounded memory.
//
// Exit codes: 0 identical in what was compared (the structures; with --bytes
// also every byte and the size), 1 different, 2 error (one line on stderr).
import { openImage } from '../../core/io/openImage';
import type { OpenedImage } from '../../core/io/openImage';
import { readDisk } from '../../core/diskModel';
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
  const opened: OpenedImage[] = [];
  const scans: ByteSource[] = [];
  // The byte diff of two plain files reads them while their structures are parsed (the parse's few reads
  // queue behind it); a container's byte source is the parser's own, so its byte diff waits for the parse.
  const stop = new AbortController();
  let scanning: Promise<ByteDiffResult> | null = null;
  const startScan = (): Promise<ByteDiffResult> => {
    const run = byteDiff(scans[0]!, scans[1]!, { maxRanges, signal: stop.signal, ...(progress ? { onProgress: progress.update } : {}) });
    run.catch(() => undefined); // awaited below, after the parses; never unhandled meanwhile
    return run;
  };
  let current = pathA;
  try {
    opened.push(await openImage(pathA, context.open));
    current = pathB;
    opened.push(await openImage(pathB, context.open));
    const [openedA, openedB] = opened as [OpenedImage, OpenedImage];
    if (args.flags.has('bytes')) {
      current = pathA;
      scans.push(await scanSourceFor(openedA));
      current = pathB;
      scans.push(await scanSourceFor(openedB));
      if (scans[0] !== openedA.source && scans[1] !== openedB.source) scanning = startScan();
    }
    current = pathA;
    const diskA = await readDisk(openedA.source, { sectorSize });
    current = pathB;
    const diskB = await readDisk(openedB.source, { sectorSize });
    const diff = structuralDiff(diskA, diskB);
    current = `${pathA}, ${pathB}`;
    if (scans.length === 2 && !scanning) scanning = startScan();
    const bytes = scanning ? await scanning : null;
    const identical = diff.identical && (bytes === null || bytes.identical);
    const stdout = args.flags.has('json') ? JSON.stringify(diffJson(diff, bytes), null, 2) : formatDiff(diff, diskA, diskB, bytes);
    return { stdout, exitCode: identical ? 0 : 1 };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (process.env.DISKX_DEBUG === '1' && error instanceof Error) context.stderr(String(error.stack));
    return fail(context, `${current}: ${describeError(error)}`);
  } finally {
    // A failed parse stops the byte diff; its reads end before the files close.
    stop.abort();
    await scanning?.catch(() => undefined);
    progress?.done();
    const sources = new Set<ByteSource>([...scans, ...opened.map((o) => o.source)]);
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
