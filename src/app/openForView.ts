// The one "open, parse or fall back to plain hex" of the editor and the
// comparison: whatever cannot be read as a disk (too small, a sparse VMDK, no
// partition table) still opens, as plain bytes with the reason; only a path
// that cannot be read at all throws. Pure (no vscode).
import type { ByteSource } from '../core/io/byteSource';
import { openImage } from '../core/io/openImage';
import type { OpenedImage, OpenImageOptions } from '../core/io/openImage';
import { FileSource } from '../core/io/fileSource';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { NotADiskImageError, UnsupportedImageError, describeError, describeErrorText } from '../core/errors';
import { ENGLISH } from '../shared/l10n';
import type { Localizer, Message } from '../shared/l10n';

/** How the bytes were opened: as an image (raw file, VMDK extents, block device) or as a plain file. */
export type ViewKind = OpenedImage['kind'] | 'plain';

/** Why an image is shown as plain bytes. */
export type ViewProblem =
  /** openImage refused it (not a disk image, an unsupported VMDK): opened as a plain file. */
  | { stage: 'open'; detail: string; detailText: Message }
  /** It opened, but readDisk found it is not a disk image. */
  | { stage: 'parse'; detail: string; detailText: Message }
  /** It parsed, but has neither an MBR boot signature nor a GPT header. */
  | { stage: 'no-table' };

/** The bytes of an image, how they were opened, and why they are plain (or null). */
export interface OpenedBytes {
  path: string;
  source: ByteSource;
  kind: ViewKind;
  /** The resolved image; null when it opened as a plain file. */
  opened: OpenedImage | null;
  problem: ViewProblem | null;
}

export interface OpenedView extends OpenedBytes {
  /** The parsed disk, null when it is shown as plain bytes. */
  model: DiskModel | null;
}

/** Opens `path` as an image, or as a plain file when it is not one; throws only when it cannot be read. */
export async function openBytes(path: string, options: OpenImageOptions = {}): Promise<OpenedBytes> {
  try {
    const opened = await openImage(path, options);
    return { path, source: opened.source, kind: opened.kind, opened, problem: null };
  } catch (error) {
    if (!(error instanceof NotADiskImageError || error instanceof UnsupportedImageError)) throw error;
    // Still show the bytes, if there are any: an error dialog would tell the user less.
    const plain = await FileSource.open(path).catch(() => null);
    if (!plain) throw error;
    return { path, source: plain, kind: 'plain', opened: null, problem: { stage: 'open', detail: describeError(error), detailText: describeErrorText(error) } };
  }
}

/** Opens and parses `path` (`sectorSize` forced, or detected when undefined). */
export async function openForView(path: string, sectorSize?: number, options: OpenImageOptions = {}): Promise<OpenedView> {
  const bytes = await openBytes(path, options);
  if (bytes.kind === 'plain') return { ...bytes, model: null };
  try {
    const model = await readDisk(bytes.source, sectorSize ? { sectorSize } : {});
    return { ...bytes, model, problem: model.scheme === 'none' && !model.content ? { stage: 'no-table' } : null };
  } catch (error) {
    if (error instanceof NotADiskImageError)
      return { ...bytes, kind: 'plain', model: null, problem: { stage: 'parse', detail: describeError(error), detailText: describeErrorText(error) } };
    await bytes.source.close();
    throw error;
  }
}

/** The problem in a few words ("no MBR boot signature and no GPT header"). */
export function problemText(problem: ViewProblem, l10n: Localizer = ENGLISH): string {
  return problem.stage === 'no-table' ? l10n.t('no MBR boot signature and no GPT header') : l10n.text(problem.detailText);
}

/** The editor's banner for a problem: what is wrong and that the bytes are shown as plain hex. */
export function problemBanner(problem: ViewProblem, l10n: Localizer = ENGLISH): string {
  switch (problem.stage) {
    case 'open':
      return l10n.t('Not opened as a disk image: this file {0}. Showing its bytes as plain hex.', l10n.text(problem.detailText));
    case 'parse':
      return l10n.t('Not a disk image: this file {0}. Showing its bytes as plain hex.', l10n.text(problem.detailText));
    case 'no-table':
      return l10n.t(
        'No partition table (no MBR, no GPT header) and no volume at byte 0: this does not look like a disk image. Showing its bytes as plain hex.',
      );
  }
}
