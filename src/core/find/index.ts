// Searching an opened image: the scan source (large unbuffered reads) and, for a
// raw file, its holes (the extents the file system lists), around the streaming search.
import type { OpenedImage } from '../io/openImage';
import { scanSourceFor } from '../io/scanSource';
import { dataMapFor } from '../io/dataRegions';
import type { FindOptions, FindResult } from './search';
import { findAll } from './search';
import type { SearchPattern } from './pattern';

export { findAll } from './search';
export type { FindMatch, FindOptions, FindResult } from './search';
export { parsePattern, patternText, PATTERN_MODES } from './pattern';
export type { PatternMode, SearchPattern } from './pattern';

/** findAll over an opened image; holes are skipped for a raw file. The caller still closes `opened`. */
export async function findInImage(opened: OpenedImage, patterns: readonly SearchPattern[], options: Omit<FindOptions, 'dataMap'> = {}): Promise<FindResult> {
  const source = await scanSourceFor(opened);
  const map = await dataMapFor(opened.kind === 'raw' ? opened.dataFiles[0]! : null, source.size);
  try {
    return await findAll(source, patterns, { ...options, dataMap: map });
  } finally {
    if (source !== opened.source) await source.close();
  }
}
