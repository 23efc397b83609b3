meta:
  id: qcow2_snapshot
  title: One entry of a qcow2 snapshot table
  endian: be
  license: Apache-2.0
doc: |
  A snapshot table entry; entries follow each other, each padded to a multiple
  of 8 bytes. Read from a window starting at the entry.
seq:
  - id: l1_table_offset
    type: u8
    doc: File offset of the snapshot's L1 table.
  - id: l1_size
    type: u4
  - id: id_str_size
    type: u2
  - id: name_size
    type: u2
  - id: date_sec
    type: u4
    doc: Seconds since 1970 when the snapshot was taken.
  - id: date_nsec
    type: u4
  - id: vm_clock_nsec
    type: u8
  - id: vm_state_size
    type: u4
  - id: extra_data_size
    type: u4
  - id: extra_data
    size: extra_data_size
    doc: Version 3 puts the 64-bit VM state size and the snapshot's virtual disk size here.
  - id: id_str
    size: id_str_size
  - id: name
    size: name_size
