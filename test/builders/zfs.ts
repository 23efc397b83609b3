// ZFS vdev labels built from the format (there are no ZFS tools here): four
// 256 KiB labels, each with its XDR nvlist configuration 16 KiB in and
// uberblocks in its ring from 128 KiB, as `zpool create` leaves them.
import fs from 'node:fs';

/** A value of an nvlist: a number (uint64), text (string) or a nested list. */
type NvValue = bigint | string | NvList;
interface NvList {
  [name: string]: NvValue;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function xdrString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes, Buffer.alloc(pad4(bytes.length) - bytes.length)]);
}

/** The pairs of a list and its terminator (XDR: sizes, name, type, element count, value). */
function xdrPairs(list: NvList): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(list)) {
    const head = xdrString(name);
    if (typeof value === 'bigint') {
      const v = Buffer.alloc(8);
      v.writeBigUInt64BE(value);
      const body = Buffer.concat([head, u32(8), u32(1), v]);
      parts.push(u32(body.length + 8), u32(body.length + 8), body);
    } else if (typeof value === 'string') {
      const body = Buffer.concat([head, u32(9), u32(1), xdrString(value)]);
      parts.push(u32(body.length + 8), u32(body.length + 8), body);
    } else {
      const nested = xdrPairs(value);
      const body = Buffer.concat([head, u32(19), u32(1), u32(0), u32(1)]);
      parts.push(u32(body.length + 8 + nested.length), u32(body.length + 8), body, nested);
    }
  }
  parts.push(u32(0), u32(0));
  return Buffer.concat(parts);
}

export interface ZfsMember {
  pool: string;
  poolGuid: bigint;
  guid: bigint;
  txg: bigint;
  /** SPA version in the uberblock and the config (5000: feature flags). */
  version?: bigint;
  ashift?: number;
  /** Pool state: 0 active, 1 exported, 3 spare, 4 l2cache. */
  state?: bigint;
  /** Byte order the uberblocks are written in (the writing host's). */
  bigEndian?: boolean;
}

/** The 112 KiB nvlist area of a label: header, then the configuration pairs. */
export function zfsNvlist(m: ZfsMember): Buffer {
  const config: NvList = {
    version: m.version ?? 5000n,
    name: m.pool,
    state: m.state ?? 0n,
    txg: m.txg,
    pool_guid: m.poolGuid,
    errata: 0n,
    hostname: 'diskx-test',
    top_guid: m.guid,
    guid: m.guid,
    vdev_children: 1n,
    vdev_tree: { type: 'disk', id: 0n, guid: m.guid, path: '/dev/sdb1', ashift: BigInt(m.ashift ?? 9), asize: 1n << 26n },
    features_for_read: {},
  };
  const header = Buffer.from([1, m.bigEndian ? 0 : 1, 0, 0]);
  return Buffer.concat([header, u32(0), u32(1), xdrPairs(config)]);
}

/** Writes the four labels of a ZFS member into `file` (`size` bytes), with uberblocks for the last four txgs. */
export function writeZfsMember(file: string, size: number, m: ZfsMember): void {
  const aligned = size - (size % (256 * 1024));
  const labels = [0, 256 * 1024, aligned - 512 * 1024, aligned - 256 * 1024];
  const slot = 1 << Math.max(10, Math.min(13, m.ashift ?? 9));
  const slots = BigInt((128 * 1024) / slot);
  const nvlist = zfsNvlist(m);
  const fd = fs.openSync(file, 'r+');
  try {
    for (const label of labels) {
      fs.writeSync(fd, nvlist, 0, nvlist.length, label + 16 * 1024);
      for (let txg = m.txg - 3n; txg <= m.txg; txg++) {
        const ub = Buffer.alloc(40);
        const put = (value: bigint, at: number): number => (m.bigEndian ? ub.writeBigUInt64BE(value, at) : ub.writeBigUInt64LE(value, at));
        put(0x00bab10cn, 0);
        put(m.version ?? 5000n, 8);
        put(txg, 16);
        put(m.guid, 24);
        put(1764547200n, 32);
        fs.writeSync(fd, ub, 0, ub.length, label + 128 * 1024 + Number(txg % slots) * slot);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
