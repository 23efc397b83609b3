// Where the areas of one disk map, or of two maps drawn on one scale, go on a
// bar of width 1. Linear in sectors, except that every area gets a minimum
// share (so a 1 MiB EFI partition stays visible beside a 2 TiB datastore) and
// an alignment gap a thinner one; the minimums together take at most half the
// bar, the rest stays to scale. Pure: numbers in, fractions out; the cost is in
// the number of areas, never in the number of sectors.

/** What placement reads and writes of an area. */
export interface Placeable {
  firstLba: number;
  lastLba: number;
  /** The share of the bar it gets at least (before the minimums are scaled to the budget). */
  minShare: number;
  x: number;
  width: number;
}

/** The least share of the bar a partition or a volume gets: room for a short label. */
export const MIN_AREA_SHARE = 0.05;
/** The least share of a table (MBR, GPT header, entry array) and of free space of 1 MiB or more. */
export const MIN_TABLE_SHARE = 0.025;
/** The least share of a gap under 1 MiB (the alignment before the first partition): a sliver. */
export const MIN_SLIVER_SHARE = 0.006;
/** At most this much of the bar goes to minimums; the rest is drawn to scale. */
export const MIN_SHARE_BUDGET = 0.5;

/**
 * Places the areas of every disk on one axis of max(totalSectors) sectors:
 * the same LBA lands at the same x in every map. Sets each area's x and width
 * and returns, per disk, where its last sector ends on the bar.
 */
export function placeAreas(disks: { totalSectors: number; areas: Placeable[] }[]): number[] {
  const total = Math.max(1, ...disks.map((d) => d.totalSectors));
  const points = new Set<number>([0, total]);
  for (const disk of disks) {
    points.add(Math.min(Math.max(0, disk.totalSectors), total));
    for (const area of disk.areas) {
      points.add(clamp(area.firstLba, total));
      points.add(clamp(area.lastLba + 1, total));
    }
  }
  const cuts = [...points].sort((a, b) => a - b);
  const segments = cuts.length - 1;
  const sizes = new Float64Array(segments);
  for (let i = 0; i < segments; i++) sizes[i] = cuts[i + 1]! - cuts[i]!;
  const indexOf = (lba: number): number => lowerBound(cuts, clamp(lba, total));

  // An area's minimum is spread over its segments by size, so that together they get at least that much.
  const floors = new Float64Array(segments);
  for (const disk of disks) {
    for (const area of disk.areas) {
      const from = indexOf(area.firstLba);
      const to = indexOf(area.lastLba + 1);
      const span = cuts[to]! - cuts[from]!;
      for (let i = from; i < to && span > 0; i++) floors[i] = Math.max(floors[i]!, (area.minShare * sizes[i]!) / span);
    }
  }
  let floorSum = 0;
  for (const f of floors) floorSum += f;
  if (floorSum > MIN_SHARE_BUDGET) for (let i = 0; i < segments; i++) floors[i] = (floors[i]! * MIN_SHARE_BUDGET) / floorSum;

  const shares = waterFill(sizes, floors);
  const position = new Float64Array(segments + 1);
  for (let i = 0; i < segments; i++) position[i + 1] = position[i]! + shares[i]!;
  // The last edge is 1 exactly, whatever the rounding.
  position[segments] = 1;
  for (const disk of disks) {
    for (const area of disk.areas) {
      const x = position[indexOf(area.firstLba)]!;
      area.x = x;
      area.width = Math.max(0, position[indexOf(area.lastLba + 1)]! - x);
    }
  }
  return disks.map((disk) => position[indexOf(disk.totalSectors)]!);
}

/**
 * Shares proportional to `sizes`, except that a segment whose share would
 * fall below its floor gets the floor; the shares add up to 1. Each round fixes
 * at least one more segment at its floor, so it ends in at most n rounds.
 */
function waterFill(sizes: Float64Array, floors: Float64Array): Float64Array {
  const n = sizes.length;
  const fixed = new Uint8Array(n);
  for (;;) {
    let floorSum = 0;
    let freeSize = 0;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) floorSum += floors[i]!;
      else freeSize += sizes[i]!;
    }
    if (freeSize === 0) {
      // Every segment sits at its floor: share the bar in their proportions.
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = floorSum > 0 ? floors[i]! / floorSum : 1 / n;
      return out;
    }
    const scale = (1 - floorSum) / freeSize;
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (!fixed[i] && sizes[i]! * scale < floors[i]!) {
        fixed[i] = 1;
        changed = true;
      }
    }
    if (!changed) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = fixed[i] ? floors[i]! : sizes[i]! * scale;
      return out;
    }
  }
}

function clamp(lba: number, total: number): number {
  return Math.min(Math.max(0, lba), total);
}

/** Index of the first element of sorted `values` that is >= `value`. */
function lowerBound(values: number[], value: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
