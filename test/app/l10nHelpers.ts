// Shared by the l10n tests of src/app texts: the real Japanese bundle, a
// Japanese localizer that remembers every key it was asked for, and a check
// that what is left in Latin letters is a name, not one of our sentences.
import fs from 'node:fs';
import path from 'node:path';
import { localizerOf } from '../../src/shared/l10n';
import type { Localizer, Message, StringTable } from '../../src/shared/l10n';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** l10n/bundle.l10n.ja.json as the extension ships it. */
export const JA: StringTable = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.ja.json'), 'utf8'));

/** The Japanese localizer, remembering every key (template, marked text, list separator) it was asked for. */
export function recording(): { l10n: Localizer; used: Set<string> } {
  const inner = localizerOf(JA);
  const used = new Set<string>();
  const note = (message: Message): void => {
    used.add(message.join ?? message.template);
    for (const arg of message.args) if (typeof arg === 'object') note(arg);
  };
  return {
    used,
    l10n: {
      t: (template, ...args) => (used.add(template), inner.t(template, ...args)),
      text: (text) => (typeof text === 'string' ? used.add(text) : note(text), inner.text(text)),
    },
  };
}

/**
 * Names that stay as they are in every language: the specification's field names,
 * fix ids, tools, acronyms, units, partition names and ESXi roles of the test disks.
 */
const NAMES = new Set(
  (
    'LBA LBAs GPT MBR CRC CRCs CHS GUID GUIDs ESXi EFI PART MiB GiB KiB diskx gdisk sgdisk fdisk sfdisk qemu-img ' +
    'MyLBA AlternateLBA PartitionEntryLBA FirstUsableLBA LastUsableLBA HeaderCRC32 PartitionEntryArrayCRC32 HeaderSize ' +
    'Revision DiskGUID NumberOfPartitionEntries SizeOfPartitionEntry StartingLBA EndingLBA ' +
    'rebuild-primary-from-backup rebuild-backup-from-primary relocate-backup recompute-crcs restore-esxi-slots ' +
    'bootbank altbootbank vmkDiagnostic store/locker part1 part2 part4 Linux filesystem data ' +
    'qcow2 QCOW2 VHD VHDX VMDK VDI'
  ).split(' '),
);

/** The words of `text` in Latin letters that are not names or numbers (file paths, options, constants and quoted text ignored). */
export function japaneseOnly(text: string, names: Iterable<string> = []): string[] {
  const allowed = new Set([...NAMES, ...names]);
  return (
    text
      .replace(/"[^"]*"|'[^']*'/g, '')
      .replace(/(?<![\w/])(?:\/[\w.+-]+)+/g, '')
      .replace(/--[a-z][\w-]*|\b[A-Z][A-Z0-9_]*_[A-Z0-9_]+\b/g, '') // options and constants (--allow-device, DISKX_JOURNAL_DIR)
      .replace(/\b0x[0-9A-F]+\b|\b[0-9A-F]{8}(?:-[0-9A-F]{4}){3}-[0-9A-F]{12}\b/gi, '')
      .match(/[A-Za-z][A-Za-z0-9/.-]*[A-Za-z0-9]/g) ?? []
  ).filter((word) => !allowed.has(word) && /[A-Za-z]{3,}/.test(word));
}
