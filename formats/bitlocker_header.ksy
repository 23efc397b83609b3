meta:
  id: bitlocker_header
  title: BitLocker volume header (first sector) and FVE metadata block header
  endian: le
  license: Apache-2.0
doc: |
  window 0: the volume header, 512 bytes. Windows 7 and later put "-FVE-FS-"
  where a boot sector has its OEM name and keep the FVE metadata offsets at
  offset 176; BitLocker To Go keeps "MSWIN4.1" and puts them at 440.
  window 1: the header of an FVE metadata block ("-FVE-FS-", size, version).
params:
  - id: window
    type: u1
seq:
  - id: volume_header
    type: volume_header
    if: window == 0
  - id: fve
    type: fve_block
    if: window == 1
types:
  volume_header:
    seq:
      - id: jump_boot
        size: 3
      - id: signature
        size: 8
      - id: bpb
        size: 56
      - id: volume_serial
        type: u4
        doc: Offset 67.
      - id: volume_label
        size: 11
      - id: unused1
        size: 78
      - id: guid_win7
        size: 16
        doc: Offset 160.
      - id: fve_offset_win7
        type: u8
        doc: Offset 176, first FVE metadata block (Windows 7 and later).
      - id: fve_offset_win7_2
        type: u8
      - id: fve_offset_win7_3
        type: u8
      - id: unused2
        size: 224
      - id: guid_togo
        size: 16
        doc: Offset 424.
      - id: fve_offset_togo
        type: u8
        doc: Offset 440 (BitLocker To Go).
      - id: unused3
        size: 64
  fve_block:
    seq:
      - id: signature
        size: 8
        doc: '"-FVE-FS-".'
      - id: size
        type: u2
      - id: version
        type: u2
