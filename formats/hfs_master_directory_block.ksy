meta:
  id: hfs_master_directory_block
  title: HFS master directory block (Mac OS Standard volume header)
  endian: be
  license: Apache-2.0
doc: |
  The master directory block of an HFS volume, 1024 bytes into it (a copy
  sits in the second-to-last 512-byte sector). Dates count seconds since
  1904-01-01 in local time. Allocation blocks (drAlBlkSiz bytes, a
  multiple of 512) start drAlBlSt sectors into the volume. An HFS wrapper
  (Mac OS 8.1 and later) holds an HFS Plus volume in the allocation blocks
  drEmbedExtent names, with drEmbedSigWord "H+".
seq:
  - id: signature
    size: 2
    doc: drSigWord, "BD".
  - id: create_mac_date
    type: u4
    doc: drCrDate.
  - id: modify_mac_date
    type: u4
    doc: drLsMod.
  - id: attributes
    type: u2
    doc: drAtrb (bit 8 cleanly unmounted, bit 15 locked by software).
  - id: root_file_count
    type: u2
    doc: drNmFls, files in the root folder.
  - id: bitmap_sector
    type: u2
    doc: drVBMSt, first sector of the volume bitmap.
  - id: next_allocation
    type: u2
    doc: drAllocPtr.
  - id: allocation_block_count
    type: u2
    doc: drNmAlBlks, allocation blocks in the volume.
  - id: allocation_block_size
    type: u4
    doc: drAlBlkSiz, bytes per allocation block (a multiple of 512).
  - id: clump_size
    type: u4
    doc: drClpSiz.
  - id: first_allocation_sector
    type: u2
    doc: drAlBlSt, the 512-byte sector where allocation block 0 starts.
  - id: next_catalog_id
    type: u4
    doc: drNxtCNID.
  - id: free_block_count
    type: u2
    doc: drFreeBks.
  - id: label_length
    type: u1
    doc: Length of drVN, the volume name (at most 27).
  - id: label
    size: 27
    doc: drVN, the volume name in Mac Roman.
  - id: backup_mac_date
    type: u4
    doc: drVolBkUp.
  - id: backup_sequence
    type: u2
    doc: drVSeqNum.
  - id: write_count
    type: u4
    doc: drWrCnt.
  - id: extents_clump_size
    type: u4
  - id: catalog_clump_size
    type: u4
  - id: root_folder_count
    type: u2
    doc: drNmRtDirs.
  - id: file_count
    type: u4
    doc: drFilCnt.
  - id: folder_count
    type: u4
    doc: drDirCnt.
  - id: finder_info
    size: 24
    doc: drFndrInfo[0..5] (boot folder, start application, open folder, ...).
  - id: volume_id
    size: 8
    doc: drFndrInfo[6..7], the 64-bit volume identifier (libblkid derives the UUID from it).
  - id: embed_signature
    size: 2
    doc: drEmbedSigWord, "H+" when an HFS Plus volume is embedded (a wrapper).
  - id: embed_start_block
    type: u2
    doc: drEmbedExtent.startBlock, in allocation blocks.
  - id: embed_block_count
    type: u2
    doc: drEmbedExtent.blockCount.
  - id: extents_file_size
    type: u4
    doc: drXTFlSize.
  - id: extents_file_extents
    size: 12
    doc: drXTExtRec, three (start, count) pairs of u2.
  - id: catalog_file_size
    type: u4
    doc: drCTFlSize.
  - id: catalog_file_extents
    size: 12
    doc: drCTExtRec.
