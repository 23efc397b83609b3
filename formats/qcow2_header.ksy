meta:
  id: qcow2_header
  title: qcow2 image header (QEMU copy-on-write format, versions 2 and 3)
  endian: be
  license: Apache-2.0
doc: |
  The header at byte 0 of a qcow2 file, read from a window of the file's first
  bytes. Version 2 ends after snapshots_offset (72 bytes); version 3 adds the
  feature bit masks, the refcount width and its own length. Header extensions
  (backing format, feature names, ...) follow at header_length and are read by
  the code, entry by entry. Nothing is validated here.
seq:
  - id: magic
    size: 4
    doc: '"QFI" followed by 0xFB.'
  - id: version
    type: u4
    doc: 2 or 3.
  - id: backing_file_offset
    type: u8
    doc: File offset of the backing file name (not NUL-terminated), 0 for none.
  - id: backing_file_size
    type: u4
    doc: Length of that name in bytes (at most 1023).
  - id: cluster_bits
    type: u4
    doc: log2 of the cluster size (9..21; 16 = 64 KiB is the default).
  - id: size
    type: u8
    doc: Virtual disk size in bytes.
  - id: crypt_method
    type: u4
    doc: 0 none, 1 AES-CBC, 2 LUKS.
  - id: l1_size
    type: u4
    doc: Number of 8-byte entries in the active L1 table.
  - id: l1_table_offset
    type: u8
    doc: File offset of the active L1 table (cluster aligned).
  - id: refcount_table_offset
    type: u8
    doc: File offset of the refcount table (cluster aligned).
  - id: refcount_table_clusters
    type: u4
    doc: Clusters the refcount table occupies.
  - id: nb_snapshots
    type: u4
    doc: Number of internal snapshots.
  - id: snapshots_offset
    type: u8
    doc: File offset of the snapshot table.
  - id: incompatible_features
    type: u8
    if: version >= 3
    doc: Bit 0 dirty, 1 corrupt, 2 external data file, 3 compression type, 4 extended L2 entries.
  - id: compatible_features
    type: u8
    if: version >= 3
    doc: Bit 0 lazy refcounts.
  - id: autoclear_features
    type: u8
    if: version >= 3
  - id: refcount_order
    type: u4
    if: version >= 3
    doc: Refcount entries are 2^refcount_order bits wide (version 2 always 4 = 16 bits).
  - id: header_length
    type: u4
    if: version >= 3
    doc: Length of this header in bytes (104 or more); extensions start here.
  - id: compression_type
    type: u1
    if: version >= 3 and header_length > 104
    doc: 0 zlib (deflate), 1 zstd.
