// VHDX (Microsoft VHDX format 1.0): two 4 KiB headers at 64 and 128 KiB (the
// current one has a valid CRC-32C and the larger sequence number), two region
// tables at 192 and 256 KiB locating the block allocation table (BAT) and the
// metadata region, whose items give the block size, the virtual size and the
// logical sector size. BAT entries are 64-bit: state in bits 0-2 (6 = fully
// present), file offset in MiB in bits 20-63; after every `chunk ratio` payload
// entries comes one sector-bitmap entry. A header whose log GUID is not zero has
// log entries to replay: such a file is read as it is but never written. With an
// empty log, data in fully present blocks is written in place once the header
// has its new DataWriteGuid (vhdxHeaderUpdate.ts).
import { FileSource } from './fileSource';
import { BlockContainerSource } from './containerSource';
import type { BlockLocation, ContainerInfo, ContainerMetadataSlot, ContainerMetadataWrite, ContainerProblem, DataFile, ParentOpener } from './containerSource';
import { FileLayout } from './containerLayout';
import type { LayoutCheck } from './containerLayout';
import { ContainerError, bytesField, numField, parseContainerStruct, readTable, readU64le } from './containerStructs';
import type { StructNode } from '../structure';
import { VhdxRegionTable } from '../generated/VhdxRegionTable';
import { VhdxMetadataTable } from '../generated/VhdxMetadataTable';
import { formatGuid, isZeroGuid } from '../guid';
import { checksumOk, currentSlot, readVhdxHeaderSlots, vhdxHeaderUpdate, vhdxMetadataSlots } from './vhdxHeaderUpdate';
import { UnsupportedImageError } from '../errors';
import { MAX_BLOCK_TABLE_ENTRIES, MAX_CONTAINER_BLOCK_BYTES, MAX_IMAGE_BYTES, MAX_VHDX_TABLE_ENTRIES, SUPPORTED_SECTOR_SIZES } from '../limits';
import { english, msg, renderMessage } from '../../shared/l10n';

const KiB = 1024;
const MiB = 1024 * KiB;
const BAT_REGION = '2DC27766-F623-4200-9D64-115E9BFD4A08';
const METADATA_REGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
const FILE_PARAMETERS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
const VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
const LOGICAL_SECTOR_SIZE = '8141BF1D-A96F-4709-BA47-F233A8FAAB5F';
const PAYLOAD_FULLY_PRESENT = 6;
const PAYLOAD_PARTIALLY_PRESENT = 7;
/** Payload block states (VHDX 1.0, 2.5.1.1) a block that reads as zeros may be in. */
const PAYLOAD_STATES: Record<number, string> = {
  0: 'PAYLOAD_BLOCK_NOT_PRESENT',
  1: 'PAYLOAD_BLOCK_UNDEFINED',
  2: 'PAYLOAD_BLOCK_ZERO',
  3: 'PAYLOAD_BLOCK_UNMAPPED',
};

/** A VHDX file as a byte source of its virtual disk. */
export class VhdxSource extends BlockContainerSource {
  readonly container: ContainerInfo;
  readonly structures: StructNode[];
  override readonly metadataSlots: ContainerMetadataSlot[];

  private constructor(
    file: DataFile,
    size: number,
    blockSize: number,
    private readonly bat: { offset: number; length: number; chunkRatio: number },
    /** The metadata region and the log (file ranges), and the log GUID when the log is not empty. */
    private readonly regions: { metadata: { offset: number; length: number }; log: { offset: number; length: number; guid: string | null } },
    container: ContainerInfo,
    structures: StructNode[],
    sectorSize: number,
  ) {
    super(file.path, size, blockSize, [file], null, file.source.readOnlyHint === true || container.readOnlyReason !== undefined, sectorSize);
    this.container = container;
    this.structures = structures;
    this.metadataSlots = vhdxMetadataSlots(file.path);
  }

  /** The header update (new DataWriteGuid, sequence + 1) into the non-current slot, read from the file now. */
  override async metadataWrites(): Promise<ContainerMetadataWrite[]> {
    const file = this.files[0]!;
    (file.source as { invalidate?: () => void }).invalidate?.();
    return [await vhdxHeaderUpdate(file.path, file.source)];
  }

