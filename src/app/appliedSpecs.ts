// The user's Kaitai specs applied to one open image: each is compiled (the compiler's
// child process), parsed in a worker over its window of the document's bytes (unsaved
// edits included), and shown as a root of the Structure tree with hex spans. Instances
// are read when their node is opened. Pure of `vscode`: the host decides trust,
// diagnostics and what is remembered per image.
import path from 'node:path';
import type { ByteSource } from '../core/io/byteSource';
import type { DiskModel } from '../core/diskModel';
import { DiskxError, describeErrorText } from '../core/errors';
import type { CompiledSpec } from '../core/specs/specCompiler';
import { SpecParse } from '../core/specs/specParse';
import { resolvePlacement } from '../core/specs/placement';
import { SpecCompileError, type SpecField, type SpecParseResult } from '../core/specs/specTypes';
import type { FieldEdit, FieldKind, FieldSpan, TreeNode } from '../shared/protocol/editor';
import { MAX_FIELD_PATH_LENGTH } from '../shared/protocol/editor';
import { formatFieldValue } from '../core/edit/fieldKinds';
import { normalizeSpans } from './tree/findings';
import { ENGLISH, msg } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';

/** What is remembered per image: which spec, where (`lba:2048`, `partition:1`, `0x1000`). */
export interface SpecPlacementState {
  spec: string;
  at: string;
}

/** One applied spec and where it stands. */
export interface AppliedSpec extends SpecPlacementState {
  /** Stable within the session: tree ids are `spec-<key>` and `spec-<key>:<field path>`. */
  key: number;
  offset: number | null;
  compiled: CompiledSpec | null;
  result: SpecParseResult | null;
  /** Why it shows no fields (a compile error, Restricted Mode, a bad placement). */
  problem: string | null;
  /** The compile error with its line and column, for diagnostics on the .ksy. */
  compileError: SpecCompileError | null;
}

export interface AppliedSpecsHost {
  /** Compiles a .ksy (with its imports). */
  compile(specPath: string): Promise<CompiledSpec>;
  /** Why specs may not run now (Restricted Mode), or null. */
  blocked(): string | null;
}

/** What the specs read: the document's bytes and its model (for lba:/partition: placements). */
export interface SpecTarget {
  source: ByteSource;
  model: DiskModel | null;
}

const ID_PREFIX = 'spec-';

/** The applied specs of one image. */
export class AppliedSpecs {
  private readonly entries: AppliedSpec[] = [];
  private readonly parses = new Map<number, SpecParse>();
  /** Spec node ids the user opened (lazy instances read): they stay open across updates. */
  private readonly opened = new Set<string>();
  private nextKey = 1;

  constructor(
    private readonly host: AppliedSpecsHost,
    private readonly l10n: Localizer = ENGLISH,
  ) {}

  get list(): readonly AppliedSpec[] {
    return this.entries;
  }

  /** What to remember for this image. */
  state(): SpecPlacementState[] {
    return this.entries.map(({ spec, at }) => ({ spec, at }));
  }

  /** Applies `spec` at `at` (an offset, `lba:N`, `partition:N`) and returns the entry (with its problem, if any). */
  async add(spec: string, at: string, target: SpecTarget): Promise<AppliedSpec> {
    const entry: AppliedSpec = {
      key: this.nextKey++,
      spec: path.resolve(spec),
      at,
      offset: null,
      compiled: null,
      result: null,
      problem: null,
      compileError: null,
    };
    this.entries.push(entry);
    await this.run(entry, target, true);
    return entry;
  }

  /** Takes the spec of root node `key` off the image. */
  async remove(key: number): Promise<boolean> {
    const index = this.entries.findIndex((entry) => entry.key === key);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    await this.stop(key);
    return true;
  }

  /** The entries that depend on `file` (the spec itself or one of its imports). */
  using(file: string): AppliedSpec[] {
    const resolved = path.resolve(file);
    return this.entries.filter((entry) => entry.spec === resolved || entry.compiled?.sources.includes(resolved));
  }

