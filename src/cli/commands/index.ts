// Every `diskx` command, in the order `diskx --help` lists them. main.ts
// dispatches through this list; a new command is a module here plus one line.
import type { CliCommand } from '../command';
import { inspectCommand } from './inspect';
import { checkCommand } from './check';
import { fixCommand } from './fix';
import { undoCommand } from './undo';
import { diffCommand } from './diff';
import { codesCommand } from './codes';
import { setCommand } from './set';
import { findPatternCommand } from './find';
import { scanCommand } from './scan';

export const COMMANDS: readonly CliCommand[] = [
  inspectCommand,
  checkCommand,
  fixCommand,
  undoCommand,
  diffCommand,
  scanCommand,
  setCommand,
  findPatternCommand,
  codesCommand,
];

/** The command called `name`, if there is one. */
export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
