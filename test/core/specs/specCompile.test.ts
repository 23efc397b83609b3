// Compiling user specs in the compiler's child process: imports (next to the spec,
// in sub folders, from spec paths) and errors with the line and column they are at.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir } from '../../builders/images';
import { applySpec, field, newCompiler, writeSpecs } from './specHelpers';
import { SpecCompileError } from '../../../src/core/specs/specTypes';
import type { SpecCompiler } from '../../../src/core/specs/specCompiler';

const dir = tempDir('diskx-spec-compile-');
const library = path.join(dir, 'library');
const compiler = newCompiler({ specPaths: [library] });
after(() => compiler.dispose());

describe('imports', () => {
  test('relative (also from a sub folder, importing its own neighbour) and from spec paths', async () => {
    const main = writeSpecs(dir, {
      'app/main.ksy':
        'meta:\n  id: main\n  endian: le\n  imports:\n    - parts/header\n    - /common/trailer\nseq:\n  - id: header\n    type: header\n  - id: trailer\n    type: trailer\n',
      'app/parts/header.ksy': 'meta:\n  id: header\n  endian: le\n  imports: [word]\nseq:\n  - id: magic\n    type: word\n',
      'app/parts/word.ksy': 'meta:\n  id: word\n  endian: be\nseq:\n  - id: value\n    type: u2\n    doc: Big-endian on purpose.\n',
      'library/common/trailer.ksy': 'meta:\n  id: trailer\nseq:\n  - id: last\n    type: u1\n',
    });
    const compiled = await compiler.compile(main);
    assert.deepEqual(compiled.sources.map((file) => path.relative(dir, file)).sort(), [
      'app/main.ksy',
      'app/parts/header.ksy',
      'app/parts/word.ksy',
      'library/common/trailer.ksy',
    ]);
    const result = await applySpec(compiler, main, new Uint8Array([0x12, 0x34, 0x56]));
    assert.deepEqual([field(result.fields, 'header.magic.value').value, field(result.fields, 'header.magic.value').doc], [0x1234, 'Big-endian on purpose.']);
    assert.equal(field(result.fields, 'trailer.last').value, 0x56);
  });

  test('a missing import names where it was looked for, at the import line', async () => {
    const main = writeSpecs(dir, { 'missing.ksy': 'meta:\n  id: missing\n  imports:\n    - nowhere\nseq: []\n' });
    const error = await rejection(compiler, main);
    assert.deepEqual([error.location?.line, error.location?.column], [4, 7]);
    assert.match(error.message, /nowhere/);
    assert.match(error.message, /not found/);
  });
});

describe('errors have the line and column they are at', () => {
  const cases: [string, string, number, number, RegExp][] = [
    ['YAML syntax', 'meta:\n  id: syn\nseq:\n  - id: a\n   type: u1\n', 5, 1, /YAML/],
    ['an unknown type', 'meta:\n  id: unk\n  endian: le\nseq:\n  - id: a\n    type: u4\n  - id: b\n    type: nosuch\n', 8, 11, /unable to find type 'nosuch'/],
    ['an unknown enum', 'meta:\n  id: enu\nseq:\n  - id: a\n    type: u1\n    enum: nope\n', 6, 11, /unable to find enum 'nope'/],
    [
      'a broken expression',
      'meta:\n  id: expr\n  endian: le\nseq:\n  - id: a\n    type: u4\n  - id: b\n    size: a +\n',
      8,
      11,
      /parsing expression 'a \+' failed/,
    ],
    ['no byte order', 'meta:\n  id: noend\nseq:\n  - id: a\n    type: u4\n', 5, 11, /without default endianness/],
    ['a bad id', 'meta:\n  id: Bad\nseq: []\n', 2, 7, /invalid meta ID/],
    ['no id at all', 'seq:\n  - id: a\n    type: u1\n', 1, 1, /meta\/id|id/],
    ['not a mapping', '- just\n- a list\n', 1, 1, /mapping/],
  ];
  for (const [name, text, line, column, message] of cases) {
    test(name, async () => {
      const file = writeSpecs(dir, { [`${name.replace(/\W+/g, '_')}.ksy`]: text });
      const error = await rejection(compiler, file);
      assert.match(error.message, message);
      assert.deepEqual([error.location?.file, error.location?.line, error.location?.column], [file, line, column]);
      assert.ok(error.message.startsWith(`${file}:${line}:${column}: `), error.message);
      assert.ok(!error.message.includes('\n'), 'one line');
    });
  }

  test('an error inside an imported spec points into that file', async () => {
    const main = writeSpecs(dir, {
      'outer.ksy': 'meta:\n  id: outer\n  imports: [inner_bad]\nseq:\n  - id: x\n    type: inner_bad\n',
      'inner_bad.ksy': 'meta:\n  id: inner_bad\nseq:\n  - id: y\n    type: missing_type\n',
    });
    const error = await rejection(compiler, main);
    assert.deepEqual([path.basename(error.location!.file), error.location?.line, error.location?.column], ['inner_bad.ksy', 5, 11]);
  });

  test('the compiler keeps working after errors', async () => {
    const good = writeSpecs(dir, { 'fine.ksy': 'meta:\n  id: fine\nseq:\n  - id: a\n    type: u1\n' });
    const result = await applySpec(compiler, good, new Uint8Array([42]));
    assert.equal(field(result.fields, 'a').value, 42);
  });
});

test('a compiler path that does not exist is a clear error', async () => {
  const broken = newCompiler({ compilerPath: path.join(dir, 'no-such-compiler.js') });
  const file = writeSpecs(dir, { 'plain.ksy': 'meta:\n  id: plain\nseq: []\n' });
  await assert.rejects(broken.compile(file), /Kaitai Struct compiler was not found at/);
  broken.dispose();
});

async function rejection(compilerUnderTest: SpecCompiler, file: string): Promise<SpecCompileError> {
  try {
    await compilerUnderTest.compile(file);
  } catch (error) {
    assert.ok(error instanceof SpecCompileError, String(error));
    return error;
  }
  assert.fail('compiled without an error');
}