  /** Compiles again the specs using `file` (it was saved) and parses them again. */
  async recompile(file: string, target: SpecTarget): Promise<AppliedSpec[]> {
    const touched = this.using(file);
    for (const entry of touched) await this.run(entry, target, true);
    return touched;
  }

  /** Parses every spec again (the bytes changed: an edit, undo, save, reload); `recompile` also compiles again (trust granted). */
  async refresh(target: SpecTarget, recompile = false): Promise<void> {
    for (const entry of this.entries) await this.run(entry, target, recompile || !entry.compiled);
  }

  /** True when `nodeId` is a node of an applied spec. */
  static owns(nodeId: string): boolean {
    return nodeId.startsWith(ID_PREFIX);
  }

  /** The entry a node id belongs to and the field path in it ('' for the root). */
  locate(nodeId: string): { entry: AppliedSpec; path: string } | null {
    if (!AppliedSpecs.owns(nodeId)) return null;
    const rest = nodeId.slice(ID_PREFIX.length);
    const colon = rest.indexOf(':');
    const key = Number(colon < 0 ? rest : rest.slice(0, colon));
    const entry = this.entries.find((candidate) => candidate.key === key);
    return entry ? { entry, path: colon < 0 ? '' : rest.slice(colon + 1) } : null;
  }

  /** Reads the lazy instance behind `nodeId` (its node was opened); false when there is nothing to read. */
  async expand(nodeId: string): Promise<boolean> {
    const found = this.locate(nodeId);
    const parse = found ? this.parses.get(found.entry.key) : undefined;
    if (!found?.path || !found.entry.result || !parse) return false;
    const lazy = findField(found.entry.result.fields, found.path);
    if (!lazy?.lazy) return false;
    let field: SpecField;
    try {
      field = await parse.expand(found.path);
    } catch (error) {
      const { lazy: _wasLazy, ...rest } = lazy;
      field = { ...rest, error: this.l10n.text(describeErrorText(error)) };
    }
    replaceField(found.entry.result.fields, found.path, field);
    for (let id = nodeId; ;) {
      this.opened.add(id);
      const cut = id.lastIndexOf('.');
      if (cut < 0 || cut < id.indexOf(':')) break;
      id = id.slice(0, cut);
    }
    this.opened.add(`${ID_PREFIX}${found.entry.key}`);
    return true;
  }

  /** The field behind node `nodeId` and its spec, or null. */
  field(nodeId: string): { entry: AppliedSpec; field: SpecField } | null {
    const found = this.locate(nodeId);
    const field = found?.path && found.entry.result ? findField(found.entry.result.fields, found.path) : undefined;
    return found && field ? { entry: found.entry, field } : null;
  }

  /** One root node per applied spec. */
  nodes(): TreeNode[] {
    return this.entries.map((entry) => this.root(entry));
  }

  /** The hex annotations of every applied spec's leaf fields. */
  spans(): FieldSpan[] {
    const spans: FieldSpan[] = [];
    for (const entry of this.entries) {
      const id = `${ID_PREFIX}${entry.key}`;
      const walk = (fields: SpecField[]): void => {
        for (const field of fields) {
          if (field.children?.length) walk(field.children);
          else if (field.length > 0)
            spans.push({
              offset: field.offset,
              length: field.length,
              kind: kindOf(field),
              name: `${entry.result!.id} › ${field.path}`,
              nodeId: `${id}:${field.path}`,
            });
        }
      };
      if (entry.result) walk(entry.result.fields);
    }
    return spans;
  }

  /** Stops every worker. */
  async dispose(): Promise<void> {
    await Promise.all([...this.parses.keys()].map((key) => this.stop(key)));
  }

  private async stop(key: number): Promise<void> {
    const parse = this.parses.get(key);
    this.parses.delete(key);
    await parse?.dispose();
  }

