meta:
  id: swap_header
  title: Linux swap area header, version 1 (first page of the area)
  endian: le
  license: Apache-2.0
doc: |
  The first page of a swap area (the page size of the machine that made it,
  usually 4096 bytes). This window is the page's first 1084 bytes; the
  signature "SWAPSPACE2" ends the page (its last 10 bytes) and is read apart.
seq:
  - id: boot_bits
    size: 1024
    doc: Left alone by mkswap (room for a boot sector or a disk label).
  - id: version
    type: u4
    doc: 1 for SWAPSPACE2.
  - id: last_page
    type: u4
    doc: Index of the last usable page; the area is last_page + 1 pages.
  - id: nr_badpages
    type: u4
  - id: uuid
    size: 16
  - id: volume_name
    size: 16
    doc: Label, NUL padded.
  - id: padding
    size: 12
