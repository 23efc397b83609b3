// A .ksy file as text, as YAML with source positions (for error locations), and
// the names, docs and integer widths the parse worker needs from it.
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { isFile, readSpecText } from '../io/specFiles';
import { lowerCamel, upperCamel } from './kaitaiNames';
import { SpecCompileError, type SpecAttrInfo, type SpecLocation, type SpecTypeInfo, type SpecTypeTable } from './specTypes';

/** One loaded .ksy: its text, its YAML document (with positions) and the plain object the compiler takes. */
export interface SpecFile {
  path: string;
  text: string;
  ksy: Record<string, unknown>;
  document: Document;
  lines: LineCounter;
}

/** Parses .ksy text; YAML errors become a SpecCompileError at their line and column. */
export function parseSpecText(file: string, text: string): SpecFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) {
    const at = problem.linePos?.[0] ?? lines.linePos(problem.pos[0]);
    throw new SpecCompileError(`YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { file, line: at.line, column: at.col });
  }
  const ksy: unknown = document.toJS({ maxAliasCount: 100 });
  if (typeof ksy !== 'object' || ksy === null || Array.isArray(ksy)) {
    throw new SpecCompileError('a .ksy file must be a YAML mapping (meta:, seq:, types: ...)', { file, line: 1, column: 1 });
  }
  return { path: file, text, ksy: ksy as Record<string, unknown>, document, lines };
}

/** Reads and parses a .ksy file. */
export async function loadSpecFile(file: string): Promise<SpecFile> {
  let text: string;
  try {
    text = await readSpecText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecCompileError(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseSpecText(file, text);
}

/**
 * The line and column of a YAML path (`/seq/0/type`, as the compiler reports it) in
 * `spec`; the nearest existing parent when the path goes deeper than the file.
 */
export function locatePath(spec: SpecFile, pointer: string): SpecLocation {
  const keys = pointer.split('/').filter((part) => part !== '');
  let node: unknown = spec.document.contents;
  let offset = 0;
  for (const key of keys) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === key);
      if (!pair) break;
      keyOffset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0];
      next = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(key)) {
      next = node.items[Number(key)];
    } else break;
    const range = (next as { range?: [number, number, number] } | null)?.range;
    if (range) offset = range[0];
    else if (keyOffset !== undefined) offset = keyOffset;
    else break;
    node = next;
  }
  const at = spec.lines.linePos(offset);
  return { file: spec.path, line: at.line, column: at.col };
}

/**
 * Where an import lives. `rel` names (as the compiler passes them, already joined with
 * the importing spec's folder) are looked for next to the main spec, then in each spec
 * path; `abs` names (`/common/foo`) in each spec path.
 */
export async function resolveImport(name: string, mode: string, mainSpec: string, specPaths: readonly string[]): Promise<string> {
  const relative = name.replace(/^\/+/, '') + '.ksy';
  const candidates = [...(mode === 'abs' ? [] : [path.join(path.dirname(mainSpec), relative)]), ...specPaths.map((folder) => path.join(folder, relative))];
  for (const candidate of candidates) if (await isFile(candidate)) return candidate;
  const where =
    mode === 'abs'
      ? specPaths.length
        ? specPaths.join(', ')
        : 'no spec paths are set (diskx.specPaths / --spec-path)'
      : [path.dirname(mainSpec), ...specPaths].join(', ');
  throw new SpecCompileError(`import '${name}' not found (looked for ${relative} in ${where})`);
}

type Endian = 'le' | 'be' | undefined;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function endianOf(type: Record<string, unknown>, inherited: Endian): Endian {
  const endian = asRecord(type.meta)?.endian;
  if (endian === 'le' || endian === 'be') return endian;
  if (endian !== undefined) return undefined; // switch-on endianness: decided at parse time
  return inherited;
}

function attrInfo(attr: Record<string, unknown>, id: string, endian: Endian, encoding: string | undefined): SpecAttrInfo {
  const info: SpecAttrInfo = { id };
  if (typeof attr.doc === 'string') info.doc = attr.doc.trim();
  const int = typeof attr.type === 'string' ? /^([us])([1248])(le|be)?$/.exec(attr.type) : null;
  if (int) {
    const le = int[3] ? int[3] === 'le' : int[2] === '1' ? true : endian === undefined ? undefined : endian === 'le';
    info.int = { bytes: Number(int[2]) as 1 | 2 | 4 | 8, signed: int[1] === 's', ...(le === undefined ? {} : { le }) };
    if (int[2] === '8') info.int64 = { signed: int[1] === 's', le };
  }
  if (attr.type === 'str' || attr.type === 'strz') {
    const own = typeof attr.encoding === 'string' ? attr.encoding : encoding;
    if (own) info.encoding = own;
    if (attr.type === 'strz') info.terminated = true;
  }
  return info;
}

function addType(table: SpecTypeTable, className: string, type: Record<string, unknown>, endian: Endian, inheritedEncoding?: string): void {
  const metaEncoding = asRecord(type.meta)?.encoding;
  const encoding = typeof metaEncoding === 'string' ? metaEncoding : inheritedEncoding;
  const info: SpecTypeInfo = { attrs: {}, instances: [] };
  if (typeof type.doc === 'string') info.doc = type.doc.trim();
  const seq = Array.isArray(type.seq) ? type.seq : [];
  for (const item of seq) {
    const attr = asRecord(item);
    if (attr && typeof attr.id === 'string') info.attrs[lowerCamel(attr.id)] = attrInfo(attr, attr.id, endian, encoding);
  }
  for (const [id, value] of Object.entries(asRecord(type.instances) ?? {})) {
    const attr = asRecord(value) ?? {};
    info.attrs[lowerCamel(id)] = attrInfo(attr, id, endian, encoding);
    info.instances.push(lowerCamel(id));
  }
  table[className] = info;
  for (const [id, value] of Object.entries(asRecord(type.types) ?? {})) {
    const nested = asRecord(value);
    if (nested) addType(table, `${className}.${upperCamel(id)}`, nested, endianOf(nested, endian), encoding);
  }
}

/** Names, docs and 8-byte integer layouts of every type in the given specs (main and imports). */
export function typeTable(specs: readonly Record<string, unknown>[]): SpecTypeTable {
  const table: SpecTypeTable = {};
  for (const ksy of specs) {
    const id = asRecord(ksy.meta)?.id;
    if (typeof id === 'string') addType(table, upperCamel(id), ksy, endianOf(ksy, undefined));
  }
  return table;
}

/** The spec's `meta.id`, or a SpecCompileError pointing at `meta`. */
export function specId(spec: SpecFile): string {
  const id = asRecord(spec.ksy.meta)?.id;
  if (typeof id !== 'string') throw new SpecCompileError('meta/id: a spec needs an id (meta: id: my_struct)', locatePath(spec, '/meta'));
  return id;
}
