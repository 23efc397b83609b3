// Probes for Linux file systems and swap: ext2/3/4, XFS, Btrfs, swap.
import { ExtSuperblock } from '../generated/ExtSuperblock';
import { XfsSuperblock } from '../generated/XfsSuperblock';
import { BtrfsSuperblock } from '../generated/BtrfsSuperblock';
import { SwapHeader } from '../generated/SwapHeader';
import type { ContentProbe, VolumeContent } from './probe';
import { bytesEqual, isAllZero, labelText, uuidText } from './probe';
import { parseFields } from './fields';

const EXT_SUPERBLOCK_OFFSET = 1024;
const EXT_SUPERBLOCK_BYTES = 1024;

// Feature bits (ext4 disk layout, "super block"): what an ext2 or ext3 driver
// understands; anything beyond makes the volume ext4, as blkid decides it.
const COMPAT_HAS_JOURNAL = 0x4;
const INCOMPAT_JOURNAL_DEV = 0x8;
const INCOMPAT_64BIT = 0x80;
const EXT2_INCOMPAT_KNOWN = 0x2 | 0x10; // filetype, meta_bg
const EXT3_INCOMPAT_KNOWN = 0x2 | 0x4 | 0x10; // filetype, recover, meta_bg
const EXT3_RO_COMPAT_KNOWN = 0x1 | 0x2 | 0x4; // sparse_super, large_file, btree_dir

export const extProbe: ContentProbe = {
  id: 'ext',
  types: ['ext2', 'ext3', 'ext4', 'jbd'],
  minSectors: (EXT_SUPERBLOCK_OFFSET + EXT_SUPERBLOCK_BYTES) / 512,
  async probe(reader) {
    const bytes = await reader.read(EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_BYTES);
    if (!bytes || bytes[0x38] !== 0x53 || bytes[0x39] !== 0xef) return null;
    const f = parseFields('extSuperblock', ExtSuperblock, bytes, reader.offset + EXT_SUPERBLOCK_OFFSET);
    if (!f) return null;
    const logBlock = f.num('logBlockSize');
    if (logBlock > 6) return null; // 1 KiB..64 KiB blocks
    const compat = f.num('featureCompat');
    const incompat = f.num('featureIncompat');
    const roCompat = f.num('featureRoCompat');
    let type: string;
    if (incompat & INCOMPAT_JOURNAL_DEV) type = 'jbd';
    else if ((incompat & ~EXT3_INCOMPAT_KNOWN) !== 0 || (roCompat & ~EXT3_RO_COMPAT_KNOWN) !== 0) type = 'ext4';
    else if (compat & COMPAT_HAS_JOURNAL) type = 'ext3';
    else if ((incompat & ~EXT2_INCOMPAT_KNOWN) !== 0) type = 'ext4';
    else type = 'ext2';
    let blocks = BigInt(f.num('blocksCountLo'));
    if (incompat & INCOMPAT_64BIT) blocks |= BigInt(f.num('blocksCountHi')) << 32n;
    const content: VolumeContent = {
      type,
      version: `${f.num('revLevel')}.${f.num('minorRevLevel')}`,
      offset: reader.offset,
      sizeBytes: blocks * BigInt(1024 << logBlock),
      structures: [f.node],
    };
    const uuid = f.raw('uuid');
    if (!isAllZero(uuid)) content.uuid = uuidText(uuid);
    const label = labelText(f.raw('volumeName'));
    if (label !== undefined) content.label = label;
    return content;
  },
};

export const xfsProbe: ContentProbe = {
  id: 'xfs',
  types: ['xfs'],
  minSectors: 1,
  async probe(reader) {
    const bytes = await reader.read(0, 128);
    if (!bytes || !bytesEqual(bytes, 0, 'XFSB')) return null;
    const f = parseFields('xfsSuperblock', XfsSuperblock, bytes, reader.offset);
    if (!f) return null;
    const blockSize = f.num('blockSize');
    // XFS: blocks of 512 bytes to 64 KiB, at least one allocation group, mkfs finished.
    if (blockSize < 512 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0 || f.num('agCount') === 0 || f.num('inProgress') !== 0) return null;
    const content: VolumeContent = {
      type: 'xfs',
      version: String(f.num('versionNum') & 0xf),
      offset: reader.offset,
      sizeBytes: f.big('dataBlocks') * BigInt(blockSize),
      structures: [f.node],
    };
    const uuid = f.raw('uuid');
    if (!isAllZero(uuid)) content.uuid = uuidText(uuid);
    const label = labelText(f.raw('fname'));
    if (label !== undefined) content.label = label;
    return content;
  },
};

const BTRFS_SUPERBLOCK_OFFSET = 64 * 1024;
const BTRFS_WINDOW = 0x22b;

export const btrfsProbe: ContentProbe = {
  id: 'btrfs',
  types: ['btrfs'],
  minSectors: (BTRFS_SUPERBLOCK_OFFSET + 4096) / 512,
  async probe(reader) {
    const bytes = await reader.read(BTRFS_SUPERBLOCK_OFFSET, BTRFS_WINDOW);
    if (!bytes || !bytesEqual(bytes, 0x40, '_BHRfS_M')) return null;
    const f = parseFields('btrfsSuperblock', BtrfsSuperblock, bytes, reader.offset + BTRFS_SUPERBLOCK_OFFSET);
    if (!f || f.big('bytenr') !== BigInt(BTRFS_SUPERBLOCK_OFFSET)) return null;
    const content: VolumeContent = {
      type: 'btrfs',
      offset: reader.offset,
      // The device item's size is this device's share; total_bytes counts every device.
      sizeBytes: f.big('devItem.totalBytes'),
      uuid: uuidText(f.raw('fsid')),
      structures: [f.node],
    };
    const label = labelText(f.raw('label'));
    if (label !== undefined) content.label = label;
    return content;
  },
};

/** Page sizes a swap area may have been made with (x86 4 KiB; arm64, ppc64 larger). */
const SWAP_PAGE_SIZES = [4096, 8192, 16384, 65536];
const SWAP_HEADER_BYTES = 1084;

export const swapProbe: ContentProbe = {
  id: 'swap',
  types: ['swap', 'swsuspend'],
  minSectors: 8,
  async probe(reader) {
    for (const page of SWAP_PAGE_SIZES) {
      const tail = await reader.read(page - 10, 10);
      if (!tail) return null;
      const signature = Buffer.from(tail).toString('latin1');
      const v1 = signature === 'SWAPSPACE2';
      const suspended = ['S1SUSPEND', 'S2SUSPEND', 'ULSUSPEND', 'LINHIB0001'].some((s) => signature.startsWith(s));
      if (signature === 'SWAP-SPACE') return { type: 'swap', version: '0', offset: reader.offset, structures: [] };
      if (!v1 && !suspended) continue;
      const header = await reader.read(0, SWAP_HEADER_BYTES);
      const f = header ? parseFields('swapHeader', SwapHeader, header, reader.offset) : null;
      if (!f) return null;
      const content: VolumeContent = { type: v1 ? 'swap' : 'swsuspend', version: '1', offset: reader.offset, structures: [f.node] };
      if (v1) content.sizeBytes = (BigInt(f.num('lastPage')) + 1n) * BigInt(page);
      const uuid = f.raw('uuid');
      if (!isAllZero(uuid)) content.uuid = uuidText(uuid);
      const label = labelText(f.raw('volumeName'));
      if (label !== undefined) content.label = label;
      return content;
    }
    return null;
  },
};
