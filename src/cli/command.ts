// The shape every `diskx` command has (one module each under commands/, listed
// in commands/index.ts) and the small helpers they share. main.ts dispatches
// through the list; nothing here imports main or a command.
import { UsageError } from '../core/errors';
import type { FlagSpec } from './args';
import type { OpenImageOptions } from '../core/io/openImage';

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

/** Runs a command on its arguments (those after the command name). */
export type CommandRun = (argv: string[], context: CommandContext) => Promise<CommandResult>;

/** One `diskx` command: its name, its lines of `diskx --help`, the flags it accepts and how it runs. */
export interface CliCommand {
  name: string;
  /** Its lines in `diskx --help`, indented as shown there. */
  usage: string;
  /** Every flag the command accepts (flags with a value are skipped when main looks for the IMAGE to name in errors). */
  flags: Record<string, FlagSpec>;
  run: CommandRun;
}

/** A JSON document for stdout. */
export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** The one IMAGE argument, or a usage error. */
export function oneImage(positional: string[]): string {
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing IMAGE' : `expected one IMAGE, got ${positional.length}`);
  return positional[0]!;
}

/** The failure line `diskx: ...` on stderr and exit 2, for commands that name the image themselves. */
export function fail(context: CommandContext, line: string): CommandResult {
  context.stderr(`diskx: ${line}`);
  return { stdout: '', exitCode: 2 };
}
