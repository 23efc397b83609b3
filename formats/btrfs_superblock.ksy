meta:
  id: btrfs_superblock
  title: Btrfs superblock (the fields a probe needs)
  endian: le
  license: Apache-2.0
doc: |
  The primary superblock sits 64 KiB into the device. This window starts at
  the superblock and covers its first 0x22B bytes (up to the end of the label).
seq:
  - id: checksum
    size: 32
    doc: Checksum of the rest of the 4 KiB superblock (crc32c by default).
  - id: fsid
    size: 16
    doc: File system UUID (the same on every device of the file system).
  - id: bytenr
    type: u8
    doc: Where this copy lives (65536 for the primary).
  - id: flags
    type: u8
  - id: magic
    size: 8
    doc: '"_BHRfS_M" at offset 0x40.'
  - id: generation
    type: u8
  - id: root
    type: u8
  - id: chunk_root
    type: u8
  - id: log_root
    type: u8
  - id: log_root_transid
    type: u8
  - id: total_bytes
    type: u8
    doc: Bytes of the whole file system (all devices).
  - id: bytes_used
    type: u8
  - id: root_dir_objectid
    type: u8
  - id: num_devices
    type: u8
  - id: sector_size
    type: u4
  - id: node_size
    type: u4
  - id: leaf_size
    type: u4
  - id: stripe_size
    type: u4
  - id: sys_chunk_array_size
    type: u4
  - id: chunk_root_generation
    type: u8
  - id: compat_flags
    type: u8
  - id: compat_ro_flags
    type: u8
  - id: incompat_flags
    type: u8
  - id: csum_type
    type: u2
  - id: root_level
    type: u1
  - id: chunk_root_level
    type: u1
  - id: log_root_level
    type: u1
  - id: dev_item
    type: dev_item
    doc: This device (offset 0xC9).
  - id: label
    size: 256
    doc: Label (offset 0x12B), NUL terminated.
types:
  dev_item:
    seq:
      - id: devid
        type: u8
      - id: total_bytes
        type: u8
        doc: Size of this device as the file system knows it.
      - id: bytes_used
        type: u8
      - id: io_align
        type: u4
      - id: io_width
        type: u4
      - id: sector_size
        type: u4
      - id: type
        type: u8
      - id: generation
        type: u8
      - id: start_offset
        type: u8
      - id: dev_group
        type: u4
      - id: seek_speed
        type: u1
      - id: bandwidth
        type: u1
      - id: uuid
        size: 16
        doc: This device's UUID (blkid's UUID_SUB).
      - id: fsid
        size: 16
