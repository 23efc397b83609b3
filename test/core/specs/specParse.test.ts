// User Kaitai specs applied to bytes the tests build: every integer width and byte
// order, strings, enums, nested types in sized substreams, arrays, pos instances
// (lazy and eager), values above 2^53 as decimal strings, offsets when applied
// away from 0.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../builders/images';
import { applySpec, field, newCompiler, writeSpecs } from './specHelpers';
import { MemorySource } from '../../../src/core/io/memorySource';
import { SpecParse } from '../../../src/core/specs/specParse';

const dir = tempDir('diskx-specs-');
const compiler = newCompiler();
after(() => compiler.dispose());

describe('integers', () => {
  const widths = [
    ['u1', 1, false],
    ['s1', 1, true],
    ['u2le', 2, false],
    ['u2be', 2, false],
    ['s2le', 2, true],
    ['s2be', 2, true],
    ['u4le', 4, false],
    ['u4be', 4, false],
    ['s4le', 4, true],
    ['s4be', 4, true],
    ['u8le', 8, false],
    ['u8be', 8, false],
    ['s8le', 8, true],
    ['s8be', 8, true],
  ] as const;
  const spec = writeSpecs(dir, {
    'ints.ksy': `meta:\n  id: ints\nseq:\n${widths.map(([type]) => `  - id: v_${type}\n    type: ${type}\n`).join('')}`,
  });

  /** Writes `value` into `bytes` at `at` as a `width`-byte integer in the order its type names. */
  function put(view: DataView, at: number, type: string, width: number, value: bigint): void {
    const le = !type.endsWith('be');
    if (width === 1) view.setUint8(at, Number(BigInt.asUintN(8, value)));
    if (width === 2) view.setUint16(at, Number(BigInt.asUintN(16, value)), le);
    if (width === 4) view.setUint32(at, Number(BigInt.asUintN(32, value)), le);
    if (width === 8) view.setBigUint64(at, BigInt.asUintN(64, value), le);
  }

  const cases: Record<string, (width: number, signed: boolean) => bigint> = {
    'the largest values': (width, signed) => (signed ? (1n << BigInt(8 * width - 1)) - 1n : (1n << BigInt(8 * width)) - 1n),
    'the smallest values': (width, signed) => (signed ? -(1n << BigInt(8 * width - 1)) : 0n),
    'a mixed byte pattern': (width, signed) => BigInt.asIntN(signed ? 8 * width : 8 * width + 1, 0x0102030405060708n & ((1n << BigInt(8 * width)) - 1n)),
  };
  for (const [name, valueOf] of Object.entries(cases)) {
    test(name, async () => {
      const bytes = new Uint8Array(widths.reduce((sum, [, width]) => sum + width, 0));
      const view = new DataView(bytes.buffer);
      const expected: [string, bigint, number][] = [];
      let at = 0;
      for (const [type, width, signed] of widths) {
        const value = valueOf(width, signed);
        put(view, at, type, width, value);
        expected.push([type, value, at]);
        at += width;
      }
      const result = await applySpec(compiler, spec, bytes);
      assert.equal(result.error, undefined);
      for (const [type, value, offset] of expected) {
        const got = field(result.fields, `v_${type}`);
        const json = value > 2n ** 53n || value < -(2n ** 53n) ? value.toString() : Number(value);
        assert.equal(got.value, json, `${type}: ${value}`);
        assert.equal(got.offset, offset, `${type} offset`);
      }
    });
  }

  test('2^53 stays a number, 2^53 + 1 becomes a decimal string', async () => {
    const two = writeSpecs(dir, { 'edge.ksy': 'meta:\n  id: edge\n  endian: le\nseq:\n  - id: a\n    type: u8\n  - id: b\n    type: u8\n' });
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 53n, true);
    new DataView(bytes.buffer).setBigUint64(8, 2n ** 53n + 1n, true);
    const result = await applySpec(compiler, two, bytes);
    assert.equal(field(result.fields, 'a').value, 9007199254740992);
    assert.equal(field(result.fields, 'b').value, '9007199254740993');
  });
});

test('strings, byte arrays, enums, doc', async () => {
  const spec = writeSpecs(dir, {
    'strs.ksy': `meta:
  id: strs
  endian: be
seq:
  - id: ascii
    type: str
    size: 5
    encoding: ASCII
  - id: zero_terminated
    type: strz
    encoding: UTF-8
  - id: utf16
    type: str
    size: 6
    encoding: UTF-16LE
  - id: magic
    contents: [0xca, 0xfe]
  - id: kind
    type: u2
    enum: kinds
    doc: What this is.
  - id: other_kind
    type: u1
    enum: kinds
enums:
  kinds:
    0x0102: first_kind
    7: seventh
`,
  });
  const text = new TextEncoder();
  const bytes = new Uint8Array([...text.encode('HELLO'), ...text.encode('héllo'), 0, 0x41, 0, 0x42, 0, 0x3a9 & 0xff, 0x03, 0xca, 0xfe, 0x01, 0x02, 99]);
  const result = await applySpec(compiler, spec, bytes);
  assert.equal(result.error, undefined);
  assert.equal(field(result.fields, 'ascii').value, 'HELLO');
  assert.deepEqual(
    [field(result.fields, 'zero_terminated').value, field(result.fields, 'zero_terminated').offset, field(result.fields, 'zero_terminated').length],
    ['héllo', 5, 7],
  );
  assert.equal(field(result.fields, 'utf16').value, 'ABΩ');
  assert.equal(field(result.fields, 'magic').bytes, 'cafe');
  const kind = field(result.fields, 'kind');
  assert.deepEqual([kind.value, kind.enum, kind.doc, kind.offset, kind.length], [0x0102, 'first_kind', 'What this is.', 20, 2]);
  const other = field(result.fields, 'other_kind');
  assert.deepEqual([other.value, other.enum], [99, undefined], 'a value the enum does not name keeps its number only');
  assert.equal(result.length, bytes.length);
});

