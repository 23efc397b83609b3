// One pass over a qcow2 file's tables (L1, refcount table, every active L2
// table), shared by the overlap check (the file layout) and the allocation
// figure: each table is read once per open, and entries are decoded as two
// 32-bit halves (a 64-bit BigInt per entry cost more than the rest of an open).
// The caller decides from the sizes (`tableBytes`) whether a scan fits its
// budget before asking for it.
import type { ByteSource } from './byteSource';
import { FileLayout } from './containerLayout';
import type { LayoutCheck } from './containerLayout';
import { english, msg } from '../../shared/l10n';

/** Where a qcow2 file's tables are. */
export interface Qcow2TableHeader {
  l1Offset: number;
  l1Size: number;
  refcountTableOffset: number;
  refcountTableBytes: number;
}

/** What the L1 table says: the file offsets of the L2 tables that can be read (inside the file), by L1 index. */
export interface Qcow2L1 {
  /** [L1 index, L2 file offset] of every present, readable L2 table. */
  tables: [number, number][];
}

/** The layout of the file (or why it could not be collected) and the allocated clusters, from one pass. */
export interface Qcow2Scan {
  layout: FileLayout | LayoutCheck;
  /** Clusters the L2 tables map (allocated or compressed). */
  allocatedClusters: number;
}

const TWO_32 = 2 ** 32;

/** Bits 9-55 of the big-endian 64-bit entry at `at` (the host offset of an L1/L2 entry), exact. */
export function entryOffset(view: DataView, at: number): number {
  const hi = view.getUint32(at) & 0x00ff_ffff;
  const lo = view.getUint32(at + 4);
  return hi * TWO_32 + (lo - (lo & 0x1ff));
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads the L1 table and lists its readable L2 tables. */
export async function readQcow2L1(source: ByteSource, header: Qcow2TableHeader, clusterSize: number): Promise<Qcow2L1> {
  const tables: [number, number][] = [];
  if (header.l1Size === 0) return { tables };
  const view = viewOf(await source.read(header.l1Offset, header.l1Size * 8));
  for (let i = 0; i < header.l1Size; i++) {
    if (view.getUint32(i * 8) === 0 && view.getUint32(i * 8 + 4) === 0) continue;
    const l2 = entryOffset(view, i * 8);
    if (l2 !== 0 && l2 + clusterSize <= source.size) tables.push([i, l2]);
  }
  return { tables };
}

/**
 * The header cluster, L1 table, refcount table and blocks, the active L2 tables
 * and their data clusters as file ranges, and the allocated cluster count.
 * Snapshots' tables are left out (they share clusters by design, refcounts say
 * so, and shared clusters are never written); compressed clusters too (never
 * written, and packed by sector).
 */
export async function scanQcow2Tables(
  source: ByteSource,
  file: string,
  header: Qcow2TableHeader,
  l1: Qcow2L1,
  clusterSize: number,
  virtualSize: number,
): Promise<Qcow2Scan> {
  const fileSize = source.size;
  const layout = new FileLayout(file, 'virtual cluster');
  layout.metadata(english('the header cluster'), 0, clusterSize);
  layout.metadata(english('the L1 table'), header.l1Offset, header.l1Size * 8);
  layout.metadata(english('the refcount table'), header.refcountTableOffset, header.refcountTableBytes);
  let layoutFull = false;
  const refcounts = viewOf(await source.read(header.refcountTableOffset, header.refcountTableBytes));
  for (let i = 0; i < header.refcountTableBytes / 8; i++) {
    const hi = refcounts.getUint32(i * 8);
    const lo = refcounts.getUint32(i * 8 + 4);
    const block = hi * TWO_32 + (lo - (lo & 0x1ff));
    if (block !== 0 && block < fileSize && !layoutFull && !layout.metadata(english('a refcount block'), block, clusterSize)) layoutFull = true;
  }
  const l2Entries = clusterSize / 8;
  let allocatedClusters = 0;
  for (const [i, l2Offset] of l1.tables) {
    if (!layoutFull && !layout.metadata(english('an L2 table'), l2Offset, clusterSize)) layoutFull = true;
    const l2 = viewOf(await source.read(l2Offset, clusterSize));
    for (let j = 0; j < l2Entries; j++) {
      const hi = l2.getUint32(j * 8);
      const lo = l2.getUint32(j * 8 + 4);
      if (hi === 0 && lo === 0) continue; // unallocated: most entries of a sparse disk
      const compressed = (hi & 0x4000_0000) !== 0;
      const host = (hi & 0x00ff_ffff) * TWO_32 + (lo - (lo & 0x1ff));
      if (compressed || host !== 0) allocatedClusters++;
      if (compressed || host === 0 || host >= fileSize || layoutFull) continue;
      const index = i * l2Entries + j;
      if (!layout.block(index, host, Math.min(clusterSize, virtualSize - index * clusterSize))) layoutFull = true;
    }
  }
  return { layout: layoutFull ? { kind: 'too-large', why: msg('more clusters than MAX_LAYOUT_SCAN_ENTRIES') } : layout, allocatedClusters };
}
