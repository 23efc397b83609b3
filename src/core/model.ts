// The disk model: what readDisk (diskModel.ts) makes of an image, as types only.
// Kept apart from the reader so the modules the reader calls (esxi.ts, fat.ts)
// can name the model's types without importing the reader back.
import type { Field, StructNode } from './structure';
import type { FreeRegion, VolumeContent } from './content/probe';
import type { FindingCode, Severity } from './findings';
import type { Message } from '../shared/l10n';

export const GPT_SIGNATURE = 'EFI PART';
export const GPT_REVISION_1_0 = 0x00010000;

/** One slot of a GPT partition entry array. Number = slot + 1. */
export interface GptEntry {
  slot: number;
  number: number;
  /** Absolute byte offset of the entry. */
  offset: number;
  used: boolean;
  typeGuid: string;
  typeName: string | null;
  uniqueGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  /** All 64 attribute bits. */
  attributes: bigint;
  name: string;
  /** The entry's bytes (SizeOfPartitionEntry of them). */
  raw: Uint8Array;
  /**
   * `entries.<slot>`: for a used slot the whole tree (typeGuid, uniqueGuid, ...
   * from the Kaitai spec); for an unused slot one Field over the whole entry and
   * no children (a header may claim 16384 slots), see fieldsForSlot.
   */
  field: Field;
}

/** A partition entry array as read from where a header points. */
export interface GptArray {
  lba: bigint;
  offset: number;
  bytes: Uint8Array;
  /** `entries`, one child per slot (light for unused slots: see GptEntry.field). */
  node: StructNode;
  slots: GptEntry[];
}

/** A GPT header (primary or backup) with its decoded fields and what we computed. */
export interface GptHeader {
  role: 'primary' | 'backup';
  /** LBA the header was read from. */
  lba: bigint;
  offset: number;
  /** The whole logical block holding the header. */
  bytes: Uint8Array;
  node: StructNode;
  revision: number;
  headerSize: number;
  headerCrc32: number;
  /** Null when HeaderSize is out of range, so no CRC can be computed. */
  computedHeaderCrc32: number | null;
  headerCrcOk: boolean;
  reserved: number;
  myLba: bigint;
  alternateLba: bigint;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  diskGuid: string;
  partitionEntryLba: bigint;
  numPartitionEntries: number;
  partitionEntrySize: number;
  partitionEntryArrayCrc32: number;
  /** Why the header's fields are not valid (UEFI 5.3.2 rules); empty when they are. */
  invalid: { field: string; reason: string; /** `reason` as a msg() template (the tree shows it translated). */ text?: Message }[];
  /** The entry array, or null when the header's fields did not allow reading it. */
  array: GptArray | null;
  computedArrayCrc32: number | null;
  arrayCrcOk: boolean | null;
}

/** One of the four records of an MBR or EBR. */
export interface MbrRecord {
  index: number;
  offset: number;
  status: number;
  type: number;
  typeName: string | null;
  firstLba: number;
  sectors: number;
  field: Field;
}

/** A logical partition found by following the EBR chain. */
export interface LogicalPartition {
  number: number;
  ebrLba: number;
  type: number;
  typeName: string | null;
  firstLba: number;
  sectors: number;
}

export interface Mbr {
  node: StructNode;
  bytes: Uint8Array;
  bootSignatureOk: boolean;
  diskSignature: number;
  records: MbrRecord[];
  /** protective: one 0xEE record only; hybrid: 0xEE plus others; dos: no 0xEE; empty: no records. */
  kind: 'protective' | 'hybrid' | 'dos' | 'empty';
  logical: LogicalPartition[];
  ebrNodes: StructNode[];
  /** What went wrong while following the EBR chain (loops, out-of-range links, too long). */
  ebrProblems: string[];
}

/** A partition as users think of it, from whichever table is in charge. */
export interface Partition {
  slot: number;
  number: number;
  firstLba: bigint;
  lastLba: bigint;
  sizeBytes: bigint;
  typeGuid: string | null;
  mbrType: number | null;
  typeName: string | null;
  uuid: string | null;
  name: string;
  attributes: bigint;
  /** What the content probes found at the partition's start (null: nothing recognised); absent in hand-made models. */
  content?: VolumeContent | null;
  /** Why nothing was recognised, for a type whose format diskx cannot check (an ESXi vmkDiagnostic partition): what its first bytes are. */
  contentNote?: string;
  /** contentNote as a message template (the editor shows it in the user's language). */
  contentNoteText?: Message;
  /** When nothing is at its start: a volume that begins before the partition and runs into it. */
  enclosing?: VolumeContent;
  /** The table that lists it, when not the disk's own scheme (a BSD partition inside an MBR slice); absent for GPT and MBR. */
  scheme?: LabelScheme;
  /** The type as the label stores it, for schemes without GUIDs or MBR bytes: `Apple_HFS`, `0x83` (Sun tag), `0x07` (BSD fstype). */
  typeCode?: string;
  /** The slice that stands for the whole disk or volume (Sun tag 5, SGI type 6): overlaps every other partition by design. */
  wholeDisk?: boolean;
  /** Partitions of a label nested in this one (a BSD disklabel in an MBR slice of type 0xA5, 0xA6, 0xA9). */
  children?: Partition[];
  /**
   * A nested BSD partition's number as Linux and libblkid (partx) give it: after the MBR's primaries
   * and logicals, counting on across slices (sda7 for the first one on a disk with two logicals).
   * Absent when that number cannot be known (a label in a logical slice, or a nested table of a
   * kind diskx does not read in an earlier slice).
   */
  kernelNumber?: number;
}

/** Partition schemes read besides GPT and MBR (read-only). */
export type LabelScheme = 'apm' | 'bsd' | 'sun' | 'sgi';

