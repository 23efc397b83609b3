// Disks for the recovery tests (diskx scan, fix --fix rebuild-from-scan): real
// volumes made by the Debian tools where partitions were, then the tables wiped
// the ways the issue lists. mkfs.vfat and mkfs.ext4 write straight into the
// image at an offset (no copy of a multi-GiB sparse file); the other tools make
// a volume file that is copied in.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ESXI5_LAYOUT, layoutSlots, sparseFile, writeAt } from './oracles';
import type { NumberedPartition } from './oracles';
import { testGuid, writeGptImage } from './images';

/** True when `tool` is on PATH. */
export const have = (tool: string): boolean => !spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status;

/** A FAT volume of `sectors` 512-byte sectors at `lba` of `image`, made by mkfs.vfat in place (its hidden-sectors field is `lba`, as in a partition). */
export function fatAt(image: string, lba: bigint, sectors: bigint, label: string, fat: 12 | 16 | 32 = 16): void {
  // mkfs.vfat's block count is in KiB; one sector a cluster keeps the small FAT16 volumes (an ESP) legal.
  const extra = fat === 16 && sectors < 65536n ? ['-s', '1'] : [];
  execFileSync('mkfs.vfat', ['-F', String(fat), ...extra, '--offset', String(lba), '-n', label, image, String(sectors / 2n)], { stdio: 'ignore' });
}

/** An ext4 volume at `lba`, made in place by mkfs.ext4 (-E offset). */
export function ext4At(image: string, lba: bigint, sectors: bigint, label: string): void {
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', label, '-E', `offset=${lba * 512n}`, image, `${sectors / 2n}k`], { stdio: 'ignore' });
}

/** A volume made by `mkfs` in a file of `sectors` sectors, copied into `image` at `lba` (sparse on both sides). */
export function volumeAt(dir: string, image: string, lba: bigint, sectors: bigint, mkfs: (file: string) => void): void {
  const file = sparseFile(path.join(dir, `vol-${path.basename(image)}-${lba}.vol`), Number(sectors) * 512);
  mkfs(file);
  execFileSync('dd', [`if=${file}`, `of=${image}`, 'bs=1M', `seek=${Number(lba) * 512}`, 'oflag=seek_bytes', 'conv=notrunc,sparse', 'status=none']);
  fs.rmSync(file);
}

/** An NTFS volume (mkfs.ntfs, quick format) at `lba`; its boot sector's hidden sectors say `lba`, as Windows writes them. */
export function ntfsAt(dir: string, image: string, lba: bigint, sectors: bigint, label: string): void {
  volumeAt(dir, image, lba, sectors, (file) =>
    execFileSync('mkfs.ntfs', ['-F', '-Q', '-q', '-p', String(lba), '-H', '255', '-S', '63', '-L', label, file], { stdio: 'ignore' }),
  );
}

/** Zeroes the protective MBR, the primary GPT and the backup GPT: the `dd` that went wrong. */
export function wipeTables(image: string): void {
  const size = fs.statSync(image).size;
  writeAt(image, 0, new Uint8Array(34 * 512));
  writeAt(image, size - 33 * 512, new Uint8Array(33 * 512));
}

/** A GPT disk image of `bytes` with `layout` in its slots (unique GUIDs from testGuid). */
export function gptLayoutDisk(image: string, bytes: bigint, layout: NumberedPartition[]): string {
  const totalSectors = bytes / 512n;
  writeGptImage(image, { sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots: layoutSlots(layout, totalSectors) });
  return image;
}

/** ESXi 6.x on small media (a 1 GiB USB stick): the 5.x layout without scratch and datastore, partitions 1,5,6,7,8. */
export const ESXI6_USB_LAYOUT = ESXI5_LAYOUT.filter((p) => p.number === 1 || (p.number >= 5 && p.number <= 8));

/** The ESXi 6.x USB-stick disk, its FAT volumes made by mkfs.vfat in the installer's slots. */
export function esxi6UsbDisk(image: string): string {
  gptLayoutDisk(image, 1073741824n, ESXI6_USB_LAYOUT);
  fatAt(image, 64n, 8128n, 'ESP');
  fatAt(image, 8224n, 511968n, 'BOOTBANK1');
  fatAt(image, 520224n, 511968n, 'BOOTBANK2');
  fatAt(image, 1257504n, 585696n, 'STORE');
  return image;
}
