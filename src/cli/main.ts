// `diskx`: the command-line twin of the extension. Every failure is one line on
// stderr (`diskx: IMAGE: what is wrong`); a stack trace only with DISKX_DEBUG=1.
import { safeField, safeJson, safeLines } from './terminalText';
import { describeError, InterruptedError, UsageError } from '../core/errors';
import { COMMANDS, findCommand } from './commands/index';
import { USAGE } from './usage';
import { version } from '../../package.json';

export { USAGE };

// Flags that take a separate value, in any command: their value is not the IMAGE.
const VALUE_FLAGS = new Set(
  COMMANDS.flatMap((c) =>
    Object.entries(c.flags)
      .filter(([, spec]) => spec.value)
      .map(([name]) => `--${name}`),
  ),
);

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
  const command = findCommand(name);
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
  // Names, labels and paths come from images and users: no control character reaches the terminal raw.
  const asJson = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length).includes('--json');
  const line = (text: string): string => safeField(text) + '\n';
  try {
    const result = await command.run(args, { stderr: (text) => err.write(line(text)), open: { allowOutsideExtents } });
    if (result.stdout) out.write((asJson ? safeJson(result.stdout) : safeLines(result.stdout)) + '\n');
    return result.exitCode;
  } catch (error) {
    if (process.env.DISKX_DEBUG === '1' && error instanceof Error) err.write(safeLines(`${error.stack}\n`));
    if (error instanceof UsageError) {
      err.write(`${line(`diskx: ${error.message}`)}${USAGE}\n`);
      return 2;
    }
    err.write(line(`diskx: ${image ? `${image}: ` : ''}${describeError(error)}`));
    // 128 + SIGINT, as a shell reports a command stopped by Ctrl+C.
    return error instanceof InterruptedError ? 130 : 2;
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
  const onError =
    (name: 'stdout' | 'stderr') =>
    (error: NodeJS.ErrnoException): void => {
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
