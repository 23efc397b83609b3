meta:
  id: vhd_dynamic_header
  title: VHD dynamic disk header (dynamic and differencing disks)
  endian: be
  license: Apache-2.0
doc: |
  The 1024-byte header a dynamic or differencing VHD keeps where its footer's
  data_offset points (normally byte 512). It locates the block allocation table
  and, for a differencing disk, names the parent.
seq:
  - id: cookie
    size: 8
    doc: '"cxsparse".'
  - id: data_offset
    type: u8
    doc: Unused, all ones.
  - id: table_offset
    type: u8
    doc: File offset of the block allocation table (BAT).
  - id: header_version
    type: u4
    doc: 0x00010000.
  - id: max_table_entries
    type: u4
    doc: Entries in the BAT (virtual size / block size, rounded up).
  - id: block_size
    type: u4
    doc: Bytes of virtual disk per block (2 MiB by default).
  - id: checksum
    type: u4
  - id: parent_unique_id
    size: 16
  - id: parent_time_stamp
    type: u4
  - id: reserved1
    type: u4
  - id: parent_unicode_name
    size: 512
    doc: Parent's file name, UTF-16 big-endian, NUL padded.
  - id: parent_locators
    type: parent_locator
    repeat: expr
    repeat-expr: 8
  - id: reserved2
    size: 256
types:
  parent_locator:
    seq:
      - id: platform_code
        size: 4
        doc: '"W2ru" relative Windows path, "W2ku" absolute (UTF-16 little-endian); "Mac " / "MacX" Mac paths; zero unused.'
      - id: platform_data_space
        type: u4
        doc: 512-byte sectors reserved for the locator data.
      - id: platform_data_length
        type: u4
        doc: Bytes of locator data.
      - id: reserved
        type: u4
      - id: platform_data_offset
        type: u8
        doc: File offset of the locator data.
