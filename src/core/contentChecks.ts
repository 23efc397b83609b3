// Findings from what the content probes found: a partition type that
// disagrees with the volume inside, a volume larger than its partition or
// starting before it, a volume written over the partition table, a volume in
// free space, and the whole-disk volume that is not "no partition table".
import type { DiskModel, Partition } from './diskModel';
import type { VolumeContent } from './content/probe';
import { formatBytes as formatSize } from '../shared/sizeText';
import { msg } from '../shared/l10n';
import type { Add } from './checkKit';
import { findField } from './structure';

/** Content types a partition type is meant to hold; a type not listed here is not checked. */
const FILESYSTEMS = ['ext2', 'ext3', 'ext4', 'jbd', 'xfs', 'btrfs', 'vfat', 'exfat', 'ntfs', 'iso9660', 'zfs_member', 'hfs', 'hfsplus'];
const APPLE_HFS = ['hfs', 'hfsplus'];
const CONTAINERS = ['crypto_LUKS', 'LVM2_member', 'linux_raid_member'];
const EXPECTED_GPT: Record<string, readonly string[]> = {
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': ['vfat', 'linux_raid_member'], // EFI system (a RAID 1 mirror with 1.0 metadata is common)
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': [...FILESYSTEMS, ...CONTAINERS, 'BitLocker', 'swap'], // basic data: Linux used it before it had its own
  'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC': ['ntfs', 'vfat', 'BitLocker'], // Windows recovery
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': [...FILESYSTEMS, ...CONTAINERS], // Linux filesystem
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': [...FILESYSTEMS, ...CONTAINERS], // Linux root x86-64
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': ['swap', 'swsuspend', 'crypto_LUKS'], // Linux swap
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': ['LVM2_member', 'crypto_LUKS'], // Linux LVM
  'A19D880F-05FC-4D3B-A006-743F0F84911E': ['linux_raid_member'], // Linux RAID
  'CA7D7CCB-63ED-4C53-861C-1742536059CC': ['crypto_LUKS'], // Linux LUKS
  'AA31E02A-400F-11DB-9590-000C2911D1B8': ['VMFS', 'VMFS_volume_member'], // VMware VMFS
  '4EB2EA39-7855-4790-A79E-FAE495E21F8D': ['VMFS', 'VMFS_volume_member'], // VMware VMFS-L
  '9D275380-40AD-11DB-BF97-000C2911D1B8': ['vmkdiagnostic'], // VMware vmkDiagnostic
  '6A898CC3-1DD2-11B2-99A6-080020736631': ['zfs_member'], // Solaris /usr and Apple ZFS: what ZFS on Linux and FreeBSD use
  '48465300-0000-11AA-AA11-00306543ECAC': APPLE_HFS, // Apple HFS+ (HFSX too)
};
const EXPECTED_MBR: Record<number, readonly string[]> = {
  0x01: ['vfat'],
  0x04: ['vfat'],
  0x06: ['vfat'],
  0x0b: ['vfat'],
  0x0c: ['vfat'],
  0x0e: ['vfat'],
  0x07: ['ntfs', 'exfat', 'BitLocker', 'vfat'], // HPFS/NTFS/exFAT
  0x83: [...FILESYSTEMS, ...CONTAINERS],
  0x8e: ['LVM2_member', 'crypto_LUKS'],
  0xfd: ['linux_raid_member'],
  0xef: ['vfat'],
  0xfb: ['VMFS', 'VMFS_volume_member'],
  0xfc: ['vmkdiagnostic'],
  0xaf: APPLE_HFS,
};
/** Apple Partition Map types that name their content (the others, drivers and patches, hold none a probe knows). */
const EXPECTED_APM: Record<string, readonly string[]> = {
  Apple_HFS: APPLE_HFS,
  Apple_HFSX: APPLE_HFS,
  Apple_Boot: APPLE_HFS, // Mac OS X boot helper
  Apple_Bootstrap: APPLE_HFS, // NewWorld bootstrap (yaboot formats it HFS)
  Apple_UNIX_SVR2: [...FILESYSTEMS, ...CONTAINERS, 'swap'], // A/UX, and what Linux on Macs (and parted) uses
};

/** A volume in words: `ext4 "root" (UUID ...)`. */
export function describeVolume(c: VolumeContent): string {
  return [c.type, c.label !== undefined ? `"${c.label}"` : null, c.uuid !== undefined ? `(UUID ${c.uuid})` : null].filter(Boolean).join(' ');
}

