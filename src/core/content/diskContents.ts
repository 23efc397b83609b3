// What each partition holds, what lies in the gaps between partitions, and
// what sits at the start of the disk itself: the content probes applied to a
// parsed partition table. Pure facts; checks turn them into findings.
import type { ByteSource } from '../io/byteSource';
import type { Partition } from '../model';
import { MAX_FREE_REGIONS, MAX_PROBE_BYTES_PER_DISK, MAX_PROBED_VOLUMES, MIN_FREE_REGION_BYTES, MIN_PROBED_VOLUME_BYTES } from '../limits';
import type { ContentProbe, FreeRegion, VolumeContent } from './probe';
export type { FreeRegion } from './probe';
import { ProbeReader } from './probe';
import { CONTENT_PROBES, HEAD_PROBES, probeWith } from './index';
import { UNVERIFIABLE_HEAD_BYTES, isUnverifiableType, unverifiableMessage } from './unverifiable';
import { renderMessage } from '../../shared/l10n';

/** Probes every partition (sets `partition.content`) and lists and probes the gaps of the usable range. */
export async function probePartitions(
  source: ByteSource,
  sectorSize: number,
  partitions: Partition[],
  usable: { firstLba: bigint; lastLba: bigint } | null,
): Promise<FreeRegion[]> {
  const prober = new DiskProber(source);
  // Partitions of labels nested in MBR slices (BSD) are probed too, within the same per-disk limits.
  for (const partition of [...partitions, ...partitions.flatMap((p) => p.children ?? [])]) {
    partition.content = null;
    delete partition.contentNote;
    delete partition.contentNoteText;
    // Sun's "whole disk" and SGI's "volume" slices start at the label and overlap every partition.
    if (partition.lastLba < partition.firstLba || partition.wholeDisk) continue;
    if (partition.mbrType !== null && isContainerOnly(partition.mbrType)) continue;
    const offset = partition.firstLba * BigInt(sectorSize);
    const size = (partition.lastLba - partition.firstLba + 1n) * BigInt(sectorSize);
    partition.content = offset < BigInt(source.size) ? await prober.probe(Number(offset), clip(size)) : null;
    if (partition.content === null && isUnverifiableType(partition) && offset < BigInt(source.size)) {
      const note = unverifiableMessage(await prober.head(Number(offset), Math.min(UNVERIFIABLE_HEAD_BYTES, clip(size))));
      partition.contentNote = renderMessage(note);
      partition.contentNoteText = note;
    }
  }
  const free = usable
    ? freeRegions(
        partitions.filter((p) => !p.wholeDisk),
        usable,
        sectorSize,
      )
    : [];
  for (const region of free) region.content = await probeGap(prober, sectorSize, region);
  for (const partition of partitions) {
    if (partition.content !== null || !usable || partition.wholeDisk) continue;
    const enclosing = await volumeRunningInto(prober, sectorSize, partition, partitions, free, usable.firstLba);
    if (enclosing) partition.enclosing = enclosing;
  }
  return free;
}

/** Runs shorter than this before a partition are not looked at (ESXi leaves 32 free sectors between partitions). */
const MIN_MOVED_START_BYTES = 64 * 1024;

// A partition whose start was moved forward: its volume still starts where the
// partition used to, in the sectors now before it that no other partition
// covers. A listed gap there was probed already; a shorter run (the old 63-sector
// DOS start before a partition now at 2048) is probed at its first sector.
async function volumeRunningInto(
  prober: DiskProber,
  sectorSize: number,
  partition: Partition,
  partitions: Partition[],
  free: FreeRegion[],
  firstUsable: bigint,
): Promise<VolumeContent | undefined> {
  const start = BigInt(partition.firstLba) * BigInt(sectorSize);
  const runsInto = (c: VolumeContent | null | undefined): c is VolumeContent =>
    !!c && c.sizeBytes !== undefined && BigInt(c.offset) < start && BigInt(c.offset) + c.sizeBytes > start;
  const gap = free.find((f) => f.lastLba + 1n === partition.firstLba);
  if (gap) return runsInto(gap.content) ? gap.content : undefined;
  let runStart = firstUsable;
  for (const other of partitions) if (other !== partition && other.lastLba < partition.firstLba && other.lastLba + 1n > runStart) runStart = other.lastLba + 1n;
  if (runStart >= partition.firstLba || (partition.firstLba - runStart) * BigInt(sectorSize) < MIN_MOVED_START_BYTES) return undefined;
  const at = Number(runStart) * sectorSize;
  const found = await prober.probe(at, (Number(partition.lastLba) + 1) * sectorSize - at, HEAD_PROBES);
  return runsInto(found) ? found : undefined;
}

