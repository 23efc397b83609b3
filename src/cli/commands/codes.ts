// `diskx codes`: every finding code and fix id with its explanation.
import { FINDING_DESCRIPTIONS } from '../../core/findings';
import { parseArgs } from '../args';
import { fixHelpLines } from '../fixHelp';
import type { CliCommand } from '../command';

const FLAGS = {};

export const codesCommand: CliCommand = {
  name: 'codes',
  usage: '  codes                                             explain every finding code and fix id',
  flags: FLAGS,
  async run(argv) {
    parseArgs(argv, FLAGS);
    const findings = Object.entries(FINDING_DESCRIPTIONS).map(([code, text]) => `${code.padEnd(28)} ${text}`);
    const fixes = fixHelpLines('', true).map((line) => line.replace(/^(\S+)\s+/, (_, id: string) => `${id.padEnd(28)} `));
    return { stdout: [...findings, '', 'Fix ids (diskx fix IMAGE --fix ID):', ...fixes].join('\n'), exitCode: 0 };
  },
};
