// `diskx inspect IMAGE`: MBR, GPT headers and partitions, as text or JSON.
import { analyzeImage } from '../../core/index';
import { inspectJson } from '../../core/report';
import { parseArgs, sectorSizeFlag } from '../args';
import { formatInspect } from '../format';
import type { CliCommand } from '../command';
import { json, oneImage } from '../command';

const FLAGS = { json: {}, 'sector-size': { value: true } };

export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage: '  inspect IMAGE [--json] [--sector-size 512|4096]   show MBR, GPT headers and partitions',
  flags: FLAGS,
  async run(argv, context) {
    const args = parseArgs(argv, FLAGS);
    const image = oneImage(args.positional);
    const { opened, disk } = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
    await opened.source.close();
    return { stdout: args.flags.has('json') ? json(inspectJson(disk)) : formatInspect(disk), exitCode: 0 };
  },
};
