// Setting fields of a user spec by value: integers of every width, sign and byte order,
// text in its encoding, hex bytes; then in the session as an undoable edit that Save writes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { encodeSpecValue } from '../../src/app/specFieldEdit';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { SpecCompiler } from '../../src/core/specs/specCompiler';
import { tempDir, writeSparseImage } from '../builders/images';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('encodeSpecValue', () => {
  test('integers: width, sign, byte order, range', () => {
    assert.equal(hex(encodeSpecValue({ kind: 'int', bytes: 2, signed: false, le: true }, '0x1234', 2, 'f')), '3412');
    assert.equal(hex(encodeSpecValue({ kind: 'int', bytes: 2, signed: false, le: false }, '4660', 2, 'f')), '1234');
    assert.equal(hex(encodeSpecValue({ kind: 'int', bytes: 4, signed: true, le: false }, '-2', 4, 'f')), 'fffffffe');
    assert.equal(hex(encodeSpecValue({ kind: 'int', bytes: 8, signed: false, le: true }, '18446744073709551615', 8, 'f')), 'ffffffffffffffff');
    assert.equal(hex(encodeSpecValue({ kind: 'int', bytes: 8, signed: true, le: true }, '-9223372036854775808', 8, 'f')), '0000000000000080');
    assert.throws(
      () => encodeSpecValue({ kind: 'int', bytes: 1, signed: false, le: true }, '256', 1, 'x.v'),
      /x\.v: 256 does not fit a unsigned 1-byte integer \(0\.\.255\)/,
    );
    assert.throws(() => encodeSpecValue({ kind: 'int', bytes: 1, signed: true, le: true }, '-129', 1, 'x.v'), /-128\.\.127/);
    assert.throws(() => encodeSpecValue({ kind: 'int', bytes: 2, signed: false, le: true }, 'ten', 2, 'x.v'), /not a whole number/);
  });

  test('text and bytes', () => {
    assert.equal(hex(encodeSpecValue({ kind: 'text', encoding: 'ascii', terminated: false }, 'AB', 4, 'f')), '41420000', 'zero-padded to the size');
    assert.equal(hex(encodeSpecValue({ kind: 'text', encoding: 'utf16le', terminated: false }, 'Ω', 4, 'f')), 'a9030000');
    assert.equal(hex(encodeSpecValue({ kind: 'text', encoding: 'utf8', terminated: true }, 'hé', 4, 'f')), '68c3a900');
    assert.throws(() => encodeSpecValue({ kind: 'text', encoding: 'utf8', terminated: true }, 'h', 4, 'f'), /must stay 3 bytes long/);
    assert.throws(() => encodeSpecValue({ kind: 'text', encoding: 'ascii', terminated: false }, 'TOOLONG', 4, 'f'), /7 bytes of text; the field has 4/);
    assert.throws(() => encodeSpecValue({ kind: 'text', encoding: 'ascii', terminated: false }, 'é', 4, 'f'), /ASCII text only/);
    assert.equal(hex(encodeSpecValue({ kind: 'bytes' }, 'de ad be ef', 4, 'f')), 'deadbeef');
    assert.throws(() => encodeSpecValue({ kind: 'bytes' }, 'dead', 4, 'f'), /2 bytes given; the field has 4/);
  });
});

describe('in the session', () => {
  const dir = tempDir('diskx-spec-edit-');
  const compiler = new SpecCompiler();
  after(() => compiler.dispose());
  const spec = path.join(dir, 'rec.ksy');
  fs.writeFileSync(
    spec,
    'meta:\n  id: rec\n  endian: be\nseq:\n  - id: magic\n    size: 2\n  - id: count\n    type: s4\n  - id: label\n    type: str\n    size: 4\n    encoding: ASCII\n  - id: packed\n    size: 2\n    process: xor(0xff)\n',
  );
  const image = writeSparseImage(path.join(dir, 'disk.img'), 1024 * 1024, [
    { offset: 510, bytes: new Uint8Array([0x55, 0xaa]) },
    { offset: 0x4000, bytes: new Uint8Array([0xca, 0xfe, 0, 0, 0, 7, 0x41, 0x42, 0x43, 0x44, 0xff, 0xfe]) },
  ]);

  test('a field set by value is an edit: the tree follows, undo restores, Save writes it', async () => {
    const session = await DiskImageSession.open(image, { specs: { compile: (file) => compiler.compile(file), blocked: () => null } });
    try {
      await session.applySpec(spec, '0x4000');
      assert.equal(await session.specFieldText('spec-1:count'), '7');
      assert.equal(await session.specFieldText('spec-1:magic'), 'ca fe');
      assert.equal(await session.specFieldText('spec-1:packed'), null, 'processed bytes are not written back');
      const set = await session.setSpecField('spec-1:count', '-3');
      assert.ok(set.ok, JSON.stringify(set));
      const count = (await session.initMessage({ bytesPerRow: 16 })).tree.at(-1)!.children!.find((node) => node.id === 'spec-1:count')!;
      assert.equal(count.value, '-3');
      assert.deepEqual(count.context, { webviewSection: 'specField', nodeId: 'spec-1:count', nodeOffset: 0x4002 });
      assert.deepEqual(await session.setSpecField('spec-1:count', '-3'), { ok: false, reason: 'it changes no byte' });
      const tooLong = await session.setSpecField('spec-1:label', 'TOOLONG');
      assert.deepEqual(tooLong, { ok: false, reason: 'rec.label: 7 bytes of text; the field has 4' });
      assert.equal((await session.setSpecField('spec-1:label', 'OK')).ok, true);
      assert.equal(await session.specFieldText('spec-1:label'), 'OK\u0000\u0000');
      // The tree's own field editor: short byte arrays (and unsigned little-endian integers) get one.
      const tree = (await session.initMessage({ bytesPerRow: 16 })).tree.at(-1)!.children!;
      assert.deepEqual(tree.find((node) => node.id === 'spec-1:magic')?.edit?.kind, { kind: 'hexbytes', length: 2 });
      assert.equal(tree.find((node) => node.id === 'spec-1:count')?.edit, undefined, 'a big-endian signed integer: Set Field Value... only');
      const viaTree = await session.handle({ type: 'setField', path: 'spec-1:magic', value: 'be ef', dependents: true }, { bytesPerRow: 16 });
      assert.equal(viaTree.kind, 'edit');
      assert.equal(await session.specFieldText('spec-1:magic'), 'be ef');
      const newest = session.edits.current.at(-1)!;
      assert.equal(await session.undo(newest), true);
      assert.equal(await session.specFieldText('spec-1:magic'), 'ca fe');
      assert.equal(await session.undo(session.edits.current.at(-1)!), true);
      assert.equal(await session.specFieldText('spec-1:label'), 'ABCD');
      await session.save();
      const written = Buffer.alloc(4);
      const fd = fs.openSync(image, 'r');
      fs.readSync(fd, written, 0, 4, 0x4002);
      fs.closeSync(fd);
      assert.equal(written.toString('hex'), 'fffffffd');
    } finally {
      await session.close();
    }
  });
});
