// A spec is bounded: it reads through our byte source only inside its window (16 MiB
// by default, counted on a 2 TiB sparse disk), a read past the window is a clear error
// with the field and offset, and a spec that never ends is stopped by the worker's
// time or heap limit with a message.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../builders/images';
import { CountingSource, SparseMemorySource } from '../../builders/countingSource';
import { applySpec, field, newCompiler, writeSpecs } from './specHelpers';
import { SPEC_WINDOW_BYTES } from '../../../src/core/limits';
import { SpecParseError } from '../../../src/core/specs/specTypes';

const TiB = 1024 ** 4;
const dir = tempDir('diskx-spec-limits-');
const compiler = newCompiler();
after(() => compiler.dispose());

test('a 2 TiB disk: the window is read, nothing else, and a size past it is an error', async () => {
  const at = TiB; // the middle of the disk
  const spec = writeSpecs(dir, {
    'huge.ksy': 'meta:\n  id: huge\n  endian: le\nseq:\n  - id: length\n    type: u8\n  - id: body\n    size: length\n',
  });
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, 2n * BigInt(TiB), true);
  const source = new CountingSource(new SparseMemorySource(2 * TiB, [{ offset: at, bytes: length }]));
  const reads: [number, number][] = [];
  const read = source.read.bind(source);
  source.read = (offset, count) => (reads.push([offset, count]), read(offset, count));
  const result = await applySpec(compiler, spec, source, { at });
  assert.equal(source.bytesRead, SPEC_WINDOW_BYTES);
  assert.ok(
    reads.every(([offset, count]) => offset >= at && offset + count <= at + SPEC_WINDOW_BYTES),
    JSON.stringify(reads.slice(0, 4)),
  );
  assert.equal(field(result.fields, 'length').value, 2 * TiB);
  assert.match(
    result.error ?? '',
    /^body at 0x10000000008 reads past the window: requested 2199023255552 bytes, but only 16777208 bytes available; the spec's window ends at 0x10001000000 \(16 MiB from where it is applied\)$/,
  );
});

test('a pos past the window, and the end of the image, are errors that say which', async () => {
  const spec = writeSpecs(dir, {
    'far.ksy': 'meta:\n  id: far\nseq:\n  - id: a\n    type: u1\ninstances:\n  beyond:\n    pos: 0x2000000\n    type: u1\n',
  });
  const bytes = new Uint8Array(4096);
  const eager = await applySpec(compiler, spec, bytes, { evaluateInstances: true });
  assert.equal(eager.error, undefined, 'the seq itself is fine');
  assert.equal(field(eager.fields, 'beyond').error, 'reads past the window: pos 0x2000000 is outside its stream (4096 bytes); the image ends at 0x1000');
  const windowed = writeSpecs(dir, { 'long.ksy': 'meta:\n  id: long\nseq:\n  - id: a\n    size: 5000\n' });
  assert.match((await applySpec(compiler, windowed, bytes)).error ?? '', /^a at 0x0 reads past the window: .*; the image ends at 0x1000$/);
  assert.match((await applySpec(compiler, windowed, bytes, { windowBytes: 1024 })).error ?? '', /the spec's window ends at 0x400/);
});

test('a read past the end of a sized field is an error about that field', async () => {
  const spec = writeSpecs(dir, {
    'sized.ksy': 'meta:\n  id: sized\nseq:\n  - id: box\n    size: 2\n    type: inner\ntypes:\n  inner:\n    seq:\n      - id: word\n        type: u4le\n',
  });
  const result = await applySpec(compiler, spec, new Uint8Array(64));
  assert.match(result.error ?? '', /^box\.word at 0x0 reads past the end of its enclosing sized field/);
  assert.equal(field(result.fields, 'box').length, 2, 'what was read before the error is kept');
});

test('an endless repeat-until is stopped with a message', async () => {
  const spec = writeSpecs(dir, {
    'endless.ksy': 'meta:\n  id: endless\nseq:\n  - id: nothing\n    type: empty\n    repeat: until\n    repeat-until: false\ntypes:\n  empty: {}\n',
  });
  await assert.rejects(applySpec(compiler, spec, new Uint8Array(16), { timeLimitMs: 1500, heapMb: 64 }), (error: unknown) => {
    assert.ok(error instanceof SpecParseError);
    assert.match(error.message, /^endless: parsing (did not finish within 1.5 s|used more than its 64 MiB) and was stopped/);
    return true;
  });
});

test('repeat: eos of single bytes over a 16 MiB window is stopped, not left to fill memory', async () => {
  const spec = writeSpecs(dir, { 'eos.ksy': 'meta:\n  id: eos\nseq:\n  - id: bytes\n    type: u1\n    repeat: eos\n' });
  const source = new SparseMemorySource(64 * 1024 * 1024, []);
  await assert.rejects(
    applySpec(compiler, spec, source, { timeLimitMs: 4000, heapMb: 64 }),
    /eos: parsing (did not finish within 4 s|used more than its 64 MiB) and was stopped/,
  );
});

test('a huge array is cut at the field limit and says so', async () => {
  const spec = writeSpecs(dir, { 'many.ksy': 'meta:\n  id: many\nseq:\n  - id: items\n    type: u1\n    repeat: expr\n    repeat-expr: 5000\n' });
  const result = await applySpec(compiler, spec, new Uint8Array(5000), { maxFields: 100 });
  assert.equal(result.truncated, true);
  assert.equal(field(result.fields, 'items').children?.length, 99);
  assert.equal(field(result.fields, 'items').omitted, 5000 - 99);
});

test('applying a spec past the end of the image is an error', async () => {
  const spec = writeSpecs(dir, { 'one.ksy': 'meta:\n  id: one\nseq:\n  - id: a\n    type: u1\n' });
  await assert.rejects(applySpec(compiler, spec, new Uint8Array(16), { at: 16 }), /offset 16 is outside the image \(16 bytes\)/);
});