  private async run(entry: AppliedSpec, target: SpecTarget, compile: boolean): Promise<void> {
    await this.stop(entry.key);
    entry.result = null;
    entry.problem = null;
    const blocked = this.host.blocked();
    if (blocked) {
      entry.problem = blocked;
      return;
    }
    try {
      entry.offset = target.model ? resolvePlacement(entry.at, target.model).offset : plainOffset(entry.at, target.source.size);
    } catch (error) {
      entry.problem = this.l10n.text(describeErrorText(error));
      return;
    }
    if (compile || !entry.compiled) {
      try {
        entry.compiled = await this.host.compile(entry.spec);
        entry.compileError = null;
      } catch (error) {
        entry.compiled = null;
        entry.compileError = error instanceof SpecCompileError ? error : null;
        entry.problem = this.l10n.text(describeErrorText(error));
        return;
      }
    }
    try {
      const parse = await SpecParse.start(entry.compiled!, target.source, { at: entry.offset });
      this.parses.set(entry.key, parse);
      entry.result = parse.result;
      // Instances the user had opened are read again.
      for (const id of [...this.opened].filter((candidate) => candidate.startsWith(`${ID_PREFIX}${entry.key}:`)).sort((a, b) => a.length - b.length)) {
        await this.expand(id);
      }
    } catch (error) {
      entry.problem = this.l10n.text(describeErrorText(error));
    }
  }

  private root(entry: AppliedSpec): TreeNode {
    const id = `${ID_PREFIX}${entry.key}`;
    const label = entry.result?.id ?? entry.compiled?.id ?? path.basename(entry.spec, '.ksy');
    const l10n = this.l10n;
    const where =
      entry.offset !== null && !/^0x/i.test(entry.at) ? l10n.t('at {0} (byte 0x{1})', entry.at, entry.offset.toString(16)) : l10n.t('at {0}', entry.at);
    const node: TreeNode = {
      id,
      label: l10n.t('Spec {0}', label),
      value: where,
      offset: entry.offset ?? 0,
      length: entry.result?.length ?? 0,
      open: true,
      context: { webviewSection: 'userSpec', specKey: entry.key },
    };
    const file = path.basename(entry.spec);
    if (!entry.result) {
      node.description = `${file}: ${entry.problem ?? l10n.t('not parsed')}`;
      node.doc = entry.problem ?? undefined;
      return node;
    }
    node.description = [
      l10n.t('{0} · {1} bytes', file, entry.result.length),
      ...(entry.result.error ? [l10n.t('stopped: {0}', entry.result.error)] : []),
      ...(entry.result.truncated ? [l10n.t('field limit reached')] : []),
    ].join(' · ');
    node.doc = entry.spec;
    node.children = entry.result.fields.map((field) => this.fieldNode(id, field));
    if (entry.result.error)
      node.children.push({ id: `${id}:!error`, label: l10n.t('Parse stopped'), value: entry.result.error, offset: entry.offset ?? 0, length: 0 });
    return node;
  }

  private fieldNode(rootId: string, field: SpecField): TreeNode {
    const id = `${rootId}:${field.path}`;
    const node: TreeNode = { id, label: field.name, offset: field.offset, length: field.length, kind: kindOf(field) };
    const value = valueText(field, this.l10n);
    if (value !== undefined) node.value = value;
    const notes = [
      field.enum,
      field.instance ? this.l10n.t('instance') : undefined,
      field.error ? this.l10n.t('error: {0}', field.error) : undefined,
      field.omitted ? this.l10n.t('{0} more not shown', field.omitted) : undefined,
    ].filter(Boolean);
    if (notes.length) node.description = notes.join(' · ');
    if (field.doc) node.doc = field.doc;
    if (field.lazy) node.lazy = true;
    // "Set Field Value..." in its context menu (and "Parse Here" at its offset).
    if (field.edit) node.context = { webviewSection: 'specField', nodeId: id, nodeOffset: field.offset };
    const editor = treeEditor(id, field);
    if (editor) node.edit = editor;
    if (field.children) node.children = field.children.map((child) => this.fieldNode(rootId, child));
    if (this.opened.has(id)) node.open = true;
    return node;
  }
}