/**
 * Probes volumes of one disk within its limits: MAX_PROBED_VOLUMES volumes,
 * MAX_PROBE_BYTES_PER_DISK bytes, each (offset, size) once (a hostile table
 * may list the same partition 128 times).
 */
class DiskProber {
  private readonly seen = new Map<string, VolumeContent | null>();
  private bytes = 0;

  constructor(private readonly source: ByteSource) {}

  async probe(offset: number, size: number, probes: readonly ContentProbe[] = CONTENT_PROBES): Promise<VolumeContent | null> {
    const clipped = Math.max(0, Math.min(size, this.source.size - offset));
    const key = `${offset}:${clipped}:${probes.length}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    if (clipped < MIN_PROBED_VOLUME_BYTES || this.seen.size >= MAX_PROBED_VOLUMES || this.bytes >= MAX_PROBE_BYTES_PER_DISK) return null;
    const reader = new ProbeReader(this.source, offset, clipped);
    const found = await probeWith(reader, probes);
    this.bytes += reader.bytesFetched;
    this.seen.set(key, found);
    return found;
  }

  /** The first `length` bytes at `offset` (within the disk), counted against the per-disk budget; null once it is spent. */
  async head(offset: number, length: number): Promise<Uint8Array | null> {
    const clipped = Math.max(0, Math.min(length, this.source.size - offset));
    if (this.bytes + clipped > MAX_PROBE_BYTES_PER_DISK) return null;
    this.bytes += clipped;
    return this.source.read(offset, clipped);
  }
}

// MBR extended partitions hold EBRs and logical partitions, never a volume of their own.
function isContainerOnly(type: number): boolean {
  return type === 0x05 || type === 0x0f || type === 0x85;
}

const clip = (size: bigint): number => (size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size));

/** The gaps of at least MIN_FREE_REGION_BYTES between partitions inside the usable range (at most MAX_FREE_REGIONS). */
export function freeRegions(partitions: Partition[], usable: { firstLba: bigint; lastLba: bigint }, sectorSize: number): FreeRegion[] {
  const spans = partitions
    .filter((p) => p.lastLba >= p.firstLba)
    .map((p) => [p.firstLba, p.lastLba] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const minSectors = BigInt(Math.ceil(MIN_FREE_REGION_BYTES / sectorSize));
  const out: FreeRegion[] = [];
  let next = usable.firstLba;
  const emit = (first: bigint, last: bigint): void => {
    if (last >= first && last - first + 1n >= minSectors && out.length < MAX_FREE_REGIONS) out.push({ firstLba: first, lastLba: last, content: null });
  };
  for (const [first, last] of spans) {
    if (first > next) emit(next, first - 1n > usable.lastLba ? usable.lastLba : first - 1n);
    if (last + 1n > next) next = last + 1n;
    if (next > usable.lastLba) break;
  }
  if (next <= usable.lastLba) emit(next, usable.lastLba);
  return out;
}

// A deleted partition usually started where the gap starts or on the next 1 MiB boundary.
async function probeGap(prober: DiskProber, sectorSize: number, region: FreeRegion): Promise<VolumeContent | null> {
  const start = Number(region.firstLba) * sectorSize;
  const end = (Number(region.lastLba) + 1) * sectorSize;
  const found = await prober.probe(start, end - start);
  if (found) return found;
  const aligned = Math.ceil(start / MIN_FREE_REGION_BYTES) * MIN_FREE_REGION_BYTES;
  return aligned > start && aligned < end ? prober.probe(aligned, end - aligned) : null;
}
