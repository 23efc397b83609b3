// Shared by the `diskx fix` / `diskx undo` CLI tests: run the built CLI as a
// user would, make the seed's images, and fingerprint an image cheaply.
// Images are 8 GiB sparse files, too slow to hash whole in a test; every byte a
// GPT repair can touch lives in the first and last MiB, and a write anywhere
// else into a hole would allocate blocks, so (size, allocated blocks, SHA-256
// of head and tail) shows the image is byte-for-byte what it was.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeEsxi5Image } from '../builders/images';

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
export const MiB = 1024 * 1024;
/** Sectors of the default 8 GiB test image. */
export const SEED_SECTORS = (8 * 1024 * MiB) / 512;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` without DISKX_DEBUG / DISKX_JOURNAL_DIR unless given. */
export function diskx(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run node esbuild.mjs (npm test does) first`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DISKX_DEBUG;
  delete childEnv.DISKX_JOURNAL_DIR;
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: childEnv, maxBuffer: 64 * MiB }, (error, stdout, stderr) => {
      const code = (error as (Error & { code?: unknown }) | null)?.code;
      resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
    });
  });
}

/** The seed's compacted ESXi 5.0 image (or the healthy original) at dir/name. */
export function seedImage(dir: string, name = 'seed.img', compacted = true): string {
  return writeEsxi5Image(path.join(dir, name), { compacted });
}

/** SHA-256 of the first and last MiB (or of the whole file when it is at most 2 MiB). */
export function headTailHash(file: string): string {
  const size = fs.statSync(file).size;
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const ranges =
      size <= 2 * MiB
        ? [[0, size]]
        : [
            [0, MiB],
            [size - MiB, MiB],
          ];
    for (const [offset, length] of ranges) {
      const buffer = Buffer.alloc(length!);
      fs.readSync(fd, buffer, 0, length!, offset!);
      hash.update(buffer);
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** SHA-256 of a whole (small) file. */
export function fileHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** What must not change when nothing is written: size, allocated blocks, head/tail bytes, mtime. */
export function snapshot(file: string): { size: number; blocks: number; hash: string; mtimeMs: number } {
  const stat = fs.statSync(file);
  return { size: stat.size, blocks: stat.blocks, hash: headTailHash(file), mtimeMs: stat.mtimeMs };
}

/** Where the undo journal of an image lives by default (core/write/journal.ts). */
export function journalOf(image: string): string {
  return fs.realpathSync(image) + '.diskx-journal';
}

/** Positional reads and writes of a file (the builders' own). */
export { readAt, writeAt } from '../builders/oracles';

/** Lines of a stream, without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
}
