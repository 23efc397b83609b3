// The core's front door: open an image, parse it, check it.
import { openImage } from './io/openImage';
import type { OpenedImage, OpenImageOptions } from './io/openImage';
import { readDisk } from './diskModel';
import type { DiskModel, ReadOptions } from './model';
import { checkDisk } from './checks';
import type { Finding } from './findings';
import { containerFindings, withContainerFindings } from './containerChecks';

export interface AnalyzedImage {
  opened: OpenedImage;
  disk: DiskModel;
  findings: Finding[];
}

/** Opens, parses and checks the image at `path`; the caller closes `opened.source`. */
export async function analyzeImage(path: string, options: ReadOptions & { open?: OpenImageOptions } = {}): Promise<AnalyzedImage> {
  const opened = await openImage(path, options.open);
  try {
    const disk = await readDisk(opened.source, options);
    return { opened, disk, findings: withContainerFindings(checkDisk(disk), await containerFindings(opened.source)) };
  } catch (error) {
    await opened.source.close();
    throw error;
  }
}
