meta:
  id: ext_superblock
  title: ext2/ext3/ext4 superblock (the fields a probe needs)
  endian: le
  license: Apache-2.0
doc: |
  The superblock starts 1024 bytes into the volume and is 1024 bytes long.
  This window is those 1024 bytes. Sizes count blocks of 1024 << log_block_size
  bytes; with the 64bit incompatible feature the block count has a high half.
seq:
  - id: inodes_count
    type: u4
  - id: blocks_count_lo
    type: u4
    doc: s_blocks_count (offset 0x04), low 32 bits of the block count.
  - id: r_blocks_count_lo
    type: u4
  - id: free_blocks_count_lo
    type: u4
  - id: free_inodes_count
    type: u4
  - id: first_data_block
    type: u4
  - id: log_block_size
    type: u4
    doc: Block size is 1024 << this (offset 0x18).
  - id: log_cluster_size
    type: u4
  - id: blocks_per_group
    type: u4
  - id: clusters_per_group
    type: u4
  - id: inodes_per_group
    type: u4
  - id: mount_time
    type: u4
    doc: Seconds since 1970 (UTC).
  - id: write_time
    type: u4
  - id: mount_count
    type: u2
  - id: max_mount_count
    type: u2
  - id: magic
    size: 2
    doc: 0x53 0xEF (0xEF53 little-endian) at offset 0x38.
  - id: state
    type: u2
  - id: errors
    type: u2
  - id: minor_rev_level
    type: u2
  - id: last_check
    type: u4
  - id: check_interval
    type: u4
  - id: creator_os
    type: u4
  - id: rev_level
    type: u4
  - id: def_resuid
    type: u2
  - id: def_resgid
    type: u2
  - id: first_ino
    type: u4
  - id: inode_size
    type: u2
  - id: block_group_nr
    type: u2
  - id: feature_compat
    type: u4
    doc: Offset 0x5C; 0x4 = has_journal.
  - id: feature_incompat
    type: u4
    doc: Offset 0x60; 0x8 = journal device, 0x40 = extents, 0x80 = 64bit.
  - id: feature_ro_compat
    type: u4
    doc: Offset 0x64.
  - id: uuid
    size: 16
    doc: Volume UUID (offset 0x68), bytes in text order.
  - id: volume_name
    size: 16
    doc: Label (offset 0x78), NUL padded.
  - id: last_mounted
    size: 64
  - id: algorithm_usage_bitmap
    type: u4
  - id: prealloc_blocks
    type: u1
  - id: prealloc_dir_blocks
    type: u1
  - id: reserved_gdt_blocks
    type: u2
  - id: journal_uuid
    size: 16
  - id: journal_inum
    type: u4
  - id: journal_dev
    type: u4
  - id: last_orphan
    type: u4
  - id: hash_seed
    size: 16
  - id: def_hash_version
    type: u1
  - id: jnl_backup_type
    type: u1
  - id: desc_size
    type: u2
  - id: default_mount_opts
    type: u4
  - id: first_meta_bg
    type: u4
  - id: mkfs_time
    type: u4
    doc: When the file system was made (offset 0x108), seconds since 1970.
  - id: jnl_blocks
    size: 68
  - id: blocks_count_hi
    type: u4
    doc: Offset 0x150, high 32 bits of the block count (64bit feature only).
  - id: rest
    size: 1024 - 0x154
