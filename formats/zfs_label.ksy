meta:
  id: zfs_label
  title: ZFS vdev label (XDR nvlist pair, nvlist header, uberblock)
  endian: be
  license: Apache-2.0
doc: |
  A ZFS pool member keeps four 256 KiB vdev labels (two at the start of the
  device, two at the end). In each, 16 KiB in, the vdev's configuration is
  an XDR-encoded nvlist (name, pool_guid, guid, state, txg, vdev_tree...);
  from 128 KiB an array of uberblocks (magic 0x00BAB10C, in the byte order
  of the host that wrote it), each 1 KiB or 2^ashift bytes. window 0: the
  nvlist header; 1: one nvpair; 2: an uberblock written little-endian; 3:
  one written big-endian.
params:
  - id: window
    type: u1
seq:
  - id: header
    type: nvlist_header
    if: window == 0
  - id: pair
    type: nvpair
    if: window == 1
  - id: uberblock_le
    type: uberblock_le
    if: window == 2
  - id: uberblock_be
    type: uberblock_be
    if: window == 3
types:
  nvlist_header:
    seq:
      - id: encoding
        type: u1
        doc: 1 = XDR (the only encoding on disk).
      - id: endian
        type: u1
        doc: Byte order of the host that wrote it (1 little, 0 big); XDR values are big-endian regardless.
      - id: reserved
        type: u2
      - id: version
        type: u4
        doc: nvl_version, 0.
      - id: flags
        type: u4
        doc: nvl_nvflag (1 = names unique).
  nvpair:
    seq:
      - id: encoded_size
        type: u4
        doc: Bytes of this pair (0 ends a list).
      - id: decoded_size
        type: u4
      - id: name_length
        type: u4
      - id: name
        type: str
        size: name_length
        encoding: ASCII
      - id: name_padding
        size: (4 - name_length % 4) % 4
      - id: data_type
        type: u4
        doc: 8 uint64, 9 string, 19 nvlist (a nested list follows).
      - id: element_count
        type: u4
      - id: uint64_value
        type: u8
        if: data_type == 8
      - id: string_length
        type: u4
        if: data_type == 9
      - id: string_value
        type: str
        size: string_length
        encoding: UTF-8
        if: data_type == 9
  uberblock_le:
    seq:
      - id: magic
        type: u8le
        doc: 0x00BAB10C.
      - id: version
        type: u8le
        doc: SPA version (5000 with feature flags).
      - id: txg
        type: u8le
        doc: Transaction group of the last sync.
      - id: guid_sum
        type: u8le
      - id: timestamp
        type: u8le
        doc: Seconds since 1970 of the last sync.
  uberblock_be:
    seq:
      - id: magic
        type: u8be
      - id: version
        type: u8be
      - id: txg
        type: u8be
      - id: guid_sum
        type: u8be
      - id: timestamp
        type: u8be
