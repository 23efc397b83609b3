// The shared hex row builder, cursor keys, byte marks and the editor's selection in
// plain Node: runs of like bytes, 8-byte groups, loading and absent bytes, marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, LOADING, rowHtml } from '../../webview/hex/rowHtml';
import type { CellRenderer } from '../../webview/hex/rowHtml';
import { cursorKeyTarget } from '../../webview/hex/cursorKeys';
import { ByteMarks } from '../../webview/hex/marks';
import { Selection } from '../../webview/editor/selection';
import type { SelectionChange } from '../../webview/editor/selection';

/** Bytes 2..3 of a sector are a field (group "f"), byte 5 carries the cursor. */
const cells: CellRenderer = {
  describe(absolute, _value, cell) {
    const offset = absolute % 512;
    const inField = offset >= 2 && offset <= 3;
    cell.hexClass = `hex-byte${inField ? ' k-crc' : ''}${offset === 5 ? ' cursor' : ''}`;
    cell.charClass = offset === 5 ? 'hex-char cursor' : 'hex-char';
    cell.group = inField ? 'f' : undefined;
    cell.startMarks = offset === 2 ? ' span-start' : '';
    cell.title = inField ? 'Field <1>' : '';
  },
};

test('merged runs break at fields, class changes and 8-byte groups; ASCII runs mirror the marks', () => {
  const values = Uint8Array.from({ length: 16 }, (_, i) => 0x41 + i);
  const html = rowHtml({ offsetDigits: 8, lbaSectorSize: 512, mergeRuns: true }, 512, values, '', cells);
  assert.match(html, /^<div class="hex-row" data-offset="512"><span class="off">0x00000200<\/span><span class="lba">LBA 1<\/span><span class="bytes">/);
  const runs = [...html.matchAll(/<span class="(hex-byte[^"]*)" data-offset="(\d+)" data-length="(\d+)"(?: title="([^"]*)")?>([^<]*)<\/span>/g)].map((m) => [
    m[1],
    Number(m[2]),
    Number(m[3]),
    m[4] ?? '',
    m[5],
  ]);
  assert.deepEqual(runs, [
    ['hex-byte', 512, 2, '', '41 42'],
    ['hex-byte k-crc span-start', 514, 2, 'Field &#60;1&#62;', '43 44'],
    ['hex-byte', 516, 1, '', '45'],
    ['hex-byte cursor', 517, 1, '', '46'],
    ['hex-byte', 518, 2, '', '47 48'],
    ['hex-byte group-start', 520, 8, '', '49 4A 4B 4C 4D 4E 4F 50'],
  ]);
  assert.match(
    html,
    /<span class="ascii"><span class="hex-char" data-offset="512" data-length="5">ABCDE<\/span><span class="hex-char cursor" data-offset="517" data-length="1">F<\/span><span class="hex-char" data-offset="518" data-length="10">GHIJKLMNOP<\/span><\/span><\/div>$/,
  );
});

test('one element per byte without merging; loading, absent and unprintable bytes; no LBA column', () => {
  const plain: CellRenderer = {
    describe: (_o, _v, cell) => ((cell.hexClass = 'hex-byte same'), (cell.charClass = ''), (cell.group = undefined), (cell.startMarks = ''), (cell.title = '')),
  };
  const values = Int16Array.from([0x3c, 0x00, LOADING, ABSENT]);
  const html = rowHtml({ offsetDigits: 10, lbaSectorSize: null, mergeRuns: false }, 16, values, ' has-diff', plain);
  assert.equal(
    html,
    '<div class="hex-row has-diff" data-offset="16"><span class="off">0x0000000010</span><span class="bytes">' +
      '<span class="hex-byte same" data-offset="16">3C</span><span class="hex-byte same" data-offset="17">00</span>' +
      '<span class="hex-byte same" data-offset="18">··</span><span class="hex-byte same" data-offset="19">  </span>' +
      '</span><span class="ascii">&#60;.  </span></div>',
  );
});

test('cursor keys: arrows, pages clamped at the ends (PageUp keeps the column), Home / End, Ctrl to the ends', () => {
  const last = 1023;
  const move = (key: string, cursor: number, ctrl = false) => cursorKeyTarget(key, ctrl, cursor, 16, 320, last);
  assert.equal(move('ArrowRight', 5), 6);
  assert.equal(move('ArrowLeft', 0), 0);
  assert.equal(move('ArrowDown', 5), 21);
  assert.equal(move('ArrowUp', 5), 0);
  assert.equal(move('PageDown', 5), 325);
  assert.equal(move('PageDown', 1000), last);
  assert.equal(move('PageUp', 37), 5);
  assert.equal(move('Home', 37), 32);
  assert.equal(move('End', 37), 47);
  assert.equal(move('End', 37, true), last);
  assert.equal(move('Home', 37, true), 0);
  assert.equal(move('x', 37), null);
});

test('byte marks: sorted ranges, binary search, cleared', () => {
  const marks = new ByteMarks('preview');
  assert.ok(marks.empty);
  marks.set([
    { offset: 100, length: 4 },
    { offset: 10, length: 2 },
    { offset: 50, length: 0 },
  ]);
  assert.deepEqual(marks.ranges, [
    { offset: 10, length: 2 },
    { offset: 100, length: 4 },
  ]);
  assert.deepEqual(
    [9, 10, 11, 12, 50, 99, 100, 103, 104].map((o) => marks.has(o)),
    [false, true, true, false, false, false, true, true, false],
  );
  marks.clear();
  assert.ok(marks.empty && !marks.has(10));
});

test('selection: a cursor or a range, clamped to the image; listeners hear every change with its reveal', () => {
  const selection = new Selection();
  selection.last = 999;
  const heard: SelectionChange[] = [];
  selection.onChange((change) => heard.push(change));
  selection.setRange(512, 8, { syncTree: false, reveal: 'jump' });
  assert.deepEqual([selection.lo, selection.hi, selection.length, selection.hasRange], [512, 519, 8, true]);
  selection.setRange(5000, 0);
  assert.deepEqual([selection.cursor, selection.length, selection.hasRange, selection.contains(999)], [999, 0, false, false]);
  selection.moveCursor(990, false);
  selection.moveCursor(980, true);
  assert.deepEqual([selection.lo, selection.hi, selection.length, selection.contains(985)], [980, 990, 11, true]);
  selection.selectBytes(20, 10);
  assert.deepEqual([selection.lo, selection.hi, selection.cursor], [10, 20, 10]);
  selection.extendTo(-5);
  assert.deepEqual([selection.lo, selection.hi], [0, 20]);
  assert.deepEqual(
    heard.map((c) => c.reveal ?? null),
    ['jump', null, 'follow', 'follow', null, null],
  );
  assert.equal(heard[0]!.syncTree, false);
});
