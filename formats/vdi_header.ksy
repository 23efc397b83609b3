meta:
  id: vdi_header
  title: VirtualBox disk image (VDI) header, version 1.1
  endian: le
  license: Apache-2.0
doc: |
  The pre-header (text banner, signature, version) and the version 1.1 header
  at byte 0 of a VDI file. The block map (one 32-bit entry per block) starts
  at offset_blocks, the blocks at offset_data.
seq:
  - id: banner
    size: 64
    doc: '"<<< ... Disk Image >>>" text, NUL padded.'
  - id: signature
    type: u4
    doc: 0xBEDA107F.
  - id: version
    type: u4
    doc: 0x00010001 for version 1.1.
  - id: header_size
    type: u4
  - id: image_type
    type: u4
    doc: 1 dynamic, 2 static (fixed), 3 undo, 4 differencing.
  - id: image_flags
    type: u4
  - id: description
    size: 256
  - id: offset_blocks
    type: u4
    doc: File offset of the block map.
  - id: offset_data
    type: u4
    doc: File offset of block 0.
  - id: legacy_cylinders
    type: u4
  - id: legacy_heads
    type: u4
  - id: legacy_sectors
    type: u4
  - id: legacy_sector_size
    type: u4
  - id: unused
    type: u4
  - id: disk_size
    type: u8
    doc: Virtual disk size in bytes.
  - id: block_size
    type: u4
    doc: Bytes of virtual disk per block (1 MiB by default).
  - id: block_extra
    type: u4
    doc: Bytes of extra data before each block's data.
  - id: blocks_in_image
    type: u4
  - id: blocks_allocated
    type: u4
  - id: uuid_image
    size: 16
  - id: uuid_last_snap
    size: 16
  - id: uuid_link
    size: 16
  - id: uuid_parent
    size: 16
