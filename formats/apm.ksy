meta:
  id: apm
  title: Apple Partition Map (driver descriptor record and partition map entry)
  endian: be
  license: Apache-2.0
doc: |
  Apple's partition scheme (Inside Macintosh: Devices, "SCSI Manager":
  driver descriptor map and partition map). Block 0 holds the driver
  descriptor record (signature "ER"); the map starts at block 1, one
  entry per block (signature "PM"), and every entry repeats the number of
  blocks the map takes. Blocks are the descriptor's block size (512 on
  most disks, 2048 on CDs). window 0: the driver descriptor; window 1: one
  map entry (the first 136 bytes of its block).
params:
  - id: window
    type: u1
seq:
  - id: driver_descriptor
    type: driver_descriptor
    if: window == 0
  - id: entry
    type: map_entry
    if: window == 1
types:
  driver_descriptor:
    seq:
      - id: signature
        type: u2
        doc: sbSig, 0x4552 ("ER").
      - id: block_size
        type: u2
        doc: sbBlkSize, bytes per block of the device (the unit of every map field).
      - id: block_count
        type: u4
        doc: sbBlkCount, blocks on the device.
      - id: device_type
        type: u2
      - id: device_id
        type: u2
      - id: data
        type: u4
      - id: driver_count
        type: u2
        doc: sbDrvrCount, driver descriptors that follow (at most 61 fit the block).
      - id: drivers
        type: driver
        repeat: expr
        repeat-expr: 'driver_count > 61 ? 0 : driver_count'
  driver:
    seq:
      - id: start_block
        type: u4
        doc: ddBlock, first block of the driver.
      - id: block_count
        type: u2
        doc: ddSize, in 512-byte blocks.
      - id: os_type
        type: u2
  map_entry:
    seq:
      - id: signature
        type: u2
        doc: pmSig, 0x504D ("PM"); 0x5453 ("TS") in the old format.
      - id: reserved
        type: u2
      - id: map_block_count
        type: u4
        doc: pmMapBlkCnt, blocks in the whole partition map (the same in every entry).
      - id: start_block
        type: u4
        doc: pmPyPartStart, first block of the partition.
      - id: block_count
        type: u4
        doc: pmPartBlkCnt, blocks in the partition.
      - id: name
        size: 32
        doc: pmPartName, NUL-terminated.
      - id: type
        size: 32
        doc: pmParType (Apple_HFS, Apple_partition_map, Apple_Free, ...).
      - id: data_start
        type: u4
        doc: pmLgDataStart, first data block relative to the partition.
      - id: data_count
        type: u4
      - id: status
        type: u4
        doc: pmPartStatus (valid, allocated, in use, bootable, readable, writable).
      - id: boot_start
        type: u4
      - id: boot_size
        type: u4
      - id: boot_load
        type: u4
      - id: boot_load2
        type: u4
      - id: boot_entry
        type: u4
      - id: boot_entry2
        type: u4
      - id: boot_checksum
        type: u4
      - id: processor
        size: 16
        doc: pmProcessor (68000, 68020, 68030, 68040, powerpc), NUL-terminated.
