// The data inspector's decodings against independent readers: Node's Buffer
// reads for the integers and floats (random bytes, both byte orders), Python's
// struct 'e' for every binary16 pattern, iconv for Shift-JIS, Buffer for UTF-8/16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { inspect } from '../../webview/inspector';
import { float16, formatFloat } from '../../webview/inspectorFloat';
import { seededBytes } from '../builders/oracles';

const values = (bytes: Buffer, littleEndian: boolean): Record<string, string> =>
  Object.fromEntries(inspect({ bytes: new Uint8Array(bytes), offset: 0, sectorSize: 512, littleEndian }).map((r) => [r.label, r.value]));

/** The float a formatted value stands for; NaN stays NaN. */
const parsed = (text: string): number => (text === 'NaN' ? NaN : Number(text));

test('integers and floats equal Buffer reads for random bytes, little and big endian', () => {
  const special = [
    Buffer.from('7ff8000000000000', 'hex'), // NaN
    Buffer.from('8000000000000000', 'hex'), // -0
    Buffer.from('7ff0000000000000', 'hex'), // Infinity
    Buffer.from('0000000000000001', 'hex'), // smallest subnormal (BE)
    Buffer.from('ffffffffffffffff', 'hex'),
  ];
  const samples = [...special, ...Array.from({ length: 500 }, (_, i) => seededBytes(i + 1, 16))];
  for (const raw of samples) {
    const bytes = Buffer.concat([raw, Buffer.alloc(16 - Math.min(16, raw.length))]);
    for (const le of [true, false]) {
      const v = values(bytes, le);
      const hex = bytes.subarray(0, 8).toString('hex');
      const e = le ? 'LE' : 'BE';
      assert.equal(v['u8']!.split(' ')[0], String(bytes.readUInt8(0)), hex);
      assert.equal(v['i8'], String(bytes.readInt8(0)), hex);
      assert.equal(v['u16']!.split(' ')[0], String(le ? bytes.readUInt16LE(0) : bytes.readUInt16BE(0)), `${hex} u16 ${e}`);
      assert.equal(v['i16'], String(le ? bytes.readInt16LE(0) : bytes.readInt16BE(0)), `${hex} i16 ${e}`);
      assert.equal(v['u32']!.split(' ')[0], String(le ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0)), `${hex} u32 ${e}`);
      assert.equal(v['i32'], String(le ? bytes.readInt32LE(0) : bytes.readInt32BE(0)), `${hex} i32 ${e}`);
      assert.equal(v['u64']!.split(' ')[0], String(le ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0)), `${hex} u64 ${e}`);
      assert.equal(v['i64'], String(le ? bytes.readBigInt64LE(0) : bytes.readBigInt64BE(0)), `${hex} i64 ${e}`);
      const f32 = le ? bytes.readFloatLE(0) : bytes.readFloatBE(0);
      const f64 = le ? bytes.readDoubleLE(0) : bytes.readDoubleBE(0);
      // The shortest text reads back as the same float: exactly for doubles, through fround for singles.
      assert.ok(Object.is(Math.fround(parsed(v['f32']!)), f32), `${hex} f32 ${e}: ${v['f32']} vs ${f32}`);
      assert.ok(Object.is(parsed(v['f64']!), f64), `${hex} f64 ${e}: ${v['f64']} vs ${f64}`);
      const significant = v['f32']!.replace(/e.*$/, '').replace(/\D/g, '').replace(/^0+/, '').replace(/0+$/, '');
      assert.ok(significant.length <= 9, `${v['f32']}: at most 9 significant digits for a float32`);
      const hexDigits = (le ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0)).toString(16).toUpperCase().padStart(16, '0');
      assert.equal(v['u64']!.split(' ')[1], `(0x${hexDigits})`);
    }
  }
});

test('binary16: every bit pattern decodes as Python struct "e" does, and its text packs back to the same bits', () => {
  const script = ['import struct, sys', 'for b in range(65536):', '    print(repr(struct.unpack("<e", b.to_bytes(2, "little"))[0]))'].join('\n');
  const oracle = execFileSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 4 << 20 })
    .trim()
    .split('\n');
  assert.equal(oracle.length, 65536);
  const texts: string[] = [];
  for (let bits = 0; bits < 65536; bits++) {
    const ours = float16(bits);
    const expected = oracle[bits]!;
    if (expected === 'nan') assert.ok(Number.isNaN(ours), `0x${bits.toString(16)}`);
    else if (expected === 'inf' || expected === '-inf') assert.equal(ours, expected === 'inf' ? Infinity : -Infinity);
    else assert.ok(Object.is(ours, Number(expected)), `0x${bits.toString(16)}: ${ours} vs ${expected}`);
    texts.push(formatFloat(ours, 16));
  }
  // Python parses our shortest texts and packs them as binary16: the same bits come back (NaN aside).
  const pack = ['import struct, sys', 'for line in sys.stdin.read().split():', '    print(struct.pack("<e", float(line)).hex())'].join('\n');
  const packed = execFileSync('python3', ['-c', pack], { input: texts.join('\n'), encoding: 'utf8', maxBuffer: 4 << 20 })
    .trim()
    .split('\n');
  for (let bits = 0; bits < 65536; bits++) {
    if (texts[bits] === 'NaN') continue;
    assert.equal(packed[bits], Buffer.from([bits & 0xff, bits >> 8]).toString('hex'), `${texts[bits]} for 0x${bits.toString(16)}`);
  }
  assert.equal(formatFloat(float16(0x3555), 16), '0.3333');
  assert.equal(values(Buffer.from([0x00, 0x3c, 0, 0, 0, 0, 0, 0]), true)['f16'], '1');
  assert.equal(values(Buffer.from([0x3c, 0x00, 0, 0, 0, 0, 0, 0]), false)['f16'], '1');
});

test('text rows: ASCII, UTF-8, UTF-16LE/BE and Shift-JIS stop at the terminator and match Buffer and iconv', () => {
  const text = (bytes: Buffer, label: string): string => {
    const value = inspect({ bytes: new Uint8Array(bytes), offset: 0, sectorSize: 512, littleEndian: true }).find((r) => r.label === label)!.value;
    return value === '—' ? '' : (JSON.parse(value) as string);
  };
  const name = 'EFI システム';
  assert.equal(text(Buffer.from(`${name}\0junk`, 'utf8'), 'UTF-8'), name);
  assert.equal(text(Buffer.from(`${name}\0junk`, 'utf16le'), 'UTF-16LE'), name);
  assert.equal(text(Buffer.from(`${name}\0junk`, 'utf16le').swap16(), 'UTF-16BE'), name);
  assert.equal(text(Buffer.from('EFI\x01PART\0x'), 'ASCII'), 'EFI.PART');
  // Shift-JIS bytes made by iconv (the oracle), decoded back by the inspector.
  const sjis = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'SHIFT_JIS'], { input: '日本語のラベル' });
  assert.equal(text(Buffer.concat([sjis, Buffer.from([0])]), 'Shift-JIS'), '日本語のラベル');
  // A character cut by the end of the bytes is left out, not shown as U+FFFD.
  assert.equal(text(Buffer.from('aé', 'utf8').subarray(0, 2), 'UTF-8'), 'a');
  assert.equal(text(sjis.subarray(0, 3), 'Shift-JIS'), '日');
  // Controls are dots (they would reorder or hide the text around them).
  assert.equal(text(Buffer.from('a\u202eb\u0007', 'utf8'), 'UTF-8').includes('\u0007'), false);
});
