meta:
  id: gpt_header
  title: GUID Partition Table header (UEFI 2.x, section 5.3.2)
  endian: le
  license: Apache-2.0
doc: |
  One GPT header, read from a window that starts at the header's LBA and is
  one logical block long. The block size is a parameter: 512 on most disks,
  4096 on 4Kn disks. Nothing here is validated: the checker decides what is
  wrong, so a damaged header still parses into fields with byte ranges.
params:
  - id: sector_size
    type: u4
    doc: Logical block size in bytes of the disk this header was read from.
seq:
  - id: signature
    size: 8
    doc: Must be "EFI PART".
  - id: revision
    type: u4
    doc: 0x00010000 for every GPT in use.
  - id: header_size
    type: u4
    doc: Bytes covered by header_crc32; at least 92, at most sector_size.
  - id: header_crc32
    type: u4
    doc: CRC-32 over header_size bytes with this field taken as zero.
  - id: reserved
    type: u4
    doc: Must be zero.
  - id: my_lba
    type: u8
    doc: LBA of this header.
  - id: alternate_lba
    type: u8
    doc: LBA of the other header (primary -> backup, backup -> primary).
  - id: first_usable_lba
    type: u8
  - id: last_usable_lba
    type: u8
  - id: disk_guid
    size: 16
    doc: Mixed-endian GUID identifying the disk.
  - id: partition_entry_lba
    type: u8
    doc: First LBA of the partition entry array this header describes.
  - id: num_partition_entries
    type: u4
  - id: partition_entry_size
    type: u4
    doc: 128 x 2^n bytes.
  - id: partition_entry_array_crc32
    type: u4
    doc: CRC-32 over num_partition_entries x partition_entry_size bytes.
  - id: reserved_tail
    size: sector_size - 92
    doc: Rest of the block; must be zero.
