meta:
  id: gpt_partition_array
  title: GUID Partition Table partition entry array (UEFI 2.x, section 5.3.3)
  endian: le
  license: Apache-2.0
doc: |
  The partition entry array a GPT header points at. The caller reads exactly
  num_entries x entry_size bytes (after checking both against its limits) and
  parses them here; an entry whose type GUID is all zero is an unused slot.
params:
  - id: num_entries
    type: u4
  - id: entry_size
    type: u4
    doc: Bytes per entry; the first 128 are defined, the rest is reserved.
seq:
  - id: entries
    type: partition_entry
    size: entry_size
    repeat: expr
    repeat-expr: num_entries
types:
  partition_entry:
    seq:
      - id: type_guid
        size: 16
        doc: Partition type; all zero means the slot is unused.
      - id: unique_guid
        size: 16
      - id: first_lba
        type: u8
      - id: last_lba
        type: u8
        doc: Inclusive.
      - id: attributes
        size: 8
        doc: |
          64 attribute bits, little-endian. Kept as bytes because bits 48-63
          do not fit a JavaScript number exactly.
      - id: name
        size: 72
        doc: UTF-16LE, padded with zero code units.
