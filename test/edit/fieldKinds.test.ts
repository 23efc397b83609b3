// Every field kind of hand edits: text -> bytes -> text round trips, the limits
// (u8..u64 exactly, UTF-16 code units, sizes and sector alignment), names for
// types and attribute bits, and hostile values that must fail with one message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldKind, ValueContext } from '../../src/core/edit/fieldKinds';
import { formatFieldValue, kindLength, parseFieldValue, describeFieldValue } from '../../src/core/edit/fieldKinds';
import { EditValueError } from '../../src/core/edit/errors';
import { parseAttributes, describeAttributes } from '../../src/core/edit/attributes';
import { formatGuid, parseGuid } from '../../src/core/guid';
import { gptTypeByName, knownGptTypes, mbrTypeByName, TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_VMFS } from '../../src/core/partitionTypes';

const ctx = (current: Uint8Array = new Uint8Array(8), extra: Partial<ValueContext> = {}): ValueContext => ({ sectorSize: 512, current, ...extra });
const parse = (kind: FieldKind, text: string, extra: Partial<ValueContext> = {}): Uint8Array =>
  parseFieldValue(kind, text, ctx(new Uint8Array(kindLength(kind)), extra), 'f');
const le = (v: bigint, n: number): number[] => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const fails = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof EditValueError && pattern.test(e.message) && !e.message.includes('\n'));

test('unsigned integers u8..u64: decimal and 0x hex, exact at the top of each range, one past it refused', () => {
  for (const bytes of [1, 2, 4, 8] as const) {
    const kind: FieldKind = { kind: 'uint', width: bytes };
    const max = (1n << BigInt(bytes * 8)) - 1n;
    assert.deepEqual([...parse(kind, max.toString())], le(max, bytes));
    assert.deepEqual([...parse(kind, `0x${max.toString(16)}`)], le(max, bytes));
    assert.deepEqual([...parse(kind, '0')], le(0n, bytes));
    assert.equal(formatFieldValue(kind, parse(kind, max.toString())), max.toString(), 'round trip');
    fails(() => parse(kind, (max + 1n).toString()), new RegExp(`out of range for a ${bytes * 8}-bit field \\(0\\.\\.${max}\\)`));
  }
  const u64 = { kind: 'uint', width: 8 } as const;
  // 2^53 + 1 is where a JavaScript number would round: BigInt keeps it.
  assert.deepEqual([...parse(u64, '9007199254740993')], le(9007199254740993n, 8));
  fails(() => parse(u64, '-1'), /negative/);
  fails(() => parse(u64, '1e3'), /not a whole number/);
  fails(() => parse(u64, '12abc'), /not a whole number/);
  fails(() => parse(u64, ''), /not a whole number/);
  fails(() => parse(u64, '0x'), /not a whole number/);
  fails(() => parse(u64, '9'.repeat(20000)), /characters long, more than/);
  // CRCs and reserved fields read as hex, and parse back.
  const crc: FieldKind = { kind: 'uint', width: 4, role: 'crc' };
  assert.equal(formatFieldValue(crc, parse(crc, '0xcbf43926')), '0xCBF43926');
  assert.deepEqual(parse(crc, formatFieldValue(crc, Uint8Array.of(1, 2, 3, 4))), Uint8Array.of(1, 2, 3, 4));
});

test('LBAs: plain numbers, byte offsets with units (sector aligned), sizes from the start for an end', () => {
  const lba: FieldKind = { kind: 'lba' };
  assert.deepEqual([...parse(lba, '2048')], le(2048n, 8));
  assert.deepEqual([...parse(lba, '1M')], le(2048n, 8), '1 MiB is LBA 2048 with 512-byte sectors');
  assert.deepEqual([...parse(lba, '1MiB')], le(2048n, 8));
  assert.deepEqual([...parse(lba, '4096B')], le(8n, 8));
  assert.deepEqual([...parseFieldValue(lba, '1M', { sectorSize: 4096, current: new Uint8Array(8) }, 'f')], le(256n, 8), '4Kn');
  assert.deepEqual([...parse(lba, '+512M', { startLba: 2048n })], le(2048n + 1048576n - 1n, 8), 'sgdisk-style end: start + size - 1');
  assert.deepEqual([...parse(lba, '+100', { startLba: 34n })], le(133n, 8), 'a size without unit counts sectors');
  assert.deepEqual([...parse(lba, '18446744073709551615')], le((1n << 64n) - 1n, 8));
  fails(() => parse(lba, '1000B'), /not a whole number of 512-byte sectors/);
  fails(() => parse(lba, '+1M'), /only an ending LBA takes/);
  fails(() => parse(lba, '+0', { startLba: 34n }), /size of 0/);
  fails(() => parse(lba, '5X'), /unknown unit "X"/);
  fails(() => parse(lba, '16E'), /unknown unit/);
  fails(() => parse(lba, '17000000P'), /out of range for a 64-bit field/);
  fails(() => parse(lba, '+18446744073709551615', { startLba: 2n }), /out of range/);
  assert.equal(formatFieldValue(lba, parse(lba, '1M')), '2048');
  assert.equal(describeFieldValue(lba, parse(lba, '1M'), { sectorSize: 512 }), 'byte 0x100000');
});

