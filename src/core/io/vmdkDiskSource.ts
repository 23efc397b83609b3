// A sparse VMDK disk: monolithicSparse and streamOptimized (one KDMV file with
// its descriptor embedded) or a descriptor whose extents are hosted sparse files
// (twoGbMaxExtentSparse: disk.vmdk + disk-s001.vmdk, ...), possibly mixed with
// flat and zero extents. Reads and write mappings go extent by extent.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { assertInRange } from './byteSource';
import { FileSource } from './fileSource';
import type {
  ContainerByteSource,
  ContainerInfo,
  ContainerMetadataSlot,
  ContainerMetadataWrite,
  ContainerProblem,
  ContainerWritePiece,
  WriteMapping,
} from './containerSource';
import { ContainerError } from './containerStructs';
import { VmdkSparseExtentSource } from './vmdkSparseSource';
import type { StructNode } from '../structure';
import { UnsupportedImageError } from '../errors';
import { MAX_ALLOCATION_SCAN_BYTES } from '../limits';
import { msg, renderMessage } from '../../shared/l10n';

/** One extent of the disk: a sparse extent, a flat region of a file, or zeros. */
type Part =
  | { kind: 'sparse'; source: VmdkSparseExtentSource; start: number; size: number }
  | { kind: 'flat'; source: FileSource; file: string; base: number; start: number; size: number }
  | { kind: 'zero'; start: number; size: number };

/** The whole virtual disk of a sparse VMDK. */
export class VmdkDiskSource implements ContainerByteSource {
  readonly size: number;
  readonly readOnlyHint: boolean;
  readonly structures: StructNode[];
  /** A data write through grain tables changes no VMDK metadata. */
  readonly metadataSlots: ContainerMetadataSlot[] = [];

  private constructor(
    readonly name: string,
    private readonly parts: Part[],
    readonly container: ContainerInfo,
  ) {
    this.size = parts.reduce((sum, p) => sum + p.size, 0);
    this.readOnlyHint = parts.some((p) => p.kind !== 'zero' && p.source.readOnlyHint === true);
    this.structures = parts.flatMap((p) => (p.kind === 'sparse' ? p.source.structures.map((s) => ({ ...s, file: p.source.name })) : []));
  }

  metadataWrites(): Promise<ContainerMetadataWrite[]> {
    return Promise.resolve([]);
  }

  /** A monolithicSparse or streamOptimized file (KDMV at byte 0). */
  static async openMonolithic(file: string, readOnly: boolean): Promise<VmdkDiskSource> {
    const source = await FileSource.open(file, { readOnlyHint: readOnly });
    try {
      const extent = await VmdkSparseExtentSource.parse({ path: file, source }, null);
      refuseDelta(file, extent.embeddedDescriptor);
      const info = { ...extent.container, files: [file] };
      return new VmdkDiskSource(file, [{ kind: 'sparse', source: extent, start: 0, size: extent.size }], info);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** A descriptor (text) whose extents include hosted sparse ones; `checkExtent` enforces where extents may live. */
  static async openDescriptor(
    descriptorPath: string,
    text: string,
    extents: { access: string; sectors: number; type: string; file: string; offsetSectors: number }[],
    checkExtent: (named: string, resolved: string) => Promise<void>,
    readOnly: (file: string) => Promise<boolean>,
  ): Promise<VmdkDiskSource> {
    refuseDelta(descriptorPath, text);
    const parts: Part[] = [];
    const files = [descriptorPath];
    let start = 0;
    try {
      for (const extent of extents) {
        const size = extent.sectors * 512;
        if (!Number.isSafeInteger(size) || size <= 0) throw new ContainerError(msg('VMDK extent of {0} sectors is not usable', extent.sectors));
        if (extent.type === 'ZERO') {
          parts.push({ kind: 'zero', start, size });
          start += size;
          continue;
        }
        const file = path.resolve(path.dirname(descriptorPath), extent.file);
        const stat = await fsp.stat(file).catch(() => null);
        if (!stat) throw new ContainerError(msg('VMDK descriptor names extent "{0}", which does not exist', extent.file));
        if (!stat.isFile()) throw new ContainerError(msg('VMDK extent "{0}" is not a regular file', extent.file));
        if (path.resolve(file) === path.resolve(descriptorPath)) throw new ContainerError(msg('VMDK descriptor names itself as its extent "{0}"', extent.file));
        await checkExtent(extent.file, file);
        const ro = extent.access !== 'RW' || (await readOnly(file));
        const source = await FileSource.open(file, { readOnlyHint: ro });
        if (extent.type === 'SPARSE') {
          let sparse: VmdkSparseExtentSource;
          try {
            sparse = await VmdkSparseExtentSource.parse({ path: file, source }, null);
          } catch (error) {
            await source.close();
            throw error;
          }
          if (sparse.size < size) {
            await sparse.close();
            throw new ContainerError(msg('VMDK sparse extent "{0}" holds {1} bytes, the descriptor says {2}', extent.file, sparse.size, size));
          }
          parts.push({ kind: 'sparse', source: sparse, start, size });
        } else if (extent.type === 'FLAT' || extent.type === 'VMFS') {
          const base = extent.offsetSectors * 512;
          if (base + size > stat.size) {
            await source.close();
            throw new ContainerError(msg('VMDK extent "{0}" holds {1} bytes, the descriptor says {2}', extent.file, stat.size, base + size));
          }
          parts.push({ kind: 'flat', source, file, base, start, size });
        } else {
          await source.close();
          throw new UnsupportedImageError(
            msg(
              'is a VMDK whose extent "{0}" has type {1}, which diskx does not read; convert it with qemu-img convert -f vmdk -O raw first',
              extent.file,
              extent.type,
            ),
            `VMDK (${extent.type})`,
          );
        }
        files.push(file);
        start += size;
      }
    } catch (error) {
      await Promise.allSettled(parts.flatMap((p) => (p.kind === 'zero' ? [] : [p.source.close()])));
      throw error;
    }
    if (parts.length === 0) throw new ContainerError(msg('VMDK descriptor lists no extents'));
    const sparse = parts.find((p) => p.kind === 'sparse');
    const createType = /^\s*createType\s*=\s*"([^"]*)"/im.exec(text)?.[1] ?? '';
    const info: ContainerInfo = {
      format: /streamOptimized/i.test(createType) ? 'vmdk-stream' : 'vmdk-sparse',
      virtualSize: start,
      ...(sparse && sparse.kind === 'sparse' ? { blockSize: sparse.source.container.blockSize } : {}),
      files,
    };
    return new VmdkDiskSource(descriptorPath, parts, info);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    const out = new Uint8Array(length);
    for (const { part, inPart, at, take } of this.pieces(offset, length)) {
      if (part.kind === 'zero') continue;
      out.set(part.kind === 'sparse' ? await part.source.read(inPart, take) : await part.source.read(part.base + inPart, take), at - offset);
    }
    return out;
  }

