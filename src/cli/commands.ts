// Commands beyond inspect/check (fix, undo, diff) register here.
import type { Command } from './main';
import { fixCommand, undoCommand } from './fixCommands';
import { diffCommand } from './diffCommand';
import { setCommand } from './setCommand';
import { findCommand } from './findCommand';

export const commandExtensions: Record<string, Command> = {
  fix: fixCommand,
  undo: undoCommand,
  diff: diffCommand,
  set: setCommand,
  find: findCommand,
};
