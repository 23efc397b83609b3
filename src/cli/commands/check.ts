// `diskx check IMAGE`: the findings; exit 0 clean (info only), 1 problems, 2 unreadable.
import { analyzeImage } from '../../core/index';
import { checkJson } from '../../core/report';
import { parseArgs, sectorSizeFlag } from '../args';
import { formatCheck } from '../format';
import { warnAboutJournal } from '../journal';
import type { CliCommand } from '../command';
import { json, oneImage } from '../command';

const FLAGS = { json: {}, 'sector-size': { value: true } };

export const checkCommand: CliCommand = {
  name: 'check',
  usage: '  check   IMAGE [--json] [--sector-size 512|4096]   list problems; exit 0 clean, 1 problems, 2 unreadable',
  flags: FLAGS,
  async run(argv, context) {
    const args = parseArgs(argv, FLAGS);
    const image = oneImage(args.positional);
    const { opened, disk, findings } = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
    await opened.source.close();
    // A crash mid-repair leaves sectors old or new: say so before anyone trusts the verdict.
    await warnAboutJournal(image, context);
    const problems = findings.some((f) => f.severity !== 'info');
    return { stdout: args.flags.has('json') ? json(checkJson(disk, findings)) : formatCheck(disk, findings), exitCode: problems ? 1 : 0 };
  },
};
