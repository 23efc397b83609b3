// `diskx`: the command-line twin of the extension. Every failure is one line on
// stderr (`diskx: IMAGE: what is wrong`); a stack trace only with DISKX_DEBUG=1.
import { describeError, UsageError } from '../core/errors';

export { describeError };
import { analyzeImage } from '../core/index';
import { checkJson, inspectJson } from '../core/report';
import { FINDING_DESCRIPTIONS } from '../core/findings';
import { parseArgs, sectorSizeFlag } from './args';
import { formatCheck, formatInspect } from './format';
import { commandExtensions } from './commands';
import { applySpecFlags, formatSpecs, SpecCommandError, specsJson } from './specCommand';
import { warnAboutJournal } from './fixCommands';
import { fixHelpLines } from './fixHelp';
import { DIFF_USAGE, FIX_REFERENCE_USAGE } from './diffCommand';
import { version } from '../../package.json';
import type { OpenImageOptions } from '../core/io/openImage';
import { describeContainer } from '../core/io/containerSource';

export const USAGE = `Usage: diskx <command> IMAGE [options]

Commands:
  inspect IMAGE [--json] [--sector-size 512|4096]   show MBR, GPT headers and partitions
          [--spec FILE.ksy [--at OFFSET|lba:N|partition:N]] [--spec-path DIR]
          also parse the image with your own Kaitai Struct spec (several --spec allowed;
          imports are looked up next to the spec, then in each --spec-path)
  check   IMAGE [--json] [--sector-size 512|4096]   list problems; exit 0 clean, 1 problems, 2 unreadable
  fix     IMAGE --fix ID [--fix ID ...] [--write] [--json] [--sector-size 512|4096] [--allow-device]
          without --write a dry run: prints every patch (offset, LBA, fields, before/after), writes nothing;
          with --write: applies it after saving an undo journal (IMAGE.diskx-journal), backup GPT first;
          several --fix are planned in sequence and written as one repair;
          exit 0 applies (written), 1 a fix does not apply (nothing written), 2 error
${FIX_REFERENCE_USAGE}
  undo    IMAGE [--json] [--allow-device]           revert the last repair from its journal;
          exit 0 reverted, 1 nothing to undo or the repaired bytes changed since (nothing written), 2 error
${DIFF_USAGE}
  codes                                             explain every finding code and fix id

Fix ids:
${fixHelpLines('  ', false).join('\n')}

IMAGE may be a raw image (.img, -flat.vmdk), a .vmdk descriptor or a block device.
A .vmdk descriptor's extents must lie in its folder (or below) unless --allow-outside-extents is given.
Block devices and read-only files are written only with --allow-device.
DISKX_JOURNAL_DIR=folder keeps undo journals there instead of next to the image.
Options: --help, --version. Set DISKX_DEBUG=1 to see stack traces.`;

/** What a command wants the process to do: text for stdout and an exit code. */
export interface CommandResult {
  stdout: string;
  exitCode: number;
}

/** Output channel for commands that report progress while they run. */
export interface CommandContext {
  stderr: (line: string) => void;
  /** How images may be opened (--allow-outside-extents, accepted by every command). */
  open?: OpenImageOptions;
}

export type Command = (argv: string[], context: CommandContext) => Promise<CommandResult>;

const json = (value: unknown): string => JSON.stringify(value, null, 2);

const commands: Record<string, Command> = {
  async inspect(argv, context) {
    const args = parseArgs(argv, { json: {}, 'sector-size': { value: true }, spec: { value: true, repeat: true }, at: { value: true, repeat: true }, 'spec-path': { value: true, repeat: true } });
    const image = oneImage(args.positional);
    const { opened, disk } = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
    try {
      const container = await describeContainer(opened.source, opened.container);
      const { placed } = await applySpecFlags(args, disk, opened.source);
      if (args.flags.has('json')) return { stdout: json({ ...inspectJson(disk, container), ...(placed.length ? { specs: specsJson(placed) } : {}) }), exitCode: 0 };
      return { stdout: formatInspect(disk, container) + (placed.length ? '\n' + formatSpecs(placed) : ''), exitCode: 0 };
    } catch (error) {
      if (!(error instanceof SpecCommandError)) throw error;
      context.stderr(`diskx: ${error.message}`);
      return { stdout: '', exitCode: 2 };
    } finally {
      await opened.source.close();
    }
  },
  async check(argv, context) {
    const args = parseArgs(argv, { json: {}, 'sector-size': { value: true } });
    const image = oneImage(args.positional);
    const { opened, disk, findings } = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
    await opened.source.close();
    // A crash mid-repair leaves sectors old or new: say so before anyone trusts the verdict.
    await warnAboutJournal(image, context);
    const problems = findings.some((f) => f.severity !== 'info');
    return { stdout: args.flags.has('json') ? json(checkJson(disk, findings)) : formatCheck(disk, findings), exitCode: problems ? 1 : 0 };
  },
  async codes(argv) {
    parseArgs(argv, {});
    const findings = Object.entries(FINDING_DESCRIPTIONS).map(([code, text]) => `${code.padEnd(28)} ${text}`);
    const fixes = fixHelpLines('', true).map((line) => line.replace(/^(\S+)\s+/, (_, id: string) => `${id.padEnd(28)} `));
    return { stdout: [...findings, '', 'Fix ids (diskx fix IMAGE --fix ID):', ...fixes].join('\n'), exitCode: 0 };
  },
  ...commandExtensions,
};