  /** Opens `filePath`, already detected as a VHDX. */
  static async open(filePath: string, opener: ParentOpener): Promise<VhdxSource> {
    const source = await FileSource.open(filePath, { readOnlyHint: await opener.readOnly(filePath) });
    try {
      return await VhdxSource.parse({ path: filePath, source });
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  private static async parse(file: DataFile): Promise<VhdxSource> {
    const structures: StructNode[] = [];
    const header = await currentHeader(file, structures);
    const regions = await regionTable(file, structures);
    const bat = regions.get(BAT_REGION);
    const metadata = regions.get(METADATA_REGION);
    if (!bat || !metadata) throw new ContainerError(msg('VHDX region table lacks the BAT or the metadata region'));
    const items = await metadataItems(file, metadata, structures);
    const parameters = items.get(FILE_PARAMETERS);
    const sizeItem = items.get(VIRTUAL_DISK_SIZE);
    const sectorItem = items.get(LOGICAL_SECTOR_SIZE);
    if (!parameters || parameters.length < 8 || !sizeItem || sizeItem.length < 8 || !sectorItem || sectorItem.length < 4)
      throw new ContainerError(msg('VHDX metadata lacks file parameters, virtual disk size or logical sector size'));
    const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const blockSize = view(parameters).getUint32(0, true);
    const hasParent = (view(parameters).getUint32(4, true) & 2) !== 0;
    const size = Number(readU64le(sizeItem));
    const sectorSize = view(sectorItem).getUint32(0, true);
    if (hasParent)
      throw new UnsupportedImageError(
        msg('is a differencing VHDX, which diskx does not read through its parent yet; convert the chain first: qemu-img convert -f vhdx -O raw ...'),
        'VHDX (differencing)',
      );
    if (blockSize < MiB || blockSize > MAX_CONTAINER_BLOCK_BYTES || (blockSize & (blockSize - 1)) !== 0)
      throw new ContainerError(msg('VHDX block size {0} is not a power of two from 1 MiB to 256 MiB', blockSize));
    if (!SUPPORTED_SECTOR_SIZES.includes(sectorSize)) throw new ContainerError(msg('VHDX logical sector size {0} is not 512 or 4096', sectorSize));
    if (size === 0 || size > MAX_IMAGE_BYTES || size % sectorSize !== 0)
      throw new ContainerError(msg('VHDX virtual size {0} is not a usable multiple of {1}', size, sectorSize));
    const chunkRatio = (2 ** 23 * sectorSize) / blockSize;
    const blocks = Math.ceil(size / blockSize);
    const entries = blocks + Math.floor((blocks - 1) / chunkRatio);
    if (entries > MAX_BLOCK_TABLE_ENTRIES || entries * 8 > bat.length)
      throw new ContainerError(msg('VHDX BAT region of {0} bytes cannot hold {1} entries (or exceeds MAX_BLOCK_TABLE_ENTRIES)', bat.length, entries));
    const logGuid = bytesField(header, 'logGuid');
    const log = { offset: numField(header, 'logOffset'), length: numField(header, 'logLength'), guid: isZeroGuid(logGuid) ? null : formatGuid(logGuid) };
    // With an empty log a data write needs only the header update (vhdxHeaderUpdate.ts).
    const readOnlyReasonText = !isZeroGuid(logGuid)
      ? msg(
          'the VHDX log is not empty (log GUID {0}): it must be replayed first (Hyper-V does so when it mounts the disk; qemu-img check -r all as well), so diskx only reads it as it is',
          formatGuid(logGuid),
        )
      : undefined;
    const container: ContainerInfo = {
      format: 'vhdx',
      virtualSize: size,
      sectorSize,
      blockSize,
      version: String(numField(header, 'version')),
      files: [file.path],
      ...(readOnlyReasonText ? { readOnlyReason: renderMessage(readOnlyReasonText), readOnlyReasonText } : {}),
    };
    return new VhdxSource(file, size, blockSize, { offset: bat.offset, length: bat.length, chunkRatio }, { metadata, log }, container, structures, sectorSize);
  }

  protected async locate(index: number): Promise<BlockLocation> {
    const file = this.files[0]!;
    const at = this.bat.offset + (index + Math.floor(index / this.bat.chunkRatio)) * 8;
    if (at + 8 > this.bat.offset + this.bat.length) return { kind: 'zero', why: msg('beyond the BAT') };
    const entry = readU64le(await file.source.read(at, 8));
    const state = Number(entry & 7n);
    if (state === PAYLOAD_PARTIALLY_PRESENT) throw new ContainerError(msg('VHDX block {0} is partially present, which only a differencing disk may be', index));
    if (state !== PAYLOAD_FULLY_PRESENT) return { kind: 'zero', why: msg('BAT state {0}, {1}', state, PAYLOAD_STATES[state] ?? 'reserved') };
    const offset = Number(entry >> 20n) * MiB;
    if (offset < MiB || offset + Math.min(this.blockSize, this.size - index * this.blockSize) > file.source.size)
      throw new ContainerError(msg('VHDX BAT entry for block {0} points at {1}, past the end of the file', index, offset));
    return { kind: 'data', file, fileOffset: offset };
  }

  protected override headerProblems(): ContainerProblem[] {
    const { log } = this.regions;
    if (!log.guid) return [];
    const text = msg(
      "The VHDX log (file bytes {0}..{1}, log GUID {2}) holds entries not yet replayed: the file's metadata or data may be behind what was last written. diskx reads it as it is and never writes it; Hyper-V replays the log when it mounts the disk, qemu-img check -r all does too (on a copy, to keep this one as it is).",
      log.offset,
      log.offset + log.length - 1,
      log.guid,
    );
    return [
      {
        code: 'container-log-not-replayed',
        severity: 'warning',
        message: renderMessage(text),
        text,
        file: this.files[0]!.path,
        fileOffset: log.offset,
        length: log.length,
      },
    ];
  }

  private batScan: Promise<{ layout: FileLayout | LayoutCheck; present: number }> | null = null;

  private batEntries(): number {
    const blocks = Math.ceil(this.size / this.blockSize);
    return blocks + Math.floor((blocks - 1) / this.bat.chunkRatio);
  }

  /** The layout check's file ranges and the allocation figure from one read of the BAT (once per open). */
  private scanBat(): Promise<{ layout: FileLayout | LayoutCheck; present: number }> {
    this.batScan ??= this.readBat();
    return this.batScan;
  }

  protected override forgetTables(): void {
    this.batScan = null;
  }

  /** The header area, log, metadata and BAT regions, every present block and sector bitmap block as file ranges, and the present payload blocks. */
  private async readBat(): Promise<{ layout: FileLayout | LayoutCheck; present: number }> {
    const entries = this.batEntries();
    const file = this.files[0]!;
    const layout = new FileLayout(file.path);
    layout.metadata(english('the VHDX headers and region tables'), 0, MiB);
    layout.metadata(english('the log'), this.regions.log.offset, this.regions.log.length);
    layout.metadata(english('the metadata region'), this.regions.metadata.offset, this.regions.metadata.length);
    layout.metadata(english('the BAT'), this.bat.offset, this.bat.length);
    const table = await file.source.read(this.bat.offset, entries * 8);
    let present = 0;
    let full = false;
    for (let i = 0; i < entries; i++) {
      if ((table[i * 8]! & 7) !== PAYLOAD_FULLY_PRESENT) continue; // the state, without a bigint per entry
      // Every (chunk ratio + 1)th entry is a sector bitmap block (1 MiB), the others payload blocks.
      const bitmap = (i + 1) % (this.bat.chunkRatio + 1) === 0;
      if (!bitmap) present++;
      const offset = Number(readU64le(table, i * 8) >> 20n) * MiB;
      if (full || offset >= file.source.size) continue;
      const block = i - Math.floor((i + 1) / (this.bat.chunkRatio + 1));
      const ok = bitmap
        ? layout.metadata(english('a sector bitmap block'), offset, MiB)
        : layout.block(block, offset, Math.min(this.blockSize, this.size - block * this.blockSize));
      if (!ok) full = true;
    }
    return { layout: full ? { kind: 'too-large', why: msg('more allocated blocks than MAX_LAYOUT_SCAN_ENTRIES') } : layout, present };
  }

  protected override async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck | null> {
    const entries = this.batEntries();
    if (entries * 8 > maxTableBytes)
      return { kind: 'too-large', why: msg('its BAT of {0} entries is larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)', entries) };
    return (await this.scanBat()).layout;
  }

  /** Fully present blocks x block size, from the BAT (null when it is larger than `maxTableBytes`). */
  async allocatedBytes(maxTableBytes: number): Promise<number | null> {
    if (this.batEntries() * 8 > maxTableBytes) return null;
    return Math.min(this.size, (await this.scanBat()).present * this.blockSize);
  }
}

async function currentHeader(file: DataFile, structures: StructNode[]): Promise<StructNode> {
  const slots = await readVhdxHeaderSlots(file.source);
  structures.push(...slots.map((s) => s.node));
  const current = currentSlot(slots);
  if (!current) throw new ContainerError(msg('neither VHDX header (at 64 KiB and 128 KiB) has a valid signature and CRC-32C'));
  return current.node;
}

async function regionTable(file: DataFile, structures: StructNode[]): Promise<Map<string, { offset: number; length: number }>> {
  for (const at of [192 * KiB, 256 * KiB]) {
    const bytes = await readTable(file.source, at, 64 * KiB, 'VHDX region table');
    if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== 'regi' || !checksumOk(bytes, 4)) continue;
    const node = parseContainerStruct(`vhdxRegionTable@${at / KiB}K`, VhdxRegionTable, bytes, at, { params: [MAX_VHDX_TABLE_ENTRIES] });
    structures.push(node);
    const count = numField(node, 'entryCount');
    if (count > MAX_VHDX_TABLE_ENTRIES) throw new ContainerError(msg('VHDX region table lists {0} regions, more than {1}', count, MAX_VHDX_TABLE_ENTRIES));
    const regions = new Map<string, { offset: number; length: number }>();
    for (let i = 0; i < count; i++) {
      const guid = formatGuid(bytesField(node, `entries.${i}.guid`));
      const offset = numField(node, `entries.${i}.fileOffset`);
      const length = numField(node, `entries.${i}.length`);
      if (offset + length > file.source.size)
        throw new ContainerError(msg('VHDX region {0} at {1} (+{2}) lies past the end of the file', guid, offset, length));
      if (guid !== BAT_REGION && guid !== METADATA_REGION && (numField(node, `entries.${i}.required`) & 1) !== 0) {
        throw new UnsupportedImageError(
          msg('is a VHDX with a required region {0} diskx does not know; convert it with qemu-img convert -f vhdx -O raw first', guid),
          'VHDX',
        );
      }
      regions.set(guid, { offset, length });
    }
    return regions;
  }
  throw new ContainerError(msg('neither VHDX region table (at 192 KiB and 256 KiB) has a valid signature and CRC-32C'));
}

async function metadataItems(file: DataFile, region: { offset: number; length: number }, structures: StructNode[]): Promise<Map<string, Uint8Array>> {
  const tableBytes = await readTable(file.source, region.offset, Math.min(64 * KiB, region.length), 'VHDX metadata table');
  if (Buffer.from(tableBytes.subarray(0, 8)).toString('latin1') !== 'metadata')
    throw new ContainerError(msg('VHDX metadata region lacks its "metadata" signature'));
  const node = parseContainerStruct('vhdxMetadataTable', VhdxMetadataTable, tableBytes, region.offset, { params: [MAX_VHDX_TABLE_ENTRIES] });
  structures.push(node);
  const items = new Map<string, Uint8Array>();
  const count = numField(node, 'entryCount');
  for (let i = 0; i < Math.min(count, MAX_VHDX_TABLE_ENTRIES); i++) {
    const id = formatGuid(bytesField(node, `entries.${i}.itemId`));
    const offset = numField(node, `entries.${i}.offset`);
    const length = numField(node, `entries.${i}.length`);
    if (![FILE_PARAMETERS, VIRTUAL_DISK_SIZE, LOGICAL_SECTOR_SIZE].includes(id)) continue;
    if (length > 64 || offset + length > region.length)
      throw new ContainerError(msg('VHDX metadata item {0} at {1} (+{2}) lies outside the metadata region', id, offset, length));
    items.set(id, await readTable(file.source, region.offset + offset, length, `VHDX metadata item ${id}`));
  }
  return items;
}
