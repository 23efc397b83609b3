meta:
  id: vmdk_sparse_header
  title: VMDK hosted sparse extent header (monolithicSparse, twoGbMaxExtentSparse, streamOptimized)
  endian: le
  license: Apache-2.0
doc: |
  The 512-byte header at the start of a hosted sparse extent (and, for a
  streamOptimized file, again in its footer near the end). Sizes and offsets
  count 512-byte sectors. Nothing is validated here.
seq:
  - id: magic
    size: 4
    doc: '"KDMV".'
  - id: version
    type: u4
    doc: 1, 2 or 3 (3 for streamOptimized).
  - id: flags
    type: u4
    doc: Bit 0 valid newline test, 1 redundant grain table, 2 zeroed-grain entries, 16 compressed grains, 17 markers.
  - id: capacity
    type: u8
    doc: Sectors of virtual disk this extent holds.
  - id: grain_size
    type: u8
    doc: Sectors per grain (a power of two, at least 8; 128 = 64 KiB by default).
  - id: descriptor_offset
    type: u8
    doc: Sector of the embedded descriptor, 0 for none.
  - id: descriptor_size
    type: u8
    doc: Sectors of the embedded descriptor.
  - id: num_gtes_per_gt
    type: u4
    doc: Entries per grain table (512).
  - id: rgd_offset
    type: u8
    doc: Sector of the redundant grain directory.
  - id: gd_offset
    type: u8
    doc: Sector of the grain directory; all ones ("at end") when it is given by the footer.
  - id: overhead
    type: u8
    doc: Sectors of metadata before the first grain.
  - id: unclean_shutdown
    type: u1
  - id: single_end_line_char
    type: u1
  - id: non_end_line_char
    type: u1
  - id: double_end_line_char1
    type: u1
  - id: double_end_line_char2
    type: u1
  - id: compress_algorithm
    type: u2
    doc: 0 none, 1 deflate.
  - id: pad
    size: 433
