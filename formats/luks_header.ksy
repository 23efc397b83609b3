meta:
  id: luks_header
  title: LUKS1 and LUKS2 binary header (the fields a probe needs)
  endian: be
  license: Apache-2.0
doc: |
  The first 512 bytes of a LUKS volume, big-endian. Both versions start with
  the magic and a version number; LUKS2 keeps a second binary header at a
  fixed offset (16 KiB and up) whose magic is "SKUL" 0xBA 0xBE.
seq:
  - id: magic
    size: 6
    doc: '"LUKS" 0xBA 0xBE (primary) or "SKUL" 0xBA 0xBE (LUKS2 secondary).'
  - id: version
    type: u2
  - id: body
    type:
      switch-on: version
      cases:
        1: luks1
        2: luks2
types:
  luks1:
    seq:
      - id: cipher_name
        size: 32
      - id: cipher_mode
        size: 32
      - id: hash_spec
        size: 32
      - id: payload_offset
        type: u4
        doc: Sector (512 bytes) where the encrypted data starts.
      - id: key_bytes
        type: u4
      - id: mk_digest
        size: 20
      - id: mk_digest_salt
        size: 32
      - id: mk_digest_iterations
        type: u4
      - id: uuid
        size: 40
        doc: UUID as NUL-terminated text (offset 168).
  luks2:
    seq:
      - id: header_size
        type: u8
        doc: Binary header plus JSON area, in bytes.
      - id: sequence_id
        type: u8
      - id: label
        size: 48
        doc: Label (offset 24), NUL terminated.
      - id: checksum_algorithm
        size: 32
      - id: salt
        size: 64
      - id: uuid
        size: 40
        doc: UUID as NUL-terminated text (offset 168).
      - id: subsystem
        size: 48
      - id: header_offset
        type: u8
        doc: Byte offset of this header copy from the start of the device.
