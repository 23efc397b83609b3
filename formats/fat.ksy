meta:
  id: fat
  title: FAT12/16/32 boot sector and directory entries (Microsoft FAT specification 1.03)
  endian: le
  license: Apache-2.0
doc: |
  Two kinds of window of a FAT volume, chosen by `window`: 0 = the boot
  sector (its first 512 bytes: BIOS parameter block, extended BPB, boot code,
  0x55AA), 1 = `num_entries` 32-byte directory entries (a root directory, or
  the part of it the caller read). Nothing is validated here: the reader
  checks every count and offset against its limits before it reads more.
params:
  - id: window
    type: u1
    doc: 0 = boot sector (512 bytes), 1 = directory entries.
  - id: num_entries
    type: u4
    doc: Directory entries in the window (window 1); 0 for the boot sector.
seq:
  - id: boot_sector
    type: boot_sector
    if: window == 0
  - id: entries
    type: dir_entry
    size: 32
    repeat: expr
    repeat-expr: num_entries
    if: window == 1
types:
  boot_sector:
    seq:
      - id: jump_boot
        size: 3
        doc: x86 jump to the boot code (0xEB xx 0x90 or 0xE9 xx xx).
      - id: oem_name
        size: 8
      - id: bytes_per_sector
        type: u2
        doc: BPB_BytsPerSec (offset 11) - 512, 1024, 2048 or 4096.
      - id: sectors_per_cluster
        type: u1
        doc: BPB_SecPerClus (offset 13) - a power of two, 1..128.
      - id: reserved_sectors
        type: u2
        doc: BPB_RsvdSecCnt (offset 14) - sectors before the first FAT, at least 1.
      - id: num_fats
        type: u1
        doc: BPB_NumFATs (offset 16) - usually 2.
      - id: root_entry_count
        type: u2
        doc: BPB_RootEntCnt (offset 17) - 32-byte entries of the fixed FAT12/16 root directory; 0 on FAT32.
      - id: total_sectors_16
        type: u2
        doc: BPB_TotSec16 (offset 19) - 0 when total_sectors_32 holds the count.
      - id: media
        type: u1
      - id: sectors_per_fat_16
        type: u2
        doc: BPB_FATSz16 (offset 22) - 0 on FAT32, whose FAT size is sectors_per_fat_32.
      - id: sectors_per_track
        type: u2
      - id: num_heads
        type: u2
      - id: hidden_sectors
        type: u4
        doc: Sectors before the volume on the disk (the partition's first LBA).
      - id: total_sectors_32
        type: u4
        doc: BPB_TotSec32 (offset 32).
      - id: fat16
        type: ebpb_fat16
        if: sectors_per_fat_16 != 0
        doc: FAT12/16 extended BPB from offset 36.
      - id: fat32
        type: ebpb_fat32
        if: sectors_per_fat_16 == 0
        doc: FAT32 extended BPB from offset 36.
  ebpb_fat16:
    seq:
      - id: drive_number
        type: u1
      - id: reserved1
        type: u1
      - id: boot_signature
        type: u1
        doc: 0x29 when volume_id, volume_label and fs_type follow.
      - id: volume_id
        type: u4
      - id: volume_label
        size: 11
        doc: Space padded; "NO NAME    " when unset. The root directory's volume-label entry wins.
      - id: fs_type
        size: 8
        doc: Informational only ("FAT16   "); never used to decide the FAT type.
      - id: boot_code
        size: 448
      - id: signature
        size: 2
        doc: 0x55 0xAA at offset 510.
  ebpb_fat32:
    seq:
      - id: sectors_per_fat_32
        type: u4
        doc: BPB_FATSz32 (offset 36).
      - id: ext_flags
        type: u2
      - id: fs_version
        type: u2
      - id: root_cluster
        type: u4
        doc: BPB_RootClus (offset 44) - first cluster of the root directory, usually 2.
      - id: fs_info_sector
        type: u2
      - id: backup_boot_sector
        type: u2
      - id: reserved
        size: 12
      - id: drive_number
        type: u1
      - id: reserved1
        type: u1
      - id: boot_signature
        type: u1
      - id: volume_id
        type: u4
      - id: volume_label
        size: 11
      - id: fs_type
        size: 8
      - id: boot_code
        size: 420
      - id: signature
        size: 2
        doc: 0x55 0xAA at offset 510.
  dir_entry:
    doc: |
      One 32-byte directory entry. name[0] = 0x00 ends the directory, 0xE5 marks
      a deleted entry. An entry whose attributes (low 6 bits) are 0x0F is part of
      a long file name (VFAT): its `name` bytes are then the sequence number
      (bit 6 = last part) and the first five UTF-16LE units of that part.
    seq:
      - id: name
        size: 11
        doc: Short entry - 8.3 name, space padded, no dot; long-name part - sequence number + 5 UTF-16LE units.
      - id: attributes
        type: u1
        doc: 0x01 read-only, 0x02 hidden, 0x04 system, 0x08 volume label, 0x10 directory, 0x20 archive; 0x0F long-name part.
      - id: short_entry
        type: short_entry_tail
        if: (attributes & 0x3f) != 0x0f
      - id: long_name_part
        type: long_name_tail
        if: (attributes & 0x3f) == 0x0f
  short_entry_tail:
    seq:
      - id: nt_reserved
        type: u1
        doc: Windows NT case flags (0x08 lower-case base name, 0x10 lower-case extension).
      - id: create_time_tenth
        type: u1
      - id: create_time
        type: u2
      - id: create_date
        type: u2
      - id: access_date
        type: u2
      - id: first_cluster_high
        type: u2
        doc: High 16 bits of the first cluster (FAT32 only).
      - id: write_time
        type: u2
      - id: write_date
        type: u2
      - id: first_cluster_low
        type: u2
      - id: file_size
        type: u4
  long_name_tail:
    seq:
      - id: long_name_type
        type: u1
        doc: Zero.
      - id: checksum
        type: u1
        doc: Checksum of the 11-byte short name this long name belongs to.
      - id: name2
        size: 12
        doc: UTF-16LE units 6..11 of this part.
      - id: first_cluster_low
        type: u2
        doc: Zero.
      - id: name3
        size: 4
        doc: UTF-16LE units 12..13 of this part.
