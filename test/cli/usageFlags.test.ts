// `diskx --help` names every flag each command's parser accepts, so a flag cannot
// be accepted but missing from the help (as --sector-size once was on the
// copy-slots-from-reference line), nor listed but refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/cli/commands/index';
import { FIX_REFERENCE_FLAGS, FIX_REFERENCE_USAGE } from '../../src/cli/commands/fixReference';

function flagsNamed(usage: string): Set<string> {
  return new Set([...usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
}

/** The flags offered as options: `[--flag ...]` and `[--a|--b]` (prose may name other commands' flags). */
function optionsOffered(usage: string): Set<string> {
  return new Set([...usage.matchAll(/[[|]--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
}

test('every command: each flag its parser takes is in its help, and each [--option] offered is taken', () => {
  assert.ok(COMMANDS.length >= 8, `expected the full command list, got ${COMMANDS.length}`);
  for (const command of COMMANDS) {
    const named = flagsNamed(command.usage);
    const accepted = Object.keys(command.flags);
    for (const flag of accepted) assert.ok(named.has(flag), `${command.name}: --${flag} is accepted but not in its help`);
    for (const flag of optionsOffered(command.usage)) assert.ok(accepted.includes(flag), `${command.name}: [--${flag}] is offered in its help but refused`);
  }
});

test('fix with --reference: its own help line names every flag of its parser', () => {
  const named = flagsNamed(FIX_REFERENCE_USAGE);
  for (const flag of Object.keys(FIX_REFERENCE_FLAGS)) assert.ok(named.has(flag), `--${flag} missing from the --reference line`);
  assert.ok(named.has('sector-size'));
});
