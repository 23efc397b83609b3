meta:
  id: vhdx_header
  title: VHDX header (one of the two copies at 64 KiB and 128 KiB)
  endian: le
  license: Apache-2.0
doc: |
  A 4 KiB VHDX header. The file keeps two; the current one is the copy with a
  valid checksum (CRC-32C over the 4 KiB with the checksum field taken as zero)
  and the larger sequence number.
seq:
  - id: signature
    size: 4
    doc: '"head".'
  - id: checksum
    type: u4
  - id: sequence_number
    type: u8
  - id: file_write_guid
    size: 16
  - id: data_write_guid
    size: 16
    doc: Changed before the first write of user data after the file is opened.
  - id: log_guid
    size: 16
    doc: Zero when the log is empty; otherwise the log holds entries to replay.
  - id: log_version
    type: u2
  - id: version
    type: u2
    doc: 1.
  - id: log_length
    type: u4
  - id: log_offset
    type: u8
  - id: reserved
    size: 4016
