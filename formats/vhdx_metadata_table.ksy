meta:
  id: vhdx_metadata_table
  title: VHDX metadata table (at the start of the metadata region)
  endian: le
  license: Apache-2.0
doc: |
  The table of metadata items. Item offsets count from the start of the
  metadata region. Known items: file parameters CAA16737-FA36-4D43-B3B6-33F0AA44E76B
  (block size, flags), virtual disk size 2FA54224-CD1B-4876-B211-5DBED83BF4B8,
  logical sector size 8141BF1D-A96F-4709-BA47-F233A8FAAB5F, physical sector size
  CDA348C7-445D-4471-9CC9-E9885251C556, page 83 data BECA12AB-B2E6-4523-93EF-C309E000C746,
  parent locator A8D35F2D-B30B-454D-ABF7-D3D84834AB0C.
params:
  - id: max_entries
    type: u4
seq:
  - id: signature
    size: 8
    doc: '"metadata".'
  - id: reserved
    type: u2
  - id: entry_count
    type: u2
    doc: At most 2047.
  - id: reserved2
    size: 20
  - id: entries
    type: metadata_entry
    repeat: expr
    repeat-expr: 'entry_count < max_entries ? entry_count : max_entries'
types:
  metadata_entry:
    seq:
      - id: item_id
        size: 16
      - id: offset
        type: u4
      - id: length
        type: u4
      - id: flags
        type: u4
        doc: Bit 0 user item, 1 virtual disk item, 2 required.
      - id: reserved
        type: u4
