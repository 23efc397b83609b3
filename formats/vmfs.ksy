meta:
  id: vmfs
  title: VMware VMFS logical volume header and file system descriptor
  endian: le
  license: Apache-2.0
doc: |
  window 0: the LVM volume header 1 MiB into the partition (magic 0xC001D00D),
  first 512 + 64 bytes. window 1: the file system descriptor 2 MiB in
  (magic 0x2FABF15E), first 512 bytes.
params:
  - id: window
    type: u1
seq:
  - id: volume
    type: volume_header
    if: window == 0
  - id: fs
    type: fs_descriptor
    if: window == 1
types:
  volume_header:
    seq:
      - id: magic
        type: u4
        doc: 0xC001D00D.
      - id: version
        type: u4
      - id: unknown1
        size: 122
      - id: uuid
        size: 16
        doc: Device UUID (offset 0x82), shown as four groups (blkid's UUID_SUB).
      - id: unknown2
        size: 366
      - id: lvm_info_head
        size: 20
      - id: lvm_uuid
        size: 35
        doc: The logical volume's UUID as text (offset 512 + 20).
      - id: unknown3
        size: 9
  fs_descriptor:
    seq:
      - id: magic
        type: u4
        doc: 0x2FABF15E.
      - id: volume_version
        type: u4
      - id: version
        type: u1
        doc: VMFS major version (3, 5, 6).
      - id: uuid
        size: 16
        doc: File system UUID (offset 9), shown in four groups.
      - id: mode
        type: u4
      - id: label
        size: 128
        doc: Datastore name (offset 29), NUL padded.
