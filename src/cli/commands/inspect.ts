// `diskx inspect IMAGE`: MBR, GPT headers and partitions, as text or JSON; with
// --spec, also the image parsed with the user's own Kaitai specs (../specCommand.ts).
import { analyzeImage } from '../../core/index';
import { inspectJson } from '../../core/report';
import { describeContainer } from '../../core/io/containerSource';
import { containerStructBytes } from '../../core/io/containerBytes';
import { containerBytesJson, formatContainerBytes } from '../containerBytesFormat';
import { parseArgs, sectorSizeFlag } from '../args';
import { formatInspect } from '../format';
import { applySpecFlags, formatSpecs, SpecCommandError, specsJson } from '../specCommand';
import type { CliCommand } from '../command';
import { json, oneImage } from '../command';

const FLAGS = {
  json: {},
  'container-bytes': {},
  'sector-size': { value: true },
  spec: { value: true, repeat: true },
  at: { value: true, repeat: true },
  'spec-path': { value: true, repeat: true },
};

export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage: `  inspect IMAGE [--json] [--sector-size 512|4096]   show MBR, GPT headers and partitions
          [--spec FILE.ksy [--at OFFSET|lba:N|partition:N]] [--spec-path DIR]
          also parse the image with your own Kaitai Struct spec (several --spec allowed;
          imports are looked up next to the spec, then in each --spec-path)
          [--container-bytes]  also the container file's own headers, footers and tables (qcow2, VHD,
          VHDX, VMDK, VDI): fields and a hex dump at file offsets, read-only`,
  flags: FLAGS,
  async run(argv, context) {
    const args = parseArgs(argv, FLAGS);
    const image = oneImage(args.positional);
    const { opened, disk } = await analyzeImage(image, { sectorSize: sectorSizeFlag(args), open: context.open });
    try {
      const container = await describeContainer(opened.source, opened.container);
      const { placed } = await applySpecFlags(args, disk, opened.source);
      const structs = args.flags.has('container-bytes') ? await containerStructBytes(opened.source) : null;
      if (args.flags.has('json'))
        return {
          stdout: json({
            ...inspectJson(disk, container),
            ...(placed.length ? { specs: specsJson(placed) } : {}),
            ...(structs ? { containerBytes: containerBytesJson(structs) } : {}),
          }),
          exitCode: 0,
        };
      return {
        stdout:
          formatInspect(disk, container) + (placed.length ? '\n' + formatSpecs(placed) : '') + (structs ? '\n\n' + formatContainerBytes(structs, image) : ''),
        exitCode: 0,
      };
    } catch (error) {
      if (!(error instanceof SpecCommandError)) throw error;
      context.stderr(`diskx: ${error.message}`);
      return { stdout: '', exitCode: 2 };
    } finally {
      await opened.source.close();
    }
  },
};
