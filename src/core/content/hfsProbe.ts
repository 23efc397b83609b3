// Apple's HFS (Mac OS Standard, blkid's `hfs`) and HFS Plus / HFSX (Mac OS
// Extended, `hfsplus`), facts from Apple TN1150 and Inside Macintosh: Files.
// Both keep their header 1024 bytes into the volume: an HFS master directory
// block ("BD") or an HFS Plus volume header ("H+", "HX"). An HFS volume whose
// drEmbedSigWord is "H+" is only a wrapper around an embedded HFS Plus
// volume, which is what it is reported as. The HFS Plus volume name is not in
// the header: it is the name in the key of the first record of the catalog
// B-tree's first leaf node (the root folder's thread). The UUID is libblkid's:
// an MD5 name-based UUID (version 3) of the 64-bit volume identifier in the
// Finder info, in the namespace Apple uses for HFS volume UUIDs. Bounded:
// the header sector, the catalog's header record and one leaf key.
import { createHash } from 'node:crypto';
import { HfsMasterDirectoryBlock } from '../generated/HfsMasterDirectoryBlock';
import { HfsplusVolumeHeader } from '../generated/HfsplusVolumeHeader';
import type { StructNode } from '../structure';
import type { ContentProbe, ProbeReader, VolumeContent } from './probe';
import { bytesEqual, isAllZero, labelText, uuidText } from './probe';
import { parseFields } from './fields';

const HEADER_AT = 1024;
const HEADER_BYTES = 512;
const MDB_BYTES = 162;
const SECTOR = 512;
/** Apple's namespace for HFS volume UUIDs, B3E20F39-F292-11D6-97A4-00306543ECAC. */
const HFS_UUID_NAMESPACE = Buffer.from('b3e20f39f29211d697a400306543ecac', 'hex');
const NODE_DESCRIPTOR_BYTES = 14;
const BTREE_HEADER_BYTES = NODE_DESCRIPTOR_BYTES + 32;
/** Descriptor, key length, parent ID, name length: the leaf key's fixed part. */
const LEAF_KEY_FIXED_BYTES = NODE_DESCRIPTOR_BYTES + 8;
const LEAF_NODE_KIND = -1;
/** The catalog node ID of the root folder's parent: the thread record that names the volume. */
const ROOT_PARENT_ID = 1;
const MAX_NAME_UNITS = 255;
const FORK_EXTENTS = 8;

export const hfsProbe: ContentProbe = {
  id: 'hfs',
  types: ['hfs', 'hfsplus'],
  minSectors: (HEADER_AT + HEADER_BYTES) / SECTOR,
  async probe(reader) {
    const bytes = await reader.read(HEADER_AT, HEADER_BYTES);
    if (!bytes) return null;
    if (bytesEqual(bytes, 0, 'H+') || bytesEqual(bytes, 0, 'HX')) return hfsPlus(reader, 0, bytes, []);
    if (!bytesEqual(bytes, 0, 'BD')) return null;
    const mdb = parseFields('hfsMasterDirectoryBlock', HfsMasterDirectoryBlock, bytes.subarray(0, MDB_BYTES), reader.offset + HEADER_AT);
    if (!mdb) return null;
    const blockSize = mdb.num('allocationBlockSize');
    if (blockSize === 0 || blockSize % SECTOR !== 0) return null;
    const firstSector = mdb.num('firstAllocationSector');
    const embedded = mdb.raw('embedSignature');
    if (bytesEqual(embedded, 0, 'H+') || bytesEqual(embedded, 0, 'HX')) {
      // A wrapper: the HFS Plus volume starts at allocation block drEmbedExtent.startBlock.
      const at = firstSector * SECTOR + mdb.num('embedStartBlock') * blockSize;
      const inner = await reader.read(at + HEADER_AT, HEADER_BYTES);
      if (!inner || !(bytesEqual(inner, 0, 'H+') || bytesEqual(inner, 0, 'HX'))) return null;
      const found = await hfsPlus(reader, at, inner, [mdb.node]);
      // The partition holds the wrapper, whose own size is the volume's.
      if (found) found.sizeBytes = hfsSize(firstSector, mdb.num('allocationBlockCount'), blockSize);
      return found;
    }
    const content: VolumeContent = {
      type: 'hfs',
      offset: reader.offset,
      sizeBytes: hfsSize(firstSector, mdb.num('allocationBlockCount'), blockSize),
      structures: [mdb.node],
    };
    const uuid = volumeUuid(mdb.raw('volumeId'));
    if (uuid) content.uuid = uuid;
    const label = labelText(mdb.raw('label').subarray(0, Math.min(mdb.num('labelLength'), 27)));
    if (label !== undefined) content.label = label;
    return content;
  },
};

