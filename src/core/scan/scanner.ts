// The partition scan: reads an image (or an LBA range of it) front to back in
// large sequential chunks, looks for volume and table signatures in every
// 512-byte block (signatures.ts), then confirms each candidate volume with the
// content probes (bounded reads) and parses each stray GPT header and MBR/EBR
// sector it met. Memory is bounded: the sweep's chunk buffers (sweep.ts) and at
// most MAX_SCAN_CANDIDATES candidates. Holes of a sparse file are skipped unread
// where the platform can tell (io/dataRanges.ts): they hold no signature.
import type { ByteSource } from '../io/byteSource';
import { PatchedSource } from '../io/patchedSource';
import type { RawRegion } from '../model';
import { MIN_ENTRY_ARRAY_RESERVED_BYTES } from '../limits';
import type { ByteSpan } from '../io/dataRanges';
import { probeAt } from '../content/index';
import type { VolumeContent } from '../content/index';
import { findSignatures } from './signatures';
import type { SignatureHit } from './signatures';
import { readStrayGpt, readStrayMbr } from './tables';
import { bootSectorPlacesVolume } from './verify';
import type { StrayTable } from './tables';
import { MAX_SCAN_CANDIDATES } from '../limits';
import { sweep } from './sweep';
import { markWholeDiskConflicts, resolveNesting } from './wholeDisk';

/** A volume the scan found, with why it believes it. */
import type { FoundVolume } from './foundVolume';
export type { FoundVolume };

export interface ScanOptions {
  sectorSize: number;
  /** First LBA to scan (default 0). */
  fromLba?: bigint;
  /** Last LBA to scan, inclusive (default the last one). */
  toLba?: bigint;
  signal?: AbortSignal;
  /** Called after every chunk: bytes of the range done, bytes in the range. */
  onProgress?: (done: number, total: number) => void;
}

export interface ScanResult {
  sectorSize: number;
  range: { firstLba: bigint; lastLba: bigint };
  volumes: FoundVolume[];
  tables: StrayTable[];
  /** Bytes read in the sequential pass (holes skipped are not counted). */
  bytesRead: number;
  /** True when more candidates were seen than MAX_SCAN_CANDIDATES (the rest were dropped). */
  truncated: boolean;
  /** LBA 0 as read (the before-bytes of a rebuilt MBR), when the range starts there. */
  firstSector: Uint8Array | null;
  /** Where a GPT belongs (LBA 1 with a 16 KiB array; the last LBA and the array before it), as read: a rebuilt GPT's before-bytes. */
  gptAreas: { primary: RawRegion; backup: RawRegion } | null;
}

interface Candidate {
  offset: number;
  hits: SignatureHit[];
}

/**
 * For a backup copy: where the copy is, where the primary it stands for belongs,
 * and how many bytes it covers. Laying the copy over the primary's place (a
 * patched view, nothing written) lets the probe read the rest of the volume as
 * usual (an NTFS label from the $MFT, an ext UUID).
 */
function backupCopy(hit: SignatureHit): { from: number; to: number; length: number } {
  switch (hit.family) {
    case 'ext':
      return { from: hit.at, to: hit.offset + 1024, length: 1024 };
    case 'btrfs':
      return { from: hit.at, to: hit.offset + 64 * 1024, length: 4096 };
    default:
      // exFAT's boot region is 12 sectors (boot sector, extended boot sectors, OEM, checksum).
      return { from: hit.at, to: hit.offset, length: hit.evidence.startsWith('exFAT') ? 12 * 512 : 512 };
  }
}

/**
 * Scans `bulk` (large sequential reads; a ScanFileSource for files) for volumes and
 * tables, confirming through `source` (page-cached small reads). Rejects with the
 * signal's reason when cancelled.
 */
