meta:
  id: lvm2_label
  title: LVM2 physical volume label (one of the first four 512-byte sectors)
  endian: le
  license: Apache-2.0
doc: |
  The sector holding the label: a 32-byte label header, then (at offset_xl,
  normally 32) the physical volume header with the PV UUID and the size.
seq:
  - id: id
    size: 8
    doc: '"LABELONE".'
  - id: sector_xl
    type: u8
    doc: The sector this label sits in (0..3).
  - id: crc_xl
    type: u4
    doc: CRC of the rest of the sector from offset 20.
  - id: offset_xl
    type: u4
    doc: Where the PV header starts in this sector (32).
  - id: type
    size: 8
    doc: '"LVM2 001".'
  - id: pv_uuid
    size: 32
    doc: The PV UUID as 32 characters, shown with dashes 6-4-4-4-4-4-6.
  - id: device_size
    type: u8
    doc: Size of the physical volume in bytes.