/** An HFS volume by its own count: the allocation area's end and the two sectors after it (the alternate MDB and a reserved one). */
function hfsSize(firstSector: number, blocks: number, blockSize: number): bigint {
  return BigInt(firstSector) * BigInt(SECTOR) + BigInt(blocks) * BigInt(blockSize) + BigInt(2 * SECTOR);
}

/** The HFS Plus volume at volume offset `at` (0, or inside a wrapper), its header's bytes already read. */
async function hfsPlus(reader: ProbeReader, at: number, bytes: Uint8Array, wrapper: StructNode[]): Promise<VolumeContent | null> {
  const vh = parseFields('hfsplusVolumeHeader', HfsplusVolumeHeader, bytes, reader.offset + at + HEADER_AT, [0]);
  if (!vh) return null;
  const blockSize = vh.num('header.blockSize');
  if (blockSize < SECTOR || (blockSize & (blockSize - 1)) !== 0) return null;
  const content: VolumeContent = {
    type: 'hfsplus',
    version: String(vh.num('header.version')),
    offset: reader.offset,
    sizeBytes: BigInt(vh.num('header.totalBlocks')) * BigInt(blockSize),
    structures: [...wrapper, vh.node],
  };
  const uuid = volumeUuid(vh.raw('header.volumeId'));
  if (uuid) content.uuid = uuid;
  const extents = Array.from({ length: FORK_EXTENTS }, (_, i) => ({
    start: vh.num(`header.catalogFile.extents.${i}.startBlock`),
    count: vh.num(`header.catalogFile.extents.${i}.blockCount`),
  }));
  const name = await catalogVolumeName(reader, at, blockSize, extents, content.structures);
  if (name !== undefined) content.label = name;
  return content;
}

/** The volume name from the catalog B-tree: its header node says which node is the first leaf. */
async function catalogVolumeName(
  reader: ProbeReader,
  at: number,
  blockSize: number,
  extents: { start: number; count: number }[],
  structures: StructNode[],
): Promise<string | undefined> {
  const headerAt = at + extents[0]!.start * blockSize;
  const headerBytes = await reader.read(headerAt, BTREE_HEADER_BYTES);
  if (!headerBytes) return undefined;
  const header = parseFields('hfsplusCatalogHeader', HfsplusVolumeHeader, headerBytes, reader.offset + headerAt, [1]);
  if (!header) return undefined;
  const nodeSize = header.num('btreeHeader.nodeSize');
  const firstLeaf = header.num('btreeHeader.firstLeafNode');
  if (nodeSize < LEAF_KEY_FIXED_BYTES || header.num('btreeHeader.leafRecords') === 0) return undefined;
  structures.push(header.node);
  // Node n lies n * nodeSize bytes into the catalog file, whose blocks the extents place.
  const fileOffset = firstLeaf * nodeSize;
  let block = Math.floor(fileOffset / blockSize);
  let leafAt: number | null = null;
  for (const extent of extents) {
    if (extent.count === 0) return undefined;
    if (block < extent.count) {
      leafAt = at + (extent.start + block) * blockSize + (fileOffset % blockSize);
      break;
    }
    block -= extent.count;
  }
  if (leafAt === null) return undefined;
  const fixed = await reader.read(leafAt, LEAF_KEY_FIXED_BYTES);
  if (!fixed) return undefined;
  const units = (fixed[LEAF_KEY_FIXED_BYTES - 2]! << 8) | fixed[LEAF_KEY_FIXED_BYTES - 1]!;
  if (units > MAX_NAME_UNITS || LEAF_KEY_FIXED_BYTES + units * 2 > nodeSize) return undefined;
  const leafBytes = await reader.read(leafAt, LEAF_KEY_FIXED_BYTES + units * 2);
  if (!leafBytes) return undefined;
  const leaf = parseFields('hfsplusCatalogLeaf', HfsplusVolumeHeader, leafBytes, reader.offset + leafAt, [2]);
  if (!leaf || leaf.num('leaf.descriptor.recordCount') === 0 || leaf.num('leaf.descriptor.kind') !== LEAF_NODE_KIND) return undefined;
  if (leaf.num('leaf.parentId') !== ROOT_PARENT_ID) return undefined;
  structures.push(leaf.node);
  const name = Buffer.from(leaf.raw('leaf.name')).swap16().toString('utf16le');
  return name.length ? name : undefined;
}

/** libblkid's HFS UUID: MD5 of the namespace and the 8-byte volume identifier, marked version 3 and RFC 4122; none when it is zero. */
function volumeUuid(id: Uint8Array): string | undefined {
  if (isAllZero(id)) return undefined;
  const hash = createHash('md5').update(HFS_UUID_NAMESPACE).update(id).digest();
  hash[6] = 0x30 | (hash[6]! & 0x0f);
  hash[8] = 0x80 | (hash[8]! & 0x3f);
  return uuidText(hash.subarray(0, 16));
}