export async function scanImage(source: ByteSource, bulk: ByteSource, options: ScanOptions): Promise<ScanResult> {
  const { sectorSize, signal, onProgress } = options;
  const lastLbaOfDisk = BigInt(Math.floor(source.size / sectorSize)) - 1n;
  const firstLba = options.fromLba ?? 0n;
  const lastLba = options.toLba === undefined || options.toLba > lastLbaOfDisk ? lastLbaOfDisk : options.toLba;
  if (firstLba < 0n || firstLba > lastLba)
    throw new RangeError(`the scan range LBA ${firstLba}..${lastLba} is empty or outside the disk (LBA 0..${lastLbaOfDisk})`);
  const start = Number(firstLba) * sectorSize;
  const end = (Number(lastLba) + 1) * sectorSize;
  signal?.throwIfAborted();

  const spans = await spansToRead(bulk, start, end);
  const candidates = new Map<number, Candidate>();
  const gptHits: number[] = [];
  const mbrHits: number[] = [];
  let truncated = false;
  const note = (hit: SignatureHit): void => {
    if (hit.family === 'gpt') {
      if (gptHits.length < MAX_SCAN_CANDIDATES) gptHits.push(hit.at);
      return;
    }
    if (hit.family === 'mbr') {
      if (mbrHits.length < MAX_SCAN_CANDIDATES) mbrHits.push(hit.at);
      return;
    }
    const existing = candidates.get(hit.offset);
    if (existing) {
      if (existing.hits.length < 8) existing.hits.push(hit);
    } else if (candidates.size < MAX_SCAN_CANDIDATES) candidates.set(hit.offset, { offset: hit.offset, hits: [hit] });
    else truncated = true;
  };

  const total = end - start;
  onProgress?.(0, total);
  const bytesRead = await sweep(
    bulk,
    spans,
    (chunk, offset) => {
      for (const hit of findSignatures(chunk, offset)) note(hit);
    },
    { signal, onAdvance: (offset) => onProgress?.(offset - start, total) },
  );
  signal?.throwIfAborted();
  onProgress?.(total, total);

  const volumes = await confirm(
    source,
    sectorSize,
    [...candidates.values()].sort((a, b) => a.offset - b.offset),
    signal,
  );
  const tables: StrayTable[] = [];
  for (const at of gptHits) {
    signal?.throwIfAborted();
    const table = await readStrayGpt(source, sectorSize, at);
    if (table) tables.push(table);
  }
  for (const at of mbrHits) {
    // A boot sector of a volume we confirmed is not a partition table.
    if (volumes.some((v) => v.offset === at)) continue;
    const table = await readStrayMbr(source, sectorSize, at);
    if (table) tables.push(table);
  }
  const firstSector = firstLba === 0n ? await source.read(0, sectorSize) : null;
  const areaBytes = (Math.ceil(MIN_ENTRY_ARRAY_RESERVED_BYTES / sectorSize) + 1) * sectorSize;
  const gptAreas =
    firstLba === 0n && lastLba === lastLbaOfDisk && source.size >= 2 * areaBytes + sectorSize
      ? {
          primary: { offset: sectorSize, bytes: await source.read(sectorSize, areaBytes) },
          backup: {
            offset: source.size - (source.size % sectorSize) - areaBytes,
            bytes: await source.read(source.size - (source.size % sectorSize) - areaBytes, areaBytes),
          },
        }
      : null;
  const resolved = resolveNesting(volumes);
  await markWholeDiskConflicts(source, resolved);
  return { sectorSize, range: { firstLba, lastLba }, volumes: resolved, tables, bytesRead, truncated, firstSector, gptAreas };
}

async function spansToRead(bulk: ByteSource, start: number, end: number): Promise<ByteSpan[]> {
  const whole = [{ offset: start, length: end - start }];
  const aware = bulk as ByteSource & { dataRanges?: () => Promise<ByteSpan[] | null> };
  if (typeof aware.dataRanges !== 'function') return whole;
  const data = await aware.dataRanges().catch(() => null);
  if (!data) return whole;
  const spans: ByteSpan[] = [];
  for (const span of data) {
    // Whole 512-byte blocks, so every block is searched at its own alignment.
    const from = Math.max(start, Math.floor(span.offset / 512) * 512);
    const to = Math.min(end, Math.ceil((span.offset + span.length) / 512) * 512);
    if (to > from) spans.push({ offset: from, length: to - from });
  }
  return spans;
}

/** Probes every candidate; keeps those a probe recognises, with their evidence. */
async function confirm(source: ByteSource, sectorSize: number, candidates: Candidate[], signal: AbortSignal | undefined): Promise<FoundVolume[]> {
  const found: FoundVolume[] = [];
  for (const candidate of candidates) {
    signal?.throwIfAborted();
    if (candidate.offset % sectorSize !== 0 || candidate.offset >= source.size) continue;
    const primary = candidate.hits.filter((h) => !h.backup);
    const backups = candidate.hits.filter((h) => h.backup);
    let content: VolumeContent | null = null;
    let confidence: FoundVolume['confidence'] = 'high';
    if (primary.length > 0) {
      content = await probeAt(source, candidate.offset, source.size - candidate.offset);
      if (content && !(await placesVolume(source, candidate.offset, candidate.offset, content))) content = null;
    }
    if (!content) {
      for (const hit of backups) {
        const copy = backupCopy(hit);
        if (copy.to < 0 || copy.from + copy.length > source.size || copy.to + copy.length > source.size) continue;
        const view = new PatchedSource(source);
        view.add([{ offset: copy.to, before: await source.read(copy.to, copy.length), after: await source.read(copy.from, copy.length) }]);
        const found = await probeAt(view, candidate.offset, source.size - candidate.offset);
        if (found && (await placesVolume(view, candidate.offset, candidate.offset, found))) {
          content = found;
          confidence = 'medium';
          break;
        }
      }
    }
    if (!content) continue;
    const evidence = candidate.hits.map((h) => h.evidence);
    if (confidence === 'medium') evidence.push("the volume's first structure is gone or damaged: found from a backup copy");
    const volume: FoundVolume = { offset: candidate.offset, firstLba: BigInt(candidate.offset / sectorSize), content, evidence, confidence };
    if (content.sizeBytes !== undefined && content.sizeBytes > 0n) {
      // NTFS counts its sectors without the backup boot sector, which sits in the volume's last sector.
      const extent = content.sizeBytes + (content.type === 'ntfs' ? BigInt(sectorSize) : 0n);
      volume.lastLba = (BigInt(candidate.offset) + extent) / BigInt(sectorSize) - 1n;
    }
    found.push(volume);
  }
  return found;
}

const BOOT_SECTOR_TYPES = new Set(['ntfs', 'exfat', 'vfat']);

/** For boot-sector file systems: whether the boot sector read at `origin` places the volume at `start` (see verify.ts). */
async function placesVolume(source: ByteSource, start: number, origin: number, content: VolumeContent): Promise<boolean> {
  if (!BOOT_SECTOR_TYPES.has(content.type)) return true;
  const boot = await source.read(origin, 512);
  return bootSectorPlacesVolume(source, start, boot, content.type);
}
