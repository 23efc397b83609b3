// ZFS pool members (blkid's zfs_member): the vdev label at the start of the
// device (the second one, 256 KiB in, when the first is damaged). Its XDR
// nvlist, 16 KiB into the label, names the pool (name, pool_guid), this vdev
// (guid), its state and the txg of the last configuration change; the
// uberblock written in that txg sits in the label's uberblock ring at slot
// txg mod ring size, and must carry the magic 0x00BAB10C. Bounded: the first
// 4 KiB of the nvlist (where those pairs are, as libblkid assumes) and one
// uberblock, walking at most MAX_ZFS_NVPAIRS pairs.
import { ZfsLabel } from '../generated/ZfsLabel';
import type { StructNode } from '../structure';
import { MAX_ZFS_NVPAIRS } from '../limits';
import type { ContentProbe, ProbeReader, VolumeContent } from './probe';
import { parseFields } from './fields';

const LABEL_BYTES = 256 * 1024;
const NVLIST_AT = 16 * 1024;
const NVLIST_WINDOW = 4096;
const UBERBLOCK_RING_AT = 128 * 1024;
const UBERBLOCK_RING_BYTES = 128 * 1024;
const UBERBLOCK_BYTES = 40;
const UBERBLOCK_MAGIC = 0x00bab10cn;
/** Uberblock slots are 2^ashift bytes, at least 1 KiB and at most 8 KiB. */
const MIN_SLOT_SHIFT = 10;
const MAX_SLOT_SHIFT = 13;
const DATA_TYPE_UINT64 = 8;
const DATA_TYPE_STRING = 9;
const DATA_TYPE_NVLIST = 19;
const POOL_STATE_SPARE = 3;
const POOL_STATE_L2CACHE = 4;
const POOL_STATE_LAST = 7;

interface LabelConfig {
  name?: string;
  poolGuid?: bigint;
  guid?: bigint;
  state?: bigint;
  txg?: bigint;
  version?: bigint;
  ashift?: bigint;
  nodes: StructNode[];
}

export const zfsProbe: ContentProbe = {
  id: 'zfs',
  types: ['zfs_member'],
  // blkid does not look for ZFS on devices under 64 MiB.
  minSectors: (64 * 1024 * 1024) / 512,
  async probe(reader) {
    for (const label of [0, LABEL_BYTES]) {
      const found = await probeLabel(reader, label);
      if (found) return found;
    }
    return null;
  },
};

async function probeLabel(reader: ProbeReader, label: number): Promise<VolumeContent | null> {
  const config = await readConfig(reader, label);
  if (!config || config.guid === undefined || config.state === undefined || config.state > BigInt(POOL_STATE_LAST)) return null;
  const spareOrCache = config.state === BigInt(POOL_STATE_SPARE) || config.state === BigInt(POOL_STATE_L2CACHE);
  const uberblock = config.txg !== undefined && config.txg > 0n ? await readUberblock(reader, label, config.txg, config.ashift ?? 9n) : null;
  if (!uberblock && !spareOrCache) return null;
  const content: VolumeContent = { type: 'zfs_member', offset: reader.offset, structures: [...config.nodes, ...(uberblock ? [uberblock.node] : [])] };
  const version = uberblock?.version ?? config.version;
  if (version !== undefined) content.version = String(version);
  if (config.name !== undefined) content.label = config.name;
  if (config.poolGuid !== undefined) content.uuid = String(config.poolGuid);
  return content;
}

/** The top-level pairs blkid reads (and ashift, which sits in the nested vdev_tree). */
async function readConfig(reader: ProbeReader, label: number): Promise<LabelConfig | null> {
  const at = label + NVLIST_AT;
  // One sector first: XDR encoding, a byte order of 0 or 1 and a first pair; only then the whole window.
  const first = await reader.read(at, 512);
  if (!first || first[0] !== 1 || first[1]! > 1 || (first[12]! | first[13]! | first[14]! | first[15]!) === 0) return null;
  const bytes = await reader.read(at, NVLIST_WINDOW);
  if (!bytes) return null;
  const header = parseFields('zfsNvlistHeader', ZfsLabel, bytes.subarray(0, 12), reader.offset + at, [0]);
  if (!header) return null;
  const config: LabelConfig = { nodes: [header.node] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let depth = 0;
  for (let pairs = 0; pairs < MAX_ZFS_NVPAIRS && offset + 12 <= bytes.length; pairs++) {
    const size = view.getUint32(offset);
    if (size === 0) {
      // The end of a list: the whole nvlist's, or a nested one's (its 8-byte terminator).
      if (depth === 0) break;
      depth--;
      offset += 8;
      continue;
    }
    const nameLength = view.getUint32(offset + 8);
    const headerBytes = 12 + ((nameLength + 3) & ~3);
    if (nameLength > bytes.length || offset + headerBytes + 8 > bytes.length || size < headerBytes + 8) return config.txg !== undefined ? config : null;
    const type = view.getUint32(offset + headerBytes);
    if (type === DATA_TYPE_NVLIST) {
      // A nested list's pairs follow its header (type, count, version, flags).
      depth++;
      offset += headerBytes + 16;
      continue;
    }
    if (offset + size > bytes.length) break; // the rest lies beyond the window
    const pair = parseFields('zfsNvpair', ZfsLabel, bytes.subarray(offset, offset + size), reader.offset + at + offset, [1]);
    if (!pair) return null;
    const name = Buffer.from(pair.raw('pair.name')).toString('latin1');
    const number = type === DATA_TYPE_UINT64 ? pair.big('pair.uint64Value') : undefined;
    const keep = (): void => {
      pair.node.name = `nvpair ${name}`;
      config.nodes.push(pair.node);
    };
    if (depth === 0 && type === DATA_TYPE_STRING && name === 'name') {
      config.name = Buffer.from(pair.raw('pair.stringValue')).toString('utf8');
      keep();
    } else if (number !== undefined && (depth === 0 || name === 'ashift')) {
      const key = ({ pool_guid: 'poolGuid', guid: 'guid', state: 'state', txg: 'txg', version: 'version', ashift: 'ashift' } as const)[name];
      if (key && config[key] === undefined) {
        config[key] = number;
        keep();
      }
    }
    offset += size;
  }
  return config;
}

/** The uberblock of `txg` in the label's ring, when it carries the magic (in either byte order). */
async function readUberblock(reader: ProbeReader, label: number, txg: bigint, ashift: bigint): Promise<{ node: StructNode; version: bigint } | null> {
  const shift = Math.min(MAX_SLOT_SHIFT, Math.max(MIN_SLOT_SHIFT, Number(ashift)));
  const slots = BigInt(UBERBLOCK_RING_BYTES >> shift);
  const at = label + UBERBLOCK_RING_AT + Number(txg % slots) * (1 << shift);
  const bytes = await reader.read(at, UBERBLOCK_BYTES);
  if (!bytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = view.getBigUint64(0, true) === UBERBLOCK_MAGIC;
  if (!littleEndian && view.getBigUint64(0, false) !== UBERBLOCK_MAGIC) return null;
  const ub = parseFields('zfsUberblock', ZfsLabel, bytes, reader.offset + at, [littleEndian ? 2 : 3]);
  if (!ub) return null;
  const prefix = littleEndian ? 'uberblockLe' : 'uberblockBe';
  return { node: ub.node, version: ub.big(`${prefix}.version`) };
}
