// Quick signature checks for the partition scan: for every 512-byte block of a
// chunk, a few byte comparisons at fixed offsets say whether a volume (or a
// copy of one of its superblocks) or a partition table might start near here.
// Each hit is only a candidate: the scanner confirms volumes with the content
// probes (src/core/content) and parses tables before it believes them.
//
// Offsets (from each format's documentation):
//   boot sector (FAT, exFAT, NTFS, BitLocker, MBR/EBR): 0x55AA at 510
//   NTFS backup boot sector: the volume's last sector, i.e. start + total sectors x bytes per sector
//   FAT32 backup boot sector: BPB_BkBootSec (0x32), usually sector 6
//   exFAT backup boot region: sector 12
//   ext2/3/4 superblock: volume + 1024 (magic 0xEF53 at +0x38); backups at the
//     start of block groups, s_block_group_nr (+0x5A) says which
//   XFS: "XFSB" at 0 (the AG 0 copy is the primary)
//   Btrfs: "_BHRfS_M" at +0x40 of a superblock; bytenr (+0x30) is where the copy sits
//   Linux swap: "SWAPSPACE2" at 4086 (4 KiB pages)
//   LVM2 PV label: "LABELONE" in one of the first four sectors, its own sector number at +8
//   LUKS: "LUKS\xBA\xBE" at 0
//   MD RAID 1.1/1.2: magic 0xA92B4EFC (little-endian) at 0 or 4096, super_offset (+0x80) in sectors
//   ISO9660: "CD001" at 32769
//   VMFS: LVM header 0xC001D00D at 1 MiB, file system descriptor 0x2FABF15E at 2 MiB
//   GPT header: "EFI PART" at 0

/** Why the scanner thinks a volume or table may start at `offset`. */
export interface SignatureHit {
  /** Absolute byte offset where the volume (or table) would start. */
  offset: number;
  /** What was seen, e.g. "ext superblock copy of block group 3 at byte 0x8000000". */
  evidence: string;
  /** A family hint for the confirmation step. */
  family: 'boot-sector' | 'ext' | 'xfs' | 'btrfs' | 'swap' | 'lvm2' | 'luks' | 'md' | 'iso9660' | 'vmfs' | 'gpt' | 'mbr';
  /** True when the hit is a backup copy (the volume's first sector may be gone). */
  backup?: boolean;
  /** Where the bytes that matched are (for messages and tests). */
  at: number;
}

const BLOCK = 512;
const KiB = 1024;
const MiB = 1024 * KiB;

function ascii(b: Uint8Array, i: number, text: string): boolean {
  if (i < 0 || i + text.length > b.length) return false;
  for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return false;
  return true;
}

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, i: number): number => u32(b, i) + u32(b, i + 4) * 2 ** 32;
const hex = (n: number): string => `0x${n.toString(16)}`;
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** True when the 512 bytes at `i` look like a FAT boot sector (jump, BPB sane). */
function looksLikeFatBpb(b: Uint8Array, i: number): boolean {
  const jump = b[i]!;
  if (!(jump === 0xeb && b[i + 2] === 0x90) && jump !== 0xe9) return false;
  const bytesPerSector = u16(b, i + 11);
  const sectorsPerCluster = b[i + 13]!;
  const reserved = u16(b, i + 14);
  const fats = b[i + 16]!;
  const media = b[i + 21]!;
  return (
    [512, 1024, 2048, 4096].includes(bytesPerSector) &&
    isPow2(sectorsPerCluster) &&
    reserved > 0 &&
    (fats === 1 || fats === 2) &&
    (media === 0xf0 || media >= 0xf8)
  );
}

