// A small, strict argument parser: known flags only, values checked.
import { UsageError } from '../core/errors';

export interface FlagSpec {
  /** Takes a value (`--sector-size 4096`). */
  value?: boolean;
  /** May be given more than once (`--fix A --fix B`). */
  repeat?: boolean;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Parses argv against the flags a command accepts; throws UsageError on anything else. */
export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option --${name}`);
    let value = 'true';
    if (flag.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`--${name} needs a value`);
    } else if (eq > 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !flag.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    flags.set(name, list);
  }
  return { positional, flags };
}

/** The --sector-size value as a number, or undefined. */
export function sectorSizeFlag(args: ParsedArgs): number | undefined {
  const text = args.flags.get('sector-size')?.[0];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (value !== 512 && value !== 4096) throw new UsageError(`--sector-size must be 512 or 4096, not ${text}`);
  return value;
}
