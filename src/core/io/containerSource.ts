// The common half of every container byte source (qcow2, VHD, VHDX, VMDK sparse,
// VDI): the virtual disk is cut into blocks of one size, each block lives
// somewhere (a range of the container file, nowhere = zeros, the parent disk, a
// compressed run), and reads and write mappings are done block by block. Each
// format only says where a block is (`locate`), from its own tables.
import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';
import type { ContainerFormat } from './containerDetect';
import type { StructNode } from '../structure';
import { LimitError } from '../errors';
import type { FindingCode } from '../findings';
import { FileLayout, layoutRefusalText } from './containerLayout';
import { msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import type { LayoutCheck } from './containerLayout';
import { MAX_ALLOCATION_SCAN_BYTES, MAX_CHECK_LAYOUT_BYTES, MAX_CONTAINER_READ_BYTES, MAX_DECOMPRESSED_CACHE_BLOCKS, MAX_LAYOUT_SCAN_BYTES } from '../limits';

/** Where one virtual block is stored. */
export type BlockLocation =
  /**
   * In `file` at `fileOffset`, blockSize bytes (or to the end of the disk).
   * `shared` says why the bytes must not be written (another disk or snapshot
   * uses them), if so. `sectorMask` (512-byte sectors of the block) marks the
   * present ones: absent ones read as `absent` unless `readsIgnoreIt` (then the
   * mask only restricts writes).
   */
  | { kind: 'data'; file: DataFile; fileOffset: number; shared?: () => Promise<Message | null>; sectorMask?: SectorMask }
  /** Not allocated (or a zero block): zeros. */
  | { kind: 'zero'; why: Message }
  /** Not allocated here: the parent's (backing file's) bytes. */
  | { kind: 'parent'; why: Message }
  /** Compressed: `inflate` gives the whole block. */
  | { kind: 'compressed'; key: number; inflate: () => Promise<Uint8Array> };

/** The reason of a read that needs none (a VHD sector its bitmap sends to the parent). */
const NO_REASON: Message = { template: '', args: [] };

/** What a container needs to open its parent. */
export interface ParentOpener {
  /** Opens `path` as a disk (a container, or raw when `formatHint` says "raw" or nothing matches). */
  open(path: string, formatHint: string | null): Promise<{ source: ByteSource; info: ContainerInfo & { path: string }; files: string[] }>;
  /** True when the file exists. */
  exists(path: string): Promise<boolean>;
  /** True when we may not write the file (no write permission or no write bit). */
  readOnly(path: string): Promise<boolean>;
}

/** Which 512-byte sectors of a block hold data (VHD sector bitmaps). */
export interface SectorMask {
  present: (sector: number) => boolean;
  absent: 'zero' | 'parent';
  readsIgnoreIt?: boolean;
}

/** A file holding container data, read through a paged source (absolute file offsets). */
export interface DataFile {
  path: string;
  source: ByteSource;
}

/** One piece of a write through the container: virtual range -> file range. */
export interface ContainerWritePiece {
  virtualOffset: number;
  length: number;
  file: string;
  fileOffset: number;
}

/**
 * Container metadata a data write must update first (VHDX: the non-current
 * header with a new DataWriteGuid), as read now and as it will be.
 */
export interface ContainerMetadataWrite {
  file: string;
  fileOffset: number;
  before: Uint8Array;
  after: Uint8Array;
  /** What it is, for reports and the journal ("VHDX header at 64 KiB"). */
  what: string;
  /** What changes in it ("sequence 7, new FileWriteGuid and DataWriteGuid"). */
  change: string;
}

/** A file range holding metadata diskx may update (and undo may restore). */
export interface ContainerMetadataSlot {
  file: string;
  fileOffset: number;
  length: number;
}

/** What `inspect --json` says about the container. */
export interface ContainerInfo {
  format: ContainerFormat;
  virtualSize: number;
  /** Logical sector size the container declares (VHDX), if any. */
  sectorSize?: number;
  /** Bytes of the virtual disk stored in this file (allocated blocks x block size). */
  allocated?: number;
  /** Block (cluster, grain) size in bytes. */
  blockSize?: number;
  /** The parent (backing file) the container reads unallocated blocks from. */
  parent?: ContainerInfo & { path: string };
  /** Format version ("3" for qcow2 v3, "1.1" for VDI). */
  version?: string;
  /** qcow2 internal snapshots. */
  snapshots?: { id: string; name: string; date: string; virtualSize?: number }[];
  /** The container files, in order. */
  files: string[];
  /** Why the container must not be written (a VHDX log to replay), if so. */
  readOnlyReason?: string;
  /** `readOnlyReason` as a msg() template (the editor shows it in the user's language). */
  readOnlyReasonText?: Message;
}

/** A problem of the container file itself (not of the virtual disk), reported by `check`. */
export interface ContainerProblem {
  code: Extract<FindingCode, 'container-overlapping-blocks' | 'container-log-not-replayed'>;
  severity: 'error' | 'warning';
  message: string;
  /** `message` as a msg() template (the editor shows it in the user's language). */
  text: Message;
  /** The container file and the file bytes concerned (file offsets, never virtual ones). */
  file: string;
  fileOffset: number;
  length: number;
}

/** Where a virtual range is written in the container's files, or why it cannot be (`reason` in English, `reasonText` its template). */
export type WriteMapping = { ok: true; pieces: ContainerWritePiece[] } | { ok: false; reason: string; reasonText: Message };

/** A byte source whose bytes are a virtual disk stored in a container. */
export interface ContainerByteSource extends ByteSource {
  readonly container: ContainerInfo;
  /** Header/footer/table structures of the container file, with file byte ranges (for the tree). */
  readonly structures: StructNode[];
  /** Maps a virtual range to file ranges, or says why it cannot be written in place. */
  mapWrite(offset: number, length: number): Promise<WriteMapping>;
  /**
   * The metadata to write before the first data write through the mapping, read
   * from the file now (empty for formats whose metadata no data write touches).
   */
  metadataWrites(): Promise<ContainerMetadataWrite[]>;
  /** Every file range `metadataWrites` may cover (undo restores journaled metadata only inside them). */
  readonly metadataSlots: ContainerMetadataSlot[];
  /** Forgets cached table entries and pages (after the files were written). */
  invalidate(): void;
  /** Problems of the container file (overlapping blocks, a log to replay), read with bounded table scans. */
  problems(): Promise<ContainerProblem[]>;
}

/** Base class: reads and write mappings in terms of `locate(block)`. */
export abstract class BlockContainerSource implements ContainerByteSource {
  abstract readonly container: ContainerInfo;
  abstract readonly structures: StructNode[];
  readonly readOnlyHint: boolean;
  private readonly inflated = new Map<number, Uint8Array>();

  protected constructor(
    readonly name: string,
    readonly size: number,
    protected readonly blockSize: number,
    protected readonly files: DataFile[],
    protected readonly parent: ByteSource | null,
    readOnly: boolean,
    readonly reportedSectorSize?: number,
  ) {
    this.readOnlyHint = readOnly;
  }

  readonly metadataSlots: ContainerMetadataSlot[] = [];

  /** No metadata to update unless a format says so (VHDX). */
  metadataWrites(): Promise<ContainerMetadataWrite[]> {
    return Promise.resolve([]);
  }

  /** Where virtual block `index` is; throws a typed error for a table pointing nowhere sane. */
  protected abstract locate(index: number): Promise<BlockLocation>;

  private readonly layoutResults = new Map<number, Promise<LayoutCheck | null>>();

  /**
   * The file's metadata and allocated blocks as file ranges, or 'too-large' with
   * the reason, or null when there is nothing a write could clobber (a fixed VHD,
   * compressed grains, which are never written). Entries pointing past the end
   * are left out (reading them is an error of its own).
   */
  protected async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck | null> {
    void maxTableBytes;
    return null;
  }

  /**
   * The overlap check of this file's layout reading at most `maxTableBytes` of
   * tables (MAX_LAYOUT_SCAN_BYTES before a write, MAX_CHECK_LAYOUT_BYTES for
   * `check`) and MAX_LAYOUT_SCAN_ENTRIES ranges; done once per budget and open.
   */
  layoutCheck(maxTableBytes = MAX_LAYOUT_SCAN_BYTES): Promise<LayoutCheck | null> {
    let result = this.layoutResults.get(maxTableBytes);
    if (!result) {
      result = this.collectLayout(maxTableBytes).then((layout) => (layout instanceof FileLayout ? { kind: 'checked' as const, ...layout.overlaps() } : layout));
      this.layoutResults.set(maxTableBytes, result);
    }
    return result;
  }

  /** Problems known from the headers (a VHDX log to replay); formats override it. */
  protected headerProblems(): ContainerProblem[] {
    return [];
  }

  async problems(): Promise<ContainerProblem[]> {
    const problems = this.headerProblems();
    const check = await this.layoutCheck(MAX_CHECK_LAYOUT_BYTES);
    if (check?.kind === 'checked' && check.total > 0) {
      const first = check.overlaps[0]!;
      const text =
        check.total > 1
          ? msg(
              "The {0} file's tables give the same file bytes to two owners: {1} and {2} share {3} bytes; {4} overlaps in all, the first {5}: {6}. A write through one would change the other, so diskx writes nothing through this container (qemu-img check names the damage).",
              this.container.format,
              first.firstText,
              first.secondText,
              first.length,
              check.total,
              check.overlaps.length,
              msgJoin(
                check.overlaps.map((o) => msg('{0} / {1}', o.firstText, o.secondText)),
                ', ',
              ),
            )
          : msg(
              "The {0} file's tables give the same file bytes to two owners: {1} and {2} share {3} bytes. A write through one would change the other, so diskx writes nothing through this container (qemu-img check names the damage).",
              this.container.format,
              first.firstText,
              first.secondText,
              first.length,
            );
      problems.push({
        code: 'container-overlapping-blocks',
        severity: 'error',
        message: renderMessage(text),
        text,
        file: first.file,
        fileOffset: first.fileOffset,
        length: first.length,
      });
    }
    return problems;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    if (length > MAX_CONTAINER_READ_BYTES) throw new LimitError('MAX_CONTAINER_READ_BYTES', length, MAX_CONTAINER_READ_BYTES);
    const out = new Uint8Array(length);
    for (const { at, index, inBlock, take, done } of this.pieces(offset, length)) {
      await this.readPiece(await this.locate(index), at, inBlock, out.subarray(done, done + take));
    }
    return out;
  }

  /** [offset, offset+length) cut at block boundaries: each piece's virtual offset, block, offset in it, length and place in the range. */
  private *pieces(offset: number, length: number): Generator<{ at: number; index: number; inBlock: number; take: number; done: number }> {
    for (let done = 0; done < length;) {
      const at = offset + done;
      const index = Math.floor(at / this.blockSize);
      const inBlock = at - index * this.blockSize;
      const take = Math.min(length - done, this.blockSize - inBlock);
      yield { at, index, inBlock, take, done };
      done += take;
    }
  }

  private async readPiece(where: BlockLocation, at: number, inBlock: number, into: Uint8Array): Promise<void> {
    switch (where.kind) {
      case 'zero':
        return; // already zero
      case 'parent': {
        // A backing file may be smaller than the disk: past its end, zeros.
        const available = this.parent ? Math.min(into.length, this.parent.size - at) : 0;
        if (available > 0) into.set(await this.parent!.read(at, available));
        return;
      }
      case 'compressed': {
        let block = this.inflated.get(where.key);
        if (!block) {
          block = await where.inflate();
          this.inflated.set(where.key, block);
          if (this.inflated.size > MAX_DECOMPRESSED_CACHE_BLOCKS) this.inflated.delete(this.inflated.keys().next().value!);
        }
        into.set(block.subarray(inBlock, inBlock + into.length));
        return;
      }
      case 'data': {
        if (!where.sectorMask || where.sectorMask.readsIgnoreIt) {
          into.set(await where.file.source.read(where.fileOffset + inBlock, into.length));
          return;
        }
        // Sector by sector runs of present / absent sectors (VHD sector bitmaps).
        let done = 0;
        while (done < into.length) {
          const sector = Math.floor((inBlock + done) / 512);
          const present = where.sectorMask.present(sector);
          let end = Math.min(into.length, (sector + 1) * 512 - inBlock);
          while (end < into.length && where.sectorMask.present(Math.floor((inBlock + end) / 512)) === present) end = Math.min(into.length, end + 512);
          const piece = into.subarray(done, end);
          if (present) piece.set(await where.file.source.read(where.fileOffset + inBlock + done, piece.length));
          else if (where.sectorMask.absent === 'parent') await this.readPiece({ kind: 'parent', why: NO_REASON }, at + done, inBlock + done, piece);
          done = end;
        }
        return;
      }
    }
  }

  async mapWrite(offset: number, length: number): Promise<WriteMapping> {
    assertInRange(offset, length, this.size);
    const refuse = (reasonText: Message): WriteMapping => ({ ok: false, reason: renderMessage(reasonText), reasonText });
    const { format } = this.container;
    if (this.container.readOnlyReason) return refuse(this.container.readOnlyReasonText ?? msg('{0}', this.container.readOnlyReason));
    const layout = await this.layoutCheck();
    const refusal = layout ? layoutRefusalText(layout) : null;
    if (refusal) return refuse(refusal);
    const pieces: ContainerWritePiece[] = [];
    for (const { at, index, inBlock, take } of this.pieces(offset, length)) {
      const where = await this.locate(index);
      const [first, last] = [at, at + take - 1];
      if (where.kind === 'zero')
        return refuse(
          msg('virtual bytes {0}..{1} are not allocated in the {2} file ({3}); writing them would need new metadata', first, last, format, where.why),
        );
      if (where.kind === 'parent')
        return refuse(
          msg(
            'virtual bytes {0}..{1} are not allocated in this {2} file but read from its parent ({3}); writing the parent would change every disk based on it',
            first,
            last,
            format,
            where.why,
          ),
        );
      if (where.kind === 'compressed')
        return refuse(msg('virtual bytes {0}..{1} are stored compressed; a compressed grain or cluster cannot be rewritten in place', first, last));
      const shared = where.shared ? await where.shared() : null;
      if (shared) return refuse(msg('virtual bytes {0}..{1} are shared: {2}', first, last, shared));
      if (where.sectorMask) {
        for (let s = Math.floor(inBlock / 512); s * 512 < inBlock + take; s++) {
          if (!where.sectorMask.present(s))
            return refuse(
              msg("virtual bytes {0}..{1} include a sector the block's bitmap marks absent; writing it would need the bitmap changed", first, last),
            );
        }
      }
      const previous = pieces[pieces.length - 1];
      const fileOffset = where.fileOffset + inBlock;
      if (previous && previous.file === where.file.path && previous.fileOffset + previous.length === fileOffset) previous.length += take;
      else pieces.push({ virtualOffset: at, length: take, file: where.file.path, fileOffset });
    }
    return { ok: true, pieces };
  }

  invalidate(): void {
    this.inflated.clear();
    this.layoutResults.clear();
    for (const file of this.files) (file.source as { invalidate?: () => void }).invalidate?.();
    (this.parent as { invalidate?: () => void } | null)?.invalidate?.();
    this.forgetTables();
  }

  /** Drops cached table entries (formats that cache tables override this). */
  protected forgetTables(): void {}

  async close(): Promise<void> {
    await Promise.allSettled([...this.files.map((f) => f.source.close()), this.parent?.close()]);
  }
}

/** True when `source` is a container source (has a container description and write mapping). */
export function isContainerSource(source: ByteSource): source is ContainerByteSource {
  return 'container' in source && 'mapWrite' in source;
}

/** `info` with `allocated` filled in when the source can count it cheaply (tables up to MAX_ALLOCATION_SCAN_BYTES). */
export async function describeContainer(source: ByteSource, info: ContainerInfo): Promise<ContainerInfo> {
  const counter = source as { allocatedBytes?: (maxTableBytes: number) => Promise<number | null> };
  if (info.allocated !== undefined || typeof counter.allocatedBytes !== 'function') return info;
  const allocated = await counter.allocatedBytes(MAX_ALLOCATION_SCAN_BYTES);
  return allocated === null ? info : { ...info, allocated };
}