/** Something wrong with a label, ready to become a finding. */
export interface LabelProblem {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** Absolute bytes the problem is about. */
  offset: number;
  length: number;
}

/** The stored checksum of a label against the one computed from its bytes. */
export interface LabelChecksum {
  /** The checksum field's absolute offset and length. */
  offset: number;
  length: number;
  stored: number;
  computed: number;
  ok: boolean;
}

/** An Apple Partition Map, BSD disklabel, Sun VTOC or SGI volume header as read. */
export interface DiskLabel {
  scheme: LabelScheme;
  /** Absolute byte offset and length of the label (APM: the driver descriptor through the last map entry read). */
  offset: number;
  length: number;
  /** Parsed structures with absolute field ranges: APM's driver descriptor and one node per map entry, else one node. */
  nodes: StructNode[];
  /** The partitions it lists, numbered as the Linux kernel and libblkid number them. */
  partitions: Partition[];
  checksum: LabelChecksum | null;
  problems: LabelProblem[];
  /** For a BSD label inside an MBR slice: the slice's partition number. */
  parentNumber?: number;
}

/** Whole sectors as read from the image, at absolute byte `offset`. */
export interface RawRegion {
  offset: number;
  bytes: Uint8Array;
}

/**
 * The sectors where the rules put a GPT (UEFI 5.3.1: primary header at LBA 1 and
 * its array from LBA 2; backup header at the last LBA and its array just before
 * it), whatever they hold now. Fixes are pure functions of the model, and a fix
 * that writes a GPT where none is parsed (a wiped primary, the end of a grown
 * disk) needs these bytes as its patches' `before`.
 */
export interface GptAreas {
  /** Entry array sectors these areas were sized for (from a valid header, else 16 KiB). */
  arraySectors: number;
  /** LBA 1 through LBA 1 + arraySectors; null when the disk is too small. */
  primary: RawRegion | null;
  /** The last LBA and the arraySectors before it; null when the disk is too small. */
  backup: RawRegion | null;
}

export interface DiskModel {
  image: string;
  sizeBytes: number;
  sectorSize: number;
  sectorSizeSource: 'override' | 'detected' | 'device' | 'assumed';
  totalSectors: bigint;
  lastLba: bigint;
  mbr: Mbr | null;
  primary: GptHeader | null;
  backup: GptHeader | null;
  /** Which GPT copy the partition list comes from. */
  activeGpt: 'primary' | 'backup' | null;
  scheme: 'gpt' | 'mbr' | 'none' | LabelScheme;
  partitions: Partition[];
  /** The APM, BSD, Sun or SGI label the partitions come from, and BSD labels nested in MBR slices; absent in hand-made models. */
  labels?: DiskLabel[];
  esxi: EsxiLayout | null;
  /** FAT volumes in the FAT-type partitions of an ESXi disk (fat.ts); absent in hand-made models. */
  fatVolumes?: FatVolume[];
  /** Bytes where a GPT belongs by the rules (for fixes); absent in hand-made models. */
  gptAreas?: GptAreas;
  /**
   * A volume that starts at byte 0 of the disk: the whole disk's file system
   * when scheme is `none` (a superfloppy, an ISO image), or one written over
   * the partition table. Absent in hand-made models.
   */
  content?: VolumeContent | null;
  /** Gaps of at least 1 MiB between partitions, and what was found in them; absent in hand-made models. */
  free?: FreeRegion[];
}

export interface ReadOptions {
  /** Overrides detection (--sector-size). */
  sectorSize?: number;
}

export type EsxiProfileId = 'esxi-5' | 'esxi-6' | 'esxi-7';

/** Where one entry is and where the ESXi layout puts it. */
export interface EsxiPlacement {
  role: string;
  currentSlot: number;
  expectedSlot: number;
  firstLba: bigint;
}

/** A recognised ESXi layout; `compacted` when some entry is not in its slot. */
export interface EsxiLayout {
  profile: EsxiProfileId;
  description: string;
  placements: EsxiPlacement[];
  compacted: boolean;
}

export type FatType = 'FAT12' | 'FAT16' | 'FAT32';

/** One file or folder of a root directory, with its long name when it has one. */
export interface FatDirEntry {
  /** The long (VFAT) name when one precedes the entry with a matching checksum, else the 8.3 name. */
  name: string;
  /** The 8.3 name with its dot (`SYSTEM~1`, `$RECYCLE.BIN`). */
  shortName: string;
  attributes: number;
  isDirectory: boolean;
  /** Absolute byte offset of the entry: its first long-name part if any, else the short entry. */
  offset: number;
  /** Bytes from `offset` through the short entry (32 per directory entry). */
  length: number;
}

/** A FAT file system found (or looked for) in one partition. */
export interface FatVolume {
  partitionNumber: number;
  partitionSlot: number;
  /** The ESXi role of the partition (bootbank, ...) or its GPT name; null when neither. */
  role: string | null;
  /** Absolute byte offset of the volume (the partition's first byte). */
  offset: number;
  /** Null when the boot sector holds no usable BPB (see `problems`). */
  fatType: FatType | null;
  /** Volume label from the root directory, else from the extended BPB; null when unset. */
  label: string | null;
  /** The boot sector's field tree (`bootSector.bytesPerSector`, ...), absolute offsets. */
  bootSector: StructNode | null;
  /** Root-directory entries read (up to the end marker or the limits). */
  rootEntries: FatDirEntry[];
  /** Entries of `rootEntries` whose name is one of WINDOWS_FOLDERS. */
  windowsFolders: FatDirEntry[];
  /** Why the volume or its root directory could not be read, or not fully. */
  problems: string[];
}
