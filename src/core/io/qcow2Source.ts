// qcow2 (versions 2 and 3): the virtual disk in clusters, found through a
// two-level table (L1 -> L2 -> host cluster). An L2 entry is a host cluster
// offset (bits 9-55), or flags a zlib-compressed cluster (bit 62, offset and
// length packed by cluster size), or reads as zeros (bit 0, v3), or is empty:
// then the backing file's bytes (or zeros). Bit 63 ("copied") says the cluster's
// refcount is exactly 1; a write goes only into such clusters, double-checked
// against the refcount table. Facts from QEMU's docs/interop/qcow2.txt.
import zlib from 'node:zlib';
import path from 'node:path';
import type { ByteSource } from './byteSource';
import { FileSource } from './fileSource';
import { BlockContainerSource } from './containerSource';
import type { BlockLocation, ContainerInfo, DataFile, ParentOpener } from './containerSource';
import { ContainerError, asciiText, bigField, hasField, numField, parseContainerStruct, readTable, readU64be } from './containerStructs';
import type { StructNode } from '../structure';
import { Qcow2Header } from '../generated/Qcow2Header';
import { Qcow2Snapshot } from '../generated/Qcow2Snapshot';
import { UnsupportedImageError } from '../errors';
import type { FileLayout, LayoutCheck } from './containerLayout';
import { readQcow2L1, scanQcow2Tables } from './qcow2Tables';
import type { Qcow2L1, Qcow2Scan } from './qcow2Tables';
import { MAX_IMAGE_BYTES, MAX_QCOW2_L1_ENTRIES, MAX_QCOW2_SNAPSHOTS } from '../limits';
import { msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

const OFFSET_MASK = 0x00ff_ffff_ffff_fe00n; // bits 9-55
const COPIED = 1n << 63n;
const COMPRESSED = 1n << 62n;
const ZERO_FLAG = 1n;
/** Incompatible feature bits: 0 dirty, 1 corrupt, 3 compression type; others we cannot read. */
const INCOMPAT_DIRTY = 1n;
const INCOMPAT_CORRUPT = 2n;
const INCOMPAT_COMPRESSION_TYPE = 8n;
const INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_COMPRESSION_TYPE;
const EXT_BACKING_FORMAT = 0xe2792aca;

/** A qcow2 file as a byte source of its virtual disk. */
export class Qcow2Source extends BlockContainerSource {
  readonly container: ContainerInfo;
  readonly structures: StructNode[];

  private constructor(
    file: DataFile,
    private readonly header: {
      clusterBits: number;
      l1Offset: number;
      l1Size: number;
      refcountTableOffset: number;
      refcountTableBytes: number;
      refcountOrder: number;
      compressionType: number;
    },
    size: number,
    parent: (ByteSource & { container?: ContainerInfo }) | null,
    container: ContainerInfo,
    structures: StructNode[],
  ) {
    super(file.path, size, 2 ** header.clusterBits, [file], parent, file.source.readOnlyHint === true || container.readOnlyReason !== undefined);
    this.container = container;
    this.structures = structures;
  }

  /** Opens `filePath` (already detected as qcow2); `openParent` opens its backing file. */
  static async open(filePath: string, openParent: ParentOpener): Promise<Qcow2Source> {
    const source = await FileSource.open(filePath, { readOnlyHint: await openParent.readOnly(filePath) });
    try {
      return await Qcow2Source.parse({ path: filePath, source }, openParent);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  private static async parse(file: DataFile, openParent: ParentOpener): Promise<Qcow2Source> {
    const fileSize = file.source.size;
    const window = await file.source.read(0, Math.min(fileSize, 4096));
    const node = parseContainerStruct('qcow2Header', Qcow2Header, window, 0, { bigEndian: true });
    const version = numField(node, 'version');
    if (version !== 2 && version !== 3) throw new ContainerError(msg('qcow2 version {0} is not 2 or 3', version));
    const clusterBits = numField(node, 'clusterBits');
    if (clusterBits < 9 || clusterBits > 21) throw new ContainerError(msg('qcow2 cluster_bits {0} is outside 9..21', clusterBits));
    const clusterSize = 2 ** clusterBits;
    const size = numField(node, 'size');
    if (size > MAX_IMAGE_BYTES || size === 0) throw new ContainerError(msg('qcow2 virtual size {0} is not usable', size));
    const crypt = numField(node, 'cryptMethod');
    if (crypt !== 0) {
      throw new UnsupportedImageError(
        msg(
          'is an encrypted qcow2 image ({0}); diskx does not decrypt; decrypt it with qemu-img convert (--object secret,... --image-opts) -O raw first',
          crypt === 1 ? 'AES-CBC' : crypt === 2 ? 'LUKS' : msg('method {0}', crypt),
        ),
        'qcow2 (encrypted)',
      );
    }
    const incompatible = version >= 3 ? bigField(node, 'incompatibleFeatures') : 0n;
    if ((incompatible & ~INCOMPAT_KNOWN) !== 0n) {
      const bits = [...Array(64).keys()].filter((b) => ((incompatible & ~INCOMPAT_KNOWN) >> BigInt(b)) & 1n);
      throw new UnsupportedImageError(
        msg(
          'is a qcow2 image with incompatible features diskx does not read (bit {0}: {1}); convert it with qemu-img convert -O raw first',
          bits.join(', '),
          bits.map((b) => (b === 2 ? 'external data file' : b === 4 ? 'extended L2 entries' : 'unknown')).join(', '),
        ),
        'qcow2',
      );
    }
    const compressionType = hasField(node, 'compressionType') ? numField(node, 'compressionType') : 0;
    const refcountOrder = version >= 3 ? numField(node, 'refcountOrder') : 4;
    if (refcountOrder > 6) throw new ContainerError(msg('qcow2 refcount_order {0} is above 6', refcountOrder));
    const l1Size = numField(node, 'l1Size');
    if (l1Size > MAX_QCOW2_L1_ENTRIES)
      throw new ContainerError(msg('qcow2 L1 table of {0} entries exceeds MAX_QCOW2_L1_ENTRIES ({1})', l1Size, MAX_QCOW2_L1_ENTRIES));
    const l1Offset = numField(node, 'l1TableOffset');
    if (l1Size > 0 && (l1Offset % clusterSize !== 0 || l1Offset + l1Size * 8 > fileSize))
      throw new ContainerError(msg('qcow2 L1 table at {0} (+{1}) is misaligned or past the end of the file', l1Offset, l1Size * 8));
    const refcountTableOffset = numField(node, 'refcountTableOffset');
    const refcountTableBytes = numField(node, 'refcountTableClusters') * clusterSize;
    if (refcountTableOffset % clusterSize !== 0 || refcountTableOffset + refcountTableBytes > fileSize)
      throw new ContainerError(msg('qcow2 refcount table at {0} (+{1}) is misaligned or past the end of the file', refcountTableOffset, refcountTableBytes));

    const structures = [node];
    const headerLength = version >= 3 ? numField(node, 'headerLength') : 72;
    const backingFormat = await readBackingFormat(file.source, headerLength, clusterSize);
    let parent: Awaited<ReturnType<ParentOpener['open']>> | null = null;
    const backingOffset = numField(node, 'backingFileOffset');
    if (backingOffset !== 0) {
      const length = numField(node, 'backingFileSize');
      if (length === 0 || length > 1023) throw new ContainerError(msg('qcow2 backing file name of {0} bytes (at most 1023)', length));
      const name = Buffer.from(await readTable(file.source, backingOffset, length, 'qcow2 backing file name')).toString('utf8');
      // Relative names count from the folder of the image that names them, as QEMU does.
      parent = await openParent.open(path.resolve(path.dirname(file.path), name), backingFormat);
    }

    const readOnlyReasonText =
      incompatible & INCOMPAT_CORRUPT
        ? msg('the qcow2 image is marked corrupt (incompatible feature bit 1); repair it with qemu-img check -r all first')
        : incompatible & INCOMPAT_DIRTY
          ? msg('the qcow2 image is marked dirty (its refcounts may be stale); run qemu-img check -r all first')
          : undefined;
    const container: ContainerInfo = {
      format: 'qcow2',
      virtualSize: size,
      blockSize: clusterSize,
      version: String(version),
      files: [file.path, ...(parent?.files ?? [])],
      snapshots: await readSnapshots(file.source, numField(node, 'nbSnapshots'), numField(node, 'snapshotsOffset'), structures),
      ...(parent ? { parent: parent.info } : {}),
      ...(readOnlyReasonText ? { readOnlyReason: renderMessage(readOnlyReasonText), readOnlyReasonText } : {}),
    };
    return new Qcow2Source(
      file,
      { clusterBits, l1Offset, l1Size, refcountTableOffset, refcountTableBytes, refcountOrder, compressionType },
      size,
      parent?.source ?? null,
      container,
      structures,
    );
  }

  protected async locate(index: number): Promise<BlockLocation> {
    const { clusterBits, l1Offset, l1Size } = this.header;
    const clusterSize = this.blockSize;
    const file = this.files[0]!;
    const l2Entries = clusterSize / 8;
    const l1Index = Math.floor(index / l2Entries);
    const unallocated = (why: Message): BlockLocation => (this.parent ? { kind: 'parent', why } : { kind: 'zero', why });
    if (l1Index >= l1Size) return unallocated(msg('beyond the L1 table'));
    const l1Entry = readU64be(await file.source.read(l1Offset + l1Index * 8, 8));
    const l2Offset = Number(l1Entry & OFFSET_MASK);
    if (l2Offset === 0) return unallocated(msg('no L2 table'));
    if (l2Offset % clusterSize !== 0 || l2Offset + clusterSize > file.source.size)
      throw new ContainerError(msg('qcow2 L1 entry {0} points at {1}, misaligned or past the end of the file', l1Index, l2Offset));
    const l2Entry = readU64be(await file.source.read(l2Offset + (index % l2Entries) * 8, 8));
    if (l2Entry & COMPRESSED) {
      const offsetBits = 62 - (clusterBits - 8);
      const hostOffset = Number(l2Entry & ((1n << BigInt(offsetBits)) - 1n));
      const sectors = Number((l2Entry >> BigInt(offsetBits)) & ((1n << BigInt(62 - offsetBits)) - 1n)) + 1;
      const length = Math.min(sectors * 512 - (hostOffset % 512), file.source.size - hostOffset);
      if (hostOffset >= file.source.size || length <= 0)
        throw new ContainerError(msg('qcow2 compressed cluster {0} at {1} lies past the end of the file', index, hostOffset));
      return { kind: 'compressed', key: index, inflate: async () => this.inflate(index, await file.source.read(hostOffset, length)) };
    }
    if (l2Entry & ZERO_FLAG && this.container.version === '3') return { kind: 'zero', why: msg('a zero cluster') };
    const hostOffset = Number(l2Entry & OFFSET_MASK);
    if (hostOffset === 0) return unallocated(msg('no cluster'));
    if (hostOffset % clusterSize !== 0 || hostOffset + clusterSize > file.source.size)
      throw new ContainerError(msg('qcow2 L2 entry for cluster {0} points at {1}, misaligned or past the end of the file', index, hostOffset));
    const copied = (l1Entry & COPIED) !== 0n && (l2Entry & COPIED) !== 0n;
    return { kind: 'data', file, fileOffset: hostOffset, shared: async () => this.sharedWhy(hostOffset, copied) };
  }

  private inflate(index: number, compressed: Uint8Array): Uint8Array {
    if (this.header.compressionType !== 0)
      throw new UnsupportedImageError(
        msg('has zstd-compressed qcow2 clusters, which diskx does not decompress; convert it with qemu-img convert -O raw first'),
        'qcow2 (zstd)',
      );
    let out: Buffer;
    try {
      out = zlib.inflateRawSync(compressed, { maxOutputLength: this.blockSize });
    } catch (error) {
      throw new ContainerError(
        msg(
          'qcow2 compressed cluster {0} does not inflate to at most {1} bytes ({2})',
          index,
          this.blockSize,
          error instanceof Error ? error.message : String(error),
        ),
      );
    }
    const block = new Uint8Array(this.blockSize);
    block.set(out);
    return block;
  }

  /** Why the host cluster at `hostOffset` must not be written (refcount other than 1), or null. */
  private async sharedWhy(hostOffset: number, copiedFlags: boolean): Promise<Message | null> {
    const refcount = await this.refcount(hostOffset);
    if (refcount === 1n && copiedFlags) return null;
    if (refcount === 1n)
      return msg(
        'the qcow2 cluster at file offset {0} has refcount 1 but its L1/L2 "copied" flags are clear (lazy refcounts?); run qemu-img check -r all first',
        hostOffset,
      );
    return msg('the qcow2 cluster at file offset {0} has refcount {1} (an internal snapshot or another table shares it)', hostOffset, refcount);
  }

  private async refcount(hostOffset: number): Promise<bigint> {
    const { clusterBits, refcountTableOffset, refcountTableBytes, refcountOrder } = this.header;
    const file = this.files[0]!;
    const bitsPerEntry = 2 ** refcountOrder;
    const entriesPerBlock = (this.blockSize * 8) / bitsPerEntry;
    const cluster = Math.floor(hostOffset / 2 ** clusterBits);
    const tableIndex = Math.floor(cluster / entriesPerBlock);
    if (tableIndex * 8 + 8 > refcountTableBytes) return 0n;
    const blockOffset = Number(readU64be(await file.source.read(refcountTableOffset + tableIndex * 8, 8)) & ~0x1ffn);
    if (blockOffset === 0) return 0n;
    if (blockOffset + this.blockSize > file.source.size)
      throw new ContainerError(msg('qcow2 refcount block at {0} lies past the end of the file', blockOffset));
    const bit = (cluster % entriesPerBlock) * bitsPerEntry;
    const bytes = await file.source.read(blockOffset + Math.floor(bit / 8), Math.max(1, bitsPerEntry / 8));
    if (bitsPerEntry < 8) return BigInt((bytes[0]! >> (bit % 8)) & ((1 << bitsPerEntry) - 1));
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    return value;
  }

  private l1Scan: Promise<Qcow2L1> | null = null;
  private tableScan: Promise<Qcow2Scan> | null = null;

  /** The L1 table's readable L2 tables (read once per open). */
  private l1Tables(): Promise<Qcow2L1> {
    this.l1Scan ??= readQcow2L1(this.files[0]!.source, this.header, this.blockSize);
    return this.l1Scan;
  }

  /** The one pass over every table (qcow2Tables.ts), done once per open for the check, the allocation figure and a write. */
  private scanTables(): Promise<Qcow2Scan> {
    this.tableScan ??= this.l1Tables().then((l1) => scanQcow2Tables(this.files[0]!.source, this.files[0]!.path, this.header, l1, this.blockSize, this.size));
    return this.tableScan;
  }

  protected override forgetTables(): void {
    this.l1Scan = null;
    this.tableScan = null;
  }

  /** Which of the tables do not fit in `maxTableBytes` of reading ("L1 and refcount tables", "L2 tables"), or null when all fit. */
  private async overBudget(maxTableBytes: number): Promise<'L1 and refcount tables' | 'L2 tables' | null> {
    const read = this.header.l1Size * 8 + this.header.refcountTableBytes;
    if (read > maxTableBytes) return 'L1 and refcount tables';
    const { tables } = await this.l1Tables();
    return read + tables.length * this.blockSize > maxTableBytes ? 'L2 tables' : null;
  }

  /** The file's layout, when its L1, refcount and L2 tables fit in `maxTableBytes` (qcow2Tables.ts). */
  protected override async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck> {
    const over = await this.overBudget(maxTableBytes);
    if (over)
      return {
        kind: 'too-large',
        why:
          over === 'L2 tables'
            ? msg('its L2 tables are larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)')
            : msg('its L1 and refcount tables are larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)'),
      };
    return (await this.scanTables()).layout;
  }

  /** Bytes of the virtual disk stored in this file: allocated (and compressed) clusters x cluster size; null when its tables exceed `maxTableBytes`. */
  async allocatedBytes(maxTableBytes: number): Promise<number | null> {
    // The same pass as the layout's, so the same tables count against the budget.
    if (await this.overBudget(maxTableBytes)) return null;
    return Math.min(this.size, (await this.scanTables()).allocatedClusters * this.blockSize);
  }
}

// Header extensions follow the header: (type u32, length u32, data padded to 8), type 0 ends them.
async function readBackingFormat(source: ByteSource, headerLength: number, clusterSize: number): Promise<string | null> {
  let at = headerLength;
  const end = Math.min(clusterSize, source.size);
  for (let guard = 0; guard < 1024 && at + 8 <= end; guard++) {
    const head = await source.read(at, 8);
    const view = new DataView(head.buffer, head.byteOffset, 8);
    const type = view.getUint32(0);
    const length = view.getUint32(4);
    if (type === 0) break;
    if (at + 8 + length > end)
      throw new ContainerError(msg('qcow2 header extension 0x{0} of {1} bytes runs past the first cluster', type.toString(16), length));
    if (type === EXT_BACKING_FORMAT) return asciiText(await source.read(at + 8, Math.min(length, 64)));
    at += 8 + Math.ceil(length / 8) * 8;
  }
  return null;
}

async function readSnapshots(
  source: ByteSource,
  count: number,
  offset: number,
  structures: StructNode[],
): Promise<{ id: string; name: string; date: string; virtualSize?: number }[]> {
  if (count === 0) return [];
  if (count > MAX_QCOW2_SNAPSHOTS) throw new ContainerError(msg('qcow2 lists {0} snapshots, more than MAX_QCOW2_SNAPSHOTS ({1})', count, MAX_QCOW2_SNAPSHOTS));
  const snapshots: { id: string; name: string; date: string; virtualSize?: number }[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const fixed = await readTable(source, at, 40, `qcow2 snapshot ${i}`);
    const view = new DataView(fixed.buffer, fixed.byteOffset, 40);
    const entryLength = 40 + view.getUint32(36) + view.getUint16(12) + view.getUint16(14);
    const bytes = await readTable(source, at, entryLength, `qcow2 snapshot ${i}`);
    const node = parseContainerStruct(`qcow2Snapshot.${i}`, Qcow2Snapshot, bytes, at, { bigEndian: true });
    structures.push(node);
    const extra = bytes.subarray(40, 40 + view.getUint32(36));
    const virtualSize = extra.length >= 16 ? Number(readU64be(extra, 8)) : undefined;
    snapshots.push({
      id: asciiText(bytes.subarray(40 + extra.length, 40 + extra.length + view.getUint16(12))),
      name: Buffer.from(bytes.subarray(entryLength - view.getUint16(14), entryLength)).toString('utf8'),
      date: new Date(numField(node, 'dateSec') * 1000).toISOString(),
      ...(virtualSize !== undefined ? { virtualSize } : {}),
    });
    at += Math.ceil(entryLength / 8) * 8;
  }
  return snapshots;
}
