meta:
  id: vhd_footer
  title: VHD hard disk footer (Microsoft Virtual Hard Disk format 1.0)
  endian: be
  license: Apache-2.0
doc: |
  The 512-byte footer every VHD ends with. A dynamic or differencing disk also
  starts with a copy of it. Nothing is validated here; the checksum is the
  one's complement of the sum of all footer bytes with the checksum taken as zero.
seq:
  - id: cookie
    size: 8
    doc: '"conectix".'
  - id: features
    type: u4
    doc: Bit 1 reserved, always set.
  - id: file_format_version
    type: u4
    doc: 0x00010000.
  - id: data_offset
    type: u8
    doc: File offset of the dynamic disk header; all ones for a fixed disk.
  - id: time_stamp
    type: u4
    doc: Seconds since 2000-01-01 12:00:00 UTC.
  - id: creator_application
    size: 4
  - id: creator_version
    type: u4
  - id: creator_host_os
    size: 4
  - id: original_size
    type: u8
  - id: current_size
    type: u8
    doc: Virtual disk size in bytes.
  - id: geometry_cylinders
    type: u2
  - id: geometry_heads
    type: u1
  - id: geometry_sectors
    type: u1
  - id: disk_type
    type: u4
    doc: 2 fixed, 3 dynamic, 4 differencing.
  - id: checksum
    type: u4
  - id: unique_id
    size: 16
  - id: saved_state
    type: u1
  - id: reserved
    size: 427
