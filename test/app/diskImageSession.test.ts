// The session behind the custom editor: open, answer the webview, fall back to plain hex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { crc32 } from '../../src/core/crc32';
import { tempDir, writeEsxi5Image } from '../builders/images';

const settings = { bytesPerRow: 16 as const };

test('ready gets the init message with image info, tree, spans and findings', async () => {
  const dir = tempDir();
  const session = await DiskImageSession.open(writeEsxi5Image(path.join(dir, 'a.img'), { compacted: true }));
  try {
    const effect = await session.handle({ type: 'ready' }, settings);
    assert.equal(effect.kind, 'reply');
    if (effect.kind !== 'reply' || effect.message.type !== 'init') throw new Error('expected init');
    const init = effect.message;
    assert.deepEqual(init.image, { name: 'a.img', sizeBytes: 8 * 1024 ** 3, sectorSize: 512, scheme: 'gpt', profile: 'ESXi 5 (compacted)', readOnly: false });
    assert.equal(init.banner, null);
    assert.ok(init.tree.length > 0 && init.spans.length > 0);
    assert.ok(init.findings.some((f) => f.code === 'esxi-slot-compacted'));
    assert.doesNotThrow(() => JSON.stringify({ ...init, head: null }), 'the init message is plain data (no BigInt)');
    // The first rows come with it: no round trip before the first paint.
    assert.equal(init.head.length, 16 * 1024);
    assert.deepEqual([init.head[510], init.head[511]], [0x55, 0xaa]);
  } finally {
    await session.close();
  }
});

test('readRange returns the bytes; crcRange the CRC-32; copyHex the hex text; bad requests an error reply', async () => {
  const dir = tempDir();
  const session = await DiskImageSession.open(writeEsxi5Image(path.join(dir, 'b.img')));
  try {
    const read = await session.handle({ type: 'readRange', requestId: 3, offset: 512, length: 8 }, settings);
    assert.ok(read.kind === 'reply' && read.message.type === 'bytes');
    if (read.kind === 'reply' && read.message.type === 'bytes') {
      assert.equal(read.message.requestId, 3);
      assert.equal(Buffer.from(read.message.data).toString('latin1'), 'EFI PART');
    }
    const header = await session.source.read(512, 92);
    const crc = await session.handle({ type: 'crcRange', requestId: 4, offset: 512, length: 92 }, settings);
    assert.ok(crc.kind === 'reply' && crc.message.type === 'crc' && crc.message.crc === crc32(header));
    assert.deepEqual(await session.handle({ type: 'copyHex', offset: 510, length: 2 }, settings), { kind: 'copy', text: '55 aa', format: 'hex', bytes: 2 });
    assert.deepEqual(await session.handle({ type: 'copyHex', offset: 510, length: 2, format: 'c' }, settings), {
      kind: 'copy',
      text: 'const unsigned char data[2] = {\n  0x55, 0xaa,\n};',
      format: 'c',
      bytes: 2,
    });
    const past = await session.handle({ type: 'readRange', requestId: 5, offset: session.source.size - 4, length: 8 }, settings);
    assert.ok(past.kind === 'reply' && past.message.type === 'error' && past.message.requestId === 5, JSON.stringify(past));
    const unknown = await session.handle({ type: 'format', drive: 'C:' }, settings);
    assert.ok(unknown.kind === 'reply' && unknown.message.type === 'error' && unknown.message.requestId === null);
  } finally {
    await session.close();
  }
});

test('files that are no disk image open as plain hex with a banner; unreadable paths throw', async () => {
  const dir = tempDir();
  const text = path.join(dir, 'notes.img');
  fs.writeFileSync(text, 'hello '.repeat(200));
  const plain = await DiskImageSession.open(text);
  assert.match(plain.banner!, /does not look like a disk image/);
  assert.equal(plain.info().scheme, 'none');
  await plain.close();

  const tiny = path.join(dir, 'tiny.img');
  fs.writeFileSync(tiny, 'tiny');
  const small = await DiskImageSession.open(tiny);
  assert.match(small.banner!, /Not a disk image: this file is too small/);
  assert.equal(small.info().scheme, 'plain');
  assert.deepEqual(small.view.tree, []);
  const bytes = await small.handle({ type: 'readRange', requestId: 1, offset: 0, length: 4 }, settings);
  assert.ok(bytes.kind === 'reply' && bytes.message.type === 'bytes');
  await small.close();

  const sparseVmdk = path.join(dir, 'disk.vmdk');
  fs.writeFileSync(sparseVmdk, Buffer.concat([Buffer.from('KDMV'), Buffer.alloc(1020)]));
  const vmdk = await DiskImageSession.open(sparseVmdk);
  assert.match(vmdk.banner!, /VMDK/);
  await vmdk.close();

  await assert.rejects(DiskImageSession.open(path.join(dir, 'missing.img')));
});

test('a hostile header (0xFFFFFFFF entries of 0x10000000 bytes) opens: header shown as invalid, no array read', async () => {
  const { encodeGptHeader, encodeProtectiveMbr } = await import('../../src/core/gptEncode');
  const dir = tempDir();
  const image = path.join(dir, 'hostile.img');
  const header = encodeGptHeader(
    {
      myLba: 1n,
      alternateLba: 2047n,
      firstUsableLba: 34n,
      lastUsableLba: 2014n,
      diskGuid: '00000001-0000-4000-8000-0000000000D1',
      partitionEntryLba: 2n,
      numPartitionEntries: 0xffffffff,
      partitionEntrySize: 0x10000000,
      partitionEntryArrayCrc32: 0,
    },
    512,
  );
  const fd = fs.openSync(image, 'w');
  fs.ftruncateSync(fd, 2048 * 512);
  fs.writeSync(fd, encodeProtectiveMbr(2048n), 0, 512, 0);
  fs.writeSync(fd, header, 0, 512, 512);
  fs.closeSync(fd);
  const session = await DiskImageSession.open(image);
  try {
    const ids = JSON.stringify(session.view.tree.map((n) => n.id));
    assert.match(ids, /primary-header/);
    assert.doesNotMatch(ids, /primary-array/);
    const fields = session.view.tree.find((n) => n.id === 'primary-header')!.children!;
    assert.match(fields.find((f) => f.id === 'primary-header.NumberOfPartitionEntries')!.description!, /INVALID/);
    assert.ok(session.view.findings.some((f) => f.code === 'gpt-header-invalid'));
  } finally {
    await session.close();
  }
});
