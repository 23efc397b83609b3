// The kinds of value an editable field holds and the kinds of search pattern:
// shared by the core (which parses and formats them), the protocol (tree nodes
// carry a field's kind) and the webview (its field editors). Types only.

export type FieldKind =
  /** An unsigned little-endian integer (u8..u64); `role` only changes how it is shown. */
  | { kind: 'uint'; width: 1 | 2 | 4 | 8; role?: 'crc' | 'count' | 'reserved' }
  /** A u64 LBA: also given as a byte offset with a unit (`1M`) or, for an end, a size (`+512M`). */
  | { kind: 'lba' }
  /** 16 bytes, mixed-endian on disk; `partitionType` also takes a type name (`linux`, `efi`). */
  | { kind: 'guid'; partitionType?: boolean }
  /** UTF-16LE text of at most `codeUnits` code units, zero-padded (a GPT partition name). */
  | { kind: 'utf16'; codeUnits: number }
  /** The 64 GPT attribute bits: a whole value or +name/-name changes. */
  | { kind: 'attributes' }
  /** An MBR partition type byte: hex like fdisk (`83`, `0x83`) or a name. */
  | { kind: 'mbrType' }
  /** The MBR boot indicator: 0x80 active, 0x00 not. */
  | { kind: 'bootIndicator' }
  /** The 32-bit MBR disk signature, shown as 0x12345678. */
  | { kind: 'diskSignature' }
  /** Fixed ASCII text (the GPT signature), or its bytes as hex. */
  | { kind: 'ascii'; length: number }
  /** Raw bytes of a fixed length, as hex. */
  | { kind: 'hexbytes'; length: number };

/** How a search pattern is read: hex bytes (?? = any byte), text, UTF-16LE, a GUID, a little-endian integer. */
export type PatternMode = 'hex' | 'text' | 'utf16' | 'guid' | 'u16' | 'u32' | 'u64';
