// `diskx find IMAGE PATTERN [--text|--utf16|--guid] [--json]`: every offset where
// the pattern occurs, streamed over the whole image in bounded memory (holes of
// sparse raw files skipped), each named by the structure field it falls in.
//
// Exit codes: 0 found, 1 not found, 2 error (a bad pattern, an unreadable image).
import { openImage } from '../../core/io/openImage';
import { readDisk } from '../../core/diskModel';
import type { DiskModel } from '../../core/diskModel';
import { findInImage, parsePattern, patternText } from '../../core/find/index';
import type { FindResult, PatternMode, SearchPattern } from '../../core/find/index';
import { annotatePatch } from '../../core/fixes/index';
import { jsonInteger } from '../../core/report';
import { UsageError } from '../../core/errors';
import { MAX_FIND_RESULTS } from '../../core/limits';
import type { CliCommand, CommandContext, CommandResult } from '../command';
import { json } from '../command';
import { parseArgs } from '../args';
import { formatSize } from '../format';
import { offsetText } from '../fixFormat';

const FLAGS = { text: {}, utf16: {}, guid: {}, json: {} };

export const findPatternCommand: CliCommand = {
  name: 'find',
  usage: `  find    IMAGE PATTERN [--text|--utf16|--guid] [--json]
          print every offset of PATTERN: hex bytes by default ("45 46 49 20 50 41 52 54", ?? = any byte),
          --text ASCII/UTF-8, --utf16 UTF-16LE, --guid a GUID in either byte order; whole image, streamed,
          holes of sparse files skipped; exit 0 found, 1 not found, 2 error`,
  flags: FLAGS,
  run: runFind,
};

/** Matches named by the field they fall in (the rest are only listed). */
const NAMED_MATCHES = 1000;

async function runFind(argv: string[], context: CommandContext): Promise<CommandResult> {
  const args = parseArgs(argv, FLAGS);
  if (args.positional.length !== 2)
    throw new UsageError(
      args.positional.length < 2
        ? 'find needs IMAGE and PATTERN'
        : `find takes IMAGE and one PATTERN (quote a pattern with spaces), got ${args.positional.length} arguments`,
    );
  const [image, text] = args.positional as [string, string];
  const modes = (['text', 'utf16', 'guid'] as const).filter((m) => args.flags.has(m));
  if (modes.length > 1) throw new UsageError(`--${modes.join(' and --')} exclude each other`);
  const mode: PatternMode = modes[0] ?? 'hex';
  const patterns = parsePattern(text, mode);

  const opened = await openImage(image, context.open);
  let disk: DiskModel | null = null;
  let result: FindResult;
  try {
    disk = await readDisk(opened.source).catch(() => null); // any file can be searched; names need a disk
    result = await findInImage(opened, patterns);
  } finally {
    await opened.source.close();
  }
  const sectorSize = disk?.sectorSize ?? 512;
  const name = (offset: number, length: number, i: number): string | null => {
    if (!disk || i >= NAMED_MATCHES) return null;
    const names = annotatePatch(disk, { offset, before: new Uint8Array(length), after: new Uint8Array(length) }).filter(
      (n) => !n.includes('outside any GPT/MBR structure'),
    );
    return names.length > 0 ? names.join(', ') : null;
  };
  const matches = result.matches.map((m, i) => ({
    ...m,
    length: patterns[m.pattern]!.bytes.length,
    field: name(m.offset, patterns[m.pattern]!.bytes.length, i),
  }));
  const exitCode = matches.length > 0 ? 0 : 1;
  if (args.flags.has('json')) {
    return {
      stdout: json({
        image,
        mode,
        patterns: patterns.map((p) => ({ bytes: patternText(p), label: p.label })),
        sectorSize,
        matches: matches.map((m) => ({
          offset: jsonInteger(m.offset),
          lba: jsonInteger(Math.floor(m.offset / sectorSize)),
          length: m.length,
          pattern: m.pattern,
          field: m.field,
        })),
        truncated: result.truncated,
        bytesRead: jsonInteger(result.bytesRead),
        bytesSkipped: jsonInteger(result.bytesSkipped),
        holes: result.holes,
      }),
      exitCode,
    };
  }
  const lines = matches.map(
    (m) => `${offsetText(m.offset, sectorSize)}${patterns.length > 1 ? `  [${patterns[m.pattern]!.label}]` : ''}${m.field ? `  ${m.field}` : ''}`,
  );
  lines.push(summary(image, patterns, result, opened.source.size));
  return { stdout: lines.join('\n'), exitCode };
}

function summary(image: string, patterns: SearchPattern[], result: FindResult, size: number): string {
  const what = patterns.map((p) => patternText(p)).join(' or ');
  const count = result.matches.length;
  const stop = result.truncated ? ` (stopped after ${MAX_FIND_RESULTS} matches)` : '';
  const holes = result.holes === 'extents' ? `, ${formatSize(result.bytesSkipped)} of holes skipped` : '';
  return `${count} ${count === 1 ? 'match' : 'matches'} of ${what} in ${image}${stop} (${formatSize(size)}: ${formatSize(result.bytesRead)} read${holes})`;
}
