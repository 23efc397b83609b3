// The content-probe framework: what a probe is, what it returns, and the
// bounded window it reads through. A probe looks at a few sectors at fixed
// offsets of a volume (a partition, a gap, the whole disk) and says what is
// there, the way blkid names it. It never scans: every read goes through a
// ProbeReader that refuses reads outside the volume and beyond a byte budget.
import type { ByteSource } from '../io/byteSource';
import type { StructNode } from '../structure';
import { MAX_PROBE_BYTES_PER_VOLUME } from '../limits';

/** What a probe found at the start of a volume. */
export interface VolumeContent {
  /** blkid's TYPE: vfat, exfat, ntfs, ext4, xfs, btrfs, swap, crypto_LUKS, ... */
  type: string;
  /** Format version where it matters (FAT32, LUKS 2, MD 1.2, VMFS 6, ...). */
  version?: string;
  /** Label as blkid shows it (trailing spaces and NULs removed); absent when empty. */
  label?: string;
  /** UUID (or serial) in blkid's text form; absent when the format has none. */
  uuid?: string;
  /** Bytes the volume believes it occupies from `offset`; absent when the format does not say. */
  sizeBytes?: bigint;
  /** Absolute byte offset of the volume's first byte. */
  offset: number;
  /** The structures read (superblock, ...), fields with absolute byte ranges. */
  structures: StructNode[];
}

/** A run of sectors no partition covers, at least MIN_FREE_REGION_BYTES long. */
export interface FreeRegion {
  firstLba: bigint;
  lastLba: bigint;
  /** A volume found at the gap's start (or its first 1 MiB boundary): a lost partition? */
  content: VolumeContent | null;
}

/** One probe: a format family and how to recognise it. */
export interface ContentProbe {
  /** Stable id of the probe (`vfat`, `ext`, `md`, ...). */
  id: string;
  /** blkid TYPE names this probe can return. */
  types: readonly string[];
  /**
   * Smallest volume, in 512-byte sectors, the probe can recognise anything in:
   * the end of the farthest fixed-offset structure it reads (a scanner can skip
   * offsets where less than this is left).
   */
  minSectors: number;
  /** Looks at the volume; null when it is not this format. Throws only on I/O errors. */
  probe(reader: ProbeReader): Promise<VolumeContent | null>;
}

/** Thrown by ProbeReader when a probe asks for bytes it may not have. */
export class ProbeRangeError extends Error {}

const BLOCK = 512;
/**
 * The first 4.5 KiB hold most probes' structures (boot sectors, the ext
 * superblock, LVM labels, MD 1.1 and 1.2, LUKS, the end of a 4 KiB swap
 * page): fetched in one read the first time any of it is asked for.
 */
const HEAD_BYTES = 4096 + 512;

/**
 * Reads of one volume for the probes: offsets relative to the volume start,
 * never past its end, at most MAX_PROBE_BYTES_PER_VOLUME distinct bytes in all
 * (512-byte blocks, cached here so that the probes of one volume share them).
 */
export class ProbeReader {
  private readonly blocks = new Map<number, Uint8Array>();
  /** Distinct bytes fetched from the source for this volume. */
  bytesFetched = 0;

  constructor(
    readonly source: ByteSource,
    /** Absolute byte offset of the volume. */
    readonly offset: number,
    /** Bytes of the volume (a partition's size, clipped to the image). */
    readonly size: number,
    readonly budget = MAX_PROBE_BYTES_PER_VOLUME,
  ) {}

  /** True when [at, at+length) lies inside the volume. */
  has(at: number, length: number): boolean {
    return Number.isSafeInteger(at) && at >= 0 && length >= 0 && at + length <= this.size;
  }

  /** Reads `length` bytes at volume offset `at`, or null when they lie outside the volume. */
  async read(at: number, length: number): Promise<Uint8Array | null> {
    if (!this.has(at, length)) return null;
    const first = Math.floor(at / BLOCK);
    const last = Math.floor((at + length - 1) / BLOCK);
    const missing: number[] = [];
    const headBlocks = Math.ceil(Math.min(HEAD_BYTES, this.size) / BLOCK);
    if (at < HEAD_BYTES && !this.blocks.has(0)) for (let b = 0; b < headBlocks; b++) missing.push(b);
    for (let b = Math.max(first, missing.length); b <= last; b++) if (!this.blocks.has(b)) missing.push(b);
    if (this.bytesFetched + missing.length * BLOCK > this.budget) {
      throw new ProbeRangeError(`probe read of ${length} bytes at +${at} exceeds the ${this.budget}-byte budget (MAX_PROBE_BYTES_PER_VOLUME)`);
    }
    // Contiguous runs of missing blocks are one source read each.
    for (let i = 0; i < missing.length;) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j]! + 1) j++;
      const start = missing[i]! * BLOCK;
      const end = Math.min((missing[j]! + 1) * BLOCK, this.size);
      const bytes = await this.source.read(this.offset + start, end - start);
      this.bytesFetched += end - start;
      for (let b = missing[i]!; b <= missing[j]!; b++) {
        this.blocks.set(b, bytes.subarray((b - missing[i]!) * BLOCK, Math.min((b - missing[i]! + 1) * BLOCK, bytes.length)));
      }
      i = j + 1;
    }
    const out = new Uint8Array(length);
    for (let b = first; b <= last; b++) {
      const block = this.blocks.get(b)!;
      const from = Math.max(at, b * BLOCK);
      const to = Math.min(at + length, b * BLOCK + block.length);
      out.set(block.subarray(from - b * BLOCK, to - b * BLOCK), from - at);
    }
    return out;
  }
}

/** Text of a fixed-size label field: up to the first NUL, trailing spaces dropped; undefined when empty. */
export function labelText(raw: Uint8Array, encoding: 'latin1' | 'utf8' = 'utf8'): string | undefined {
  let end = raw.indexOf(0);
  if (end < 0) end = raw.length;
  const text = Buffer.from(raw.subarray(0, end)).toString(encoding).replace(/[ ]+$/, '');
  return text.length ? text : undefined;
}

/** UTF-16LE text up to `units` code units or the first NUL. */
export function utf16leText(raw: Uint8Array, units: number): string | undefined {
  let end = 0;
  while (end < units && end * 2 + 1 < raw.length && (raw[end * 2] !== 0 || raw[end * 2 + 1] !== 0)) end++;
  const text = Buffer.from(raw.subarray(0, end * 2)).toString('utf16le');
  return text.length ? text : undefined;
}

/** 16 bytes in text order as a lower-case 8-4-4-4-12 UUID (blkid's form). */
export function uuidText(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** True when every byte is zero. */
export function isAllZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** ASCII comparison of `bytes` at `at` with `text`. */
export function bytesEqual(bytes: Uint8Array, at: number, text: string | number[]): boolean {
  const expected = typeof text === 'string' ? Array.from(text, (c) => c.charCodeAt(0)) : text;
  if (at + expected.length > bytes.length) return false;
  return expected.every((b, i) => bytes[at + i] === b);
}
