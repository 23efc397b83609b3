// A header may legally claim MAX_PARTITION_ENTRIES (16384) slots, or
// MAX_PARTITION_ENTRY_SIZE-byte entries up to MAX_ENTRY_ARRAY_BYTES. Reading
// such an array used to parse every slot through Kaitai (debug objects,
// substreams and a Field tree per slot): seconds and 150 MiB for 3 partitions.
// Now only used slots are parsed; these tests pin that down without a clock:
// the bytes Kaitai reads and the Fields the model holds depend on the used
// slots, not on the slot count, and nothing users see is lost.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import KaitaiStream from 'kaitai-struct/KaitaiStream';
import { fieldsForSlot, readDisk } from '../../src/core/diskModel';
import type { DiskModel, GptArray } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { crc32 } from '../../src/core/crc32';
import { encodeGptDisk } from '../../src/core/gptEncode';
import type { GptEntryFields } from '../../src/core/gptEncode';
import { annotatePatch } from '../../src/core/fixes/index';
import { GptPartitionArray as GptPartitionArrayParser } from '../../src/core/generated/GptPartitionArray';
import { parseStruct } from '../../src/core/structure';
import type { Field } from '../../src/core/structure';
import { MAX_ENTRY_ARRAY_BYTES, MAX_PARTITION_ENTRIES, MAX_PARTITION_ENTRY_SIZE } from '../../src/core/limits';
import { SparseMemorySource } from '../builders/countingSource';
import { testGuid } from '../builders/images';

const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const USED_SLOTS = [0, 5, 1000]; // three partitions, far apart in the array
const FIELDS_PER_ENTRY = 6; // typeGuid, uniqueGuid, firstLba, lastLba, attributes, name (formats/gpt_partition_array.ksy)

/** A GPT disk (512-byte sectors) whose arrays hold `numEntries` x `entrySize` with partitions in `usedSlots`. */
function largeGpt(
  numEntries: number,
  entrySize: number,
  usedSlots = USED_SLOTS,
): { source: SparseMemorySource; regions: { offset: number; bytes: Uint8Array }[] } {
  const arraySectors = Math.ceil((numEntries * entrySize) / 512);
  const totalSectors = BigInt(2 * arraySectors + 4096);
  const slots: (GptEntryFields | null)[] = new Array(Math.max(...usedSlots) + 1).fill(null);
  usedSlots.forEach((slot, i) => {
    const first = BigInt(2 + arraySectors + 100 * i);
    slots[slot] = { typeGuid: LINUX, uniqueGuid: testGuid(i + 1), firstLba: first, lastLba: first + 99n, attributes: 1n << 63n, name: `part${slot}` };
  });
  const regions = encodeGptDisk({ sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots, numEntries, entrySize });
  return { source: new SparseMemorySource(Number(totalSectors) * 512, regions, `large-${numEntries}x${entrySize}.img`), regions };
}

/** Bytes consumed by every KaitaiStream read while `run` runs (nested reads counted once). */
async function kaitaiBytesRead<T>(run: () => Promise<T> | T): Promise<{ result: T; bytes: number }> {
  const proto = KaitaiStream.prototype as unknown as Record<string, unknown> & { pos: number };
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  let bytes = 0;
  let depth = 0;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown; // not proto[name]: some properties are getters
    if (!name.startsWith('read') || typeof original !== 'function') continue;
    originals.set(name, original as (...args: unknown[]) => unknown);
    proto[name] = function (this: { pos: number }, ...args: unknown[]): unknown {
      const start = this.pos;
      depth++;
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        depth--;
        if (depth === 0) bytes += this.pos - start;
      }
    };
  }
  try {
    return { result: await run(), bytes };
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
}

function countFields(fields: Field[]): number {
  let n = 0;
  for (const f of fields) n += 1 + (f.children ? countFields(f.children) : 0);
  return n;
}

function arrays(disk: DiskModel): GptArray[] {
  return [disk.primary!.array!, disk.backup!.array!];
}

