// Recovering a disk whose partition tables are gone: scan for volumes and stray
// tables (scanner.ts), propose a table (propose.ts), write it as the
// rebuild-from-scan fix (rebuild.ts). The CLI's `diskx scan` and
// `diskx fix --fix rebuild-from-scan`, and the editor's "Scan for lost partitions...".
import type { AnalyzedImage } from '../index';
import { scanSourceFor } from '../io/scanSource';
import { scanImage } from './scanner';
import type { ScanOptions, ScanResult } from './scanner';

export { scanImage } from './scanner';
export type { FoundVolume, ScanOptions, ScanResult } from './scanner';
export { proposeTable, derivedGuid } from './propose';
export type { Proposal, ProposalResult, ProposedPartition } from './propose';
export { planRebuildFromScan, REBUILD_FROM_SCAN } from './rebuild';
export { scanJson, formatScan } from './report';
export type { StrayTable } from './tables';

/** Scans an analyzed image with its own sector size, large reads through a fresh handle where it can. */
export async function scanAnalyzed(image: AnalyzedImage, options: Omit<ScanOptions, 'sectorSize'> = {}): Promise<ScanResult> {
  const bulk = await scanSourceFor(image.opened);
  try {
    return await scanImage(image.opened.source, bulk, { ...options, sectorSize: image.disk.sectorSize });
  } finally {
    if (bulk !== image.opened.source) await bulk.close();
  }
}
