meta:
  id: hfsplus_volume_header
  title: HFS Plus / HFSX volume header, catalog B-tree header and first leaf record key
  endian: be
  license: Apache-2.0
doc: |
  HFS Plus (Mac OS Extended, signature "H+", version 4) and HFSX (its
  case-sensitive variant, "HX", version 5) keep a 512-byte volume header
  1024 bytes into the volume (Apple TN1150). Blocks are blockSize bytes,
  counted from the volume's start; totalBlocks covers the whole volume.
  Dates count seconds since 1904-01-01 (GMT, but createDate is local).
  The catalog file is a B-tree: node 0 is its header node, and the first
  record of the first leaf node is the root folder's thread, whose key
  (parent ID 1) carries the volume name in UTF-16BE.
  window 0: the volume header; 1: the catalog's header node (descriptor and
  header record); 2: the start of a leaf node (descriptor and first key).
params:
  - id: window
    type: u1
seq:
  - id: header
    type: volume_header
    if: window == 0
  - id: btree_header
    type: btree_header_node
    if: window == 1
  - id: leaf
    type: leaf_node_start
    if: window == 2
types:
  volume_header:
    seq:
      - id: signature
        size: 2
        doc: '"H+" (HFS Plus) or "HX" (HFSX).'
      - id: version
        type: u2
        doc: 4 for HFS Plus, 5 for HFSX.
      - id: attributes
        type: u4
        doc: Bit 8 cleanly unmounted, bit 13 journaled, bit 15 software lock.
      - id: last_mounted_version
        size: 4
        doc: '"10.0" Mac OS X, "HFSJ" journaled, "fsck", "H+Lx" Linux...'
      - id: journal_info_block
        type: u4
      - id: create_mac_date
        type: u4
      - id: modify_mac_date
        type: u4
      - id: backup_mac_date
        type: u4
      - id: checked_mac_date
        type: u4
      - id: file_count
        type: u4
      - id: folder_count
        type: u4
      - id: block_size
        type: u4
        doc: Bytes per allocation block (a power of two, at least 512).
      - id: total_blocks
        type: u4
        doc: Blocks in the volume, the headers' own included.
      - id: free_blocks
        type: u4
      - id: next_allocation
        type: u4
      - id: resource_clump_size
        type: u4
      - id: data_clump_size
        type: u4
      - id: next_catalog_id
        type: u4
      - id: write_count
        type: u4
      - id: encodings_bitmap
        type: u8
      - id: finder_info
        size: 24
        doc: finderInfo[0..5].
      - id: volume_id
        size: 8
        doc: finderInfo[6..7], the 64-bit volume identifier (libblkid derives the UUID from it).
      - id: allocation_file
        type: fork_data
      - id: extents_file
        type: fork_data
      - id: catalog_file
        type: fork_data
      - id: attributes_file
        type: fork_data
      - id: startup_file
        type: fork_data
  fork_data:
    seq:
      - id: logical_size
        type: u8
      - id: clump_size
        type: u4
      - id: total_blocks
        type: u4
      - id: extents
        type: extent
        repeat: expr
        repeat-expr: 8
  extent:
    seq:
      - id: start_block
        type: u4
      - id: block_count
        type: u4
  node_descriptor:
    seq:
      - id: forward_link
        type: u4
      - id: backward_link
        type: u4
      - id: kind
        type: s1
        doc: -1 leaf, 0 index, 1 header, 2 map.
      - id: height
        type: u1
      - id: record_count
        type: u2
      - id: reserved
        type: u2
  btree_header_node:
    seq:
      - id: descriptor
        type: node_descriptor
      - id: tree_depth
        type: u2
      - id: root_node
        type: u4
      - id: leaf_records
        type: u4
      - id: first_leaf_node
        type: u4
      - id: last_leaf_node
        type: u4
      - id: node_size
        type: u2
        doc: Bytes per node (512 to 32768).
      - id: max_key_length
        type: u2
      - id: total_nodes
        type: u4
      - id: free_nodes
        type: u4
  leaf_node_start:
    seq:
      - id: descriptor
        type: node_descriptor
      - id: key_length
        type: u2
      - id: parent_id
        type: u4
        doc: 1 for the root folder's thread record, whose name is the volume's.
      - id: name_length
        type: u2
        doc: UTF-16 code units in the name (at most 255).
      - id: name
        size: name_length * 2
        doc: The name, UTF-16BE.
