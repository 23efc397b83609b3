meta:
  id: ntfs_boot_sector
  title: NTFS boot sector and the header of an MFT file record
  endian: le
  license: Apache-2.0
doc: |
  window 0: the boot sector (512 bytes). window 1: the first 48 bytes of an
  MFT FILE record (the $Volume record holds the label in its $VOLUME_NAME
  attribute; attributes are walked by the probe, bounded by the record size).
params:
  - id: window
    type: u1
seq:
  - id: boot_sector
    type: boot_sector
    if: window == 0
  - id: file_record
    type: file_record
    if: window == 1
types:
  boot_sector:
    seq:
      - id: jump_boot
        size: 3
      - id: oem_id
        size: 8
        doc: '"NTFS    ".'
      - id: bytes_per_sector
        type: u2
      - id: sectors_per_cluster
        type: u1
        doc: Above 0x80, the cluster is 2^(256 - value) sectors.
      - id: reserved_sectors
        type: u2
      - id: zero1
        size: 5
      - id: media
        type: u1
      - id: zero2
        type: u2
      - id: sectors_per_track
        type: u2
      - id: num_heads
        type: u2
      - id: hidden_sectors
        type: u4
      - id: zero3
        type: u4
      - id: unused1
        type: u4
      - id: total_sectors
        type: u8
        doc: Sectors in the volume (offset 0x28); the backup boot sector follows them.
      - id: mft_cluster
        type: u8
        doc: Cluster of $MFT (offset 0x30).
      - id: mft_mirror_cluster
        type: u8
      - id: clusters_per_mft_record
        type: s1
        doc: Negative n means 2^-n bytes per record (offset 0x40).
      - id: unused2
        size: 3
      - id: clusters_per_index_record
        type: s1
      - id: unused3
        size: 3
      - id: serial_number
        type: u8
        doc: Volume serial (offset 0x48), shown as 16 hex digits.
      - id: checksum
        type: u4
      - id: boot_code
        size: 426
      - id: signature
        size: 2
  file_record:
    seq:
      - id: magic
        size: 4
        doc: '"FILE".'
      - id: update_sequence_offset
        type: u2
      - id: update_sequence_count
        type: u2
        doc: 1 + the number of 512-byte strides the record spans.
      - id: log_sequence_number
        type: u8
      - id: sequence_number
        type: u2
      - id: hard_link_count
        type: u2
      - id: first_attribute_offset
        type: u2
      - id: flags
        type: u2
      - id: bytes_in_use
        type: u4
      - id: bytes_allocated
        type: u4
      - id: base_record
        type: u8
      - id: next_attribute_id
        type: u2
