// Test helpers for the Apple, BSD, Sun and SGI labels: images made by parted,
// the partx and sfdisk listings to compare with, and labels built from the
// formats' layouts where parted cannot make them (a BSD label inside an MBR
// slice, hostile maps). Test code: it may throw on misuse.
import { execFileSync } from 'node:child_process';
import { sparseFile } from './oracles';

/** One row of `partx -P`: NR, START, END (sectors), TYPE, NAME, SCHEME. */
export interface PartxRow {
  nr: number;
  start: bigint;
  end: bigint;
  type: string;
  name: string;
  scheme: string;
}

/** What libblkid lists for an image (`partx --show`). */
export function partx(image: string): PartxRow[] {
  const out = execFileSync('partx', ['-o', 'NR,START,END,TYPE,NAME,SCHEME', '-P', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const get = (key: string): string => new RegExp(`${key}="([^"]*)"`).exec(line)?.[1] ?? '';
      return { nr: Number(get('NR')), start: BigInt(get('START')), end: BigInt(get('END')), type: get('TYPE'), name: get('NAME'), scheme: get('SCHEME') };
    });
}

/** A sparse image of `sectors` 512-byte sectors labelled by parted (`mklabel`, then each `mkpart` argument list). */
export function partedImage(file: string, sectors: number, label: 'mac' | 'bsd' | 'sun' | 'dvh', parts: string[][]): string {
  sparseFile(file, sectors * 512);
  execFileSync('parted', ['-s', file, 'mklabel', label], { stdio: 'ignore' });
  for (const part of parts) execFileSync('parted', ['-s', file, 'mkpart', ...part], { stdio: 'ignore' });
  return file;
}

/** XOR of little-endian 16-bit words. */
function xor16le(bytes: Uint8Array, end: number): number {
  let x = 0;
  for (let i = 0; i + 1 < end; i += 2) x ^= bytes[i]! | (bytes[i + 1]! << 8);
  return x;
}

/** A BSD partition for bsdLabel: size and offset in sectors, p_fstype. */
export interface BsdPart {
  size: number;
  offset: number;
  fsType: number;
}

/** The bytes of an x86 BSD disklabel (written 512 bytes into the disk or slice) with its checksum over `parts.length` partitions. */
export function bsdLabel(parts: BsdPart[], options: { sectorsPerUnit?: number; declared?: number } = {}): Uint8Array {
  const bytes = new Uint8Array(148 + 16 * parts.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x82564557, true);
  view.setUint16(4, 4, true); // SCSI
  bytes.set(Buffer.from('diskx test'), 8);
  view.setUint32(40, 512, true);
  view.setUint32(44, 63, true);
  view.setUint32(48, 255, true);
  view.setUint32(60, options.sectorsPerUnit ?? 0, true);
  view.setUint32(132, 0x82564557, true);
  view.setUint16(138, options.declared ?? parts.length, true);
  view.setUint32(140, 8192, true);
  view.setUint32(144, 65536, true);
  parts.forEach((p, i) => {
    view.setUint32(148 + 16 * i, p.size, true);
    view.setUint32(152 + 16 * i, p.offset, true);
    bytes[160 + 16 * i] = p.fsType;
  });
  view.setUint16(136, xor16le(bytes, bytes.length), true);
  return bytes;
}
