// Opens a detected container file as a byte source of its virtual disk, and its
// parents (qcow2 backing files, differencing VHD parents) the same way, with the
// chain bounded (MAX_PARENT_CHAIN) and loops refused.
import { promises as fsp } from 'node:fs';
import { FileSource } from './fileSource';
import type { ContainerByteSource, ParentOpener } from './containerSource';
import type { DetectedContainer } from './containerDetect';
import { DETECT_HEAD_BYTES, DETECT_TAIL_BYTES, detectContainer, unsupportedContainer } from './containerDetect';
import { ContainerError } from './containerStructs';
import { Qcow2Source } from './qcow2Source';
import { VhdSource } from './vhdSource';
import { VmdkDiskSource } from './vmdkDiskSource';
import { VdiSource } from './vdiSource';
import { VhdxSource } from './vhdxSource';
import { MAX_PARENT_CHAIN } from '../limits';
import { msg } from '../../shared/l10n';

/** The formats this build reads (the rest are refused with the conversion). */
export const READABLE_CONTAINERS = new Set<string>(['qcow2', 'vhd-fixed', 'vhd-dynamic', 'vhd-differencing', 'vmdk-sparse', 'vmdk-stream', 'vdi', 'vhdx']);

/** Opens a container file already recognised by `detectContainer`. */
export async function openContainer(file: string, detected: DetectedContainer): Promise<ContainerByteSource> {
  return openDetected(file, detected, chainOpener(file, [await realPath(file)]));
}

async function openDetected(file: string, detected: DetectedContainer, opener: ParentOpener): Promise<ContainerByteSource> {
  if (!READABLE_CONTAINERS.has(detected.format)) throw unsupportedContainer(file, detected, 'which this version of diskx does not read');
  if (detected.format === 'qcow2') return Qcow2Source.open(file, opener);
  if (detected.format === 'vmdk-sparse' || detected.format === 'vmdk-stream') return VmdkDiskSource.openMonolithic(file, await opener.readOnly(file));
  if (detected.format === 'vdi') return VdiSource.open(file, opener);
  if (detected.format === 'vhdx') return VhdxSource.open(file, opener);
  return VhdSource.open(file, opener);
}

function chainOpener(child: string, chain: string[]): ParentOpener {
  return {
    async open(parentPath, formatHint) {
      if (chain.length >= MAX_PARENT_CHAIN)
        throw new ContainerError(msg('the chain of parents of {0} is longer than MAX_PARENT_CHAIN ({1})', child, MAX_PARENT_CHAIN));
      let real: string;
      try {
        real = await realPath(parentPath);
      } catch {
        throw new ContainerError(msg('the parent (backing file) {0} named by {1} does not exist', parentPath, chain[chain.length - 1]));
      }
      if (chain.includes(real)) throw new ContainerError(msg('the chain of parents loops: {0}', [...chain, real].join(' -> ')));
      const stat = await fsp.stat(real);
      if (!stat.isFile()) throw new ContainerError(msg('the parent {0} is not a regular file', parentPath));
      const detected = formatHint === 'raw' ? null : await detectFile(real, stat.size);
      if (!detected) {
        const source = await FileSource.open(real, { readOnlyHint: true });
        return { source, info: { format: 'raw', virtualSize: source.size, files: [real], path: parentPath }, files: [real] };
      }
      const source = await openDetected(real, detected, chainOpener(real, [...chain, real]));
      return { source, info: { ...source.container, path: parentPath }, files: source.container.files };
    },
    async exists(candidate) {
      return fsp.stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    readOnly: isReadOnlyFile,
  };
}

/** Detects the container format of a file from its head and tail. */
export async function detectFile(file: string, size: number): Promise<DetectedContainer | null> {
  const handle = await fsp.open(file, 'r');
  try {
    const head = new Uint8Array(Math.min(size, DETECT_HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(size, DETECT_TAIL_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return detectContainer(head, tail);
  } finally {
    await handle.close();
  }
}

async function realPath(file: string): Promise<string> {
  return fsp.realpath(file);
}

// Root may write any file, so access(W_OK) says yes even for mode 0444: a file
// with no write bit at all counts as read-only, as its owner set it.
export async function isReadOnlyFile(file: string): Promise<boolean> {
  try {
    const stat = await fsp.stat(file);
    if ((stat.mode & 0o222) === 0) return true;
    await fsp.access(file, 2 /* W_OK */);
    return false;
  } catch {
    return true;
  }
}
