// Helpers shared by the readers of the schemes besides MBR and GPT (Apple
// Partition Map, BSD disklabel, Sun VTOC, SGI volume header). Their model
// types live in model.ts with the rest of the disk model.
import type { LabelScheme, Partition } from '../model';

/** A partition of one of these labels (no GUIDs, no MBR type byte). */
export function labelPartition(
  scheme: LabelScheme,
  slot: number,
  number: number,
  firstLba: bigint,
  sectors: bigint,
  sectorSize: number,
  type: { code: string; name: string | null },
  name: string,
  flags: number,
): Partition {
  return {
    slot,
    number,
    firstLba,
    lastLba: firstLba + sectors - 1n,
    sizeBytes: sectors * BigInt(sectorSize),
    typeGuid: null,
    mbrType: null,
    typeName: type.name,
    uuid: null,
    name,
    attributes: BigInt(flags >>> 0),
    scheme,
    typeCode: type.code,
  };
}

/** A NUL-terminated or NUL-padded text field (Latin-1; control bytes are escaped by the printers). */
export function asciiField(raw: Uint8Array): string {
  let end = raw.indexOf(0);
  if (end < 0) end = raw.length;
  return Buffer.from(raw.subarray(0, end)).toString('latin1').trimEnd();
}

/** `0x83`, `0x0A`: a numeric type code as the labels' tools print it. */
export const hexCode = (n: number, digits = 2): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;

/** XOR of 16-bit words (big- or little-endian) over bytes[start, end). */
export function xor16(bytes: Uint8Array, start: number, end: number, littleEndian: boolean): number {
  let x = 0;
  for (let i = start; i + 1 < end; i += 2) x ^= littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!;
  return x;
}
