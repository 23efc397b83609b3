// The comparison webview's pure module in plain Node: next/previous difference
// over the scan's ranges (plus the tail), which range holds a byte, cell states
// and the toolbar's scan line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellState, describeScan, navigationStops, nextStop, overlapsStop, previousStop, stopAt } from '../../webview/compare/diffRanges';
import type { ScanSummary } from '../../src/shared/protocol/compare';

const summary: ScanSummary = {
  ranges: [
    { offset: 100, length: 1 },
    { offset: 1024, length: 128 },
    { offset: 5000, length: 16 },
  ],
  truncated: false,
  differingBytes: 145,
  comparedBytes: 8192,
  scannedBytes: 8192,
  tail: { offset: 8192, length: 4096, in: 'b' },
  identical: false,
  elapsedMs: 3,
};

test('stops are the ranges, then the tail', () => {
  assert.deepEqual(navigationStops(null), []);
  const stops = navigationStops(summary);
  assert.equal(stops.length, 4);
  assert.deepEqual(stops[3], { offset: 8192, length: 4096 });
  assert.equal(summary.ranges.length, 3, 'the summary is not modified');
});

test('next and previous stops from any offset; -1 at the ends', () => {
  const stops = navigationStops(summary);
  assert.equal(nextStop(stops, 0), 0);
  assert.equal(nextStop(stops, 100), 1, 'from the start of a stop, next is the one after');
  assert.equal(nextStop(stops, 1100), 2);
  assert.equal(nextStop(stops, 5000), 3);
  assert.equal(nextStop(stops, 8192), -1);
  assert.equal(previousStop(stops, 8192), 2);
  assert.equal(previousStop(stops, 1024), 0);
  assert.equal(previousStop(stops, 1025), 1, 'inside a stop, previous is its start');
  assert.equal(previousStop(stops, 100), -1);
  assert.equal(nextStop([], 0), -1);
  assert.equal(previousStop([], 10), -1);
});

test('stopAt and overlapsStop', () => {
  const stops = navigationStops(summary);
  assert.equal(stopAt(stops, 100), 0);
  assert.equal(stopAt(stops, 101), -1);
  assert.equal(stopAt(stops, 1151), 1);
  assert.equal(stopAt(stops, 1152), -1);
  assert.equal(stopAt(stops, 12287), 3);
  assert.equal(overlapsStop(stops, 96, 16), true);
  assert.equal(overlapsStop(stops, 112, 16), false);
  assert.equal(overlapsStop(stops, 1008, 16), false);
  assert.equal(overlapsStop(stops, 1008, 17), true);
  assert.equal(overlapsStop([], 0, 16), false);
});

test('cell states', () => {
  assert.equal(cellState(1, 1), 'same');
  assert.equal(cellState(1, 2), 'diff');
  assert.equal(cellState(1, null), 'only');
  assert.equal(cellState(null, 1), 'none');
  assert.equal(cellState(undefined, 1), 'loading');
  assert.equal(cellState(1, undefined), 'loading');
});

test('the scan line', () => {
  assert.equal(describeScan(summary), '3 differing ranges, 145 bytes; B has 4,096 more bytes from 0x2000.');
  assert.equal(describeScan({ ...summary, ranges: [], differingBytes: 0, tail: null, identical: true }), 'Identical: 8,192 bytes compared.');
  assert.match(describeScan({ ...summary, truncated: true, scannedBytes: 0x1400, tail: null }), /^3\+ differing ranges.*scan stopped at 0x1400/);
  assert.match(describeScan({ ...summary, ranges: [], differingBytes: 0 }), /^No differing byte in the common part; B has/);
});