const lba = (offset: number, sectorSize: number): string => `LBA ${Math.floor(offset / sectorSize)}`;

/** The disk has no partition table: say what LBA 0 really holds (a whole-disk volume is not an error). */
export function checkNoTable(disk: DiskModel, add: Add): void {
  const mbr = disk.mbr;
  if (disk.content) {
    const c = disk.content;
    const size = c.sizeBytes !== undefined ? msg(', {0} by its own count', formatSize(c.sizeBytes)) : '';
    add(
      'whole-disk-volume',
      'info',
      msg(
        'The disk holds one {0} volume from byte 0{1} and no partition table (a "superfloppy", an ISO image or mkfs on the bare device). If it was made over partitions by mistake, diskx scan finds the volumes inside it and proposes their table (fix: rebuild-from-scan; overwriting this one needs a confirmation: Overwrite and Apply in the editor, --allow-overwrite-volume in the CLI).',
        describeVolume(c),
        size,
      ),
      0,
      c.structures[0]?.length ?? 512,
    );
    return;
  }
  const lba0 = mbr?.bootSignatureOk
    ? msg('LBA 0 ends with the 0x55AA signature but all four partition records are empty (a boot sector without a table, a PC-98 disk, or a wiped table)')
    : msg('no 0x55AA boot signature at byte 510');
  add(
    'no-partition-table',
    'error',
    msg(
      'No partition table: {0}, no "EFI PART" header at LBA 1 or at the last LBA ({1}-byte sectors), no Apple, BSD, Sun or SGI label, and no volume recognised at byte 0. If the tables were lost, diskx scan looks for the volumes and proposes a table (fix: rebuild-from-scan).',
      lba0,
      disk.sectorSize,
    ),
    0,
    512,
  );
}

/** Findings about the partitions' contents, the gaps between them and LBA 0 of a partitioned disk. */
export function checkContents(disk: DiskModel, add: Add): void {
  const s = disk.sectorSize;
  // A BSD label's partitions inside an MBR slice are checked too, named like FreeBSD's s1a ("1a").
  const nested = disk.partitions.flatMap((slice) => (slice.children ?? []).map((p) => ({ p, name: `${slice.number}${p.name}` })));
  for (const { p, name } of [...disk.partitions.map((p) => ({ p, name: String(p.number) })), ...nested]) {
    const c = p.content;
    if (c) {
      checkType(disk, p, c, add);
      const partitionBytes = p.sizeBytes;
      if (c.sizeBytes !== undefined && c.sizeBytes > partitionBytes) {
        add(
          'volume-larger-than-partition',
          'error',
          msg(
            'Partition {0} ({1}) holds {2}, which counts {3} ({4} bytes, {5} more than the partition): it was shrunk or copied into a smaller partition without resizing the volume, and the data past its end is missing.',
            name,
            formatSize(partitionBytes),
            describeVolume(c),
            formatSize(c.sizeBytes),
            c.sizeBytes,
            c.sizeBytes - partitionBytes,
          ),
          c.structures[0]?.offset ?? c.offset,
          c.structures[0]?.length ?? s,
        );
      }
    } else if (p.enclosing) {
      const e = p.enclosing;
      add(
        'partition-starts-mid-volume',
        'error',
        msg(
          "Partition {0} starts at LBA {1}, inside {2}, which starts at {3} and counts {4}: the partition's start was moved or edited, so the volume cannot be read through it.",
          name,
          p.firstLba,
          describeVolume(e),
          lba(e.offset, s),
          formatSize(e.sizeBytes ?? 0n),
        ),
        e.structures[0]?.offset ?? e.offset,
        e.structures[0]?.length ?? s,
      );
    }
  }
  for (const region of disk.free ?? []) {
    const c = region.content;
    // A volume that runs on into a partition is that partition's, moved: reported above.
    if (!c || disk.partitions.some((p) => p.enclosing?.offset === c.offset)) continue;
    const ends =
      c.sizeBytes !== undefined
        ? msg(', {0} long by its own count (to LBA {1})', formatSize(c.sizeBytes), BigInt(c.offset) / BigInt(s) + c.sizeBytes / BigInt(s) - 1n)
        : '';
    add(
      'lost-volume',
      'warning',
      msg(
        'Free space LBAs {0}..{1} holds {2} at {3}{4} that no partition lists: a deleted or lost partition. Recreating an entry for it (or scanning for lost partitions) brings it back; nothing in it was changed.',
        region.firstLba,
        region.lastLba,
        describeVolume(c),
        lba(c.offset, s),
        ends,
      ),
      c.structures[0]?.offset ?? c.offset,
      c.structures[0]?.length ?? s,
    );
  }
  const start = disk.content;
  if (start) {
    const over = disk.scheme === 'gpt' ? msg('the protective MBR and the primary GPT header and entry array') : msg('the MBR');
    add(
      'volume-over-partition-table',
      'error',
      msg(
        "{0} starts at byte 0 of the disk, over {1}: mkfs (or a copy of a volume image) was written to the whole disk. The volume and the table cannot both be right; rebuilding the table from its other copy would overwrite the volume's first sectors (its {2}).",
        describeVolume(start),
        over,
        start.structures.map((n) => n.name).join(', ') || msg('header'),
      ),
      start.structures[0]?.offset ?? 0,
      start.structures[0]?.length ?? s,
    );
  }
}

