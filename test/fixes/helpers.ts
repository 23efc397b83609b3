// Shared by the fix tests: build and damage images, apply a plan's patches the
// simple way (check `before`, write `after`; the real safe writer lives in
// src/core/write/ and is tested there), and ask the Debian tools what they think.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { analyzeImage } from '../../src/core/index';
import type { DiskModel } from '../../src/core/diskModel';
import type { Finding, FindingCode, FixId } from '../../src/core/findings';
import type { FixPlan, Patch } from '../../src/core/patch';
import { planFix } from '../../src/core/fixes/index';
import { haveOracles, run } from '../builders/images';
import { readAt as readBytes, writeAt as writeBytes } from '../builders/oracles';

/** Skip reason for tests that need gdisk/fdisk, or false when they are installed. */
export const NEED_ORACLES: false | string = haveOracles() ? false : 'gdisk/fdisk (sgdisk, sfdisk) not installed';

/** Parses the image and runs the checks. */
export async function load(file: string, sectorSize?: number): Promise<{ disk: DiskModel; findings: Finding[] }> {
  const { opened, disk, findings } = await analyzeImage(file, sectorSize ? { sectorSize } : {});
  await opened.source.close();
  return { disk, findings };
}

/** Plans `id` and fails the test with the reason if it does not apply. */
export async function planOk(file: string, id: FixId, sectorSize?: number): Promise<{ disk: DiskModel; plan: FixPlan }> {
  const { disk } = await load(file, sectorSize);
  const result = planFix(disk, id);
  assert.ok(result.ok, result.ok ? '' : `${id} did not apply: ${result.reason}`);
  return { disk, plan: result.plan };
}

/** Plans `id` and returns the reason it does not apply (fails if it does). */
export async function planRefused(file: string, id: FixId, sectorSize?: number): Promise<string> {
  const { disk } = await load(file, sectorSize);
  const result = planFix(disk, id);
  assert.equal(result.ok, false, result.ok ? `${id} unexpectedly applied: ${result.plan.description}` : '');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.id, id);
  assert.ok(result.reason.length > 10, `reason too thin: ${result.reason}`);
  return result.reason;
}

