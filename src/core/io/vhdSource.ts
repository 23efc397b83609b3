// VHD (Microsoft Virtual Hard Disk 1.0): fixed disks are the raw data followed
// by a 512-byte footer; dynamic and differencing disks keep a copy of the footer
// at 0, a dynamic header (where the footer's data_offset points) and a block
// allocation table of 32-bit sector offsets (all ones = not allocated). Each
// allocated block is a sector bitmap (bit set = sector present, most significant
// bit first) followed by the block's data. A differencing disk reads absent
// sectors from its parent, found through the header's parent locators.
import path from 'node:path';
import type { ByteSource } from './byteSource';
import { FileSource } from './fileSource';
import { BlockContainerSource } from './containerSource';
import type { BlockLocation, ContainerInfo, DataFile, ParentOpener } from './containerSource';
import { ContainerError, bytesField, numField, parseContainerStruct, readTable } from './containerStructs';
import type { StructNode } from '../structure';
import { VhdFooter } from '../generated/VhdFooter';
import { VhdDynamicHeader } from '../generated/VhdDynamicHeader';
import { formatGuid } from '../guid';
import { FileLayout } from './containerLayout';
import type { LayoutCheck } from './containerLayout';
import { MAX_BLOCK_TABLE_ENTRIES, MAX_CONTAINER_BLOCK_BYTES, MAX_IMAGE_BYTES } from '../limits';
import { english, msg, renderMessage } from '../../shared/l10n';

const FIXED_BLOCK = 1024 * 1024; // a fixed disk is one run; blocks only bound the read loop
const UNALLOCATED = 0xffffffff;

/** A VHD file (fixed, dynamic or differencing) as a byte source of its virtual disk. */
export class VhdSource extends BlockContainerSource {
  readonly container: ContainerInfo;
  readonly structures: StructNode[];

  private constructor(
    file: DataFile,
    size: number,
    blockSize: number,
    private readonly table: { offset: number; entries: number; bitmapBytes: number; headerAt: number; footerAt: number } | null,
    parent: ByteSource | null,
    container: ContainerInfo,
    structures: StructNode[],
  ) {
    super(file.path, size, blockSize, [file], parent, file.source.readOnlyHint === true || container.readOnlyReason !== undefined);
    this.container = container;
    this.structures = structures;
  }

