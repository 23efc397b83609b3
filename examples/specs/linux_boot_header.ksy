meta:
  id: linux_boot_header
  title: Linux x86 boot protocol, real-mode kernel header (apply at the start of a bzImage)
  endian: le
  license: Apache-2.0
doc: |
  The setup header a boot loader reads from the first sectors of an x86 Linux
  kernel image (bzImage), protocol 2.00 and later, as the kernel's
  Documentation/arch/x86/boot.rst lays it out (0x1F1-0x26B). Apply it where a
  kernel image starts: a raw kernel partition, or offset 0 of a vmlinuz file.
seq:
  - id: boot_sector
    size: 0x1f1
    doc: The legacy boot sector; today it only prints that direct floppy boot is gone.
  - id: setup_sects
    type: u1
    doc: Size of the real-mode setup code in 512-byte sectors (0 means 4).
  - id: root_flags
    type: u2
  - id: syssize
    type: u4
    doc: Size of the protected-mode code in 16-byte paragraphs.
  - id: ram_size
    type: u2
  - id: vid_mode
    type: u2
  - id: root_dev
    type: u2
  - id: boot_flag
    type: u2
    doc: 0xAA55.
  - id: jump
    size: 2
    doc: Short jump over the header (EB xx).
  - id: header
    contents: HdrS
  - id: version
    type: u2
    doc: Boot protocol version, major in the high byte (0x020F = 2.15).
  - id: realmode_swtch
    type: u4
  - id: start_sys_seg
    type: u2
  - id: kernel_version
    type: u2
    doc: Offset - 0x200 of the NUL-terminated version string, or 0.
  - id: type_of_loader
    type: u1
    doc: Written by the boot loader (0xFF = unknown, high nibble = loader id).
  - id: loadflags
    type: u1
    doc: Bit 0 LOADED_HIGH, bit 5 QUIET_FLAG, bit 6 KEEP_SEGMENTS, bit 7 CAN_USE_HEAP.
  - id: setup_move_size
    type: u2
  - id: code32_start
    type: u4
  - id: ramdisk_image
    type: u4
  - id: ramdisk_size
    type: u4
  - id: bootsect_kludge
    type: u4
  - id: heap_end_ptr
    type: u2
  - id: ext_loader_ver
    type: u1
  - id: ext_loader_type
    type: u1
  - id: cmd_line_ptr
    type: u4
  - id: initrd_addr_max
    type: u4
  - id: kernel_alignment
    type: u4
  - id: relocatable_kernel
    type: u1
  - id: min_alignment
    type: u1
    doc: Smallest alignment, as a power of two.
  - id: xloadflags
    type: u2
  - id: cmdline_size
    type: u4
  - id: hardware_subarch
    type: u4
    enum: subarch
  - id: hardware_subarch_data
    type: u8
  - id: payload_offset
    type: u4
  - id: payload_length
    type: u4
  - id: setup_data
    type: u8
    doc: Physical address of the first setup_data node (64 bits).
  - id: pref_address
    type: u8
    doc: Preferred load address of the kernel (64 bits).
  - id: init_size
    type: u4
  - id: handover_offset
    type: u4
  - id: kernel_info_offset
    type: u4
instances:
  version_string:
    pos: kernel_version + 0x200
    type: strz
    encoding: ASCII
    if: kernel_version != 0
    doc: The kernel's version text ("6.1.0-18-amd64 (debian-kernel@...) #1 SMP ...").
  protocol_major:
    value: version >> 8
  protocol_minor:
    value: version & 0xff
enums:
  subarch:
    0: pc
    1: lguest
    2: xen
    3: intel_mid
    4: ce4100
