// GNU cmp as the byte diff's oracle: the offsets `cmp -l` lists, and the same
// offsets from a list of differing ranges, to compare the two.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** `cmp -l A B`: the differing byte offsets (0-based; cmp counts from 1) and its stderr ("EOF on ..."). */
export function cmpList(fileA: string, fileB: string): { offsets: number[]; stderr: string } {
  const result = spawnSync('cmp', ['-l', fileA, fileB], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.ok(result.status === 0 || result.status === 1, `cmp failed: ${result.stderr}`);
  const offsets = result.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => Number(line.trim().split(/\s+/)[0]) - 1);
  return { offsets, stderr: result.stderr };
}

/** The differing byte offsets `cmp -l A B` lists (0-based). */
export function cmpOffsets(fileA: string, fileB: string): number[] {
  return cmpList(fileA, fileB).offsets;
}

/** Every byte offset a list of ranges covers, in order. */
export function rangeOffsets(ranges: readonly { offset: number; length: number }[]): number[] {
  return ranges.flatMap((r) => Array.from({ length: r.length }, (_, i) => r.offset + i));
}
