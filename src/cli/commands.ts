// Commands beyond inspect/check (fix, undo, diff) register here.
import type { Command } from './main';
import { fixCommand, undoCommand } from './fixCommands';

export const commandExtensions: Record<string, Command> = {
  fix: fixCommand,
  undo: undoCommand,
};