/**
 * The tree's own field editor (double-click) where its value kinds mean what the spec
 * means: unsigned little-endian integers and short byte arrays. Other fields (big-endian,
 * signed, text) are set with Set Field Value..., which knows their encoding.
 */
function treeEditor(id: string, field: SpecField): FieldEdit | undefined {
  if (id.length > MAX_FIELD_PATH_LENGTH) return undefined;
  const encoding = field.edit;
  if (encoding?.kind === 'int' && !encoding.signed && encoding.le && field.value !== undefined)
    return { path: id, kind: { kind: 'uint', width: encoding.bytes }, value: String(field.value) };
  if (encoding?.kind === 'bytes' && field.bytes !== undefined && field.bytes.length === 2 * field.length) {
    const kind = { kind: 'hexbytes' as const, length: field.length };
    return {
      path: id,
      kind,
      value: formatFieldValue(
        kind,
        Uint8Array.from(field.bytes.match(/../g) ?? [], (pair) => parseInt(pair, 16)),
      ),
    };
  }
  return undefined;
}

/** `4096`, `0x1000` (no model: a plain file has no LBAs or partitions). */
function plainOffset(at: string, size: number): number {
  const text = at.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new DiskxError(msg('{0}: this file is not read as a disk, so only byte offsets work', at));
  const offset = Number(text);
  if (!Number.isSafeInteger(offset) || offset >= size) throw new DiskxError(msg('{0}: past the end of the file ({1} bytes)', at, size));
  return offset;
}

function kindOf(field: SpecField): FieldKind {
  if (typeof field.value === 'string' && !/^-?\d+$/.test(field.value)) return 'text';
  if (field.enum) return 'flags';
  if (typeof field.value === 'number' || typeof field.value === 'string') return 'count';
  return 'other';
}

function valueText(field: SpecField, l10n: Localizer): string | undefined {
  if (field.lazy) return l10n.t('not read yet (open to read)');
  if (field.value !== undefined) {
    if (typeof field.value === 'number' && Number.isInteger(field.value))
      return field.value > 9 ? `${field.value} (0x${field.value.toString(16).toUpperCase()})` : String(field.value);
    if (typeof field.value === 'string' && /^-?\d+$/.test(field.value)) return `${field.value} (0x${BigInt(field.value).toString(16).toUpperCase()})`;
    return typeof field.value === 'string' ? JSON.stringify(field.value) : String(field.value);
  }
  if (field.bytes !== undefined) {
    const shown = field.bytes
      .slice(0, 32)
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1 ');
    return field.length > 16 ? `${shown} … (${field.length} bytes)` : shown;
  }
  if (field.children) return `${field.length} bytes`;
  return undefined;
}

function findField(fields: SpecField[], fieldPath: string): SpecField | undefined {
  for (const field of fields) {
    if (field.path === fieldPath) return field;
    if (field.children && fieldPath.startsWith(field.path + '.')) {
      const hit = findField(field.children, fieldPath);
      if (hit) return hit;
    }
  }
  return undefined;
}

function replaceField(fields: SpecField[], fieldPath: string, replacement: SpecField): boolean {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.path === fieldPath) {
      fields[i] = replacement;
      return true;
    }
    if (field.children && fieldPath.startsWith(field.path + '.') && replaceField(field.children, fieldPath, replacement)) return true;
  }
  return false;
}

/** Our structures' spans with the user's specs laid over them: where they overlap, the spec's field wins. */
export function overlaySpans(base: FieldSpan[], overlay: FieldSpan[]): FieldSpan[] {
  if (overlay.length === 0) return base;
  const top = normalizeSpans(overlay);
  const starts = top.map((span) => span.offset);
  const covered = (span: FieldSpan): boolean => {
    // The last overlay span starting before this one's end decides (overlay spans do not overlap each other).
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < span.offset + span.length) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && top[found]!.offset + top[found]!.length > span.offset;
  };
  return normalizeSpans([...top, ...base.filter((span) => !covered(span))]);
}
