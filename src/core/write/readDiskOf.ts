// The disk model of an image as it is now, read by the writer under its lock to
// check plans and journal entries against the partitions and tables.
import { openImage } from '../io/openImage';
import type { OpenImageOptions } from '../io/openImage';
import { readDisk } from '../diskModel';
import type { DiskModel } from '../model';
import { DiskxError } from '../errors';
import { PatchedSource } from '../io/patchedSource';
import type { Patch } from '../patch';

/**
 * The model at `sectorSize` (with `overlay` laid over the bytes, e.g. the image
 * as an undo would leave it), or null when it does not parse as a disk (the
 * caller then falls back to the standard areas).
 */
export async function readDiskOf(
  image: string,
  sectorSize: number,
  open: OpenImageOptions | undefined,
  overlay: readonly Patch[] = [],
): Promise<DiskModel | null> {
  const opened = await openImage(image, open);
  try {
    return await readDisk(overlay.length > 0 ? new PatchedSource(opened.source, overlay) : opened.source, { sectorSize });
  } catch (error) {
    if (error instanceof DiskxError) return null;
    throw error;
  } finally {
    await opened.source.close();
  }
}
