meta:
  id: grub_core_img
  title: Start of GRUB 2's i386-pc core.img (apply at lba:1, the MBR gap)
  endian: le
  license: Apache-2.0
doc: |
  The first two sectors of core.img as grub-mkimage writes them. Sector 0 is
  diskboot.img: boot code that reads the rest of core.img using the blocklist
  at its end (entries of 12 bytes growing down from 0x1F4; grub-mkimage fills
  the first one). Sector 1 starts lzma_decompress.img, whose header says how
  big the compressed GRUB kernel and its modules are. Offsets from GRUB's
  boot/i386/pc/diskboot.S and include/grub/offsets.h.
seq:
  - id: diskboot_code
    size: 0x1f4
    doc: diskboot.img's code and messages ("loading", "Geom", "Read", " Error").
  - id: first_blocklist
    type: blocklist
    doc: The sectors that follow diskboot.img.
  - id: decompressor
    type: decompressor_header
    doc: The header of lzma_decompress.img (sector 1 of core.img).
instances:
  core_img_sectors:
    value: 1 + first_blocklist.num_sectors
    doc: Sectors of core.img in all, diskboot.img included.
types:
  blocklist:
    seq:
      - id: start_lba
        type: u8
        doc: First sector to read (LBA 2 for a core.img at LBA 1).
      - id: num_sectors
        type: u2
        doc: How many sectors to read.
      - id: load_segment
        type: u2
        doc: Real-mode segment they are read to (0x820 = address 0x8200).
  decompressor_header:
    seq:
      - id: jump
        size: 8
        doc: Far jump to the decompressor's code (EA 1C 82 00 00 = 0000:821C), padded.
      - id: compressed_size
        type: u4
        doc: Bytes of LZMA-compressed GRUB kernel and modules after the decompressor.
      - id: uncompressed_size
        type: u4
      - id: reed_solomon_redundancy
        type: u4
        doc: Bytes of Reed-Solomon parity protecting the image (0 from grub-mkimage alone).
      - id: no_reed_solomon_length
        type: u4
        doc: Leading bytes the parity does not cover.
      - id: boot_device
        size: 3
        doc: Partition GRUB booted from (0xFF = whole disk / not set).
      - id: boot_drive
        type: u1
