// Reading .ksy files (user structure specs) from disk, bounded in size.
import fsp from 'node:fs/promises';
import { LimitError } from '../errors';
import { MAX_SPEC_FILE_BYTES } from '../limits';

/** Reads a text file of at most MAX_SPEC_FILE_BYTES, or throws (ENOENT and the like pass through). */
export async function readSpecText(path: string): Promise<string> {
  const handle = await fsp.open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_SPEC_FILE_BYTES) throw new LimitError('MAX_SPEC_FILE_BYTES', size, MAX_SPEC_FILE_BYTES);
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.toString('utf8', 0, filled);
  } finally {
    await handle.close();
  }
}

/** True when `path` is a readable regular file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isFile();
  } catch {
    return false;
  }
}
