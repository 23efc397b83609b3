// CRC-32 as GPT uses it (UEFI 5.3.2, same as zlib's): reflected, polynomial
// 0xEDB88320, initial value and final xor 0xFFFFFFFF. Our own table rather than
// zlib.crc32 so it runs on every Node an extension host may ship, and in a
// webview. Pure: no Node, no DOM. The same table-driven loop serves the other
// reflected CRC-32s (CRC-32C: core/crc32c.ts).

/** A reflected CRC-32 with `polynomial` (in reflected form), initial value and final xor 0xFFFFFFFF, table driven. */
export function reflectedCrc32(polynomial: number): (bytes: Uint8Array) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (bytes) => {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}

const gptCrc32 = reflectedCrc32(0xedb88320);

/** CRC-32 of `bytes` (unsigned). */
export function crc32(bytes: Uint8Array): number {
  return gptCrc32(bytes);
}
