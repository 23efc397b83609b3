// One hosted sparse VMDK extent ("KDMV": monolithicSparse, a -sNNN.vmdk of
// twoGbMaxExtentSparse, streamOptimized): the extent is cut into grains; a grain
// directory (GD) of 32-bit sector numbers points at grain tables (GT), whose
// entries are the sector of each grain (0 = not allocated: zeros or the parent;
// 1 = a zero grain when the header's flag bit 2 says so). streamOptimized files
// compress every grain (header flag bit 16): at its sector sits a marker (virtual
// LBA u64, compressed size u32) and the zlib data; their GD is given by the
// footer copy of the header near the end of the file (gd_offset "at end").
// Facts from VMware's Virtual Disk Format 5.0 specification.
import zlib from 'node:zlib';
import type { ByteSource } from './byteSource';
import { BlockContainerSource } from './containerSource';
import type { BlockLocation, ContainerInfo, DataFile } from './containerSource';
import { ContainerError, bytesField, numField, parseContainerStruct, readTable } from './containerStructs';
import type { StructNode } from '../structure';
import { VmdkSparseHeader } from '../generated/VmdkSparseHeader';
import { FileLayout } from './containerLayout';
import type { LayoutCheck } from './containerLayout';
import { MAX_BLOCK_TABLE_ENTRIES, MAX_COMPRESSED_BLOCK_BYTES, MAX_CONTAINER_BLOCK_BYTES, MAX_IMAGE_BYTES } from '../limits';
import { english, msg } from '../../shared/l10n';

const GD_AT_END = 0xffff_ffff_ffff_ffffn;
const FLAG_REDUNDANT_GT = 1 << 1;
const FLAG_ZEROED_GTE = 1 << 2;
const FLAG_COMPRESSED = 1 << 16;
const MAX_GTES_PER_GT = 4096;

/** A hosted sparse extent as a byte source of the sectors it holds. */
export class VmdkSparseExtentSource extends BlockContainerSource {
  readonly container: ContainerInfo;
  readonly structures: StructNode[];
  /** The embedded descriptor text (monolithicSparse, streamOptimized), if any. */
  readonly embeddedDescriptor: string | null;

  private constructor(
    file: DataFile,
    size: number,
    grainBytes: number,
    private readonly tables: {
      gdOffset: number;
      gdEntries: number;
      gtes: number;
      zeroedGte: boolean;
      compressed: boolean;
      /** The redundant grain directory (0 when none) and the embedded descriptor, for the layout check. */
      rgdOffset: number;
      descriptor: { offset: number; length: number };
    },
    parent: ByteSource | null,
    container: ContainerInfo,
    structures: StructNode[],
    embeddedDescriptor: string | null,
  ) {
    super(file.path, size, grainBytes, [file], parent, file.source.readOnlyHint === true);
    this.container = container;
    this.structures = structures;
    this.embeddedDescriptor = embeddedDescriptor;
  }

