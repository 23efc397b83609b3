// No import cycles in src/ and webview/: every module can be understood (and
// loaded) before the ones that import it. Type-only imports count too, as madge
// counts them: a cycle through types is a misplaced type. The graph comes from
// TypeScript's own import scanner; only relative imports (our files) are edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file a relative specifier names, or null when it is not one of ours (generated parsers, JSON, packages). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.mts`, path.join(base, 'index.ts'), base.replace(/\.m?js$/, '.ts')]) {
    if (/\.(ts|mts|js|mjs)$/.test(candidate) && !candidate.endsWith('.d.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Module graph: file -> the files it imports (static, dynamic, re-exports, type-only). */
export function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolve(file, f.fileName)).filter((t): t is string => t !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one module (or a module importing itself): Tarjan's algorithm. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

test('src/ and webview/ have no import cycle', () => {
  const files = [...sourceFiles(path.join(root, 'src')), ...sourceFiles(path.join(root, 'webview'))];
  assert.ok(files.length > 50, 'the scan found the sources');
  const found = cycles(importGraph(files)).map((c) => c.map((f) => path.relative(root, f)).join(' <-> '));
  assert.deepEqual(found, []);
});

test('the cycle check sees a cycle when there is one', () => {
  const dir = fs.mkdtempSync(path.join(root, 'test', '.cycles-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b: B }\n");
    fs.writeFileSync(path.join(dir, 'b.ts'), "import { c } from './c';\nexport type B = typeof c;\n");
    fs.writeFileSync(path.join(dir, 'c.ts'), "export { a } from './a';\nexport const c = 1;\n");
    fs.writeFileSync(path.join(dir, 'd.ts'), "import { c } from './c';\nexport const d = c;\n");
    const found = cycles(importGraph(sourceFiles(dir)));
    assert.deepEqual(
      found.map((c) => c.map((f) => path.basename(f))),
      [['a.ts', 'b.ts', 'c.ts']],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
