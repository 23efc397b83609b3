meta:
  id: md_superblock
  title: Linux MD RAID superblock, version 0.90 or 1.x
  endian: le
  license: Apache-2.0
doc: |
  md_version 0: the 0.90 superblock (64 KiB aligned, 64 KiB from the end of
  the device; written in the host's byte order, little-endian here).
  md_version 1: the 1.x superblock (1.0 near the end, 1.1 at 0, 1.2 at 4 KiB).
  This window is the first 256 bytes of either.
params:
  - id: md_version
    type: u1
seq:
  - id: magic
    type: u4
    doc: 0xA92B4EFC.
  - id: major_version
    type: u4
  - id: v0
    type: v0_fields
    if: md_version == 0
  - id: v1
    type: v1_fields
    if: md_version == 1
types:
  v0_fields:
    seq:
      - id: minor_version
        type: u4
      - id: patch_version
        type: u4
      - id: gvalid_words
        type: u4
      - id: set_uuid0
        type: u4
      - id: ctime
        type: u4
      - id: level
        type: s4
      - id: size
        type: u4
        doc: KiB of each component device in use.
      - id: nr_disks
        type: u4
      - id: raid_disks
        type: u4
      - id: md_minor
        type: u4
      - id: not_persistent
        type: u4
      - id: set_uuid1
        type: u4
      - id: set_uuid2
        type: u4
      - id: set_uuid3
        type: u4
  v1_fields:
    seq:
      - id: feature_map
        type: u4
      - id: pad0
        type: u4
      - id: set_uuid
        size: 16
        doc: Array UUID (offset 16), bytes in text order.
      - id: set_name
        size: 32
        doc: Array name (offset 32), "host:name", NUL padded.
      - id: ctime
        type: u8
        doc: Low 40 bits are seconds since 1970.
      - id: level
        type: s4
      - id: layout
        type: u4
      - id: size
        type: u8
        doc: Sectors (512 bytes) of each component used by the array.
      - id: chunk_size
        type: u4
      - id: raid_disks
        type: u4
      - id: bitmap_offset
        type: s4
      - id: new_level
        type: u4
      - id: reshape_position
        type: u8
      - id: delta_disks
        type: u4
      - id: new_layout
        type: u4
      - id: new_chunk
        type: u4
      - id: new_offset
        type: u4
      - id: data_offset
        type: u8
        doc: Sector (512 bytes) where the data starts (offset 128).
      - id: data_size
        type: u8
        doc: Sectors of data on this device.
      - id: super_offset
        type: u8
        doc: Sector of this superblock; must match where it was found.
      - id: recovery_offset
        type: u8
      - id: dev_number
        type: u4
      - id: cnt_corrected_read
        type: u4
      - id: device_uuid
        size: 16
        doc: This member's UUID (blkid's UUID_SUB).
      - id: devflags
        type: u1
      - id: bblog_shift
        type: u1
      - id: bblog_size
        type: u2
      - id: bblog_offset
        type: u4
      - id: utime
        type: u8
      - id: events
        type: u8
      - id: resync_offset
        type: u8
      - id: sb_csum
        type: u4
      - id: max_dev
        type: u4
      - id: pad3
        size: 32