  /** Opens `filePath`, already detected as a VHD. */
  static async open(filePath: string, openParent: ParentOpener): Promise<VhdSource> {
    const source = await FileSource.open(filePath, { readOnlyHint: await openParent.readOnly(filePath) });
    try {
      return await VhdSource.parse({ path: filePath, source }, openParent);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  private static async parse(file: DataFile, openParent: ParentOpener): Promise<VhdSource> {
    const fileSize = file.source.size;
    // The footer is the last 512 bytes (511 in files of old Virtual PC versions).
    let footerAt = fileSize - 512;
    let footerBytes = await readTable(file.source, footerAt, 512, 'VHD footer');
    if (Buffer.from(footerBytes.subarray(0, 8)).toString('latin1') !== 'conectix') {
      footerAt = fileSize - 511;
      footerBytes = new Uint8Array(512);
      footerBytes.set(await readTable(file.source, footerAt, 511, 'VHD footer'));
    }
    const footer = parseContainerStruct('vhdFooter', VhdFooter, footerBytes, footerAt, { bigEndian: true });
    const diskType = numField(footer, 'diskType');
    const size = numField(footer, 'currentSize');
    if (size === 0 || size > MAX_IMAGE_BYTES) throw new ContainerError(msg('VHD current size {0} is not usable', size));
    const checksumOk = vhdChecksum(footerBytes, 64) === numField(footer, 'checksum');
    const structures = [footer];
    const uniqueId = formatGuid(bytesField(footer, 'uniqueId'));
    const readOnlyReasonText = checksumOk ? undefined : msg('the VHD footer checksum does not match its bytes');
    const readOnly = readOnlyReasonText ? { readOnlyReason: renderMessage(readOnlyReasonText), readOnlyReasonText } : {};

    if (diskType === 2) {
      if (size > footerAt) throw new ContainerError(msg('fixed VHD says its disk is {0} bytes, but only {1} bytes precede the footer', size, footerAt));
      const container: ContainerInfo = {
        format: 'vhd-fixed',
        virtualSize: size,
        allocated: size,
        files: [file.path],
        ...readOnly,
      };
      return new VhdSource(file, size, FIXED_BLOCK, null, null, container, structures);
    }
    if (diskType !== 3 && diskType !== 4) throw new ContainerError(msg('VHD disk type {0} is not 2 (fixed), 3 (dynamic) or 4 (differencing)', diskType));

    const headerAt = numField(footer, 'dataOffset');
    const header = parseContainerStruct('vhdDynamicHeader', VhdDynamicHeader, await readTable(file.source, headerAt, 1024, 'VHD dynamic header'), headerAt, {
      bigEndian: true,
    });
    structures.push(header);
    if (Buffer.from(bytesField(header, 'cookie')).toString('latin1') !== 'cxsparse')
      throw new ContainerError(msg('VHD dynamic header at {0} lacks its "cxsparse" cookie', headerAt));
    const blockSize = numField(header, 'blockSize');
    if (blockSize < 512 || blockSize > MAX_CONTAINER_BLOCK_BYTES || (blockSize & (blockSize - 1)) !== 0)
      throw new ContainerError(msg('VHD block size {0} is not a power of two from 512 to {1}', blockSize, MAX_CONTAINER_BLOCK_BYTES));
    const entries = numField(header, 'maxTableEntries');
    if (entries > MAX_BLOCK_TABLE_ENTRIES)
      throw new ContainerError(msg('VHD BAT of {0} entries exceeds MAX_BLOCK_TABLE_ENTRIES ({1})', entries, MAX_BLOCK_TABLE_ENTRIES));
    if (entries * blockSize < size)
      throw new ContainerError(msg("VHD BAT of {0} blocks of {1} bytes does not cover the disk's {2} bytes", entries, blockSize, size));
    const tableOffset = numField(header, 'tableOffset');
    if (tableOffset + entries * 4 > fileSize) throw new ContainerError(msg('VHD BAT at {0} (+{1}) lies past the end of the file', tableOffset, entries * 4));
    const bitmapBytes = Math.ceil(blockSize / 512 / 8 / 512) * 512;

    let parent: Awaited<ReturnType<ParentOpener['open']>> | null = null;
    if (diskType === 4) {
      parent = await openVhdParent(file, header, openParent);
      const parentId = parent.info.format.startsWith('vhd') ? (parent.source as VhdSource).uniqueId : null;
      const expected = formatGuid(bytesField(header, 'parentUniqueId'));
      if (parentId !== null && parentId !== expected) {
        await parent.source.close();
        throw new ContainerError(msg("the differencing VHD's parent {0} has unique id {1}, the child expects {2}", parent.info.path, parentId, expected));
      }
    }
    const container: ContainerInfo = {
      format: diskType === 3 ? 'vhd-dynamic' : 'vhd-differencing',
      virtualSize: size,
      blockSize,
      files: [file.path, ...(parent?.files ?? [])],
      ...(parent ? { parent: parent.info } : {}),
      ...readOnly,
    };
    const source = new VhdSource(
      file,
      size,
      blockSize,
      { offset: tableOffset, entries, bitmapBytes, headerAt, footerAt },
      parent?.source ?? null,
      container,
      structures,
    );
    source.uniqueId = uniqueId;
    return source;
  }

  /** The footer's unique id (a differencing child names its parent by it). */
  uniqueId = '';

  protected async locate(index: number): Promise<BlockLocation> {
    const file = this.files[0]!;
    if (!this.table) return { kind: 'data', file, fileOffset: index * this.blockSize };
    const absent = this.parent ? 'parent' : 'zero';
    if (index >= this.table.entries) return { kind: absent, why: msg('beyond the BAT') };
    const entry = new DataView((await file.source.read(this.table.offset + index * 4, 4)).buffer).getUint32(0);
    if (entry === UNALLOCATED) return { kind: absent, why: msg('no block in the BAT') };
    const bitmapAt = entry * 512;
    const dataAt = bitmapAt + this.table.bitmapBytes;
    if (dataAt + Math.min(this.blockSize, this.size - index * this.blockSize) > file.source.size)
      throw new ContainerError(msg('VHD BAT entry {0} points at sector {1}, past the end of the file', index, entry));
    const bitmap = await file.source.read(bitmapAt, this.table.bitmapBytes);
    const present = (sector: number): boolean => ((bitmap[sector >> 3]! >> (7 - (sector & 7))) & 1) === 1;
    // A dynamic disk's allocated block is read whole (as QEMU does); its bitmap still restricts writes.
    return { kind: 'data', file, fileOffset: dataAt, sectorMask: { present, absent, readsIgnoreIt: !this.parent } };
  }

  /** Footer, its copy, the dynamic header, the BAT and every allocated block (bitmap and data) as file ranges. */
  protected override async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck | null> {
    if (!this.table) return null; // a fixed disk: data then footer, nothing to overlap
    const { offset, entries, bitmapBytes, headerAt, footerAt } = this.table;
    if (entries * 4 > maxTableBytes)
      return { kind: 'too-large', why: msg('its BAT of {0} entries is larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)', entries) };
    const file = this.files[0]!;
    const layout = new FileLayout(file.path);
    layout.metadata(english('the footer copy'), 0, 512);
    layout.metadata(english('the dynamic header'), headerAt, 1024);
    layout.metadata(english('the BAT'), offset, entries * 4);
    layout.metadata(english('the footer'), footerAt, 512);
    const bat = await file.source.read(offset, entries * 4);
    const view = new DataView(bat.buffer, bat.byteOffset, bat.byteLength);
    for (let i = 0; i < entries; i++) {
      const entry = view.getUint32(i * 4);
      if (entry === UNALLOCATED || entry * 512 >= file.source.size) continue;
      if (!layout.block(i, entry * 512, bitmapBytes + Math.min(this.blockSize, this.size - i * this.blockSize)))
        return { kind: 'too-large', why: msg('more allocated blocks than MAX_LAYOUT_SCAN_ENTRIES') };
    }
    return layout;
  }

  /** Allocated blocks x block size, from the BAT (null when the BAT is larger than `maxTableBytes`). */
  async allocatedBytes(maxTableBytes: number): Promise<number | null> {
    if (!this.table) return this.size;
    if (this.table.entries * 4 > maxTableBytes) return null;
    const bat = await this.files[0]!.source.read(this.table.offset, this.table.entries * 4);
    const view = new DataView(bat.buffer, bat.byteOffset, bat.byteLength);
    let blocks = 0;
    for (let i = 0; i < this.table.entries; i++) if (view.getUint32(i * 4) !== UNALLOCATED) blocks++;
    return Math.min(this.size, blocks * this.blockSize);
  }
}

/** One's complement of the byte sum with the 4-byte checksum at `checksumAt` taken as zero. */
export function vhdChecksum(bytes: Uint8Array, checksumAt: number): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) if (i < checksumAt || i >= checksumAt + 4) sum = (sum + bytes[i]!) >>> 0;
  return ~sum >>> 0;
}

