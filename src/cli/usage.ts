// The text of `diskx --help` (and of usage errors), from the command list and
// the fix registry.
import { COMMANDS } from './commands/index';
import { fixHelpLines } from './fixHelp';

export const USAGE = `Usage: diskx <command> IMAGE [options]

Commands:
${COMMANDS.map((c) => c.usage).join('\n')}

Fix ids:
${fixHelpLines('  ', false).join('\n')}

IMAGE may be a raw image (.img, -flat.vmdk), a .vmdk descriptor, a block device or a
virtual-disk container (qcow2, VHD, VHDX, VDI, sparse VMDK), read as the disk it holds; repairs go through it.
A .vmdk descriptor's extents must lie in its folder (or below) unless --allow-outside-extents is given.
Block devices and read-only files are written only with --allow-device.
DISKX_JOURNAL_DIR=folder keeps undo journals there instead of next to the image;
DISKX_LOCK_WAIT_MS=ms waits that long for another writer of the image (default 3000).
Options: --help, --version. Set DISKX_DEBUG=1 to see stack traces.`;
