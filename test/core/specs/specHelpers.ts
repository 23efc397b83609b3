// Helpers for the user-spec tests: specs written into a temp folder, compiled once
// per test file with one compiler process, applied to bytes the test builds.
import fs from 'node:fs';
import path from 'node:path';
import { MemorySource } from '../../../src/core/io/memorySource';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { SpecCompiler, type SpecCompilerOptions } from '../../../src/core/specs/specCompiler';
import { SpecParse, type SpecParseOptions } from '../../../src/core/specs/specParse';
import type { SpecField, SpecParseResult } from '../../../src/core/specs/specTypes';

/** Writes `files` (name -> .ksy text) under `dir`; returns the path of the first. */
export function writeSpecs(dir: string, files: Record<string, string>): string {
  const paths = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  });
  return paths[0]!;
}

/** Compiles `spec` and parses `bytes` (or a source) with it; the worker is stopped after. */
export async function applySpec(
  compiler: SpecCompiler,
  spec: string,
  input: Uint8Array | ByteSource,
  options: Partial<SpecParseOptions> = {},
): Promise<SpecParseResult> {
  const compiled = await compiler.compile(spec);
  const source = input instanceof Uint8Array ? new MemorySource(input) : input;
  const parse = await SpecParse.start(compiled, source, { at: 0, ...options });
  await parse.dispose();
  return parse.result;
}

/** The field at `path` in a result tree, or a thrown assertion. */
export function field(fields: SpecField[], fieldPath: string): SpecField {
  const found = find(fields, fieldPath);
  if (!found) throw new Error(`no field ${fieldPath} in ${JSON.stringify(fields.map((f) => f.path))}`);
  return found;
}

function find(fields: SpecField[], fieldPath: string): SpecField | undefined {
  for (const candidate of fields) {
    if (candidate.path === fieldPath) return candidate;
    if (candidate.children && fieldPath.startsWith(candidate.path + '.')) {
      const hit = find(candidate.children, fieldPath);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** A compiler for one test file; `dispose()` it in an `after` hook. */
export const newCompiler = (options: SpecCompilerOptions = {}): SpecCompiler => new SpecCompiler(options);