/** True when the four MBR records at 446 are each empty or plausible and at least one is used. */
export function looksLikeMbrTable(b: Uint8Array, i: number): boolean {
  let used = 0;
  for (let r = 0; r < 4; r++) {
    const at = i + 446 + r * 16;
    const status = b[at]!;
    const type = b[at + 4]!;
    const start = u32(b, at + 8);
    const sectors = u32(b, at + 12);
    if (status !== 0 && status !== 0x80) return false;
    if (type === 0) {
      if (start !== 0 || sectors !== 0) return false;
      continue;
    }
    if (start === 0 || sectors === 0) return false;
    used++;
  }
  return used > 0;
}

/** First bytes of the signatures that start a block ("EFI PART", "XFSB", "LABELONE", "LUKS", the MD and both VMFS magics). */
const FIRST_BYTE_AT_0 = new Uint8Array(256);
for (const byte of [0x45, 0x58, 0x4c, 0xfc, 0x0d, 0x5e]) FIRST_BYTE_AT_0[byte] = 1;

/**
 * Signature hits in `chunk`, whose first byte is absolute offset `base`
 * (a multiple of 512). Hits whose volume would start before byte 0 are dropped.
 */
export function findSignatures(chunk: Uint8Array, base: number): SignatureHit[] {
  const hits: SignatureHit[] = [];
  const push = (hit: SignatureHit): void => {
    if (hit.offset >= 0 && Number.isSafeInteger(hit.offset)) hits.push(hit);
  };
  const b = chunk;
  for (let i = 0; i + BLOCK <= chunk.length; i += BLOCK) {
    // A few byte reads rule out almost every block before any full comparison.
    const boot = b[i + 510] === 0x55 && b[i + 511] === 0xaa;
    if (
      !boot &&
      !(b[i + 0x38] === 0x53 && b[i + 0x39] === 0xef) &&
      FIRST_BYTE_AT_0[b[i]!] !== 1 &&
      b[i + 1] !== 0x43 &&
      b[i + 0x40] !== 0x5f &&
      b[i + 502] !== 0x53
    )
      continue;
    const at = base + i;
    if (boot) {
      if (ascii(b, i + 3, 'NTFS    ')) {
        const bps = u16(b, i + 11);
        const total = u64(b, i + 0x28);
        push({ offset: at, at, family: 'boot-sector', evidence: `NTFS boot sector at byte ${hex(at)}` });
        // The backup boot sector sits in the sector after the volume's last counted one.
        if (isPow2(bps) && bps >= 256 && total > 0)
          push({
            offset: at - total * bps,
            at,
            family: 'boot-sector',
            backup: true,
            evidence: `NTFS backup boot sector at byte ${hex(at)} (the volume's last sector)`,
          });
      } else if (ascii(b, i + 3, 'EXFAT   ')) {
        push({ offset: at, at, family: 'boot-sector', evidence: `exFAT boot sector at byte ${hex(at)}` });
        push({
          offset: at - 12 * BLOCK,
          at,
          family: 'boot-sector',
          backup: true,
          evidence: `exFAT backup boot sector at byte ${hex(at)} (sector 12 of the volume)`,
        });
      } else if (ascii(b, i + 3, '-FVE-FS-')) {
        push({ offset: at, at, family: 'boot-sector', evidence: `BitLocker boot sector at byte ${hex(at)}` });
      } else if (looksLikeFatBpb(b, i)) {
        push({ offset: at, at, family: 'boot-sector', evidence: `FAT boot sector at byte ${hex(at)}` });
        // FAT32 (no fixed root directory entries, 32-bit FAT size) keeps a copy at BPB_BkBootSec.
        const rootEntries = u16(b, i + 17);
        const backupSector = u16(b, i + 50);
        if (rootEntries === 0 && u16(b, i + 22) === 0 && backupSector > 0 && backupSector < 32) {
          push({
            offset: at - backupSector * u16(b, i + 11),
            at,
            family: 'boot-sector',
            backup: true,
            evidence: `FAT32 backup boot sector at byte ${hex(at)} (sector ${backupSector} of the volume)`,
          });
        }
      } else if (looksLikeMbrTable(b, i)) {
        push({ offset: at, at, family: 'mbr', evidence: `${at === 0 ? 'MBR' : 'MBR or EBR'} partition records at byte ${hex(at)}` });
      }
    }
    if (ascii(b, i, 'EFI PART')) push({ offset: at, at, family: 'gpt', evidence: `GPT header signature at byte ${hex(at)}` });
    if (b[i + 0x38] === 0x53 && b[i + 0x39] === 0xef) {
      // An ext superblock starts this block (it is 1024 bytes, 2 blocks); sanity first.
      const logBlock = u32(b, i + 0x18);
      const perGroup = u32(b, i + 0x20);
      const firstData = u32(b, i + 0x14);
      const group = u16(b, i + 0x5a);
      const inodes = u32(b, i + 0x00);
      if (logBlock <= 6 && perGroup > 0 && inodes > 0 && (firstData === 0 || firstData === 1)) {
        const blockSize = KiB << logBlock;
        if (group === 0) push({ offset: at - KiB, at, family: 'ext', evidence: `ext superblock at byte ${hex(at)}` });
        else
          push({
            offset: at - (group * perGroup + firstData) * blockSize,
            at,
            family: 'ext',
            backup: true,
            evidence: `ext superblock copy of block group ${group} at byte ${hex(at)}`,
          });
      }
    }
    if (ascii(b, i, 'XFSB') && u32(b, i + 4) !== 0) push({ offset: at, at, family: 'xfs', evidence: `XFS superblock at byte ${hex(at)}` });
    if (ascii(b, i + 0x40, '_BHRfS_M')) {
      const bytenr = u64(b, i + 0x30);
      if ([64 * KiB, 64 * MiB, 256 * 1024 * MiB].includes(bytenr))
        push({
          offset: at - bytenr,
          at,
          family: 'btrfs',
          backup: bytenr !== 64 * KiB,
          evidence: `Btrfs superblock${bytenr !== 64 * KiB ? ' mirror' : ''} at byte ${hex(at)} (its own location: +${hex(bytenr)})`,
        });
    }
    if (ascii(b, i + 502, 'SWAPSPACE2')) push({ offset: at + 502 - 4086, at, family: 'swap', evidence: `Linux swap signature at byte ${hex(at + 502)}` });
    if (ascii(b, i, 'LABELONE') && ascii(b, i + 24, 'LVM2 001')) {
      const sector = u64(b, i + 8);
      if (sector < 4) push({ offset: at - sector * BLOCK, at, family: 'lvm2', evidence: `LVM2 physical volume label at byte ${hex(at)}` });
    }
    if (ascii(b, i, 'LUKS') && b[i + 4] === 0xba && b[i + 5] === 0xbe) push({ offset: at, at, family: 'luks', evidence: `LUKS header at byte ${hex(at)}` });
    if (u32(b, i) === 0xa92b4efc && u32(b, i + 4) === 1) {
      const superOffset = u64(b, i + 0x80);
      if (superOffset <= 8) push({ offset: at - superOffset * BLOCK, at, family: 'md', evidence: `MD RAID 1.x superblock at byte ${hex(at)}` });
    }
    if (b[i + 1] === 0x43 && ascii(b, i + 1, 'CD001') && b[i] === 1 && at % 2048 === 0)
      push({ offset: at - 32 * KiB, at, family: 'iso9660', evidence: `ISO 9660 primary volume descriptor at byte ${hex(at)}` });
    if (u32(b, i) === 0xc001d00d) push({ offset: at - MiB, at, family: 'vmfs', evidence: `VMFS LVM header at byte ${hex(at)}` });
    if (u32(b, i) === 0x2fabf15e) {
      // Without ESXi's LVM the descriptor is at 2 MiB; behind it, at 0x1300000.
      push({ offset: at - 2 * MiB, at, family: 'vmfs', evidence: `VMFS file system descriptor at byte ${hex(at)}` });
      push({ offset: at - 0x1300000, at, family: 'vmfs', evidence: `VMFS file system descriptor at byte ${hex(at)}` });
    }
  }
  return hits;
}