  /** Parses the extent in `file`; `parent` (offset to this extent's start) supplies unallocated grains. */
  static async parse(file: DataFile, parent: ByteSource | null): Promise<VmdkSparseExtentSource> {
    const fileSize = file.source.size;
    let header = parseContainerStruct('vmdkSparseHeader', VmdkSparseHeader, await readTable(file.source, 0, 512, 'VMDK sparse header'), 0);
    if (Buffer.from(bytesField(header, 'magic')).toString('latin1') !== 'KDMV')
      throw new ContainerError(msg('VMDK sparse extent {0} does not start with the "KDMV" magic of a hosted sparse extent', file.path));
    const structures = [header];
    if (BigInt(numField(header, 'capacity')) > 0n && readGdOffset(header) === GD_AT_END) {
      // streamOptimized: the header at the start leaves the grain directory to the footer copy,
      // 1024 bytes before the end (footer marker, footer, end-of-stream marker).
      if (fileSize < 1536) throw new ContainerError(msg('streamOptimized VMDK is too short to hold its footer'));
      const footer = parseContainerStruct(
        'vmdkSparseFooter',
        VmdkSparseHeader,
        await readTable(file.source, fileSize - 1024, 512, 'VMDK footer'),
        fileSize - 1024,
      );
      if (Buffer.from(bytesField(footer, 'magic')).toString('latin1') !== 'KDMV')
        throw new ContainerError(msg('streamOptimized VMDK has no footer header 1024 bytes before its end'));
      structures.push(footer);
      header = footer;
    }
    const flags = numField(header, 'flags');
    const capacitySectors = numField(header, 'capacity');
    const grainSectors = numField(header, 'grainSize');
    const gtes = numField(header, 'numGtesPerGt');
    const size = capacitySectors * 512;
    if (size <= 0 || size > MAX_IMAGE_BYTES) throw new ContainerError(msg('VMDK extent capacity of {0} sectors is not usable', capacitySectors));
    const grainBytes = grainSectors * 512;
    const compressed = (flags & FLAG_COMPRESSED) !== 0;
    const grainLimit = compressed ? MAX_COMPRESSED_BLOCK_BYTES : MAX_CONTAINER_BLOCK_BYTES;
    if (grainSectors < 1 || grainBytes > grainLimit || (grainSectors & (grainSectors - 1)) !== 0)
      throw new ContainerError(msg('VMDK grain size of {0} sectors is not a power of two up to {1}', grainSectors, grainLimit / 512));
    if (gtes < 1 || gtes > MAX_GTES_PER_GT) throw new ContainerError(msg('VMDK grain tables of {0} entries (1..{1})', gtes, MAX_GTES_PER_GT));
    const grains = Math.ceil(capacitySectors / grainSectors);
    const gdEntries = Math.ceil(grains / gtes);
    if (gdEntries > MAX_BLOCK_TABLE_ENTRIES)
      throw new ContainerError(msg('VMDK grain directory of {0} entries exceeds MAX_BLOCK_TABLE_ENTRIES ({1})', gdEntries, MAX_BLOCK_TABLE_ENTRIES));
    const gdOffset = readGdOffset(header);
    if (gdOffset === GD_AT_END || Number(gdOffset) * 512 + gdEntries * 4 > fileSize)
      throw new ContainerError(msg('VMDK grain directory at sector {0} (+{1} bytes) lies past the end of the file', gdOffset, gdEntries * 4));

    const descriptorSectors = numField(header, 'descriptorSize');
    const descriptorAt = numField(header, 'descriptorOffset') * 512;
    let embedded: string | null = null;
    if (descriptorAt > 0 && descriptorSectors > 0 && descriptorSectors <= 128) {
      const text = Buffer.from(await readTable(file.source, descriptorAt, descriptorSectors * 512, 'VMDK embedded descriptor')).toString('utf8');
      embedded = text.replace(/\0[\s\S]*$/, '');
    }
    const format = compressed || /createType\s*=\s*"streamOptimized"/i.test(embedded ?? '') ? 'vmdk-stream' : 'vmdk-sparse';
    const container: ContainerInfo = { format, virtualSize: size, blockSize: grainBytes, version: String(numField(header, 'version')), files: [file.path] };
    return new VmdkSparseExtentSource(
      file,
      size,
      grainBytes,
      {
        gdOffset: Number(gdOffset) * 512,
        gdEntries,
        gtes,
        zeroedGte: (flags & FLAG_ZEROED_GTE) !== 0,
        compressed,
        rgdOffset: (flags & FLAG_REDUNDANT_GT) !== 0 ? Number(readU64(header, 'rgdOffset')) * 512 : 0,
        descriptor: { offset: descriptorAt, length: descriptorSectors * 512 },
      },
      parent,
      container,
      structures,
      embedded,
    );
  }

  protected async locate(index: number): Promise<BlockLocation> {
    const file = this.files[0]!;
    const absent = this.parent ? 'parent' : 'zero';
    const gdIndex = Math.floor(index / this.tables.gtes);
    if (gdIndex >= this.tables.gdEntries) return { kind: absent, why: msg('beyond the grain directory') };
    const gtSector = u32le(await file.source.read(this.tables.gdOffset + gdIndex * 4, 4));
    if (gtSector === 0) return { kind: absent, why: msg('no grain table') };
    const gteAt = gtSector * 512 + (index % this.tables.gtes) * 4;
    if (gteAt + 4 > file.source.size)
      throw new ContainerError(msg('VMDK grain directory entry {0} points at sector {1}, past the end of the file', gdIndex, gtSector));
    const grainSector = u32le(await file.source.read(gteAt, 4));
    if (grainSector === 0) return { kind: absent, why: msg('no grain') };
    if (grainSector === 1 && this.tables.zeroedGte) return { kind: 'zero', why: msg('a zero grain') };
    const at = grainSector * 512;
    if (this.tables.compressed) {
      if (at + 12 > file.source.size) throw new ContainerError(msg('VMDK grain {0} at sector {1} lies past the end of the file', index, grainSector));
      return { kind: 'compressed', key: index, inflate: () => this.inflate(index, at) };
    }
    if (at + Math.min(this.blockSize, this.size - index * this.blockSize) > file.source.size)
      throw new ContainerError(msg('VMDK grain {0} at sector {1} lies past the end of the file', index, grainSector));
    return { kind: 'data', file, fileOffset: at };
  }

