// Reads a disk image into our model: protective/DOS MBR (with its EBR chain),
// primary and backup GPT headers and their entry arrays. Everything is parsed
// with the generated Kaitai parsers over small windows; nothing here decides
// what is wrong beyond recording facts (checks.ts turns facts into findings).
// The pieces live in read/: mbr.ts, gptHeader.ts, gptEntries.ts, sectorSize.ts.
import type { ByteSource } from './io/byteSource';
import type { DiskModel, ReadOptions } from './model';
import { LimitError, NotADiskImageError, UsageError } from './errors';
import { MAX_IMAGE_BYTES, SUPPORTED_SECTOR_SIZES } from './limits';
import { detectEsxiLayout } from './esxi';
import { readFatVolumes } from './fat';
import { probePartitions } from './content/diskContents';
import { readStartContent } from './content/wholeDisk';
import { detectMbrSectorSize } from './content/mbrSectorSize';
import { isDosMbr, labelUsableRange, readDiskLabel, readNestedLabels } from './schemes/index';
import { mbrPartitions, readMbr } from './read/mbr';
import { chooseActive, gptPartitions, readGptAreas, readGptHeader } from './read/gptHeader';
import { detectSectorSize } from './read/sectorSize';
import { msg } from '../shared/l10n';

// The model's types live in model.ts; the reader re-exports them, and the readers' entry points, for its callers.
export type * from './model';
export { GPT_REVISION_1_0, GPT_SIGNATURE } from './model';
export { readGptHeader } from './read/gptHeader';
export { decodeUtf16Name, fieldsForSlot, parseEntryField } from './read/gptEntries';
export { detectSectorSize } from './read/sectorSize';

/** Reads and parses the partition structures of `source`. Throws only when the input is no disk at all. */
export async function readDisk(source: ByteSource, options: ReadOptions = {}): Promise<DiskModel> {
  if (source.size < 512) throw new NotADiskImageError(msg('is too small to be a disk image ({0} bytes; an MBR alone needs 512)', source.size));
  // Beyond 2^53 bytes (8 PiB) byte offsets are no longer exact numbers: the backup at the end could not even be read.
  if (source.size > MAX_IMAGE_BYTES) throw new LimitError('MAX_IMAGE_BYTES (image size in bytes)', source.size, MAX_IMAGE_BYTES);
  if (options.sectorSize !== undefined && !SUPPORTED_SECTOR_SIZES.includes(options.sectorSize)) {
    throw new UsageError(msg('unsupported sector size {0} (use 512 or 4096)', options.sectorSize));
  }
  let { sectorSize, sectorSizeSource } = options.sectorSize
    ? { sectorSize: options.sectorSize, sectorSizeSource: 'override' as DiskModel['sectorSizeSource'] }
    : await detectSectorSize(source);
  if (sectorSizeSource === 'assumed' && (await detectMbrSectorSize(source)) === 4096) {
    sectorSize = 4096;
    sectorSizeSource = 'detected';
  }
  const totalSectors = BigInt(Math.floor(source.size / sectorSize));
  const lastLba = totalSectors - 1n;
  const mbr = await readMbr(source, sectorSize);

  let primary = totalSectors > 1n ? await readGptHeader(source, sectorSize, 1n, 'primary') : null;
  let backup = await readGptHeader(source, sectorSize, lastLba, 'backup');
  if (!backup && primary && primary.alternateLba !== lastLba && primary.alternateLba > 1n && primary.alternateLba < totalSectors) {
    // The disk grew (or the backup was written elsewhere): look where the primary says.
    backup = await readGptHeader(source, sectorSize, primary.alternateLba, 'backup');
  }
  if (primary && primary.lba === backup?.lba) primary = null; // a 2-sector image: only one header exists

  const activeGpt = chooseActive(primary, backup);
  const active = activeGpt === 'primary' ? primary : activeGpt === 'backup' ? backup : null;
  const primaryIntact = !!primary && primary.headerCrcOk && primary.arrayCrcOk === true && primary.invalid.length === 0;
  // Without a GPT: an Apple, BSD, Sun or SGI label (schemes/), whose first sectors are no volume's.
  const label = primary || backup ? null : await readDiskLabel(source, sectorSize, isDosMbr(mbr));
  const start = label
    ? { content: null, replacesMbr: false }
    : await readStartContent(source, sectorSize, mbr, primary || backup ? { intact: primaryIntact } : null);
  const scheme = primary || backup ? 'gpt' : label ? label.scheme : isDosMbr(mbr) && !start.replacesMbr ? 'mbr' : 'none';
  const partitions =
    scheme === 'gpt' ? gptPartitions(active, sectorSize) : label ? label.partitions : scheme === 'mbr' && mbr ? mbrPartitions(mbr, sectorSize) : [];
  const labels = label ? [label] : scheme === 'mbr' ? await readNestedLabels(source, sectorSize, partitions) : [];
  const usable =
    scheme === 'gpt'
      ? active && active.invalid.length === 0
        ? { firstLba: active.firstUsableLba, lastLba: active.lastUsableLba }
        : null
      : scheme === 'mbr'
        ? { firstLba: 1n, lastLba }
        : label
          ? labelUsableRange(label, sectorSize, lastLba)
          : null;
  const free = await probePartitions(source, sectorSize, partitions, usable);
  const esxi = active?.array ? detectEsxiLayout(active.array.slots) : null;
  const gptAreas = scheme === 'gpt' ? await readGptAreas(source, sectorSize, totalSectors, [active, primary, backup]) : undefined;
  const fatVolumes = await readFatVolumes(source, sectorSize, partitions, esxi);
  return {
    image: source.name,
    sizeBytes: source.size,
    sectorSize,
    sectorSizeSource,
    totalSectors,
    lastLba,
    mbr,
    primary,
    backup,
    activeGpt,
    scheme,
    partitions,
    labels,
    esxi,
    gptAreas,
    fatVolumes,
    content: start.content,
    free,
  };
}
