// The disk map as the host sends it to the editor and the comparison view: the
// disk's areas (MBR, GPT headers and arrays, partitions, free space, volumes)
// with their LBA ranges, the finding codes about each, and where each is drawn
// on a bar of width 1 (src/app/diskMap.ts computes it from the model; the
// webview only draws it). Types only: LBAs are numbers (a disk of 2^53 sectors
// is far beyond any image), clipped to the disk.

/** What an area of the disk is. */
export type DiskMapKind =
  | 'mbr'
  | 'ebr'
  | 'gpt-header'
  | 'gpt-array'
  /** An Apple Partition Map, BSD disklabel, Sun VTOC or SGI volume header (a BSD label also inside an MBR slice). */
  | 'label'
  | 'partition'
  /** An MBR extended partition: the container of the logical partitions. */
  | 'extended'
  | 'free'
  /** A volume found at byte 0 (a whole-disk file system, or one written over the table). */
  | 'volume';

export type DiskMapSeverity = 'error' | 'warning' | 'info';

/** One area of the disk and where it is drawn. */
export interface DiskMapArea {
  /** Stable within one map: `mbr`, `primary-header`, `partition-5`, `gap-3`. */
  id: string;
  kind: DiskMapKind;
  /** First and last LBA (inclusive), clipped to the disk. */
  firstLba: number;
  lastLba: number;
  /** Short text drawn in the area ("5 bootbank", "MBR"); elided when the area is narrow. */
  label: string;
  /** The whole story for the tooltip and screen readers: what, where, how big, what was found. */
  title: string;
  /** Partition number (GPT slot + 1, MBR 1-4, logical 5+), for partitions. */
  number?: number;
  /** The structure tree's node a click selects, when the tree has one for this area. */
  nodeId?: string;
  /** Codes of the findings about this area, and the worst of their severities. */
  findings: string[];
  severity?: DiskMapSeverity;
  /** Something the rules expect here is missing (a wiped primary header): drawn dashed. */
  missing?: boolean;
  /** 0 for the main row; overlapping areas (an extended partition, overlaps on a hostile disk) go to rows below. */
  lane: number;
  /** Left edge and width on the bar, as fractions of the bar (0..1). */
  x: number;
  width: number;
}

/** The map of one disk. */
export interface DiskMapView {
  /** Sectors of the disk and their size. */
  totalSectors: number;
  sectorSize: number;
  /** What the disk is ("GPT disk, 2 TiB, 512-byte sectors"), the map's accessible name. */
  summary: string;
  /** Areas in drawing order (by lane, then by first LBA). */
  areas: DiskMapArea[];
  /** Rows the bar needs (1 + the highest lane). */
  lanes: number;
  /** Where the disk ends on the bar (1 unless a comparison draws a larger disk on the same scale). */
  end: number;
  /** Areas left out (beyond MAX_DISK_MAP_AREAS), told in the summary; 0 normally. */
  omitted: number;
}

/** A partition at the same place in A and B under another number: drawn as a link between the maps. */
export interface DiskMapLink {
  /** The partition numbers in A and in B. */
  numberA: number;
  numberB: number;
  /** Area ids in the two maps. */
  areaA: string;
  areaB: string;
  firstLba: number;
  /** "5 → 4". */
  label: string;
  /** The whole sentence, for tooltips and screen readers. */
  title: string;
}

/** A's and B's maps on one scale (same LBA at the same x), with the moved partitions between them. */
export interface CompareMapsView {
  a: DiskMapView | null;
  b: DiskMapView | null;
  links: DiskMapLink[];
  /** How the two are drawn when they differ in size ("B is larger: both on B's scale"), or null. */
  note: string | null;
}
