meta:
  id: xfs_superblock
  title: XFS superblock of allocation group 0 (the fields a probe needs)
  endian: be
  license: Apache-2.0
doc: |
  Sector 0 of an XFS volume, big-endian. The data section holds dblocks blocks
  of blocksize bytes.
seq:
  - id: magic
    size: 4
    doc: '"XFSB".'
  - id: block_size
    type: u4
    doc: sb_blocksize, bytes per file system block.
  - id: data_blocks
    type: u8
    doc: sb_dblocks, blocks in the data section.
  - id: realtime_blocks
    type: u8
  - id: realtime_extents
    type: u8
  - id: uuid
    size: 16
    doc: sb_uuid, bytes in text order.
  - id: log_start
    type: u8
  - id: root_inode
    type: u8
  - id: rbm_inode
    type: u8
  - id: rsum_inode
    type: u8
  - id: rt_extent_size
    type: u4
  - id: ag_blocks
    type: u4
    doc: Blocks per allocation group.
  - id: ag_count
    type: u4
  - id: rbm_blocks
    type: u4
  - id: log_blocks
    type: u4
  - id: version_num
    type: u2
    doc: Low 4 bits are the superblock version (4 or 5).
  - id: sector_size
    type: u2
  - id: inode_size
    type: u2
  - id: inodes_per_block
    type: u2
  - id: fname
    size: 12
    doc: Label (offset 108), NUL padded.
  - id: log_block_size
    type: u1
  - id: log_sector_size
    type: u1
  - id: log_inode_size
    type: u1
  - id: log_inodes_per_block
    type: u1
  - id: log_ag_blocks
    type: u1
  - id: log_rt_extents
    type: u1
  - id: in_progress
    type: u1
    doc: Non-zero while mkfs.xfs is still writing the file system.
  - id: inode_max_pct
    type: u1
