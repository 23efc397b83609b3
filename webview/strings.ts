// User-visible webview strings added for the responsive layout, the selection
// and the inspector, kept together so a translation layer can wrap them in one place.

export const S = {
  dataInspector: 'Data inspector',
  littleEndian: 'Little endian',
  bigEndian: 'Big endian',
  byteOrderTitle: 'Byte order for the integers, floats and LBA (click to switch)',
  loading: 'loading',
  crcOfSelection: 'CRC-32 of selection',
} as const;
