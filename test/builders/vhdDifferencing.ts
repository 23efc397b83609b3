// Differencing VHDs for the tests, built from the VHD 1.0 specification (qemu-img
// cannot create them): a footer copy at 0, the dynamic header at 512 naming the
// parent (unique id, UTF-16BE name, parent locators), the locator data, the BAT,
// then each allocated block as its sector bitmap plus data, the footer at the end.
import fs from 'node:fs';

const SECTOR = 512;

/** What the child holds and how it names its parent. */
export interface DifferencingVhdSpec {
  /** The parent VHD (its footer gives the virtual size and the unique id the child records). */
  parent: string;
  child: string;
  /** Bytes per block (a power of two; 512 KiB unless said). */
  blockSize?: number;
  /** "W2ru" locator text (a Windows path relative to the child, e.g. `.\\base.vhd`); null for none. */
  relative?: string | null;
  /** "W2ku" locator text (an absolute path); null for none. */
  absolute?: string | null;
  /** The parent's name in the header (UTF-16BE); the parent's file name unless said. */
  name?: string;
  /** Replaces the parent unique id the child records (a child of another disk). */
  parentUniqueId?: Buffer;
  /** Virtual sector -> its 512 bytes in the child (its bitmap bit is set). */
  sectors: Map<number, Uint8Array>;
  /** Bytes written into allocated blocks' absent sectors (they must never be read). */
  filler?: number;
  /** The child's own unique id (its first byte; default 0xd1). */
  uniqueIdByte?: number;
}

/** One's complement of the byte sum (the VHD checksum), the 4 bytes at `at` taken as zero. */
function checksum(bytes: Buffer, at: number): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) if (i < at || i >= at + 4) sum = (sum + bytes[i]!) >>> 0;
  return ~sum >>> 0;
}

/** The footer of a VHD file (its last 512 bytes). */
export function vhdFooterOf(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  return Buffer.from(bytes.subarray(bytes.length - SECTOR));
}

/** Writes the differencing VHD `spec.child`; returns its path. */
export function writeDifferencingVhd(spec: DifferencingVhdSpec): string {
  const blockSize = spec.blockSize ?? 512 * 1024;
  const parentFooter = vhdFooterOf(spec.parent);
  const size = Number(parentFooter.readBigUInt64BE(48));
  const entries = Math.ceil(size / blockSize);
  const bitmapBytes = Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;

  const locators: { code: string; data: Buffer }[] = [];
  if (spec.relative) locators.push({ code: 'W2ru', data: Buffer.from(spec.relative, 'utf16le') });
  if (spec.absolute) locators.push({ code: 'W2ku', data: Buffer.from(spec.absolute, 'utf16le') });
  let at = 3 * SECTOR; // footer copy, dynamic header (2 sectors)
  const placed = locators.map((l) => {
    const offset = at;
    at += Math.ceil(l.data.length / SECTOR) * SECTOR;
    return { ...l, offset };
  });
  const tableOffset = at;
  at += Math.ceil((entries * 4) / SECTOR) * SECTOR;

  const blocks = [...new Set([...spec.sectors.keys()].map((s) => Math.floor((s * SECTOR) / blockSize)))].sort((a, b) => a - b);
  const bat = Buffer.alloc(Math.ceil((entries * 4) / SECTOR) * SECTOR, 0xff); // all ones: no block
  const blockAt = new Map<number, number>();
  for (const block of blocks) {
    bat.writeUInt32BE(at / SECTOR, block * 4);
    blockAt.set(block, at);
    at += bitmapBytes + blockSize;
  }
  const fileBytes = Buffer.alloc(at + SECTOR);

  const footer = Buffer.from(parentFooter);
  footer.write('conectix', 0, 'latin1');
  footer.writeBigUInt64BE(512n, 16); // data offset: the dynamic header
  footer.write('dskx', 28, 'latin1');
  footer.writeUInt32BE(4, 60); // differencing
  footer.fill(0, 68, 84);
  footer[68] = spec.uniqueIdByte ?? 0xd1;
  footer[83] = 0x44;
  footer.writeUInt32BE(checksum(footer, 64), 64);
  footer.copy(fileBytes, 0);
  footer.copy(fileBytes, at);

  const header = Buffer.alloc(1024);
  header.write('cxsparse', 0, 'latin1');
  header.writeBigUInt64BE(0xffffffffffffffffn, 8);
  header.writeBigUInt64BE(BigInt(tableOffset), 16);
  header.writeUInt32BE(0x00010000, 24);
  header.writeUInt32BE(entries, 28);
  header.writeUInt32BE(blockSize, 32);
  (spec.parentUniqueId ?? parentFooter.subarray(68, 84)).copy(header, 40);
  header.writeUInt32BE(parentFooter.readUInt32BE(24), 56); // parent time stamp
  const name = Buffer.from(spec.name ?? spec.parent.split('/').pop()!, 'utf16le').swap16();
  name.copy(header, 64, 0, Math.min(name.length, 512));
  placed.forEach((l, i) => {
    const entry = 576 + i * 24;
    header.write(l.code, entry, 'latin1');
    header.writeUInt32BE(Math.ceil(l.data.length / SECTOR) * SECTOR, entry + 4);
    header.writeUInt32BE(l.data.length, entry + 8);
    header.writeBigUInt64BE(BigInt(l.offset), entry + 16);
    l.data.copy(fileBytes, l.offset);
  });
  header.writeUInt32BE(checksum(header, 36), 36);
  header.copy(fileBytes, 512);
  bat.copy(fileBytes, tableOffset);

  for (const block of blocks) {
    const start = blockAt.get(block)!;
    fileBytes.fill(spec.filler ?? 0xee, start + bitmapBytes, start + bitmapBytes + blockSize);
  }
  for (const [sector, bytes] of spec.sectors) {
    const block = Math.floor((sector * SECTOR) / blockSize);
    const inBlock = sector - (block * blockSize) / SECTOR;
    const start = blockAt.get(block)!;
    fileBytes[start + (inBlock >> 3)] |= 0x80 >> (inBlock & 7);
    Buffer.from(bytes).copy(fileBytes, start + bitmapBytes + inBlock * SECTOR);
  }
  fs.writeFileSync(spec.child, fileBytes);
  return spec.child;
}

/** The parent's virtual bytes with the child's sectors laid over them. */
export function overlay(parentBytes: Buffer, sectors: Map<number, Uint8Array>): Buffer {
  const out = Buffer.from(parentBytes);
  for (const [sector, bytes] of sectors) Buffer.from(bytes).copy(out, sector * SECTOR);
  return out;
}
