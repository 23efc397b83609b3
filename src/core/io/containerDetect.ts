// Recognises virtual-disk container files by their signatures, so that none of
// them is ever taken for a raw disk (their headers would read as a damaged MBR
// or GPT, and a "repair" would overwrite the container's own metadata).
import { UnsupportedImageError } from '../errors';
import { msg } from '../../shared/l10n';

/** The `container.format` names of `diskx inspect --json`. */
export type ContainerFormat = 'raw' | 'vmdk-flat' | 'vmdk-sparse' | 'vmdk-stream' | 'vhd-fixed' | 'vhd-dynamic' | 'vhd-differencing' | 'vhdx' | 'qcow2' | 'vdi';

/** What a signature says a file is. */
export interface DetectedContainer {
  format: ContainerFormat | 'vmdk-other';
  /** Human name for messages: "qcow2", "VHD (fixed)", "VMDK (vmfsSparse)". */
  name: string;
  /** qemu-img's name of the format (`-f`). */
  qemuFormat: string;
}

/** Bytes of the file's start and end that detectContainer looks at. */
export const DETECT_HEAD_BYTES = 1024;
export const DETECT_TAIL_BYTES = 512;

const ascii = (bytes: Uint8Array, from: number, length: number): string => Buffer.from(bytes.subarray(from, from + length)).toString('latin1');
const u32be = (bytes: Uint8Array, at: number): number =>
  bytes.length >= at + 4 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32BE(at) : -1;
const u32le = (bytes: Uint8Array, at: number): number =>
  bytes.length >= at + 4 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(at) : -1;

// VHD footer (Microsoft VHD specification, "Hard Disk Footer Format"): the cookie
// "conectix" at 0, Disk Type (big-endian u32) at 0x3C: 2 fixed, 3 dynamic, 4 differencing.
const VHD_COOKIE = 'conectix';
const VHD_DISK_TYPES: Record<number, { format: ContainerFormat; name: string }> = {
  2: { format: 'vhd-fixed', name: 'VHD (fixed)' },
  3: { format: 'vhd-dynamic', name: 'VHD (dynamic)' },
  4: { format: 'vhd-differencing', name: 'VHD (differencing)' },
};
/** VDI pre-header signature at 0x40 (little-endian). */
const VDI_SIGNATURE = 0xbeda107f;
/** qcow2: "QFI" 0xFB at 0. */
const QCOW_MAGIC = 'QFI\xfb';

/**
 * The container a file is, from its first DETECT_HEAD_BYTES and last
 * DETECT_TAIL_BYTES (the VHD footer), or null for anything else (a raw disk, a
 * text descriptor).
 */
export function detectContainer(head: Uint8Array, tail: Uint8Array): DetectedContainer | null {
  if (ascii(head, 0, 4) === QCOW_MAGIC) return { format: 'qcow2', name: 'qcow2', qemuFormat: 'qcow2' };
  if (ascii(head, 0, 8) === 'vhdxfile') return { format: 'vhdx', name: 'VHDX', qemuFormat: 'vhdx' };
  if (u32le(head, 0x40) === VDI_SIGNATURE) return { format: 'vdi', name: 'VDI', qemuFormat: 'vdi' };
  const magic = ascii(head, 0, 4);
  if (magic === 'KDMV') {
    // Hosted sparse extent header: flags bit 16 = compressed grains, which streamOptimized sets.
    const compressed = (u32le(head, 8) & 0x10000) !== 0 || /createType\s*=\s*"streamOptimized"/i.test(ascii(head, 0, head.length));
    return compressed
      ? { format: 'vmdk-stream', name: 'VMDK (streamOptimized)', qemuFormat: 'vmdk' }
      : { format: 'vmdk-sparse', name: 'VMDK (monolithicSparse)', qemuFormat: 'vmdk' };
  }
  if (magic === 'COWD') return { format: 'vmdk-other', name: 'VMDK (vmfsSparse, COWD)', qemuFormat: 'vmdk' };
  // seSparse extents start with the magic 0x00000000CAFEBABE (little-endian u64).
  if (u32le(head, 0) === 0xcafebabe && u32le(head, 4) === 0) return { format: 'vmdk-other', name: 'VMDK (seSparse)', qemuFormat: 'vmdk' };
  // A dynamic or differencing VHD starts with a copy of its footer; a fixed one has it only at the end.
  for (const [bytes, at] of [
    [head, 0],
    [tail, tail.length - 512],
    [tail, tail.length - 511], // footers of old Virtual PC versions are 511 bytes long
  ] as const) {
    if (at < 0 || ascii(bytes, at, 8) !== VHD_COOKIE) continue;
    const type = VHD_DISK_TYPES[u32be(bytes, at + 0x3c)];
    if (type) return { ...type, qemuFormat: 'vpc' };
  }
  return null;
}

/** The command that turns `file` (a `qemuFormat` container) into a raw image diskx reads. */
export function conversionCommand(file: string, qemuFormat: string): string {
  const base = file.replace(/\.[^./\\]*$/, '');
  return `qemu-img convert -f ${qemuFormat} -O raw ${shellWord(file)} ${shellWord(`${base}.img`)}`;
}

/** qemu-img's name of one of our container formats. */
export function qemuName(format: string): string {
  return format.startsWith('vhd-') ? 'vpc' : format.startsWith('vmdk') ? 'vmdk' : format;
}

/**
 * The command that makes a copy of `file` (our `format`) that diskx repairs in
 * place. qemu-img reads a differencing VHD as if it had no parent (and ignores
 * its sector bitmaps), so its conversion would silently lose the parent's
 * sectors: such a chain is merged by Hyper-V into a fixed VHD (raw data plus a
 * footer) instead.
 */
export function repairableCopyCommand(file: string, format: string): string {
  if (format === 'vhd-differencing') {
    const base = file.replace(/\.[^./\\]*$/, '');
    return `Convert-VHD -Path ${shellWord(file)} -DestinationPath ${shellWord(`${base}-merged.vhd`)} -VHDType Fixed (Hyper-V PowerShell: it merges the parents; qemu-img would read this disk without its parent)`;
  }
  return conversionCommand(file, qemuName(format));
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The error for a container this build cannot read (yet): it names the format and the conversion. */
export function unsupportedContainer(file: string, detected: DetectedContainer, why = 'which diskx does not read as a disk'): UnsupportedImageError {
  return new UnsupportedImageError(
    msg('is a {0} image, {1}; convert it to a raw image first: {2}', detected.name, why, conversionCommand(file, detected.qemuFormat)),
    detected.name,
  );
}