function checkType(disk: DiskModel, p: Partition, c: VolumeContent, add: Add): void {
  // Sun tags and SGI types reuse the MBR's Linux codes (0x82 swap, 0x83 native, 0x8E LVM, 0xFD RAID).
  const labelLinux = (p.scheme === 'sun' || p.scheme === 'sgi') && LABEL_LINUX_CODES.includes(Number(p.typeCode)) ? Number(p.typeCode) : null;
  const expected =
    p.typeGuid !== null
      ? EXPECTED_GPT[p.typeGuid]
      : p.mbrType !== null
        ? EXPECTED_MBR[p.mbrType]
        : labelLinux !== null
          ? EXPECTED_MBR[labelLinux]
          : p.scheme === 'apm' && p.typeCode !== undefined && Object.hasOwn(EXPECTED_APM, p.typeCode)
            ? EXPECTED_APM[p.typeCode]
            : undefined;
  if (!expected || expected.includes(c.type)) return;
  const typeText =
    p.typeGuid !== null
      ? `${p.typeName ?? 'type'} (${p.typeGuid})`
      : p.mbrType !== null
        ? `${p.typeName ?? 'type'} (0x${p.mbrType.toString(16).padStart(2, '0').toUpperCase()})`
        : `${p.typeName ?? 'type'} (${p.typeCode ?? ''})`;
  const entry = p.scheme ? labelSlotField(disk, p) : entryField(disk, p);
  add(
    'partition-type-mismatch',
    'warning',
    msg(
      'Partition {0} is typed {1} but holds {2}: tools that go by the type (ESXi, Windows, systemd) will not treat it as what it is, or the wrong partition is where this one should be.',
      p.number,
      typeText,
      describeVolume(c),
    ),
    entry.offset,
    entry.length,
  );
}

const LABEL_LINUX_CODES = [0x82, 0x83, 0x8e, 0xfd];

// A label partition's type: an APM entry's pmParType, else its slot of the label's partition table (Sun keeps tags in the VTOC, SGI in the slot).
function labelSlotField(disk: DiskModel, p: Partition): { offset: number; length: number } {
  const label = disk.labels?.find((l) => l.partitions.includes(p));
  if (p.scheme === 'apm') {
    // pmParType of the partition's map entry (nodes: the driver descriptor, then one per entry).
    const entry = label?.nodes[p.slot + 1];
    const type = entry ? findField(entry.fields, 'entry.type') : undefined;
    if (type) return { offset: type.offset, length: type.length };
  }
  const list = label?.nodes[0]?.fields.find((f) => f.name === (p.scheme === 'sun' ? 'partitionInfos' : 'partitions'));
  const slot = list?.children?.[p.slot];
  return slot ? { offset: slot.offset, length: slot.length } : { offset: Number(p.firstLba) * disk.sectorSize, length: disk.sectorSize };
}

// The bytes that hold the partition's type: the GPT entry's type GUID or the MBR record's type byte.
function entryField(disk: DiskModel, p: Partition): { offset: number; length: number } {
  const header = disk.activeGpt === 'backup' ? disk.backup : disk.primary;
  const slot = header?.array?.slots[p.slot];
  if (p.typeGuid !== null && slot) return { offset: slot.offset, length: 16 };
  const record = disk.mbr?.records.find((r) => r.index === p.slot);
  if (record && p.number <= 4) return { offset: record.offset + 4, length: 1 };
  return { offset: Number(p.firstLba) * disk.sectorSize, length: disk.sectorSize };
}
