// The writer's parse under its lock is remembered with every byte it read and
// stands again only when those bytes read back unchanged. Each case compares
// readDiskNow's answer with a full parse of the file as it is at that moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readDiskNow, readDiskOf } from '../../src/core/write/readDiskOf';
import { forget, loggingReads, memoKey, recall, remember } from '../../src/core/write/parseMemo';
import type { ReadLog } from '../../src/core/write/parseMemo';
import { applyPlans } from '../../src/core/write/applyPlans';
import { PARSE_MEMO_MAX_BYTES } from '../../src/core/limits';
import type { ByteSource } from '../../src/core/io/byteSource';
import type { DiskModel } from '../../src/core/model';
import { haveOracles, tempDir, testGuid, writeGptImage } from '../builders/images';
import { dataAndEspImage, readAt, writeAt } from '../builders/oracles';

const MiB = 1024 * 1024;
const skip = !haveOracles() && 'needs gdisk';

test('the same bytes: the remembered model again, equal to a full parse', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const first = await readDiskNow(file, 512, undefined);
  const again = await readDiskNow(file, 512, undefined);
  assert.equal(again.model, first.model, 'remembered');
  assert.deepEqual(again.reads, first.reads);
  assert.deepEqual(again.model, await readDiskOf(file, 512, undefined));
  // A byte no parse reads (inside partition 1) changes nothing either.
  writeAt(file, 5 * MiB + 3, Uint8Array.of(0xee));
  const third = await readDiskNow(file, 512, undefined);
  assert.equal(third.model, first.model);
  assert.deepEqual(third.model, await readDiskOf(file, 512, undefined));
});

test('a byte the parse read changed by another program, the size changed, another sector size: parsed anew', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const first = await readDiskNow(file, 512, undefined);
  // The primary array's slot 0 name (its CRC now fails): written behind the writer's back.
  writeAt(file, 1024 + 56, Uint8Array.of(0x5a, 0));
  const renamed = await readDiskNow(file, 512, undefined);
  assert.notEqual(renamed.model, first.model);
  assert.deepEqual(renamed.model, await readDiskOf(file, 512, undefined));
  assert.equal(renamed.model!.primary!.array!.slots[0]!.name, 'Zata');
  // Grown by a MiB: the backup is no longer at the end.
  fs.truncateSync(file, 65 * MiB);
  const grown = await readDiskNow(file, 512, undefined);
  assert.notEqual(grown.model, renamed.model);
  assert.deepEqual(grown.model, await readDiskOf(file, 512, undefined));
  assert.equal(grown.model!.sizeBytes, 65 * MiB);
  // The same file at 4096-byte sectors is another parse, remembered apart.
  const at4k = await readDiskNow(file, 4096, undefined);
  assert.deepEqual(at4k.model, await readDiskOf(file, 4096, undefined));
  assert.equal((await readDiskNow(file, 512, undefined)).model, grown.model);
  assert.equal((await readDiskNow(file, 4096, undefined)).model, at4k.model);
});

test('saves through the writer: a data byte keeps the parse, a header byte makes a new one', { skip }, async () => {
  const file = await dataAndEspImage(tempDir());
  const plan = (offset: number, after: Uint8Array) =>
    ({ id: 'hand-edit', title: 'Type', patches: [{ offset, before: readAt(file, offset, after.length), after }] }) as never;
  const first = await readDiskNow(file, 512, undefined);
  await applyPlans(file, [plan(5 * MiB + 9, Uint8Array.of(1))], { sectorSize: 512, tool: 'test' });
  assert.equal((await readDiskNow(file, 512, undefined)).model, first.model);
  await applyPlans(file, [plan(1024 + 56, Uint8Array.of(0x42, 0))], { sectorSize: 512, tool: 'test' });
  const after = await readDiskNow(file, 512, undefined);
  assert.notEqual(after.model, first.model);
  assert.deepEqual(after.model, await readDiskOf(file, 512, undefined));
});

test('a parse that read more than PARSE_MEMO_MAX_BYTES is not kept (two 16384-entry arrays)', async () => {
  const slots = [{ typeGuid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', uniqueGuid: testGuid(1), firstLba: 8192n, lastLba: 16383n, name: 'data' }];
  const file = writeGptImage(path.join(tempDir(), 'big-table.img'), {
    sectorSize: 512,
    totalSectors: 131072n,
    diskGuid: testGuid(2),
    slots,
    numEntries: 16384,
  });
  const first = await readDiskNow(file, 512, undefined);
  assert.ok(first.reads.reduce((n, r) => n + r.length, 0) > PARSE_MEMO_MAX_BYTES, 'it reads both 2 MiB arrays');
  const again = await readDiskNow(file, 512, undefined);
  assert.notEqual(again.model, first.model);
  assert.deepEqual(again.model, first.model);
});

/** A source over `bytes`; `drift` changes a byte after the first read of it (a file changing during the parse). */
function memorySource(bytes: Uint8Array, drift = false): ByteSource {
  let reads = 0;
  return {
    name: 'memory',
    size: bytes.length,
    read: (offset, length) => {
      const out = bytes.slice(offset, offset + length);
      if (drift && reads++ > 0) out[0] = out[0]! ^ 1;
      return Promise.resolve(out);
    },
    close: () => Promise.resolve(),
  };
}

test('remember/recall: overlapping reads that disagree, a failed read: nothing kept; a recall checks every byte', async () => {
  const model = { sizeBytes: 4096 } as DiskModel;
  const key = memoKey('/nonexistent/memory.img', 512, undefined);
  const bytes = new Uint8Array(4096).map((_, i) => i & 0xff);
  const read = async (source: ByteSource, spans: [number, number][]): Promise<ReadLog> => {
    const log: ReadLog = { spans: [], pieces: [], total: 0 };
    const logged = loggingReads(source, log);
    for (const [offset, length] of spans) await logged.read(offset, length).catch(() => undefined);
    return log;
  };
  // Overlapping reads of one run, equal bytes: kept, and recalled only while every byte is the same.
  const source = memorySource(bytes);
  remember(
    key,
    source,
    await read(source, [
      [0, 512],
      [256, 512],
      [2048, 16],
    ]),
    model,
  );
  assert.equal((await recall(key, memorySource(bytes)))?.model, model);
  const changed = bytes.slice();
  changed[2063] = 0; // the last byte of the third read
  assert.equal(await recall(key, memorySource(changed)), null);
  assert.equal(await recall(key, memorySource(bytes)), null, 'a failed recall forgets');
  // The second read of byte 256 disagrees with the first: not kept.
  const drifting = memorySource(bytes, true);
  remember(
    key,
    drifting,
    await read(drifting, [
      [0, 512],
      [256, 512],
    ]),
    model,
  );
  assert.equal(await recall(key, memorySource(bytes)), null);
  // A read that failed: not kept.
  const failing: ByteSource = { ...memorySource(bytes), read: () => Promise.reject(new Error('EIO')) };
  remember(key, failing, await read(failing, [[0, 512]]), model);
  assert.equal(await recall(key, memorySource(bytes)), null);
  forget();
});