  async mapWrite(offset: number, length: number): Promise<WriteMapping> {
    assertInRange(offset, length, this.size);
    const pieces: ContainerWritePiece[] = [];
    for (const { part, inPart, at, take } of this.pieces(offset, length)) {
      if (part.kind === 'zero') {
        const reasonText = msg('virtual bytes {0}..{1} are a ZERO extent, which has no file to write', at, at + take - 1);
        return { ok: false, reason: renderMessage(reasonText), reasonText };
      }
      if (part.kind === 'flat') {
        pieces.push({ virtualOffset: at, length: take, file: part.file, fileOffset: part.base + inPart });
        continue;
      }
      const mapped = await part.source.mapWrite(inPart, take);
      if (!mapped.ok) {
        // The extent's own offsets, moved to the whole disk's ("virtual bytes {0}..{1} ..." reasons).
        const { template, args } = mapped.reasonText;
        const reasonText = template.startsWith('virtual bytes {0}..{1}')
          ? { template, args: [Number(args[0]) + part.start, Number(args[1]) + part.start, ...args.slice(2)] }
          : mapped.reasonText;
        return { ok: false, reason: renderMessage(reasonText), reasonText };
      }
      pieces.push(...mapped.pieces.map((p) => ({ ...p, virtualOffset: p.virtualOffset + part.start })));
    }
    return { ok: true, pieces };
  }

  async allocatedBytes(maxTableBytes = MAX_ALLOCATION_SCAN_BYTES): Promise<number | null> {
    let total = 0;
    for (const part of this.parts) {
      if (part.kind === 'flat') total += part.size;
      else if (part.kind === 'sparse') {
        const bytes = await part.source.allocatedBytes(maxTableBytes);
        if (bytes === null) return null;
        total += Math.min(bytes, part.size);
      }
    }
    return total;
  }

  async problems(): Promise<ContainerProblem[]> {
    const problems: ContainerProblem[] = [];
    for (const part of this.parts) if (part.kind === 'sparse') problems.push(...(await part.source.problems()));
    return problems;
  }

  invalidate(): void {
    for (const part of this.parts) if (part.kind !== 'zero') part.source.invalidate();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.parts.flatMap((p) => (p.kind === 'zero' ? [] : [p.source.close()])));
  }

  private *pieces(offset: number, length: number): Generator<{ part: Part; inPart: number; at: number; take: number }> {
    let at = offset;
    const end = offset + length;
    for (const part of this.parts) {
      if (at >= end) break;
      if (at >= part.start + part.size) continue;
      const take = Math.min(end, part.start + part.size) - at;
      yield { part, inPart: at - part.start, at, take };
      at += take;
    }
  }
}

// A delta disk (a parent named by parentFileNameHint, parentCID set) reads its
// unallocated grains from the parent; diskx does not follow VMDK parents yet.
function refuseDelta(file: string, descriptor: string | null): void {
  if (!descriptor) return;
  const parentCid = /^\s*parentCID\s*=\s*([0-9a-fA-F]+)/m.exec(descriptor)?.[1];
  const hint = /^\s*parentFileNameHint\s*=\s*"([^"]*)"/m.exec(descriptor)?.[1];
  if (hint || (parentCid && parentCid.toLowerCase() !== 'ffffffff')) {
    throw new UnsupportedImageError(
      msg(
        'is a VMDK delta disk (its parent: {0}), which diskx does not read through its parent yet; convert the chain first: qemu-img convert -f vmdk -O raw {1} {2}.img',
        hint ?? `CID ${parentCid}`,
        path.basename(file),
        path.basename(file).replace(/\.vmdk$/i, ''),
      ),
      'VMDK (delta)',
    );
  }
}