test('GUIDs: text (braces allowed) in the mixed-endian disk order; partition types also by name', () => {
  const guid: FieldKind = { kind: 'guid' };
  const type: FieldKind = { kind: 'guid', partitionType: true };
  const text = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
  assert.deepEqual(parse(guid, text), parseGuid(text));
  assert.equal(
    [...parse(guid, text)]
      .slice(0, 4)
      .map((b) => b.toString(16))
      .join(''),
    '28732ac1',
    'first group little-endian on disk',
  );
  assert.equal(formatFieldValue(guid, parse(guid, `{${text.toLowerCase()}}`)), text);
  assert.equal(formatGuid(parse(type, 'efi')), TYPE_EFI_SYSTEM);
  assert.equal(formatGuid(parse(type, 'basic-data')), TYPE_MS_BASIC_DATA);
  assert.equal(formatGuid(parse(type, 'VMFS')), TYPE_VMWARE_VMFS);
  assert.equal(formatGuid(parse(type, 'linux')), '0FC63DAF-8483-4772-8E79-3D69D8477DE4');
  assert.equal(formatGuid(parse(type, 'Linux swap')), '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', 'full names too');
  assert.equal(describeFieldValue(type, parse(type, 'linux'), { sectorSize: 512 }), 'Linux filesystem');
  fails(() => parse(guid, 'linux'), /not a GUID/);
  fails(() => parse(type, 'not-a-type'), /neither a GUID .* nor a known partition type/);
  fails(() => parse(guid, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93'), /not a GUID/);
  fails(() => parse(guid, 'G12A7328-F81F-11D2-BA4B-00A0C93EC93B'), /not a GUID/);
  // Every short name resolves to a type we can name.
  for (const t of knownGptTypes()) if (t.alias) assert.equal(gptTypeByName(t.alias), t.guid);
  assert.ok(knownGptTypes().length >= 25);
});

test('UTF-16 names: 36 code units, zero padded; surrogate pairs count two; NUL and lone surrogates refused', () => {
  const name: FieldKind = { kind: 'utf16', codeUnits: 36 };
  const raw = parse(name, 'bootbank');
  assert.equal(raw.length, 72);
  assert.deepEqual([...raw.subarray(0, 4)], [0x62, 0, 0x6f, 0]);
  assert.ok(
    raw.subarray(16).every((b) => b === 0),
    'rest zeroed',
  );
  for (const text of ['', 'x'.repeat(36), 'Données système', '数据分区', 'emoji 😀 two units']) {
    assert.equal(formatFieldValue(name, parse(name, text)), text, text);
  }
  assert.equal(formatFieldValue(name, parse(name, '😀'.repeat(18))), '😀'.repeat(18), '18 pairs = 36 units');
  fails(() => parse(name, 'x'.repeat(37)), /37 UTF-16 code units long; the field holds 36/);
  fails(() => parse(name, '😀'.repeat(18) + 'x'), /37 UTF-16 code units/);
  fails(() => parse(name, 'a\u0000b'), /NUL/);
  fails(() => parse(name, 'a\ud800b'), /lone UTF-16 surrogate/);
  fails(() => parse(name, 'a\udc00'), /lone UTF-16 surrogate/);
  assert.equal(describeFieldValue(name, parse(name, 'abc'), { sectorSize: 512 }), '3 of 36 code units');
});

test('attributes: the raw 64 bits, +name/-name changes on the current value, multi-bit ChromeOS fields', () => {
  const kind: FieldKind = { kind: 'attributes' };
  const cur = (v: bigint): Uint8Array => Uint8Array.from(le(v, 8));
  const value = (text: string, current = 0n): bigint => parseAttributes(text, current, 'f');
  assert.equal(value('0x8000000000000001'), 0x8000000000000001n, 'bit 63 survives');
  assert.equal(value('18446744073709551615'), (1n << 64n) - 1n);
  assert.equal(value('+required'), 1n);
  assert.equal(value('+required,+legacy-bios-bootable'), 5n);
  assert.equal(value('+no-block-io +hidden'), 2n | (1n << 62n));
  assert.equal(value('-hidden', (1n << 62n) | 1n), 1n);
  assert.equal(value('+read-only,+shadow-copy,+hidden,+no-drive-letter'), 0xfn << 60n);
  assert.equal(value('+48'), 1n << 48n, 'a bit number');
  assert.equal(value('priority=15,tries=3,+successful'), (15n << 48n) | (3n << 52n) | (1n << 56n));
  assert.equal(value('priority=0', 0xfn << 48n), 0n);
  assert.equal(formatFieldValue(kind, cur(5n)), '0x0000000000000005');
  assert.deepEqual(parseFieldValue(kind, '+hidden', { sectorSize: 512, current: cur(1n) }, 'f'), cur(1n | (1n << 62n)), 'relative to the current bytes');
  assert.equal(describeAttributes((1n << 62n) | 1n, TYPE_MS_BASIC_DATA), 'required, hidden');
  assert.equal(describeAttributes(1n << 62n, null), 'bit 62', 'type-specific names only for their type');
  assert.equal(describeAttributes((2n << 48n) | (1n << 56n), 'FE3A2A5D-4F32-41A7-B725-ACCC3285A309'), 'priority=2, successful');
  assert.equal(describeAttributes(0n, null), 'none');
  fails(() => value('0x10000000000000000'), /does not fit the 64 attribute bits/);
  fails(() => value('+64'), /bit 64 does not exist/);
  fails(() => value('+nope'), /unknown attribute "nope"/);
  fails(() => value('priority=16'), /priority takes 0\.\.15/);
  fails(() => value('hidden'), /neither a value .* nor a change/);
  fails(() => value(' '), /no value/);
});

test('MBR bytes: type bytes in hex as fdisk shows them or by name; boot indicator; disk signature; raw bytes', () => {
  const type: FieldKind = { kind: 'mbrType' };
  assert.deepEqual(parse(type, '83'), Uint8Array.of(0x83));
  assert.deepEqual(parse(type, '0xee'), Uint8Array.of(0xee));
  assert.deepEqual(parse(type, 'linux'), Uint8Array.of(0x83));
  assert.deepEqual(parse(type, 'HPFS/NTFS/exFAT'), Uint8Array.of(0x07));
  assert.equal(mbrTypeByName('gpt'), 0xee);
  assert.equal(formatFieldValue(type, Uint8Array.of(0x0c)), '0x0C');
  assert.equal(describeFieldValue(type, Uint8Array.of(0x0c), { sectorSize: 512 }), 'W95 FAT32 (LBA)');
  fails(() => parse(type, '0x100'), /neither a type byte/);
  fails(() => parse(type, 'minix-ish'), /neither a type byte/);
  const boot: FieldKind = { kind: 'bootIndicator' };
  assert.deepEqual(parse(boot, 'active'), Uint8Array.of(0x80));
  assert.deepEqual(parse(boot, '0'), Uint8Array.of(0));
  assert.equal(formatFieldValue(boot, Uint8Array.of(0x80)), '0x80');
  fails(() => parse(boot, '256'), /out of range/);
  const sig: FieldKind = { kind: 'diskSignature' };
  assert.deepEqual([...parse(sig, '0xDEADBEEF')], [0xef, 0xbe, 0xad, 0xde]);
  assert.equal(formatFieldValue(sig, parse(sig, '0xDEADBEEF')), '0xDEADBEEF');
  fails(() => parse(sig, '0x1DEADBEEF'), /out of range for a 32-bit/);
  const bytes: FieldKind = { kind: 'hexbytes', length: 2 };
  assert.deepEqual(parse(bytes, '55 aa'), Uint8Array.of(0x55, 0xaa));
  assert.deepEqual(parse(bytes, 'zeros'), Uint8Array.of(0, 0));
  assert.equal(formatFieldValue(bytes, Uint8Array.of(0x55, 0xaa)), '55aa');
  fails(() => parse(bytes, '55'), /1 bytes given; the field has 2/);
  fails(() => parse(bytes, '5g aa'), /not hex bytes/);
  const ascii: FieldKind = { kind: 'ascii', length: 8 };
  assert.deepEqual(
    parse(ascii, 'EFI PART'),
    Uint8Array.from('EFI PART', (c) => c.charCodeAt(0)),
  );
  assert.equal(formatFieldValue(ascii, parse(ascii, '0x0000000000000000')), '0x0000000000000000');
  fails(() => parse(ascii, 'EFI PAR'), /has 7 characters; the field has 8/);
  fails(() => parse(ascii, 'EFI PAR\u0100'), /not printable ASCII/);
});
