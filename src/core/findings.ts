// Finding and fix ids are stable: the same strings in the CLI's JSON, the
// editor, the Problems panel and the tests.
import type { Message } from '../shared/l10n';

export type Severity = 'error' | 'warning' | 'info';

/** Every fix a finding can offer, in the order help lists them; fixes/registry.ts has one entry per id. */
export const FIX_IDS = ['recompute-crcs', 'restore-esxi-slots', 'relocate-backup', 'rebuild-primary-from-backup', 'rebuild-backup-from-primary'] as const;
export type FixId = (typeof FIX_IDS)[number];
/** A fix that needs a second image (the reference), so no finding offers it: `diskx fix A --fix copy-slots-from-reference --reference B`. */
export type ReferenceFixId = 'copy-slots-from-reference';
/** A fix planned from a scan of the whole disk (no finding offers it: `diskx scan` proposes it). */
export type ScanFixId = 'rebuild-from-scan';
/** Any fix a plan can come from. */
export type PlanFixId = FixId | ReferenceFixId | ScanFixId;
/** A hand edit (`diskx set`, typing in the editor): not a fix, but planned, written and undone the same way. */
export type HandEditId = 'hand-edit';
/** Whatever a plan of patches can come from. */
export type PlanId = PlanFixId | HandEditId;

export type FindingCode =
  | 'mbr-missing'
  | 'mbr-not-protective'
  | 'mbr-protective-size'
  | 'mbr-ebr-chain'
  | 'mbr-partition-overlap'
  | 'mbr-partition-out-of-range'
  | 'gpt-primary-missing'
  | 'gpt-backup-missing'
  | 'gpt-header-invalid'
  | 'gpt-primary-header-crc'
  | 'gpt-backup-header-crc'
  | 'gpt-primary-array-crc'
  | 'gpt-backup-array-crc'
  | 'gpt-backup-not-at-end'
  | 'gpt-last-usable-mismatch'
  | 'gpt-primary-backup-differ'
  | 'gpt-partition-overlap'
  | 'gpt-array-in-usable-range'
  | 'gpt-partition-out-of-range'
  | 'gpt-duplicate-guid'
  | 'esxi-slot-compacted'
  | 'esxi-layout'
  | 'slot-gap'
  | 'windows-touched'
  | 'no-partition-table'
  | 'whole-disk-volume'
  | 'partition-type-mismatch'
  | 'volume-larger-than-partition'
  | 'partition-starts-mid-volume'
  | 'volume-over-partition-table'
  | 'lost-volume'
  | 'apm-map-invalid'
  | 'apm-driver-descriptor-invalid'
  | 'bsd-label-checksum'
  | 'bsd-label-invalid'
  | 'sun-label-checksum'
  | 'sun-label-invalid'
  | 'sgi-label-checksum'
  | 'sgi-label-invalid'
  | 'label-partition-out-of-range'
  | 'container-overlapping-blocks'
  | 'container-log-not-replayed';

/** One thing the checker found, with the bytes it is about and the fixes that address it. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The message in English (the CLI's words). */
  message: string;
  /** The same message as a template with its values, for the editor to show in the user's language. */
  text?: Message;
  /** Absolute byte offset of the structure or field concerned. */
  offset: number;
  length: number;
  fixes: FixId[];
  /**
   * Set when the bytes concerned lie in a container file (a qcow2, VHD, ... table)
   * rather than in the virtual disk: the file and its file offsets. `offset` and
   * `length` are then 0 (they count virtual-disk bytes).
   */
  file?: { path: string; offset: number; length: number };
}

