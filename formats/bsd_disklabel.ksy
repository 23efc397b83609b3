meta:
  id: bsd_disklabel
  title: BSD disklabel
  endian: le
  license: Apache-2.0
doc: |
  The 4.4BSD disk label (sys/disklabel.h): geometry, then up to
  d_npartitions partitions of 16 bytes. It sits 512 bytes into the disk or
  the MBR slice on x86 (64 or 128 bytes in on some other machines); both
  magics are 0x82564557 and d_checksum makes the XOR of the label's 16-bit
  words, partitions included, zero. `count` is how many partitions the
  caller reads (d_npartitions, bounded).
params:
  - id: count
    type: u2
seq:
  - id: magic
    type: u4
    doc: d_magic, 0x82564557.
  - id: drive_type
    type: u2
  - id: subtype
    type: u2
  - id: type_name
    size: 16
  - id: pack_name
    size: 16
  - id: sector_size
    type: u4
    doc: d_secsize, bytes per sector.
  - id: sectors_per_track
    type: u4
  - id: tracks_per_cylinder
    type: u4
  - id: cylinders
    type: u4
  - id: sectors_per_cylinder
    type: u4
  - id: sectors_per_unit
    type: u4
    doc: d_secperunit, sectors on the disk.
  - id: spares_per_track
    type: u2
  - id: spares_per_cylinder
    type: u2
  - id: alternate_cylinders
    type: u4
  - id: rpm
    type: u2
  - id: interleave
    type: u2
  - id: track_skew
    type: u2
  - id: cylinder_skew
    type: u2
  - id: head_switch
    type: u4
  - id: track_seek
    type: u4
  - id: flags
    type: u4
  - id: drive_data
    size: 20
  - id: spare
    size: 20
  - id: magic2
    type: u4
    doc: d_magic2, 0x82564557 again.
  - id: checksum
    type: u2
    doc: d_checksum, XOR of the label's 16-bit words through the last partition (this field taken as zero).
  - id: partition_count
    type: u2
    doc: d_npartitions.
  - id: boot_area_size
    type: u4
  - id: superblock_size
    type: u4
  - id: partitions
    type: partition
    repeat: expr
    repeat-expr: count
types:
  partition:
    seq:
      - id: size
        type: u4
        doc: p_size, sectors.
      - id: offset
        type: u4
        doc: p_offset, first sector (of the disk; FreeBSD 10+ counts from the slice when partition c starts at 0).
      - id: fragment_size
        type: u4
      - id: fs_type
        type: u1
        doc: p_fstype (0 unused, 1 swap, 7 4.2BSD, ...).
      - id: fragments_per_block
        type: u1
      - id: cylinders_per_group
        type: u2
