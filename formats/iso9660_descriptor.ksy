meta:
  id: iso9660_descriptor
  title: ISO 9660 volume descriptor (ECMA-119 8.4), primary or supplementary
  endian: le
  license: Apache-2.0
doc: |
  One 2048-byte volume descriptor; the set starts at byte 32768 (sector 16).
  Numbers are stored both-endian (little then big); the little half is read
  and the big half kept as bytes.
seq:
  - id: type
    type: u1
    doc: 0 boot record, 1 primary, 2 supplementary (Joliet), 255 terminator.
  - id: standard_id
    size: 5
    doc: '"CD001".'
  - id: version
    type: u1
  - id: flags
    type: u1
  - id: system_id
    size: 32
  - id: volume_id
    size: 32
    doc: The label (offset 40), space padded; UCS-2BE in a Joliet descriptor.
  - id: unused1
    size: 8
  - id: volume_space_size
    type: u4
    doc: Logical blocks in the volume (offset 80).
  - id: volume_space_size_be
    size: 4
  - id: escape_sequences
    size: 32
    doc: '"%/@", "%/C" or "%/E" here mark Joliet.'
  - id: volume_set_size
    type: u2
  - id: volume_set_size_be
    size: 2
  - id: volume_sequence_number
    type: u2
  - id: volume_sequence_number_be
    size: 2
  - id: logical_block_size
    type: u2
    doc: Bytes per logical block, usually 2048 (offset 128).
  - id: logical_block_size_be
    size: 2
  - id: path_table_size
    type: u4
  - id: path_table_size_be
    size: 4
  - id: path_tables
    size: 16
  - id: root_directory_record
    size: 34
  - id: volume_set_id
    size: 128
  - id: publisher_id
    size: 128
  - id: preparer_id
    size: 128
  - id: application_id
    size: 128
  - id: copyright_file_id
    size: 37
  - id: abstract_file_id
    size: 37
  - id: bibliographic_file_id
    size: 37
  - id: creation_time
    size: 17
    doc: '"YYYYMMDDHHMMSScc" digits and a time zone byte (offset 813).'
  - id: modification_time
    size: 17
  - id: expiration_time
    size: 17
  - id: effective_time
    size: 17
  - id: file_structure_version
    type: u1