describe('large entry arrays: work grows with used slots, not with the slot count', () => {
  test('16384 x 128: Kaitai reads the same bytes as for 128 x 128 with the same partitions', async () => {
    await readDisk(largeGpt(128, 128, [0]).source); // once-per-process setup (the entry layout read from the spec) out of the way
    const small = await kaitaiBytesRead(() => readDisk(largeGpt(USED_SLOTS.at(-1)! + 1, 128).source));
    const large = await kaitaiBytesRead(() => readDisk(largeGpt(MAX_PARTITION_ENTRIES, 128).source));
    assert.equal(large.result.primary!.numPartitionEntries, MAX_PARTITION_ENTRIES);
    assert.equal(large.bytes, small.bytes, 'bytes parsed by Kaitai depend on the slot count');
    // MBR + two headers + each used entry parsed once per array (its 128 bytes as a one-entry array, then its fields).
    assert.ok(large.bytes <= 512 + 2 * 512 + 2 * USED_SLOTS.length * 2 * 128, `Kaitai read ${large.bytes} bytes`);
  });

  for (const [count, entrySize] of [
    [MAX_PARTITION_ENTRIES, 128],
    [MAX_ENTRY_ARRAY_BYTES / MAX_PARTITION_ENTRY_SIZE, MAX_PARTITION_ENTRY_SIZE],
  ] as const) {
    test(`${count} x ${entrySize}: one light Field per unused slot, full trees for the ${USED_SLOTS.length} used ones`, async () => {
      const disk = await readDisk(largeGpt(count, entrySize).source);
      for (const array of arrays(disk)) {
        assert.equal(array.slots.length, count);
        // entries + one per slot + the field trees of the used slots only.
        assert.equal(countFields(array.node.fields), 1 + count + USED_SLOTS.length * FIELDS_PER_ENTRY);
        assert.deepEqual(
          array.slots.filter((s) => s.field.children).map((s) => s.slot),
          USED_SLOTS,
        );
        assert.deepEqual(
          array.slots.filter((s) => s.used).map((s) => s.slot),
          USED_SLOTS,
        );
        const misplaced = array.slots.filter(
          (s) =>
            s.field.offset !== s.offset || s.field.length !== entrySize || s.field.path !== `entries.${s.slot}` || s.field.raw.byteOffset !== s.raw.byteOffset,
        );
        assert.deepEqual(
          misplaced.map((s) => s.slot),
          [],
        );
      }
      assert.deepEqual(
        disk.partitions.map((p) => [p.slot, p.name, p.attributes]),
        USED_SLOTS.map((s) => [s, `part${s}`, 1n << 63n]),
      );
      assert.deepEqual(
        checkDisk(disk).map((f) => f.code),
        ['slot-gap'],
      );
    });
  }

  test('the array CRC is still computed over the raw bytes: a byte flipped in an unused slot is caught', async () => {
    const { source, regions } = largeGpt(MAX_PARTITION_ENTRIES, 128);
    const disk = await readDisk(source);
    const primary = disk.primary!;
    assert.equal(primary.computedArrayCrc32, crc32(primary.array!.bytes));
    assert.equal(primary.arrayCrcOk, true);
    const array = regions.find((r) => r.offset === 2 * 512)!;
    const damaged = array.bytes.slice();
    damaged[10000 * 128 + 100] = 0x42; // inside slot 10000's name, which is unused
    const other = regions.filter((r) => r !== array);
    const hurt = await readDisk(new SparseMemorySource(source.size, [...other, { offset: array.offset, bytes: damaged }]));
    assert.equal(hurt.primary!.arrayCrcOk, false);
    assert.ok(checkDisk(hurt).some((f) => f.code === 'gpt-primary-array-crc'));
  });

  test('annotatePatch on a 16384-entry array names a zeroed slot and parses only the entries the patch touches', async () => {
    const disk = await readDisk(largeGpt(MAX_PARTITION_ENTRIES, 128).source);
    const slot5 = disk.primary!.array!.slots[5]!;
    const patch = { offset: slot5.offset, before: slot5.raw.slice(), after: new Uint8Array(128) };
    const { result, bytes } = await kaitaiBytesRead(() => annotatePatch(disk, patch));
    assert.deepEqual(result, ['primaryArray.entries.5']);
    assert.ok(bytes <= 4 * 1024, `annotatePatch read ${bytes} bytes through Kaitai`);
    // Part of an unused slot far into the array: its fields, by name.
    const slot9000 = disk.backup!.array!.slots[9000]!;
    const names = annotatePatch(disk, { offset: slot9000.offset + 32, before: new Uint8Array(16), after: new Uint8Array(16).fill(1) });
    assert.deepEqual(names, ['backupArray.entries.9000.firstLba', 'backupArray.entries.9000.lastLba']);
  });
});

describe('light slots lose nothing: the same fields and values as a whole-array Kaitai parse', () => {
  test('every slot of a 128-entry array, used or not (with junk after an all-zero type GUID)', async () => {
    const { regions } = largeGpt(128, 128, [0, 1, 3]);
    const array = regions.find((r) => r.offset === 2 * 512)!;
    // Slot 7: unused (type GUID zero) but the rest of the entry is not blank.
    const junk = array.bytes.subarray(7 * 128, 8 * 128);
    for (let i = 16; i < 128; i++) junk[i] = (i * 37) & 0xff;
    const total = regions.at(-1)!.offset + 512;
    const disk = await readDisk(new SparseMemorySource(total, regions));
    const model = disk.primary!.array!;
    const whole = parseStruct('primaryArray', GptPartitionArrayParser, model.bytes, model.offset, [128, 128]);
    const entries = whole.fields[0]!;
    assert.equal(model.node.fields[0]!.offset, entries.offset);
    assert.equal(model.node.fields[0]!.length, entries.length);
    for (let slot = 0; slot < 128; slot++) {
      const expected = entries.children![slot]!;
      assert.deepEqual(fieldsForSlot(model, slot), expected, `slot ${slot}`);
      if (model.slots[slot]!.used) assert.deepEqual(model.slots[slot]!.field, expected, `slot ${slot} (used) keeps its tree`);
    }
    // The unused slot's decoded values equal what its fields say.
    const seven = model.slots[7]!;
    const tree = fieldsForSlot(model, 7).children!;
    const value = (name: string): Field => tree.find((f) => f.name === name)!;
    assert.equal(seven.used, false);
    assert.equal(seven.firstLba, value('firstLba').value);
    assert.equal(seven.lastLba, value('lastLba').value);
    assert.equal(seven.attributes, new DataView(value('attributes').raw.buffer, value('attributes').raw.byteOffset).getBigUint64(0, true));
    assert.notEqual(seven.uniqueGuid, '00000000-0000-0000-0000-000000000000');
    assert.notEqual(seven.name, '');
  });

  test('fieldsForSlot refuses a slot outside the array', async () => {
    const disk = await readDisk(largeGpt(128, 128, [0]).source);
    assert.throws(() => fieldsForSlot(disk.primary!.array!, 128), RangeError);
  });
});
