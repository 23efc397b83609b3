// HFS and HFS Plus test volumes: HFS made by hformat (hfsutils), HFS Plus by
// xorriso (-hfsplus puts one in an Apple Partition Map of a hybrid ISO, the
// only Debian tool here that writes HFS Plus), and what no Debian tool makes
// (an HFS wrapper around an embedded HFS Plus volume, HFSX) from their
// layouts (Apple TN1150). Test code: it may throw on misuse.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { readAt, sparseFile, writeAt } from './oracles';

/** Where the HFS Plus volume of an xorriso hybrid lies: its Apple_HFS map entry. */
export interface HfsPlusImage {
  image: string;
  /** Byte offset and length of the Apple_HFS partition. */
  offset: number;
  size: number;
}

/** A hybrid ISO with an Apple Partition Map (512-byte blocks) whose Apple_HFS partition holds an HFS Plus volume named `label`. */
export function xorrisoHfsPlus(dir: string, name: string, label: string): HfsPlusImage {
  const content = fs.mkdtempSync(path.join(dir, 'hfsplus-src-'));
  fs.writeFileSync(path.join(content, 'readme.txt'), 'an HFS Plus test volume\n');
  const image = path.join(dir, name);
  execFileSync('xorriso', ['-as', 'mkisofs', '-hfsplus', '-apm-block-size', '512', '-V', label, '-o', image, content], { stdio: 'ignore' });
  const out = execFileSync('partx', ['-o', 'START,SECTORS,TYPE', '-g', image], { encoding: 'utf8' });
  const row = out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((cells) => cells[2] === 'Apple_HFS');
  if (!row) throw new Error(`no Apple_HFS partition in ${image}`);
  return { image, offset: Number(row[0]) * 512, size: Number(row[1]) * 512 };
}

/** Sets the 64-bit volume identifier (Finder info words 6 and 7) of the HFS (`hfs`) or HFS Plus volume at `offset`. */
export function setVolumeId(image: string, offset: number, kind: 'hfs' | 'hfsplus', id: Uint8Array): void {
  writeAt(image, offset + 1024 + (kind === 'hfs' ? 116 : 104), id);
}

/** An HFS volume of `sizeBytes` made by hformat in its own file. */
export function hformatVolume(file: string, sizeBytes: number, label: string): string {
  sparseFile(file, sizeBytes);
  execFileSync('hformat', ['-l', label, file], { stdio: 'ignore' });
  return file;
}

const WRAPPER_BLOCK = 4096;
const WRAPPER_FIRST_SECTOR = 8;
const EMBED_START_BLOCK = 2;

/**
 * An HFS wrapper (as Mac OS 8.1 to 9 wrote HFS Plus volumes) around the HFS
 * Plus volume `inner`: a master directory block with drEmbedSigWord "H+" whose
 * drEmbedExtent holds it, 4 KiB allocation blocks from sector 8.
 */
export function hfsWrapper(inner: Uint8Array, label: string): { bytes: Uint8Array; innerOffset: number } {
  const innerBlocks = Math.ceil(inner.length / WRAPPER_BLOCK);
  const blocks = EMBED_START_BLOCK + innerBlocks + 1;
  const bytes = new Uint8Array(WRAPPER_FIRST_SECTOR * 512 + blocks * WRAPPER_BLOCK + 1024);
  const mdb = new DataView(bytes.buffer, 1024, 162);
  bytes.set(Buffer.from('BD'), 1024);
  mdb.setUint16(18, blocks); // drNmAlBlks
  mdb.setUint32(20, WRAPPER_BLOCK); // drAlBlkSiz
  mdb.setUint16(28, WRAPPER_FIRST_SECTOR); // drAlBlSt
  bytes[1024 + 36] = label.length;
  bytes.set(Buffer.from(label, 'latin1'), 1024 + 37);
  bytes.set(Buffer.from('H+'), 1024 + 124);
  mdb.setUint16(126, EMBED_START_BLOCK);
  mdb.setUint16(128, innerBlocks);
  const innerOffset = WRAPPER_FIRST_SECTOR * 512 + EMBED_START_BLOCK * WRAPPER_BLOCK;
  bytes.set(inner, innerOffset);
  return { bytes, innerOffset };
}

/** The bytes of an image's region. */
export function region(image: string, offset: number, size: number): Uint8Array {
  return new Uint8Array(readAt(image, offset, size));
}

/** blkid's raw LABEL at an offset (`-o value`, not export's escapes), or undefined. */
export function blkidLabel(image: string, offset: number, size: number): string | undefined {
  const result = spawnSync('blkid', ['-p', '-O', String(offset), '-S', String(size), '-o', 'value', '-s', 'LABEL', image], { encoding: 'utf8' });
  const text = (result.stdout ?? '').replace(/\n$/, '');
  return text.length ? text : undefined;
}
