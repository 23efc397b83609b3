import type { VolumeContent } from '../content/index';

/** A volume the scan found by its signature, with what it is and why diskx believes it. */
export interface FoundVolume {
  /** Absolute byte offset of the volume's first byte. */
  offset: number;
  firstLba: bigint;
  /** Last LBA the volume's own metadata claims, when it says its size. */
  lastLba?: bigint;
  content: VolumeContent;
  evidence: string[];
  /** high: the volume's own first structure was read; medium: only a backup copy survived. */
  confidence: 'high' | 'medium' | 'low';
  /** Set when the volume lies inside another found volume (a disk image stored in a datastore, a copy). */
  nestedIn?: number;
  /** Set when the volume overlaps another found volume that is not nested. */
  overlaps?: number;
  /**
   * Set on a file system that starts at LBA 0 (made on the whole disk) and on the top-level volumes
   * inside it: the offsets of the other side (wholeDisk.ts). Either they are a lost table's partitions
   * and it was made over them, or they are files stored in it.
   */
  conflictsWith?: number[];
  /** On a whole-disk file system with volumes inside: whether it holds files (null: diskx cannot tell). */
  holdsFiles?: boolean | null;
}
