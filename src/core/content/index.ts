// The content probes' public API: what is at a byte offset of an image.
//
//   probeAt(source, offset, size)  -> VolumeContent | null   (one volume, bounded reads)
//   CONTENT_PROBES                 -> every probe, in the order they are tried
//   probe.minSectors               -> the smallest volume a probe can recognise
//
// diskContents.ts uses it for partitions, gaps and the whole disk; a partition
// scanner can call probeAt at candidate offsets (each call reads at most
// MAX_PROBE_BYTES_PER_VOLUME bytes).
import type { ByteSource } from '../io/byteSource';
import type { ContentProbe, VolumeContent } from './probe';
import { ProbeRangeError, ProbeReader } from './probe';
import { bitlockerProbe, exfatProbe, ntfsProbe, vfatProbe } from './windowsProbes';
import { btrfsProbe, extProbe, swapProbe, xfsProbe } from './linuxProbes';
import { luksProbe, lvm2Probe, mdProbe, vmfsProbe } from './containerProbes';
import { iso9660Probe } from './iso9660Probe';
import { zfsProbe } from './zfsProbe';
import { hfsProbe } from './hfsProbe';

export type { ContentProbe, VolumeContent } from './probe';
export { ProbeReader } from './probe';

/**
 * Every probe, in the order they are tried (the first match wins). As blkid
 * does, members of RAID sets and volume managers come first (their payload
 * may itself look like a file system, a RAID 1 member's in particular), then
 * encrypted volumes (whose header can mimic a boot sector), then file systems.
 */
export const CONTENT_PROBES: readonly ContentProbe[] = [
  mdProbe,
  vmfsProbe,
  lvm2Probe,
  luksProbe,
  bitlockerProbe,
  exfatProbe,
  ntfsProbe,
  vfatProbe,
  xfsProbe,
  extProbe,
  btrfsProbe,
  zfsProbe,
  iso9660Probe,
  hfsProbe,
  swapProbe,
];

/** The probes that only look near the start of a volume (no end-of-volume superblocks). */
export const START_PROBES: readonly ContentProbe[] = CONTENT_PROBES.filter((p) => p.id !== 'md');

/**
 * Probes whose structures lie in the first 34 sectors, where an MBR and a
 * primary GPT (header and a 16 KiB array) are: what mkfs on the whole device
 * of a partitioned disk destroys. Every probe but those that read further in
 * (md: superblock at the end or at 4 KiB and beyond, VMFS at 1 MiB, btrfs at
 * 64 KiB, ISO 9660 at 32 KiB), in CONTENT_PROBES' order.
 */
export const TABLE_AREA_PROBES: readonly ContentProbe[] = CONTENT_PROBES.filter((p) => !['md', 'vmfs', 'btrfs', 'iso9660'].includes(p.id));

/**
 * Probes that need only the first 4.5 KiB (one read) besides a label: for looking at extra
 * candidate offsets cheaply. The table-area probes but swap (its signature ends a page, up to 64 KiB in).
 */
export const HEAD_PROBES: readonly ContentProbe[] = TABLE_AREA_PROBES.filter((p) => p.id !== 'swap');

/** Probes whose structure is a boot sector at byte 0 (x86 jump, OEM name, BPB or its stand-in). */
export const BOOT_SECTOR_PROBES: readonly ContentProbe[] = [bitlockerProbe, exfatProbe, ntfsProbe, vfatProbe];

/**
 * What is in the `size` bytes at absolute `offset` of `source`: the first
 * probe that recognises it, or null. `size` is clipped to the image. Reads
 * stay within the volume and the per-volume budget; I/O errors propagate.
 */
export async function probeAt(
  source: ByteSource,
  offset: number,
  size: number,
  probes: readonly ContentProbe[] = CONTENT_PROBES,
): Promise<VolumeContent | null> {
  return probeWith(new ProbeReader(source, offset, Math.max(0, Math.min(size, source.size - offset))), probes);
}

/** Like probeAt, on a reader the caller keeps (to share its cached blocks or count its reads). */
export async function probeWith(reader: ProbeReader, probes: readonly ContentProbe[] = CONTENT_PROBES): Promise<VolumeContent | null> {
  if (reader.size < 512 || reader.offset < 0) return null;
  for (const probe of probes) {
    if (probe.minSectors * 512 > reader.size) continue;
    try {
      const found = await probe.probe(reader);
      if (found) return found;
    } catch (error) {
      if (error instanceof ProbeRangeError) continue; // a hostile value asked for too much: not recognised
      throw error;
    }
  }
  return null;
}
