// No hand-written file in src/ or webview/ grows past MAX_LINES: a file that
// long holds more than one concern and wants splitting (the architecture's
// rule). Generated code (src/core/generated/, the compiled specs) is exempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const MAX_LINES = 500;
const GENERATED = [path.join(root, 'src', 'core', 'generated')];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir) || GENERATED.includes(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

function lineCount(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

test(`no file in src/ or webview/ (generated code aside) has more than ${MAX_LINES} lines`, () => {
  const files = [...filesUnder(path.join(root, 'src')), ...filesUnder(path.join(root, 'webview'))];
  assert.ok(files.length > 100, `found only ${files.length} files: is the test looking in the right place?`);
  const tooLong = files
    .map((file) => ({ file: path.relative(root, file), lines: lineCount(file) }))
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${f.file} has ${f.lines} lines (at most ${MAX_LINES}): split it by concern`);
  assert.deepEqual(tooLong, [], tooLong.join('\n'));
});

test('the line count counts lines as wc -l does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-lines-'));
  try {
    const cases: [string, number][] = [
      ['', 0],
      ['a\n', 1],
      ['a\nb', 2],
      ['a\nb\n', 2],
    ];
    for (const [text, lines] of cases) {
      const file = path.join(dir, 'f.txt');
      fs.writeFileSync(file, text);
      assert.equal(lineCount(file), lines, JSON.stringify(text));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