/** One line per finding code, for `diskx codes` and the README's findings table. */
export const FINDING_DESCRIPTIONS: Record<FindingCode, string> = {
  'no-partition-table': 'No MBR boot signature and no GPT header anywhere: the image holds no partition table (blank, random or not a disk).',
  'mbr-missing': 'LBA 0 lacks the 0x55AA boot signature although a GPT exists; firmware and tools expect a protective MBR there.',
  'mbr-not-protective':
    'The disk has a GPT but the MBR has no 0xEE protective record (or a hybrid MBR with other records), so MBR-only tools may overwrite it.',
  'mbr-protective-size':
    'The protective 0xEE record does not start at LBA 1 or does not cover the disk (size should be the disk size - 1, capped at 0xFFFFFFFF).',
  'mbr-ebr-chain': 'The chain of extended boot records (logical partitions) loops, leaves the disk or is broken.',
  'mbr-partition-overlap': 'Two MBR partitions (primary or logical) share sectors.',
  'mbr-partition-out-of-range': 'An MBR partition extends past the end of the disk or starts at LBA 0.',
  'gpt-primary-missing': 'No GPT header at LBA 1 while a backup header exists: the primary was wiped or overwritten.',
  'gpt-backup-missing': "No backup GPT header at the last LBA nor where the primary's AlternateLBA points.",
  'gpt-header-invalid': 'A header field breaks a UEFI rule: revision, HeaderSize, MyLBA, entry count or size, array location, usable range.',
  'gpt-primary-header-crc': "The primary header's HeaderCRC32 does not match its bytes.",
  'gpt-backup-header-crc': "The backup header's HeaderCRC32 does not match its bytes.",
  'gpt-primary-array-crc': 'The primary partition entry array does not match the PartitionEntryArrayCRC32 in its header.',
  'gpt-backup-array-crc': 'The backup partition entry array does not match the PartitionEntryArrayCRC32 in its header.',
  'gpt-backup-not-at-end': 'The backup header is not at the last LBA (the disk grew or shrank) or AlternateLBA points elsewhere.',
  'gpt-last-usable-mismatch': 'LastUsableLBA does not end just before the backup entry array at the end of the disk.',
  'gpt-primary-backup-differ': 'Primary and backup describe different disks or partitions (disk GUID, usable range, entries).',
  'gpt-partition-overlap': 'Two partitions share sectors.',
  'gpt-array-in-usable-range':
    'A header puts its partition entry array inside the usable range (FirstUsableLBA..LastUsableLBA), where partitions live; the message names any partition it overlaps. No fix writes into a partition.',
  'gpt-partition-out-of-range': 'A partition starts before FirstUsableLBA, ends after LastUsableLBA or ends before it starts.',
  'gpt-duplicate-guid': 'Two partitions (or a partition and the disk) have the same unique GUID.',
  'esxi-slot-compacted':
    'An ESXi boot disk whose entries are not in the slots ESXi gave them: partition numbers changed and ESXi will not find bootbank, scratch or its datastore.',
  'esxi-layout': 'The disk is an ESXi boot disk with every entry in its installer slot (information).',
  'slot-gap': 'Empty slots lie between used slots; normal for ESXi and for disks edited with gdisk, shown for information.',
  'whole-disk-volume':
    'No partition table, but one volume (FAT, NTFS, ext4, XFS, an ISO image, ...) fills the disk from byte 0: a "superfloppy" or mkfs on the bare device (information).',
  'partition-type-mismatch':
    'The partition type GUID or MBR type says one thing and the volume inside is another (a "Linux filesystem" slot holding VMFS, a swap partition holding ext4).',
  'volume-larger-than-partition':
    'The file system counts more bytes than its partition holds: it was truncated by a bad resize or a copy into a smaller partition.',
  'partition-starts-mid-volume':
    'A partition starts inside a volume that begins before it (the partition was moved or its start edited), so nothing is recognised at its own start.',
  'volume-over-partition-table':
    'A volume starts at byte 0 of a partitioned disk, over the MBR and the primary GPT: mkfs on the whole disk. Rebuilding the table would overwrite that volume.',
  'lost-volume': 'Free space between partitions holds a recognisable volume that no partition lists: a deleted or lost partition.',
  'apm-map-invalid':
    'An Apple Partition Map entry lacks its "PM" signature, disagrees with the first entry about the size of the map, or the map claims more entries than are read or than fit the disk.',
  'apm-driver-descriptor-invalid':
    'The Apple driver descriptor in block 0 gives a block size that is not 512, 1024, 2048 or 4096, or more blocks than the disk has (a truncated copy).',
  'bsd-label-checksum':
    'A BSD disklabel whose d_checksum does not match the XOR of its 16-bit words: the label was damaged or edited by hand; BSD kernels refuse it.',
  'bsd-label-invalid': 'A BSD disklabel whose second magic is wrong, or that claims more partitions than fit its sector.',
  'sun-label-checksum': 'A Sun disk label whose checksum does not make the XOR of its 256 16-bit words zero: Solaris and Linux ignore the label.',
  'sun-label-invalid': 'A Sun disk label without usable geometry (heads x sectors per track is 0), or whose VTOC has a wrong version or sanity value.',
  'sgi-label-checksum': 'An SGI volume header whose 32-bit words do not sum to zero: IRIX and Linux ignore the label.',
  'sgi-label-invalid':
    'An SGI volume header whose root or swap partition number names no partition, or whose volume directory lists a file outside the volume header partition.',
  'label-partition-out-of-range':
    'A partition of an Apple, BSD, Sun or SGI label ends past the end of the disk, or a BSD partition lies outside the MBR slice that holds its label.',
  'windows-touched':
    'A FAT partition of an ESXi boot disk holds System Volume Information or $RECYCLE.BIN in its root: Windows had the disk online (and may have rewritten its partition table).',
  'container-overlapping-blocks':
    "Two entries of a container's tables (or an entry and the container's own metadata) point at the same file bytes: a damaged or hostile file. Nothing is written through it.",
  'container-log-not-replayed':
    'A VHDX whose log holds entries not yet replayed: its metadata or data may be behind what was last written. Read as it is, never written; Hyper-V or qemu-img check -r all replays it.',
};
