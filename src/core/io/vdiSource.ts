// VDI (VirtualBox disk image, header version 1.1), static and dynamic: the
// virtual disk in blocks (1 MiB by default); the block map holds one 32-bit
// entry per block, the index of the block in the file's data area (0xFFFFFFFF
// not allocated, 0xFFFFFFFE a zero block). A block's data starts at
// offset_data + index x (block_size + block_extra) + block_extra.
import { FileSource } from './fileSource';
import { BlockContainerSource } from './containerSource';
import type { BlockLocation, ContainerInfo, DataFile, ParentOpener } from './containerSource';
import { ContainerError, numField, parseContainerStruct, readTable } from './containerStructs';
import type { StructNode } from '../structure';
import { VdiHeader } from '../generated/VdiHeader';
import { UnsupportedImageError } from '../errors';
import { FileLayout } from './containerLayout';
import type { LayoutCheck } from './containerLayout';
import { MAX_BLOCK_TABLE_ENTRIES, MAX_CONTAINER_BLOCK_BYTES, MAX_IMAGE_BYTES } from '../limits';
import { english, msg } from '../../shared/l10n';

const VDI_SIGNATURE = 0xbeda107f;
const NOT_ALLOCATED = 0xffffffff;
const ZERO_BLOCK = 0xfffffffe;
const HEADER_BYTES = 512; // pre-header + v1.1 header (its fields end at 0x1C8)

/** A VDI file as a byte source of its virtual disk. */
export class VdiSource extends BlockContainerSource {
  readonly container: ContainerInfo;
  readonly structures: StructNode[];

  private constructor(
    file: DataFile,
    size: number,
    blockSize: number,
    private readonly map: { offset: number; entries: number; dataOffset: number; stride: number; extra: number },
    container: ContainerInfo,
    structures: StructNode[],
  ) {
    super(file.path, size, blockSize, [file], null, file.source.readOnlyHint === true);
    this.container = container;
    this.structures = structures;
  }

  /** Opens `filePath`, already detected as a VDI. */
  static async open(filePath: string, opener: ParentOpener): Promise<VdiSource> {
    const source = await FileSource.open(filePath, { readOnlyHint: await opener.readOnly(filePath) });
    try {
      const file = { path: filePath, source };
      const header = parseContainerStruct('vdiHeader', VdiHeader, await readTable(source, 0, HEADER_BYTES, 'VDI header'), 0);
      if (numField(header, 'signature') !== VDI_SIGNATURE) throw new ContainerError(msg('VDI signature 0xBEDA107F missing at byte 64'));
      const version = numField(header, 'version');
      if (version >>> 16 !== 1) throw new ContainerError(msg('VDI header version {0}.{1} is not 1.x', version >>> 16, version & 0xffff));
      const type = numField(header, 'imageType');
      if (type === 4 || type === 3) {
        throw new UnsupportedImageError(
          msg(
            'is a VDI {0} image, which diskx does not read through its parent; convert the chain first: qemu-img convert -f vdi -O raw ...',
            type === 4 ? 'differencing' : 'undo',
          ),
          'VDI (differencing)',
        );
      }
      if (type !== 1 && type !== 2) throw new ContainerError(msg('VDI image type {0} is not 1 (dynamic) or 2 (static)', type));
      const size = numField(header, 'diskSize');
      const blockSize = numField(header, 'blockSize');
      const extra = numField(header, 'blockExtra');
      const entries = numField(header, 'blocksInImage');
      if (size === 0 || size > MAX_IMAGE_BYTES) throw new ContainerError(msg('VDI disk size {0} is not usable', size));
      if (blockSize < 512 || blockSize > MAX_CONTAINER_BLOCK_BYTES || blockSize % 512 !== 0)
        throw new ContainerError(msg('VDI block size {0} is not a multiple of 512 up to {1}', blockSize, MAX_CONTAINER_BLOCK_BYTES));
      if (extra > MAX_CONTAINER_BLOCK_BYTES) throw new ContainerError(msg('VDI block extra data of {0} bytes is too large', extra));
      if (entries > MAX_BLOCK_TABLE_ENTRIES || entries * blockSize < size)
        throw new ContainerError(msg("VDI block map of {0} blocks does not fit the disk's {1} bytes or exceeds MAX_BLOCK_TABLE_ENTRIES", entries, size));
      const mapOffset = numField(header, 'offsetBlocks');
      if (mapOffset + entries * 4 > source.size)
        throw new ContainerError(msg('VDI block map at {0} (+{1}) lies past the end of the file', mapOffset, entries * 4));
      const container: ContainerInfo = { format: 'vdi', virtualSize: size, blockSize, version: `${version >>> 16}.${version & 0xffff}`, files: [filePath] };
      return new VdiSource(
        file,
        size,
        blockSize,
        { offset: mapOffset, entries, dataOffset: numField(header, 'offsetData'), stride: blockSize + extra, extra },
        container,
        [header],
      );
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  protected async locate(index: number): Promise<BlockLocation> {
    const file = this.files[0]!;
    if (index >= this.map.entries) return { kind: 'zero', why: msg('beyond the block map') };
    const bytes = await file.source.read(this.map.offset + index * 4, 4);
    const entry = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
    if (entry === NOT_ALLOCATED) return { kind: 'zero', why: msg('no block in the block map') };
    if (entry === ZERO_BLOCK) return { kind: 'zero', why: msg('a zero block') };
    const at = this.map.dataOffset + entry * this.map.stride + this.map.extra;
    if (!Number.isSafeInteger(at) || at + Math.min(this.blockSize, this.size - index * this.blockSize) > file.source.size)
      throw new ContainerError(msg('VDI block map entry {0} points at block {1}, past the end of the file', index, entry));
    return { kind: 'data', file, fileOffset: at };
  }

  /** The header, the block map and every allocated block's data as file ranges. */
  protected override async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck | null> {
    const { offset, entries, dataOffset, stride, extra } = this.map;
    if (entries * 4 > maxTableBytes)
      return { kind: 'too-large', why: msg('its block map of {0} entries is larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)', entries) };
    const file = this.files[0]!;
    const layout = new FileLayout(file.path);
    layout.metadata(english('the VDI header'), 0, HEADER_BYTES);
    layout.metadata(english('the block map'), offset, entries * 4);
    const map = await file.source.read(offset, entries * 4);
    const view = new DataView(map.buffer, map.byteOffset, map.byteLength);
    for (let i = 0; i < entries; i++) {
      const entry = view.getUint32(i * 4, true);
      const at = dataOffset + entry * stride + extra;
      if (entry >= ZERO_BLOCK || at >= file.source.size) continue;
      if (!layout.block(i, at, Math.min(this.blockSize, this.size - i * this.blockSize)))
        return { kind: 'too-large', why: msg('more allocated blocks than MAX_LAYOUT_SCAN_ENTRIES') };
    }
    return layout;
  }

  /** Allocated blocks x block size, from the block map (null when it is larger than `maxTableBytes`). */
  async allocatedBytes(maxTableBytes: number): Promise<number | null> {
    if (this.map.entries * 4 > maxTableBytes) return null;
    const map = await this.files[0]!.source.read(this.map.offset, this.map.entries * 4);
    const view = new DataView(map.buffer, map.byteOffset, map.byteLength);
    let blocks = 0;
    for (let i = 0; i < this.map.entries; i++) if (view.getUint32(i * 4, true) < ZERO_BLOCK) blocks++;
    return Math.min(this.size, blocks * this.blockSize);
  }
}
