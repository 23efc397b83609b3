// Volumes for the content-probe tests: made by the real tools (mkfs.*, mkswap,
// cryptsetup) in sparse files, or, for formats whose tools need a kernel
// driver or are not packaged here (MD RAID, LVM2, ISO 9660, VMFS, BitLocker),
// written from their specs by the small encoders below. blkid -p reads both
// kinds, so it is the oracle either way. Everything here is test code.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { sparseFile } from './oracles';

const MiB = 1024 * 1024;

/** blkid -p -O OFFSET on an image: TYPE, LABEL, UUID, ... (empty when nothing is found). */
export function blkidAt(image: string, offset: number, size?: number): Record<string, string> {
  const args = ['-p', '-O', String(offset), ...(size !== undefined ? ['-S', String(size)] : []), '-o', 'export', image];
  const result = spawnSync('blkid', args, { encoding: 'utf8' });
  const out: Record<string, string> = {};
  for (const line of (result.stdout ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\\(.)/g, '$1'); // export format escapes spaces
  }
  delete out.DEVNAME;
  return out;
}

/** True when every named tool runs. */
export function haveTools(...tools: string[]): boolean {
  return tools.every((tool) => !spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status);
}

/** Copies `volume` into `image` at byte `offset`, skipping zero blocks (both stay sparse). */
export function placeVolume(image: string, volume: string, offset: number): void {
  if (offset % MiB !== 0) throw new Error('placeVolume wants 1 MiB aligned offsets');
  execFileSync('dd', [`if=${volume}`, `of=${image}`, 'bs=1M', `seek=${offset / MiB}`, 'conv=notrunc,sparse', 'status=none']);
}

/** How to make one kind of volume in a file of a given size. */
export interface VolumeRecipe {
  /** What blkid should call it. */
  type: string;
  label?: string;
  /** Writes the volume into `file` (already a sparse file of the partition's size). */
  make(file: string, sizeBytes: number): void;
}

const quiet = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): void => {
  execFileSync(command, args, { stdio: ['pipe', 'ignore', 'pipe'], env, input });
};
// mkfs.xfs refuses file systems under 300 MB unless it is told it runs under the test suite.
const XFS_TEST_ENV = { ...process.env, TEST_DIR: '1', TEST_DEV: '1', QA_CHECK_FS: '1' };

/** Volumes made by the real tools. */
export const TOOL_VOLUMES: Record<string, VolumeRecipe> = {
  fat12: { type: 'vfat', label: 'SMALLFAT', make: (f) => quiet('mkfs.vfat', ['-F', '12', '-n', 'SMALLFAT', f]) },
  fat16: { type: 'vfat', label: 'FAT16VOL', make: (f) => quiet('mkfs.vfat', ['-F', '16', '-n', 'FAT16VOL', f]) },
  fat32: { type: 'vfat', label: 'FAT32VOL', make: (f) => quiet('mkfs.vfat', ['-F', '32', '-n', 'FAT32VOL', f]) },
  exfat: { type: 'exfat', label: 'ExfatVol', make: (f) => quiet('mkfs.exfat', ['-L', 'ExfatVol', f]) },
  ntfs: { type: 'ntfs', label: 'NtfsVolume', make: (f) => quiet('mkfs.ntfs', ['-F', '-Q', '-L', 'NtfsVolume', f]) },
  ext2: { type: 'ext2', label: 'ext2vol', make: (f) => quiet('mkfs.ext2', ['-q', '-F', '-L', 'ext2vol', f]) },
  ext3: { type: 'ext3', label: 'ext3vol', make: (f) => quiet('mkfs.ext3', ['-q', '-F', '-L', 'ext3vol', f]) },
  ext4: { type: 'ext4', label: 'ext4vol', make: (f) => quiet('mkfs.ext4', ['-q', '-F', '-L', 'ext4vol', f]) },
  xfs: { type: 'xfs', label: 'xfsvol', make: (f) => quiet('mkfs.xfs', ['-q', '-f', '-L', 'xfsvol', f], XFS_TEST_ENV) },
  btrfs: { type: 'btrfs', label: 'btrfsvol', make: (f) => quiet('mkfs.btrfs', ['-q', '-f', '--mixed', '-L', 'btrfsvol', f]) },
  swap: { type: 'swap', label: 'swapvol', make: (f) => quiet('mkswap', ['-L', 'swapvol', f]) },
  luks1: {
    type: 'crypto_LUKS',
    make: (f) =>
      quiet(
        'cryptsetup',
        ['luksFormat', '--batch-mode', '--type', 'luks1', '--pbkdf-force-iterations', '1000', '--key-file', '-', f],
        process.env,
        'test-passphrase',
      ),
  },
  luks2: {
    type: 'crypto_LUKS',
    label: 'luks2vol',
    make: (f) =>
      quiet(
        'cryptsetup',
        ['luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--label', 'luks2vol', '--key-file', '-', f],
        process.env,
        'test-passphrase',
      ),
  },
};