test('nested types, sized substreams and arrays get absolute offsets, also away from 0', async () => {
  const spec = writeSpecs(dir, {
    'nest.ksy': `meta:
  id: nest
  endian: le
seq:
  - id: count
    type: u1
  - id: records
    type: record
    size: 8
    repeat: expr
    repeat-expr: count
  - id: words
    type: u2
    repeat: until
    repeat-until: _ == 0
  - id: tail
    type: u1
    repeat: eos
types:
  record:
    seq:
      - id: tag
        type: u2
      - id: inner
        type: inner
  inner:
    seq:
      - id: value
        type: u4be
`,
  });
  const at = 0x10000;
  const image = new Uint8Array(at + 64);
  const body = [2, 0x11, 0, 0, 0, 0, 5, 0, 0, 0x22, 0, 0, 0, 0, 6, 0, 0, 0x34, 0x12, 0x78, 0x56, 0, 0, 9, 8];
  image.set(body, at);
  const result = await applySpec(compiler, spec, image, { at, windowBytes: body.length });
  assert.equal(result.error, undefined);
  assert.equal(field(result.fields, 'records').children?.length, 2);
  const second = field(result.fields, 'records.1');
  assert.deepEqual([second.offset, second.length], [at + 9, 8]);
  assert.deepEqual([field(result.fields, 'records.1.tag').value, field(result.fields, 'records.1.tag').offset], [0x22, at + 9]);
  const value = field(result.fields, 'records.1.inner.value');
  assert.deepEqual([value.value, value.offset, value.length], [6, at + 11, 4]);
  assert.deepEqual(
    field(result.fields, 'words').children?.map((word) => [word.value, word.offset]),
    [
      [0x1234, at + 17],
      [0x5678, at + 19],
      [0, at + 21],
    ],
  );
  assert.deepEqual(
    field(result.fields, 'tail').children?.map((byte) => byte.value),
    [9, 8],
  );
});

describe('pos instances', () => {
  const spec = writeSpecs(dir, {
    'inst.ksy': `meta:
  id: inst
  endian: le
seq:
  - id: table_offset
    type: u4
instances:
  table:
    pos: table_offset
    type: entry
    repeat: expr
    repeat-expr: 2
    doc: Found through the offset.
  doubled:
    value: table_offset * 2
types:
  entry:
    seq:
      - id: id
        type: u2
    instances:
      name:
        pos: 0x40
        type: str
        size: 3
        encoding: ASCII
`,
  });
  const image = new Uint8Array(0x2000 + 0x100);
  const at = 0x2000;
  image.set([0x20, 0, 0, 0], at);
  image.set([7, 0, 9, 0], at + 0x20);
  image.set([...new TextEncoder().encode('ABC')], at + 0x40);

  test('are lazy in the editor: listed, then read on expand', async () => {
    const compiled = await compiler.compile(spec);
    const parse = await SpecParse.start(compiled, new MemorySource(image), { at });
    try {
      const listed = field(parse.result.fields, 'table');
      assert.equal(listed.lazy, true);
      assert.equal(listed.children, undefined);
      assert.equal(listed.doc, 'Found through the offset.');
      const table = await parse.expand('table');
      assert.equal(table.lazy, undefined);
      assert.deepEqual(
        table.children?.map((entry) => [entry.offset, entry.length]),
        [
          [at + 0x20, 2],
          [at + 0x22, 2],
        ],
      );
      assert.deepEqual(
        table.children?.map((entry) => field([entry], `${entry.path}.id`).value),
        [7, 9],
      );
      const name = field(table.children!, 'table.1.name');
      assert.equal(name.lazy, true, 'instances of what an instance read are lazy too');
      const opened = await parse.expand('table.1.name');
      assert.deepEqual([opened.value, opened.offset, opened.length], ['ABC', at + 0x40, 3]);
      assert.equal((await parse.expand('doubled')).value, 0x40);
      await assert.rejects(parse.expand('table_offset'), /not an instance/);
    } finally {
      await parse.dispose();
    }
  });

  test('are evaluated at once for the CLI', async () => {
    const result = await applySpec(compiler, spec, image, { at, evaluateInstances: true });
    assert.equal(field(result.fields, 'table.0.id').value, 7);
    assert.equal(field(result.fields, 'table.0.name').value, 'ABC');
    assert.equal(field(result.fields, 'doubled').value, 0x40);
  });
});

test('8-byte integers in a type with its own byte order are exact', async () => {
  const spec = writeSpecs(dir, {
    'order.ksy':
      'meta:\n  id: order\n  endian: le\nseq:\n  - id: inner\n    type: inner\ntypes:\n  inner:\n    meta:\n      endian: be\n    seq:\n      - id: big\n        type: u8\n',
  });
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, 0xfedcba9876543210n, false);
  const result = await applySpec(compiler, spec, bytes);
  assert.equal(field(result.fields, 'inner.big').value, 0xfedcba9876543210n.toString());
});
