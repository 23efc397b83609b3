// `diskx inspect IMAGE --spec FILE.ksy [--at OFFSET|lba:N|partition:N]`: a user's Kaitai
// spec applied in the image, its parsed fields printed (or in the JSON's `specs`).
import type { DiskModel } from '../core/model';
import type { ByteSource } from '../core/io/byteSource';
import { UsageError } from '../core/errors';
import { SpecCompiler } from '../core/specs/specCompiler';
import { SpecParse } from '../core/specs/specParse';
import { resolvePlacement, type SpecPlacement } from '../core/specs/placement';
import { SpecCompileError, SpecParseError, type SpecField, type SpecParseResult } from '../core/specs/specTypes';
import type { ParsedArgs } from './args';

/** One applied spec, as the JSON's `specs` lists it. */
export interface AppliedSpecJson {
  spec: string;
  at: number;
  placement: string;
  id: string;
  length: number;
  truncated?: boolean;
  fields: SpecField[];
}

/** A spec that could not be compiled or parsed: printed as one `diskx: ...` line, exit 2. */
export class SpecCommandError extends Error {}

/** Compiles and applies every --spec (each at its --at, or one --at for all, default 0). */
export async function applySpecFlags(
  args: ParsedArgs,
  disk: DiskModel,
  source: ByteSource,
): Promise<{ placed: { placement: SpecPlacement; spec: string; result: SpecParseResult }[] }> {
  const specs = args.flags.get('spec') ?? [];
  const ats = args.flags.get('at') ?? [];
  if (ats.length > 1 && ats.length !== specs.length)
    throw new UsageError(`give one --at for all specs or one per --spec (${specs.length} specs, ${ats.length} --at)`);
  if (ats.length && !specs.length) throw new UsageError('--at needs --spec FILE.ksy');
  const compiler = new SpecCompiler({ specPaths: args.flags.get('spec-path') ?? [] });
  const placed: { placement: SpecPlacement; spec: string; result: SpecParseResult }[] = [];
  try {
    for (const [index, spec] of specs.entries()) {
      const placement = resolvePlacement(ats[ats.length > 1 ? index : 0] ?? '0', disk);
      let parse: SpecParse;
      try {
        const compiled = await compiler.compile(spec);
        parse = await SpecParse.start(compiled, source, { at: placement.offset, evaluateInstances: true });
      } catch (error) {
        if (error instanceof SpecCompileError) throw new SpecCommandError(error.message);
        if (error instanceof SpecParseError) throw new SpecCommandError(`${spec}: ${error.message}`);
        throw error;
      }
      await parse.dispose();
      if (parse.result.error) throw new SpecCommandError(`${spec}: ${parse.result.error}`);
      placed.push({ placement, spec, result: parse.result });
    }
  } finally {
    compiler.dispose();
  }
  return { placed };
}

/** The JSON's `specs` entries. */
export function specsJson(placed: { placement: SpecPlacement; spec: string; result: SpecParseResult }[]): AppliedSpecJson[] {
  return placed.map(({ placement, spec, result }) => ({
    spec,
    at: placement.offset,
    placement: placement.label,
    id: result.id,
    length: result.length,
    ...(result.truncated ? { truncated: true } : {}),
    fields: withoutEncodings(result.fields),
  }));
}

/** The fields without how the editor writes them back (not part of the CLI's JSON). */
function withoutEncodings(fields: SpecField[]): SpecField[] {
  return fields.map(({ edit: _edit, children, ...rest }) => ({ ...rest, ...(children ? { children: withoutEncodings(children) } : {}) }));
}

/** Leading bytes of a byte array in the text output (the JSON has up to MAX_SPEC_BYTES_SHOWN). */
const TEXT_BYTES_SHOWN = 16;

const hex = (value: number, width = 8): string => `0x${value.toString(16).padStart(width, '0')}`;

function valueText(field: SpecField): string {
  if (field.error) return ` !! ${field.error}`;
  if (field.value !== undefined) {
    const text = typeof field.value === 'string' && !/^-?\d+$/.test(field.value) ? JSON.stringify(field.value) : String(field.value);
    const hexText = typeof field.value === 'number' && Number.isInteger(field.value) && field.value > 9 ? ` (0x${field.value.toString(16)})` : '';
    return ` = ${text}${hexText}${field.enum ? ` [${field.enum}]` : ''}`;
  }
  if (field.bytes !== undefined) {
    const shown = field.bytes.slice(0, 2 * TEXT_BYTES_SHOWN);
    return ` = ${shown.replace(/(..)(?!$)/g, '$1 ')}${field.length > shown.length / 2 ? ' …' : ''}`;
  }
  return '';
}

function fieldLines(fields: SpecField[], depth: number, lines: string[]): void {
  for (const field of fields) {
    lines.push(
      `  ${hex(field.offset)}  ${String(field.length).padStart(6)}  ${'  '.repeat(depth)}${field.name}${field.instance ? ' (instance)' : ''}${valueText(field)}`,
    );
    if (field.children) fieldLines(field.children, depth + 1, lines);
    if (field.omitted) lines.push(`  ${' '.repeat(10)}  ${' '.repeat(6)}  ${'  '.repeat(depth + 1)}… ${field.omitted} more elements left out`);
  }
}

/** Text for `diskx inspect --spec`: one block per applied spec. */
export function formatSpecs(placed: { placement: SpecPlacement; spec: string; result: SpecParseResult }[]): string {
  const lines: string[] = [];
  for (const { placement, spec, result } of placed) {
    lines.push(
      '',
      `Spec ${result.id} (${spec}) at ${placement.label} = byte ${placement.offset}: ${result.length} bytes`,
      `  ${'offset'.padEnd(10)}  ${'length'.padStart(6)}  field`,
    );
    fieldLines(result.fields, 0, lines);
    if (result.truncated) lines.push('  (more fields than the display limit MAX_SPEC_FIELDS: the rest is left out)');
  }
  return lines.join('\n');
}