/** Writes every patch's `after`, first checking the file still holds its `before`. */
export function applyPatches(file: string, patches: Patch[]): void {
  const fd = fs.openSync(file, 'r+');
  try {
    for (const patch of patches) {
      assert.equal(patch.before.length, patch.after.length);
      const current = Buffer.alloc(patch.before.length);
      fs.readSync(fd, current, 0, current.length, patch.offset);
      assert.ok(current.equals(Buffer.from(patch.before)), `bytes at ${patch.offset} are not the patch's before`);
      fs.writeSync(fd, patch.after, 0, patch.after.length, patch.offset);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Plans `id` on `file`, applies it and returns the plan. */
export async function fix(file: string, id: FixId, sectorSize?: number): Promise<FixPlan> {
  const { plan } = await planOk(file, id, sectorSize);
  applyPatches(file, plan.patches);
  return plan;
}

/** Positional reads and writes (damage) of a file: the builders' readAt and writeAt. */
export { readBytes, writeBytes };

/** The GPT regions: LBA 0 through the primary array, and the backup array + header at the end. */
export function gptRegions(file: string, sectorSize: number, arraySectors = 16384 / sectorSize): { head: Buffer; tail: Buffer } {
  const size = fs.statSync(file).size;
  const areaBytes = (arraySectors + 2) * sectorSize;
  return { head: readBytes(file, 0, areaBytes), tail: readBytes(file, size - (arraySectors + 1) * sectorSize, (arraySectors + 1) * sectorSize) };
}

/** Sparse copy. */
export function copyImage(from: string, to: string): string {
  run('cp', ['--sparse=always', from, to]);
  return to;
}

/** `sgdisk -v` output; it exits 0 whatever it finds, so the text is what counts. */
export function sgdiskVerify(file: string): string {
  return run('sgdisk', ['-v', file]);
}

/**
 * Asserts that sgdisk calls the image healthy and returns its report. Its
 * "Caution: Partition N doesn't end on a 32-sector boundary" (ESXi's layouts do
 * not) is advice, not a problem; anything else it cautions about fails.
 */
export function assertSgdiskHealthy(file: string): string {
  const out = sgdiskVerify(file);
  assert.match(out, /No problems found/, out);
  assert.doesNotMatch(out, /Problem:|Warning|corrupt|invalid|mismatch/i, out);
  const cautions = out.split(/\n\s*\n/).filter((p) => /Caution/.test(p) && !/doesn't end on a \d+-sector boundary/.test(p));
  assert.deepEqual(cautions, [], out);
  return out;
}

interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  uuid: string;
  name?: string;
  attrs?: string;
}

/** `sfdisk --json` partitions with their slot (node suffix - 1). */
export function sfdiskPartitions(file: string): (SfdiskPartition & { slot: number })[] {
  const json = JSON.parse(run('sfdisk', ['--json', file])) as { partitiontable: { partitions?: SfdiskPartition[] } };
  return (json.partitiontable.partitions ?? []).map((p) => {
    const match = /(\d+)$/.exec(p.node.slice(file.length));
    assert.ok(match, `node ${p.node} has no number suffix`);
    return { ...p, slot: Number(match[1]) - 1 };
  });
}

/** `fdisk -b 4096 -l`: stdout, stderr (its warnings) and the partition numbers it lists. */
export function fdisk4kList(file: string): { stdout: string; stderr: string; numbers: number[] } {
  const result = spawnSync('fdisk', ['-b', '4096', '-l', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const numbers: number[] = [];
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith(file)) numbers.push(Number(/^\S*?(\d+)\s/.exec(line.slice(file.length))?.[1]));
  }
  return { stdout: result.stdout, stderr: result.stderr, numbers };
}

/** Finding codes present, for asserting a fix removed what it addresses. */
export function codes(findings: Finding[]): FindingCode[] {
  return findings.map((f) => f.code);
}

/** Distinct `sectorSize`-byte sectors a patch list writes. */
export function sectorsWritten(patches: Patch[], sectorSize: number): number[] {
  const set = new Set<number>();
  for (const p of patches) for (let at = p.offset; at < p.offset + p.after.length; at++) set.add(Math.floor(at / sectorSize));
  return [...set].sort((a, b) => a - b);
}

/** An image made by sgdisk: 64 MiB, partitions 1, 2 and 4 (slot 3 empty), names, attribute bit 60 on 2. */
export function sgdiskImage(file: string, sizeBytes = 64 * 1024 * 1024): string {
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, sizeBytes);
  run('sgdisk', [
    '-o',
    '-n',
    '1:2048:+8M',
    '-t',
    '1:EF00',
    '-c',
    '1:EFI system',
    '-n',
    '2:0:+16M',
    '-t',
    '2:8300',
    '-c',
    '2:root',
    '-A',
    '2:set:60',
    '-n',
    '4:0:+8M',
    '-t',
    '4:8200',
    '-c',
    '4:swap',
    file,
  ]);
  return file;
}

/** `bytes` with every patch applied in memory, after checking each patch's `before` (a copy; `bytes` is untouched). */
export function applyToBytes(bytes: Uint8Array, patches: Patch[]): Uint8Array {
  const out = bytes.slice();
  for (const patch of patches) {
    assert.equal(patch.before.length, patch.after.length);
    assert.deepEqual(out.subarray(patch.offset, patch.offset + patch.before.length), patch.before, `bytes at ${patch.offset} are not the patch's before`);
    out.set(patch.after, patch.offset);
  }
  return out;
}

/** Offsets (relative to the buffers) where two equal-length buffers differ. */
export function differingOffsets(a: Uint8Array, b: Uint8Array): number[] {
  assert.equal(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** A sparse image file holding `bytes` (for the Debian tools, which need a file). */
export function bytesToFile(file: string, bytes: Uint8Array): string {
  fs.writeFileSync(file, bytes);
  return file;
}

/** Grows or shrinks an image in place, like a RAID rebuilt larger or a copy cut short. */
export function resizeImage(file: string, sizeBytes: number): string {
  fs.truncateSync(file, sizeBytes);
  return file;
}

/** `fdisk -b N -l` stdout and stderr (its GPT warnings: PMBR size mismatch, backup not at the end...). */
export function fdiskListText(file: string, sectorSize: number): { stdout: string; stderr: string } {
  const result = spawnSync('fdisk', ['-b', String(sectorSize), '-l', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Asserts fdisk lists the disk without a GPT warning (it reports PMBR size and backup placement problems on stderr). */
export function assertFdiskQuiet(file: string, sectorSize: number): string {
  const { stdout, stderr } = fdiskListText(file, sectorSize);
  const text = (stdout + stderr).split(file).join('IMAGE'); // the file's own name may contain any word
  assert.doesNotMatch(text, /mismatch|not on the end|corrupt|invalid|wrong/i, text);
  return stdout;
}

/** The 4-byte little-endian value at `offset` of a file. */
export function readU32(file: string, offset: number): number {
  return readBytes(file, offset, 4).readUInt32LE(0);
}

/** The 8-byte little-endian value at `offset` of a file. */
export function readU64(file: string, offset: number): bigint {
  return readBytes(file, offset, 8).readBigUInt64LE(0);
}

/** Errors and warnings only (what makes `diskx check` exit 1). */
export function problemCodes(findings: Finding[]): FindingCode[] {
  return findings.filter((f) => f.severity !== 'info').map((f) => f.code);
}

/** `diskx check IMAGE --json` from the built CLI (dist/cli.js; `npm test` builds it first): exit status and finding codes. */
export function diskxCheck(file: string): { status: number | null; codes: FindingCode[] } {
  const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
  assert.ok(fs.existsSync(cli), `${cli} is missing: run node esbuild.mjs first`);
  const result = spawnSync(process.execPath, [cli, 'check', file, '--json'], { encoding: 'utf8' });
  assert.ok(result.status === 0 || result.status === 1, `diskx check exited ${result.status}: ${result.stderr}`);
  const json = JSON.parse(result.stdout) as { findings: Finding[] };
  return { status: result.status, codes: json.findings.map((f) => f.code) };
}

let sgdiskTemplate: string | null = null;
/** A copy of one sgdiskImage made once per process (every writing sgdisk run sleeps about a second). */
export function sgdiskImageCopy(file: string): string {
  if (!sgdiskTemplate) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-sgdisk-template-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    sgdiskTemplate = sgdiskImage(path.join(dir, 'template.img'));
  }
  return copyImage(sgdiskTemplate, file);
}
