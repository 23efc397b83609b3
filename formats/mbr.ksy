meta:
  id: mbr
  title: Master boot record or extended boot record
  endian: le
  license: Apache-2.0
doc: |
  The first 512 bytes of a disk (MBR) or of an extended partition's EBR.
  Only the first 512 bytes of the block carry the record, whatever the
  logical block size: on 4Kn disks the rest of LBA 0 is padding. sector_size
  is taken so that callers pass one window shape for every structure.
params:
  - id: sector_size
    type: u4
seq:
  - id: bootstrap_code
    size: 440
  - id: disk_signature
    type: u4
    doc: Windows disk signature (zero on a protective MBR).
  - id: reserved
    type: u2
  - id: partitions
    type: partition_record
    repeat: expr
    repeat-expr: 4
  - id: boot_signature
    size: 2
    doc: 0x55 0xAA.
types:
  partition_record:
    seq:
      - id: status
        type: u1
        doc: 0x80 = bootable, 0x00 = not.
      - id: chs_start
        size: 3
      - id: partition_type
        type: u1
        doc: 0xEE protective GPT, 0x05/0x0F/0x85 extended, 0x00 unused.
      - id: chs_end
        size: 3
      - id: lba_start
        type: u4
        doc: Relative to the disk (MBR) or to the extended partition (EBR links).
      - id: num_sectors
        type: u4
