meta:
  id: grub_boot_img
  title: GRUB 2 boot.img, the i386-pc first stage in the MBR (apply at lba:0)
  endian: le
  license: Apache-2.0
doc: |
  The 512-byte sector that grub-install (grub-bios-setup) writes over LBA 0 of a
  BIOS-booted disk: a short jump over a BIOS parameter block, the place the BIOS
  loads the next stage to, the LBA of core.img (its first sector, diskboot.img),
  the drive to read it from, the boot code, then the usual MBR partition table
  and 0x55AA. Offsets from GRUB's include/grub/i386/pc/boot.h.
seq:
  - id: jump
    size: 3
    doc: x86 `jmp short` over the BPB to the code at 0x65 (EB 63), then NOP (90).
  - id: bpb
    size: 0x57
    doc: BIOS parameter block area (0x03-0x59), kept from the old sector for USB sticks that need one.
  - id: kernel_address
    type: u2
    doc: Where in memory the next stage (diskboot.img) is loaded, normally 0x8000.
  - id: kernel_sector
    type: u8
    doc: LBA of core.img's first sector; 1 when core.img sits in the MBR gap.
  - id: boot_drive
    type: u1
    doc: BIOS drive number to load core.img from; 0xFF means the drive the BIOS booted.
  - id: code
    size: 0x153
    doc: Boot code and messages ("GRUB ", "Geom", "Hard Disk", "Read", " Error").
  - id: disk_signature
    type: u4
    doc: Windows NT disk signature (0x1B8), left as it was.
  - id: reserved
    type: u2
  - id: partitions
    type: partition_record
    repeat: expr
    repeat-expr: 4
    doc: The four primary MBR partition records (0x1BE).
  - id: boot_signature
    contents: [0x55, 0xaa]
instances:
  core_img_offset:
    value: kernel_sector * 512
    doc: Byte offset of core.img on a 512-byte-sector disk.
types:
  partition_record:
    seq:
      - id: status
        type: u1
        doc: 0x80 = active (bootable), 0x00 = inactive.
      - id: chs_first
        size: 3
      - id: partition_type
        type: u1
        enum: partition_type
      - id: chs_last
        size: 3
      - id: first_lba
        type: u4
      - id: num_sectors
        type: u4
enums:
  partition_type:
    0x00: empty
    0x05: extended_chs
    0x07: ntfs_exfat
    0x0b: fat32_chs
    0x0c: fat32_lba
    0x0f: extended_lba
    0x82: linux_swap
    0x83: linux
    0x8e: linux_lvm
    0xee: gpt_protective
    0xef: efi_system
    0xfd: linux_raid
