// Container images for the tests: raw images made by our builders, converted by
// qemu-img (Debian qemu-utils) into qcow2, VHD, VHDX, VMDK and VDI files.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

/** True when qemu-img is installed. */
export function haveQemuImg(): boolean {
  try {
    execFileSync('qemu-img', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One way to store a raw image in a container: qemu-img's format and options. */
export interface ContainerKind {
  /** Our `container.format` name. */
  format: string;
  /** File name suffix. */
  suffix: string;
  /** qemu-img -O format. */
  qemuFormat: string;
  /** qemu-img -o options. */
  options?: string;
}

export const CONTAINER_KINDS: ContainerKind[] = [
  { format: 'qcow2', suffix: '.qcow2', qemuFormat: 'qcow2' },
  { format: 'vhdx', suffix: '.vhdx', qemuFormat: 'vhdx' },
  { format: 'vdi', suffix: '.vdi', qemuFormat: 'vdi' },
  { format: 'vhd-fixed', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=fixed,force_size=on' },
  { format: 'vhd-dynamic', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' },
  { format: 'vmdk-sparse', suffix: '.vmdk', qemuFormat: 'vmdk', options: 'subformat=monolithicSparse' },
  { format: 'vmdk-stream', suffix: '.vmdk', qemuFormat: 'vmdk', options: 'subformat=streamOptimized' },
];

/** `qemu-img convert -f raw -O FORMAT [-o OPTIONS] raw out`; returns `out`. */
export function convertRaw(raw: string, kind: ContainerKind, out: string): string {
  fs.rmSync(out, { force: true });
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', kind.qemuFormat, ...(kind.options ? ['-o', kind.options] : []), raw, out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return out;
}

/** The container's virtual disk as raw bytes, by qemu-img (the oracle). */
export function qemuToRaw(container: string, out: string, format?: string): Buffer {
  fs.rmSync(out, { force: true });
  // A fixed VHD has no footer copy at 0, so qemu-img's probe takes it for raw: name the format.
  execFileSync('qemu-img', ['convert', ...(format ? ['-f', format] : []), '-O', 'raw', container, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return fs.readFileSync(out);
}

/** `qemu-img check` (exit 0 = consistent); returns its exit status and output. */
export function qemuCheck(container: string, format?: string): { status: number; output: string } {
  try {
    return {
      status: 0,
      output: execFileSync('qemu-img', ['check', ...(format ? ['-f', format] : []), container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    };
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failure.status ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
