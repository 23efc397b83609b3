meta:
  id: sgi_volume_header
  title: SGI disk volume header (dvh) in sector 0
  endian: be
  license: Apache-2.0
doc: |
  IRIX's volume header: boot file name, device parameters, a directory of
  up to 15 files kept in the volume header partition, and 16 partitions
  (size, first block, type). Magic 0x0BE5A941 at byte 0; the checksum
  makes the 32-bit sum of the header's 128 big-endian words zero.
seq:
  - id: magic
    type: u4
    doc: 0x0BE5A941.
  - id: root_partition
    type: u2
  - id: swap_partition
    type: u2
  - id: boot_file
    size: 16
  - id: device_parameters
    type: device_parameters
  - id: volume_directory
    type: directory_entry
    repeat: expr
    repeat-expr: 15
  - id: partitions
    type: partition
    repeat: expr
    repeat-expr: 16
  - id: checksum
    type: u4
    doc: Two's complement of the sum of the other words.
  - id: padding
    type: u4
types:
  device_parameters:
    seq:
      - id: skew
        type: u1
      - id: gap1
        type: u1
      - id: gap2
        type: u1
      - id: spare_cylinders
        type: u1
      - id: cylinders
        type: u2
      - id: heads_in_volume0
        type: u2
      - id: tracks
        type: u2
      - id: command_queue_depth
        type: u1
      - id: unused0
        type: u1
      - id: unused1
        type: u2
      - id: sectors_per_track
        type: u2
      - id: bytes_per_sector
        type: u2
      - id: interleave
        type: u2
      - id: flags
        type: u4
      - id: data_rate
        type: u4
      - id: retries
        type: u4
      - id: ms_per_word
        type: u4
      - id: xylogics
        size: 12
  directory_entry:
    seq:
      - id: name
        size: 8
      - id: block
        type: u4
      - id: bytes
        type: u4
  partition:
    seq:
      - id: block_count
        type: u4
      - id: first_block
        type: u4
      - id: type
        type: u4
        doc: 0 volume header, 3 raw, 6 whole volume, 0x0A XFS, 0x83 Linux native, ...
