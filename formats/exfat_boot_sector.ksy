meta:
  id: exfat_boot_sector
  title: exFAT main boot sector (the first 512 bytes of the volume)
  endian: le
  license: Apache-2.0
doc: |
  Offsets and sizes count sectors of 2^bytes_per_sector_shift bytes and
  clusters of 2^sectors_per_cluster_shift sectors.
seq:
  - id: jump_boot
    size: 3
  - id: file_system_name
    size: 8
    doc: '"EXFAT   ".'
  - id: must_be_zero
    size: 53
    doc: Where a FAT BPB would be; all zero so FAT drivers refuse the volume.
  - id: partition_offset
    type: u8
    doc: Sector of the volume on the disk (0 = ignore).
  - id: volume_length
    type: u8
    doc: Sectors in the volume (offset 72).
  - id: fat_offset
    type: u4
  - id: fat_length
    type: u4
  - id: cluster_heap_offset
    type: u4
    doc: Sector where cluster 2 starts (offset 88).
  - id: cluster_count
    type: u4
  - id: first_cluster_of_root_directory
    type: u4
    doc: Offset 96.
  - id: volume_serial_number
    type: u4
    doc: Offset 100; shown as XXXX-XXXX.
  - id: file_system_revision
    type: u2
  - id: volume_flags
    type: u2
  - id: bytes_per_sector_shift
    type: u1
    doc: 9..12 (512..4096-byte sectors).
  - id: sectors_per_cluster_shift
    type: u1
  - id: number_of_fats
    type: u1
  - id: drive_select
    type: u1
  - id: percent_in_use
    type: u1
  - id: reserved
    size: 7
  - id: boot_code
    size: 390
  - id: boot_signature
    size: 2
    doc: 0x55 0xAA.
