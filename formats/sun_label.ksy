meta:
  id: sun_label
  title: Sun disk label (SMI label with VTOC) in sector 0
  endian: be
  license: Apache-2.0
doc: |
  The SunOS/Solaris SPARC disk label: an ASCII description, the VTOC
  (tags and flags of 8 partitions), the geometry and 8 partitions given as
  a start cylinder and a sector count. Magic 0xDABE at byte 508; the
  checksum at 510 makes the XOR of all 256 big-endian 16-bit words zero.
seq:
  - id: ascii_label
    size: 128
    doc: Disk description text, NUL padded.
  - id: vtoc_version
    type: u4
    doc: 1 when the VTOC is in use.
  - id: volume_name
    size: 8
  - id: partition_count
    type: u2
    doc: VTOC partitions (8).
  - id: partition_infos
    type: info
    repeat: expr
    repeat-expr: 8
  - id: padding
    type: u2
  - id: boot_info
    size: 12
  - id: vtoc_sanity
    type: u4
    doc: 0x600DDEEE when the VTOC is valid.
  - id: vtoc_reserved
    size: 40
  - id: timestamps
    size: 32
  - id: write_reinstruct
    type: u4
  - id: read_reinstruct
    type: u4
  - id: spare
    size: 148
  - id: rpm
    type: u2
  - id: physical_cylinders
    type: u2
  - id: alternates_per_cylinder
    type: u2
  - id: obsolete1
    type: u2
  - id: obsolete2
    type: u2
  - id: interleave
    type: u2
  - id: data_cylinders
    type: u2
  - id: alternate_cylinders
    type: u2
  - id: heads
    type: u2
    doc: Tracks per cylinder.
  - id: sectors_per_track
    type: u2
  - id: obsolete3
    type: u2
  - id: obsolete4
    type: u2
  - id: partitions
    type: partition
    repeat: expr
    repeat-expr: 8
  - id: magic
    type: u2
    doc: 0xDABE.
  - id: checksum
    type: u2
    doc: XOR of the 255 words before it.
types:
  info:
    seq:
      - id: tag
        type: u2
        doc: What the partition is for (2 root, 3 swap, 5 whole disk, 0x83 Linux native, ...).
      - id: flags
        type: u2
        doc: 0x01 unmountable, 0x10 read-only.
  partition:
    seq:
      - id: start_cylinder
        type: u4
        doc: First cylinder; times heads x sectors per track gives the first sector.
      - id: sector_count
        type: u4
