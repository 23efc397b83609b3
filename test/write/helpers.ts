// Shared by the writer tests: the seed's repair as a hand-made plan (the
// difference between the compacted and the healthy ESXi 5 encodings), hashes
// and plan (de)serialisation for child processes.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { encodeGptDisk } from '../../src/core/gptEncode';
import type { GptEntryFields } from '../../src/core/gptEncode';
import type { FixPlan, Patch } from '../../src/core/patch';
import type { FixId } from '../../src/core/findings';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { compactSlots, esxi5Slots, testGuid, writeSparseImage } from '../builders/images';

export const MiB = 1024 * 1024;

/** The seed's compacted ESXi 5 image at `file` and the plan that restores ESXi's slots (whole regions as patches). */
export function seedImageAndPlan(file: string, sizeBytes = 8 * 1024 * MiB): { image: string; plan: FixPlan; regions: { offset: number; length: number }[] } {
  const slots = esxi5Slots(BigInt(sizeBytes / 512));
  return imageAndPlan(file, sizeBytes, 512, compactSlots(slots), slots, 'restore-esxi-slots');
}

/** Partition `p<n>`, basic data, at LBAs first..last: the writer tests' small images are made of these. */
export function dataPart(n: number, first: bigint, last: bigint): GptEntryFields {
  return { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(n), firstLba: first, lastLba: last, name: `p${n}` };
}

/** `dir/name`: 16 MiB, p1 at LBAs 2048..10239 and p2 at 10240..20479 in slots 0 and 1, and the plan that moves p2 to slot 2. */
export function slotMoveSetup(dir: string, name = 'img.img'): ReturnType<typeof imageAndPlan> {
  const a = dataPart(1, 2048n, 10239n);
  const b = dataPart(2, 10240n, 20479n);
  return imageAndPlan(path.join(dir, name), 16 * MiB, 512, [a, b], [a, null, b], 'restore-esxi-slots');
}

/**
 * Writes a GPT image with slots `from` and returns a hand-made plan that turns
 * it into the same disk with slots `to`. Patches cover whole regions (MBR,
 * headers, arrays) on purpose: the writer must still write only changed sectors.
 */
export function imageAndPlan(
  file: string,
  sizeBytes: number,
  sectorSize: number,
  from: (GptEntryFields | null)[],
  to: (GptEntryFields | null)[],
  id: FixId,
  diskGuid = testGuid(0xd15c),
): { image: string; plan: FixPlan; regions: { offset: number; length: number }[] } {
  const spec = { sectorSize, totalSectors: BigInt(sizeBytes / sectorSize), diskGuid };
  const before = encodeGptDisk({ ...spec, slots: from });
  const after = encodeGptDisk({ ...spec, slots: to });
  writeSparseImage(file, sizeBytes, before);
  const patches: Patch[] = before.map((region, i) => ({ offset: region.offset, before: region.bytes, after: after[i]!.bytes }));
  return {
    image: file,
    plan: { id, title: `hand-made ${id}`, description: 'test plan', patches },
    regions: before.map((r) => ({ offset: r.offset, length: r.bytes.length })),
  };
}

/** SHA-256 of a whole file (small images) or of the given ranges (sparse big ones). */
export function fileHash(file: string, ranges?: { offset: number; length: number }[]): string {
  const hash = createHash('sha256');
  if (!ranges) {
    hash.update(fs.readFileSync(file));
  } else {
    const fd = fs.openSync(file, 'r');
    try {
      for (const r of ranges) {
        const buffer = Buffer.alloc(r.length);
        fs.readSync(fd, buffer, 0, r.length, r.offset);
        hash.update(buffer);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return hash.digest('hex');
}

/** Positional reads and writes of a file (the builders' own). */
export { readAt, writeAt } from '../builders/oracles';

/** Sector indices where two equally long files differ. */
export function differingSectors(a: Buffer, b: Buffer, sectorSize: number): number[] {
  const out: number[] = [];
  for (let s = 0; s * sectorSize < a.length; s++) {
    if (!a.subarray(s * sectorSize, (s + 1) * sectorSize).equals(b.subarray(s * sectorSize, (s + 1) * sectorSize))) out.push(s);
  }
  return out;
}

export interface PlanJson {
  id: string;
  title: string;
  description: string;
  patches: { offset: number; before: string; after: string }[];
}

export function planToJson(plan: FixPlan): PlanJson {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return { ...plan, patches: plan.patches.map((p) => ({ offset: p.offset, before: hex(p.before), after: hex(p.after) })) };
}

export function planFromJson(json: PlanJson): FixPlan {
  const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
  return {
    id: json.id as FixId,
    title: json.title,
    description: json.description,
    patches: json.patches.map((p) => ({ offset: p.offset, before: bytes(p.before), after: bytes(p.after) })),
  };
}

/**
 * `file` (a TypeScript child-process script) bundled once into a plain .js in
 * `dir`, so each of many child processes starts in a fraction of the time tsx needs.
 */
export function bundledChild(file: string, dir: string): string {
  const out = path.join(dir, `${path.basename(file, '.ts')}.js`);
  buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'error' });
  return out;
}