/** The Debian tools TOOL_VOLUMES needs. */
export const VOLUME_TOOLS = ['mkfs.vfat', 'mkfs.exfat', 'mkfs.ntfs', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'mkswap', 'cryptsetup', 'blkid'];

/** Writes `bytes` at `offset` of a file. */
function put(file: string, offset: number, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

const uuidBytes = (text: string): Buffer => Buffer.from(text.replace(/-/g, ''), 'hex');

/** An MD RAID superblock (md/md_p.h layouts): 0.90 at the end, 1.0 near the end, 1.1 at 0, 1.2 at 4 KiB. */
export function writeMdSuperblock(file: string, sizeBytes: number, version: '0.90' | '1.0' | '1.1' | '1.2', uuid: string, name = ''): void {
  const MD_MAGIC = 0xa92b4efc;
  if (version === '0.90') {
    const sb = Buffer.alloc(4096);
    const at = Math.floor(sizeBytes / 0x10000) * 0x10000 - 0x10000;
    const u = uuidBytes(uuid);
    sb.writeUInt32LE(MD_MAGIC, 0);
    sb.writeUInt32LE(0, 4);
    sb.writeUInt32LE(90, 8);
    sb.writeUInt32LE(0, 12);
    sb.writeUInt32LE(u.readUInt32BE(0), 20);
    sb.writeInt32LE(1, 28); // RAID 1
    sb.writeUInt32LE(at / 1024, 32); // KiB in use: everything before the superblock
    sb.writeUInt32LE(2, 36);
    sb.writeUInt32LE(2, 40);
    sb.writeUInt32LE(u.readUInt32BE(4), 52);
    sb.writeUInt32LE(u.readUInt32BE(8), 56);
    sb.writeUInt32LE(u.readUInt32BE(12), 60);
    put(file, at, sb);
    return;
  }
  const at = version === '1.0' ? Math.floor(sizeBytes / 4096) * 4096 - 8192 : version === '1.1' ? 0 : 4096;
  const sb = Buffer.alloc(512);
  sb.writeUInt32LE(MD_MAGIC, 0);
  sb.writeUInt32LE(1, 4);
  uuidBytes(uuid).copy(sb, 16);
  sb.write(name, 32, 32, 'latin1');
  sb.writeInt32LE(1, 72);
  const dataOffset = version === '1.0' ? 0 : 2048;
  const dataSectors = version === '1.0' ? at / 512 : sizeBytes / 512 - dataOffset;
  sb.writeBigUInt64LE(BigInt(dataSectors), 80);
  sb.writeUInt32LE(2, 92);
  sb.writeBigUInt64LE(BigInt(dataOffset), 128);
  sb.writeBigUInt64LE(BigInt(dataSectors), 136);
  sb.writeBigUInt64LE(BigInt(at / 512), 144);
  uuidBytes('0a0b0c0d-0e0f-4011-8213-141516171819').copy(sb, 168);
  sb.writeUInt32LE(0, 220); // max_dev
  put(file, at, sb);
}

/** An LVM2 PV label in sector 1 (LVM2 on-disk format: label header + PV header + one data area). */
export function writeLvm2Label(file: string, sizeBytes: number, pvUuid32: string): void {
  const sector = Buffer.alloc(512);
  sector.write('LABELONE', 0, 'latin1');
  sector.writeBigUInt64LE(1n, 8);
  sector.writeUInt32LE(32, 20);
  sector.write('LVM2 001', 24, 'latin1');
  sector.write(pvUuid32, 32, 'latin1');
  sector.writeBigUInt64LE(BigInt(sizeBytes), 64);
  sector.writeBigUInt64LE(1048576n, 72); // data area offset, size 0 = to the end
  // CRC (LVM's own, initial 0xF597A6CF) over bytes 20..511 of the sector.
  sector.writeUInt32LE(lvmCrc(sector.subarray(20)), 16);
  put(file, 512, sector);
}

function lvmCrc(bytes: Uint8Array): number {
  let crc = 0xf597a6cf;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return crc >>> 0;
}

/** A primary volume descriptor, an optional Joliet one and the terminator (ECMA-119 8.4). */
export function writeIso9660(file: string, sizeBytes: number, label: string, jolietLabel?: string): void {
  const both32 = (b: Buffer, at: number, v: number): void => {
    b.writeUInt32LE(v, at);
    b.writeUInt32BE(v, at + 4);
  };
  const both16 = (b: Buffer, at: number, v: number): void => {
    b.writeUInt16LE(v, at);
    b.writeUInt16BE(v, at + 2);
  };
  const descriptor = (type: number): Buffer => {
    const d = Buffer.alloc(2048, 0);
    d[0] = type;
    d.write('CD001', 1, 'latin1');
    d[6] = 1;
    d.fill(0x20, 8, 72);
    both32(d, 80, Math.floor(sizeBytes / 2048));
    both16(d, 120, 1);
    both16(d, 124, 1);
    both16(d, 128, 2048);
    d.write('2026120111450000', 813, 'latin1');
    d.write('2026120111460000', 830, 'latin1');
    d.write('0000000000000000', 847, 'latin1');
    d.write('0000000000000000', 864, 'latin1');
    d[881] = 1;
    return d;
  };
  const primary = descriptor(1);
  primary.write(label.padEnd(32, ' '), 40, 'latin1');
  const parts = [primary];
  if (jolietLabel !== undefined) {
    const joliet = descriptor(2);
    joliet.write('%/E', 88, 'latin1');
    const wide = Buffer.from(jolietLabel.slice(0, 16), 'utf16le').swap16();
    joliet.fill(0, 40, 72);
    for (let i = 40; i < 72; i += 2) joliet.writeUInt16BE(0x20, i);
    wide.copy(joliet, 40);
    parts.push(joliet);
  }
  const end = Buffer.alloc(2048);
  end[0] = 255;
  end.write('CD001', 1, 'latin1');
  end[6] = 1;
  parts.push(end);
  put(file, 0x8000, Buffer.concat(parts));
}

/** A VMFS LVM volume header at 1 MiB and a file system descriptor at 2 MiB (where blkid looks). */
export function writeVmfs(file: string, options: { volume: boolean; label: string; version: number }): void {
  if (options.volume) {
    const v = Buffer.alloc(1024);
    v.writeUInt32LE(0xc001d00d, 0);
    v.writeUInt32LE(5, 4);
    Buffer.from('5d5a1b2c3d4e5f60718293a4b5c6d7e8', 'hex').copy(v, 0x82);
    v.write('5d5a1b2c-3d4e5f60-7182-93a4b5c6d7e8', 512 + 20, 'latin1');
    put(file, MiB, v);
  }
  const fs2 = Buffer.alloc(512);
  fs2.writeUInt32LE(0x2fabf15e, 0);
  fs2.writeUInt32LE(14, 4);
  fs2[8] = options.version;
  Buffer.from('11223344556677889900aabbccddeeff', 'hex').copy(fs2, 9);
  fs2.write(options.label, 29, 'utf8');
  put(file, 2 * MiB, fs2);
}

/** A BitLocker (Windows 7+) volume header and its first FVE metadata block header. */
export function writeBitlocker(file: string, serial: number): void {
  const h = Buffer.alloc(512);
  Buffer.from([0xeb, 0x58, 0x90]).copy(h, 0);
  h.write('-FVE-FS-', 3, 'latin1');
  h.writeUInt16LE(512, 11);
  h[13] = 8;
  h.writeUInt32LE(serial, 67);
  h.write('NO NAME    ', 71, 'latin1');
  h.writeBigUInt64LE(0x200000n, 176);
  h.writeBigUInt64LE(0x300000n, 184);
  h.writeBigUInt64LE(0x400000n, 192);
  h[510] = 0x55;
  h[511] = 0xaa;
  put(file, 0, h);
  const fve = Buffer.alloc(64);
  fve.write('-FVE-FS-', 0, 'latin1');
  fve.writeUInt16LE(64, 8);
  fve.writeUInt16LE(2, 10);
  put(file, 0x200000, fve);
}

/** A sparse volume file of `sizeBytes` in `dir`, made by `recipe`. */
export function makeVolume(dir: string, name: string, sizeBytes: number, recipe: (file: string, size: number) => void): string {
  const file = sparseFile(path.join(dir, `${name}.vol`), sizeBytes);
  recipe(file, sizeBytes);
  return file;
}