// Parent locators: "W2ru" a path relative to the child's folder, "W2ku" absolute
// (both UTF-16LE Windows paths), "MacX" a UTF-8 file URL. Tried in that order,
// then the parent's name from the header, in the child's folder. The parent is
// only read, never written (a write into a parent's sector is refused), so it may
// lie outside the child's folder; a loop or a chain longer than MAX_PARENT_CHAIN
// is refused by the opener.
async function openVhdParent(file: DataFile, header: StructNode, openParent: ParentOpener): Promise<Awaited<ReturnType<ParentOpener['open']>>> {
  const folder = path.dirname(file.path);
  const candidates: string[] = [];
  for (const code of ['W2ru', 'W2ku', 'MacX']) {
    for (let i = 0; i < 8; i++) {
      if (Buffer.from(bytesField(header, `parentLocators.${i}.platformCode`)).toString('latin1') !== code) continue;
      const length = numField(header, `parentLocators.${i}.platformDataLength`);
      if (length === 0 || length > 4096) continue;
      const data = Buffer.from(await readTable(file.source, numField(header, `parentLocators.${i}.platformDataOffset`), length, `VHD parent locator ${i}`));
      const text = code === 'MacX' ? decodeURIComponent(data.toString('utf8').replace(/^file:\/\//, '')) : data.toString('utf16le');
      const clean = text.replace(/\0+$/, '');
      if (code === 'W2ru') candidates.push(path.resolve(folder, clean.replace(/\\/g, '/')));
      else if (code === 'W2ku') {
        // An absolute path of this system is tried as it is; a Windows one ("C:\\VMs\\base.vhd")
        // cannot be, so its file name is looked for beside the child (a copied chain).
        if (path.isAbsolute(clean)) candidates.push(clean);
        candidates.push(path.resolve(folder, path.win32.basename(clean)));
      } else candidates.push(clean);
    }
  }
  const name = Buffer.from(bytesField(header, 'parentUnicodeName')).swap16().toString('utf16le').replace(/\0.*$/s, '');
  if (name) candidates.push(path.resolve(folder, path.win32.basename(name)));
  const tried = [...new Set(candidates)];
  for (const candidate of tried) {
    if (await openParent.exists(candidate)) return openParent.open(candidate, 'vpc');
  }
  throw new ContainerError(
    tried.length
      ? msg('is a differencing VHD whose parent cannot be found (tried {0})', tried.join(', '))
      : msg('is a differencing VHD whose parent cannot be found (no parent locator or name)'),
  );
}
