meta:
  id: vhdx_region_table
  title: VHDX region table (one of the two copies at 192 KiB and 256 KiB)
  endian: le
  license: Apache-2.0
doc: |
  The region table header and its entries, read from the 64 KiB table (the
  checksum is CRC-32C over those 64 KiB with the checksum field zero). The BAT
  region is 2DC27766-F623-4200-9D64-115E9BFD4A08, the metadata region
  8B7CA206-4790-4B9A-B8FE-575F050F886E.
params:
  - id: max_entries
    type: u4
    doc: Entries to read at most (the caller's limit).
seq:
  - id: signature
    size: 4
    doc: '"regi".'
  - id: checksum
    type: u4
  - id: entry_count
    type: u4
    doc: At most 2047.
  - id: reserved
    type: u4
  - id: entries
    type: region_entry
    repeat: expr
    repeat-expr: 'entry_count < max_entries ? entry_count : max_entries'
types:
  region_entry:
    seq:
      - id: guid
        size: 16
      - id: file_offset
        type: u8
        doc: 1 MiB aligned.
      - id: length
        type: u4
        doc: 1 MiB multiple.
      - id: required
        type: u4
        doc: Bit 0 set when a reader must understand the region.
