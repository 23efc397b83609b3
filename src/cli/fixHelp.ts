// What each fix id does, for `diskx --help`, `diskx codes` and usage errors:
// the words come from the fix registry (core/fixes/registry.ts).
import { ALL_FIXES } from '../core/fixes/registry';

/** "  restore-esxi-slots           Restore ESXi partition slots. Moves ..." lines, one per fix id. */
export function fixHelpLines(indent = '  ', withText = true): string[] {
  const all = ALL_FIXES.map((f) => ({ id: f.id, title: 'helpTitle' in f ? f.helpTitle : f.title, text: f.help }));
  const pad = Math.max(...all.map((f) => f.id.length)) + 2;
  return all.map((f) => `${indent}${f.id.padEnd(pad)}${f.title}${withText ? `. ${f.text}` : ''}`);
}
