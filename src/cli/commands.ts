// Commands beyond inspect/check (fix, undo, diff) register here.
import type { Command } from './main';

export const commandExtensions: Record<string, Command> = {};
