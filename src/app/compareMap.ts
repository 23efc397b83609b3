// The comparison's two disk maps: A's and B's areas placed on one axis (the
// same LBA at the same x, the smaller disk ending early), and a link for every
// partition that sits at the same first LBA in both under another number (the
// compacted ESXi case: A's partition 5 is B's 4). Pure: models in, view out.
import type { DiskModel } from '../core/model';
import { checkDisk } from '../core/checks';
import { formatSizeShort } from '../shared/sizeText';
import type { CompareMapsView, DiskMapLink } from '../shared/protocol/diskMap';
import { diskMapAreas, finishMap } from './diskMap';
import type { UnplacedMap } from './diskMap';
import { placeAreas } from './diskMapScale';

/** Both maps (null for a side that is not a parsed disk), aligned when their sectors are the same size. */
export function buildCompareMaps(a: DiskModel | null, b: DiskModel | null): CompareMapsView {
  const mapA = a ? diskMapAreas(a, checkDisk(a)) : null;
  const mapB = b ? diskMapAreas(b, checkDisk(b)) : null;
  if (!mapA || !mapB) {
    const only = mapA ?? mapB;
    const [end] = only ? placeAreas([only]) : [1];
    return {
      a: mapA ? finishMap(mapA, end ?? 1) : null,
      b: mapB ? finishMap(mapB, end ?? 1) : null,
      links: [],
      note: null,
    };
  }
  if (mapA.sectorSize !== mapB.sectorSize) {
    // LBAs of different sizes are different places: each map on its own scale, no links.
    const [endA] = placeAreas([mapA]);
    const [endB] = placeAreas([mapB]);
    return {
      a: finishMap(mapA, endA ?? 1),
      b: finishMap(mapB, endB ?? 1),
      links: [],
      note: `A has ${mapA.sectorSize}-byte and B ${mapB.sectorSize}-byte sectors: each map is drawn on its own scale and partitions are not linked`,
    };
  }
  const [endA, endB] = placeAreas([mapA, mapB]);
  return {
    a: finishMap(mapA, endA ?? 1),
    b: finishMap(mapB, endB ?? 1),
    links: movedPartitions(mapA, mapB),
    note: sizeNote(mapA, mapB),
  };
}

/** Partitions that start at the same LBA in A and B but have other numbers there. */
function movedPartitions(a: UnplacedMap, b: UnplacedMap): DiskMapLink[] {
  const links: DiskMapLink[] = [];
  const inB = new Map<number, (typeof b.areas)[number]>();
  for (const area of b.areas) if (area.kind === 'partition' && !inB.has(area.firstLba)) inB.set(area.firstLba, area);
  for (const area of a.areas) {
    if (area.kind !== 'partition' || area.number === undefined) continue;
    const other = inB.get(area.firstLba);
    if (!other || other.number === undefined || other.number === area.number) continue;
    const sameEnd = other.lastLba === area.lastLba ? '' : ' (ending elsewhere)';
    links.push({
      numberA: area.number,
      numberB: other.number,
      areaA: area.id,
      areaB: other.id,
      firstLba: area.firstLba,
      label: `${area.number} → ${other.number}`,
      title: `Partition ${area.number} of A is partition ${other.number} of B${sameEnd}: both start at LBA ${area.firstLba}`,
    });
  }
  return links;
}

function sizeNote(a: UnplacedMap, b: UnplacedMap): string | null {
  if (a.totalSectors === b.totalSectors) return null;
  const larger = a.totalSectors > b.totalSectors ? 'A' : 'B';
  const size = (m: UnplacedMap): string => formatSizeShort(m.totalSectors * m.sectorSize);
  return `A is ${size(a)} and B ${size(b)}: both maps are on ${larger}'s scale, the smaller disk ends early (hatched past its end)`;
}
