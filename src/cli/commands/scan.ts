// `diskx scan IMAGE [--from LBA] [--to LBA] [--json]`: looks for volumes and stray
// partition tables by their signatures and proposes a table to rebuild from them
// (written by `diskx fix IMAGE --fix rebuild-from-scan`). Reads only.
import { analyzeImage } from '../../core/index';
import { UsageError } from '../../core/errors';
import { scanAnalyzed, proposeTable, scanJson, formatScan } from '../../core/scan/index';
import { parseArgs, sectorSizeFlag } from '../args';
import type { CliCommand } from '../command';
import { json, oneImage } from '../command';
import { terminalProgress } from '../progress';
import { interruptible } from '../interrupt';

const FLAGS = { json: {}, from: { value: true }, to: { value: true }, 'sector-size': { value: true } };

function lbaFlag(text: string | undefined, name: string): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,20}$/.test(text)) throw new UsageError(`--${name} must be an LBA (a whole number), not ${text}`);
  return BigInt(text);
}

export const scanCommand: CliCommand = {
  name: 'scan',
  usage: `  scan    IMAGE [--from LBA] [--to LBA] [--json] [--sector-size 512|4096]
          find lost volumes and stray GPT/MBR tables by their signatures and propose a table
          (write it with: fix IMAGE --fix rebuild-from-scan); reads only`,
  flags: FLAGS,
  async run(argv, context) {
    const args = parseArgs(argv, FLAGS);
    const image = oneImage(args.positional);
    const fromLba = lbaFlag(args.flags.get('from')?.[0], 'from');
    const toLba = lbaFlag(args.flags.get('to')?.[0], 'to');
    return interruptible('scan', async (signal) => {
      const analyzed = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
      const progress = terminalProgress('scanning');
      try {
        const scan = await scanAnalyzed(analyzed, {
          signal,
          ...(fromLba !== undefined ? { fromLba } : {}),
          ...(toLba !== undefined ? { toLba } : {}),
          ...(progress ? { onProgress: progress.update } : {}),
        });
        progress?.done();
        const proposal = proposeTable(scan, analyzed.disk.totalSectors);
        return { stdout: args.flags.has('json') ? json(scanJson(image, scan, proposal)) : formatScan(image, scan, proposal), exitCode: 0 };
      } finally {
        progress?.done();
        await analyzed.opened.source.close();
      }
    });
  },
};
