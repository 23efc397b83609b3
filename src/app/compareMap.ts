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
import { ENGLISH } from '../shared/l10n';
import type { Localizer } from '../shared/l10n';

/** Both maps (null for a side that is not a parsed disk), aligned when their sectors are the same size. */
export function buildCompareMaps(a: DiskModel | null, b: DiskModel | null, l10n: Localizer = ENGLISH): CompareMapsView {
  const mapA = a ? diskMapAreas(a, checkDisk(a), l10n) : null;
  const mapB = b ? diskMapAreas(b, checkDisk(b), l10n) : null;
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
      note: l10n.t('A has {0}-byte and B {1}-byte sectors: each map is drawn on its own scale and partitions are not linked', mapA.sectorSize, mapB.sectorSize),
    };
  }
  const [endA, endB] = placeAreas([mapA, mapB]);
  return {
    a: finishMap(mapA, endA ?? 1),
    b: finishMap(mapB, endB ?? 1),
    links: movedPartitions(mapA, mapB, l10n),
    note: sizeNote(mapA, mapB, l10n),
  };
}

/** Partitions that start at the same LBA in A and B but have other numbers there. */
function movedPartitions(a: UnplacedMap, b: UnplacedMap, l10n: Localizer): DiskMapLink[] {
  const links: DiskMapLink[] = [];
  const inB = new Map<number, (typeof b.areas)[number]>();
  for (const area of b.areas) if (area.kind === 'partition' && !inB.has(area.firstLba)) inB.set(area.firstLba, area);
  for (const area of a.areas) {
    if (area.kind !== 'partition' || area.number === undefined) continue;
    const other = inB.get(area.firstLba);
    if (!other || other.number === undefined || other.number === area.number) continue;

    links.push({
      numberA: area.number,
      numberB: other.number,
      areaA: area.id,
      areaB: other.id,
      firstLba: area.firstLba,
      label: `${area.number} → ${other.number}`,
      title:
        other.lastLba === area.lastLba
          ? l10n.t('Partition {0} of A is partition {1} of B: both start at LBA {2}', area.number, other.number, area.firstLba)
          : l10n.t('Partition {0} of A is partition {1} of B (ending elsewhere): both start at LBA {2}', area.number, other.number, area.firstLba),
    });
  }
  return links;
}

function sizeNote(a: UnplacedMap, b: UnplacedMap, l10n: Localizer): string | null {
  if (a.totalSectors === b.totalSectors) return null;
  const larger = a.totalSectors > b.totalSectors ? 'A' : 'B';
  const size = (m: UnplacedMap): string => formatSizeShort(m.totalSectors * m.sectorSize);
  return l10n.t("A is {0} and B {1}: both maps are on {2}'s scale, the smaller disk ends early (hatched past its end)", size(a), size(b), larger);
}