function oneImage(positional: string[]): string {
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing IMAGE' : `expected one IMAGE, got ${positional.length}`);
  return positional[0]!;
}

// Flags that take a separate value: their value is not the IMAGE.
const VALUE_FLAGS = new Set(['--fix', '--sector-size', '--reference', '--max-ranges', '--spec', '--at', '--spec-path']);

/** The IMAGE argument for error lines: the first positional argument. */
function imageArgument(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (VALUE_FLAGS.has(arg)) i++;
    else if (!arg.startsWith('-') || arg === '-') return arg;
  }
  return undefined;
}

const ALLOW_OUTSIDE_EXTENTS = '--allow-outside-extents';

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out).write(USAGE + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    out.write(`diskx ${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    err.write(`diskx: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.write(USAGE + '\n');
    return 0;
  }
  // Accepted by every command that opens an image, so it is taken out here.
  const endOfOptions = rest.includes('--') ? rest.indexOf('--') : rest.length;
  const allowOutsideExtents = rest.slice(0, endOfOptions).includes(ALLOW_OUTSIDE_EXTENTS);
  const args = rest.filter((arg, i) => arg !== ALLOW_OUTSIDE_EXTENTS || i > endOfOptions);
  const image = imageArgument(args);
  try {
    const result = await command(args, { stderr: (line) => err.write(line + '\n'), open: { allowOutsideExtents } });
    if (result.stdout) out.write(result.stdout + '\n');
    return result.exitCode;
  } catch (error) {
    if (process.env.DISKX_DEBUG === '1' && error instanceof Error) err.write(`${error.stack}\n`);
    if (error instanceof UsageError) {
      err.write(`diskx: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    err.write(`diskx: ${image ? `${image}: ` : ''}${describeError(error)}\n`);
    return 2;
  }
}

/** What went wrong with stdout/stderr themselves while a command ran (see watchOutputStreams). */
export interface OutputStreamState {
  /** A reader closed the pipe (`diskx check --json IMAGE | head`): later output is dropped. */
  pipeClosed: boolean;
  /** Any other write error, already reported in one `diskx: ...` line where stderr still works. */
  failed: boolean;
}

/**
 * Handles 'error' events on the process's output streams, which otherwise crash
 * Node with a stack ("Error: write EPIPE"). EPIPE is not a failure: the reader
 * has what it wanted, so we stay quiet and keep the command's exit code. Other
 * errors give one line and exit 2. Never exits early: a command that is writing
 * a repair finishes it (and its journal) even when nobody reads its output.
 */
export function watchOutputStreams(stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): OutputStreamState {
  const state: OutputStreamState = { pipeClosed: false, failed: false };
  const onError = (name: 'stdout' | 'stderr') => (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') {
      state.pipeClosed = true;
      return;
    }
    if (state.failed) return;
    state.failed = true;
    // stderr is broken itself: nowhere left to say so.
    if (name === 'stdout') stderr.write(`diskx: cannot write to standard output: ${error.message}\n`);
  };
  stdout.on('error', onError('stdout'));
  stderr.on('error', onError('stderr'));
  return state;
}

/** The exit code once the command is done: its own, unless output itself failed (EPIPE does not count). */
export function finalExitCode(code: number, streams: OutputStreamState): number {
  return streams.failed ? 2 : code;
}

if (require.main === module) {
  const streams = watchOutputStreams();
  const finish = (code: number): void => {
    process.exitCode = finalExitCode(code, streams);
    // Output already written to a closed pipe may still be queued; nothing will read it.
    if (streams.pipeClosed || streams.failed) process.exit(process.exitCode);
  };
  main(process.argv.slice(2)).then(finish, (error: unknown) => {
    process.stderr.write(`diskx: ${describeError(error)}\n`);
    finish(2);
  });
}