  private async inflate(index: number, at: number): Promise<Uint8Array> {
    const file = this.files[0]!;
    const marker = await file.source.read(at, 12);
    const length = u32le(marker, 8);
    if (length === 0 || length > MAX_COMPRESSED_BLOCK_BYTES || at + 12 + length > file.source.size)
      throw new ContainerError(msg('VMDK compressed grain {0} of {1} bytes at {2} is empty, too large or past the end of the file', index, length, at));
    let out: Buffer;
    try {
      out = zlib.inflateSync(await file.source.read(at + 12, length), { maxOutputLength: this.blockSize });
    } catch (error) {
      throw new ContainerError(
        msg(
          'VMDK compressed grain {0} does not inflate to at most {1} bytes ({2})',
          index,
          this.blockSize,
          error instanceof Error ? error.message : String(error),
        ),
      );
    }
    const grain = new Uint8Array(this.blockSize);
    grain.set(out);
    return grain;
  }

  /**
   * The header, embedded descriptor, both grain directories and their grain
   * tables, and every allocated grain as file ranges; none for a compressed
   * (streamOptimized) extent, which is never written.
   */
  protected override async collectLayout(maxTableBytes: number): Promise<FileLayout | LayoutCheck | null> {
    const { gdOffset, gdEntries, gtes, compressed, rgdOffset, descriptor, zeroedGte } = this.tables;
    if (compressed) return null;
    const file = this.files[0]!;
    const fileSize = file.source.size;
    const layout = new FileLayout(file.path, 'virtual grain');
    layout.metadata(english('the sparse header'), 0, 512);
    layout.metadata(english('the embedded descriptor'), descriptor.offset, descriptor.offset > 0 ? descriptor.length : 0);
    let read = 0;
    for (const [name, at] of [
      ['grain directory', gdOffset],
      ['redundant grain directory', rgdOffset],
    ] as const) {
      if (at === 0 || at + gdEntries * 4 > fileSize) continue;
      read += gdEntries * 4;
      if (read > maxTableBytes) return { kind: 'too-large', why: msg('its grain directories are larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)') };
      layout.metadata(name === 'grain directory' ? english('the grain directory') : english('the redundant grain directory'), at, gdEntries * 4);
      const gd = await file.source.read(at, gdEntries * 4);
      // Count the grain tables first: refuse the budget before reading them, not after.
      let tables = 0;
      for (let i = 0; i < gdEntries; i++) if (u32le(gd, i * 4) !== 0) tables++;
      if (read + tables * gtes * 4 > maxTableBytes)
        return { kind: 'too-large', why: msg('its grain tables are larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)') };
      for (let i = 0; i < gdEntries; i++) {
        const gt = u32le(gd, i * 4);
        if (gt === 0 || gt * 512 + gtes * 4 > fileSize) continue;
        read += gtes * 4;
        if (read > maxTableBytes) return { kind: 'too-large', why: msg('its grain tables are larger than the scan reads (MAX_LAYOUT_SCAN_BYTES)') };
        if (
          !layout.metadata(
            name === 'grain directory' ? english('a grain table of the grain directory') : english('a grain table of the redundant grain directory'),
            gt * 512,
            gtes * 4,
          )
        )
          return { kind: 'too-large', why: msg('more grains than MAX_LAYOUT_SCAN_ENTRIES') };
        // The redundant tables point at the same grains as the primary ones: only the primary's grains are listed.
        if (name !== 'grain directory') continue;
        const table = await file.source.read(gt * 512, gtes * 4);
        for (let j = 0; j < gtes; j++) {
          const sector = u32le(table, j * 4);
          const index = i * gtes + j;
          if (sector === 0 || (sector === 1 && zeroedGte) || sector * 512 >= fileSize) continue;
          if (!layout.block(index, sector * 512, Math.min(this.blockSize, this.size - index * this.blockSize)))
            return { kind: 'too-large', why: msg('more grains than MAX_LAYOUT_SCAN_ENTRIES') };
        }
      }
    }
    return layout;
  }

  /** Allocated grains x grain size, reading every grain table (null when that is more than `maxTableBytes`). */
  async allocatedBytes(maxTableBytes: number): Promise<number | null> {
    const file = this.files[0]!;
    const gd = await file.source.read(this.tables.gdOffset, this.tables.gdEntries * 4);
    let read = gd.length;
    let grains = 0;
    for (let i = 0; i < this.tables.gdEntries; i++) {
      const gt = u32le(gd, i * 4);
      if (gt === 0 || gt * 512 + this.tables.gtes * 4 > file.source.size) continue;
      read += this.tables.gtes * 4;
      if (read > maxTableBytes) return null;
      const table = await file.source.read(gt * 512, this.tables.gtes * 4);
      for (let j = 0; j < this.tables.gtes; j++) if (u32le(table, j * 4) > 1 || (u32le(table, j * 4) === 1 && !this.tables.zeroedGte)) grains++;
    }
    return Math.min(this.size, grains * this.blockSize);
  }
}

function readGdOffset(header: StructNode): bigint {
  return readU64(header, 'gdOffset');
}

function readU64(header: StructNode, field: string): bigint {
  const raw = bytesField(header, field);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
  return v;
}

function u32le(bytes: Uint8Array, at = 0): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
