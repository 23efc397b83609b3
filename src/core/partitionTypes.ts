// Names for well-known GPT partition type GUIDs (UEFI spec and each OS vendor's
// documentation) and MBR partition type bytes (every type util-linux's sfdisk
// names, `sfdisk -T --label dos`, with a few of our own clearer names kept).

/** GPT type GUIDs used by the ESXi layout detection. */
export const TYPE_EFI_SYSTEM = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const TYPE_MS_BASIC_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';
export const TYPE_VMWARE_VMFS = 'AA31E02A-400F-11DB-9590-000C2911D1B8';
export const TYPE_VMWARE_DIAGNOSTIC = '9D275380-40AD-11DB-BF97-000C2911D1B8';
export const TYPE_VMWARE_VMFSL = '4EB2EA39-7855-4790-A79E-FAE495E21F8D';

const GPT_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  [TYPE_EFI_SYSTEM, 'EFI system partition'],
  ['024DEE41-33E7-11D3-9D69-0008C781F39F', 'MBR partition scheme'],
  ['21686148-6449-6E6F-744E-656564454649', 'BIOS boot partition'],
  ['D3BFE2DE-3DAF-11DF-BA40-E3A556D89593', 'Intel Fast Flash (iFFS)'],
  ['E3C9E316-0B5C-4DB8-817D-F92DF00215AE', 'Microsoft reserved'],
  [TYPE_MS_BASIC_DATA, 'Microsoft basic data'],
  ['5808C8AA-7E8F-42E0-85D2-E1E90434CFB3', 'Windows LDM metadata'],
  ['AF9B60A0-1431-4F62-BC68-3311714A69AD', 'Windows LDM data'],
  ['DE94BBA4-06D1-4D40-A16A-BFD50179D6AC', 'Windows recovery environment'],
  ['E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D', 'Windows Storage Spaces'],
  ['0FC63DAF-8483-4772-8E79-3D69D8477DE4', 'Linux filesystem'],
  ['0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', 'Linux swap'],
  ['E6D6D379-F507-44C2-A23C-238F2A3DF928', 'Linux LVM'],
  ['A19D880F-05FC-4D3B-A006-743F0F84911E', 'Linux RAID'],
  ['4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', 'Linux root (x86-64)'],
  ['44479540-F297-41B2-9AF7-D131D5F0458A', 'Linux root (x86)'],
  ['B921B045-1DF0-41C3-AF44-4C6F280D3FAE', 'Linux root (ARM64)'],
  ['933AC7E1-2EB4-4F13-B844-0E14E2AEF915', 'Linux /home'],
  ['3B8F8425-20E0-4F3B-907F-1A25A76F98E8', 'Linux /srv'],
  ['BC13C2FF-59E6-4262-A352-B275FD6F7172', 'Linux extended boot (XBOOTLDR)'],
  ['CA7D7CCB-63ED-4C53-861C-1742536059CC', 'Linux LUKS'],
  ['8DA63339-0007-60C0-C436-083AC8230908', 'Linux reserved'],
  [TYPE_VMWARE_VMFS, 'VMware VMFS'],
  [TYPE_VMWARE_DIAGNOSTIC, 'VMware vmkDiagnostic'],
  [TYPE_VMWARE_VMFSL, 'VMware VMFS-L (OSDATA)'],
  ['9198EFFC-31C0-11DB-8F78-000C2911D1B8', 'VMware reserved'],
  ['381CFCCC-7288-11E0-92EE-000C2911D0B2', 'VMware vSAN'],
  ['48465300-0000-11AA-AA11-00306543ECAC', 'Apple HFS+'],
  ['7C3457EF-0000-11AA-AA11-00306543ECAC', 'Apple APFS'],
  ['55465300-0000-11AA-AA11-00306543ECAC', 'Apple UFS'],
  ['426F6F74-0000-11AA-AA11-00306543ECAC', 'Apple boot (Recovery HD)'],
  ['52414944-0000-11AA-AA11-00306543ECAC', 'Apple RAID'],
  ['83BD6B9D-7F41-11DC-BE0B-001560B84F0F', 'FreeBSD boot'],
  ['516E7CB4-6ECF-11D6-8FF8-00022D09712B', 'FreeBSD data'],
  ['516E7CB5-6ECF-11D6-8FF8-00022D09712B', 'FreeBSD swap'],
  ['516E7CB6-6ECF-11D6-8FF8-00022D09712B', 'FreeBSD UFS'],
  ['516E7CBA-6ECF-11D6-8FF8-00022D09712B', 'FreeBSD ZFS'],
  ['6A898CC3-1DD2-11B2-99A6-080020736631', 'Solaris /usr or Apple ZFS'],
  ['6A82CB45-1DD2-11B2-99A6-080020736631', 'Solaris boot'],
  ['824CC7A0-36A8-11E3-890A-952519AD3F61', 'OpenBSD data'],
  ['FE3A2A5D-4F32-41A7-B725-ACCC3285A309', 'ChromeOS kernel'],
  ['3CB8E202-3B7E-47DD-8A3C-7FF2A13CFCEC', 'ChromeOS root'],
  ['C91818F9-8025-47AF-89D2-F030D7000C2C', 'Plan 9'],
]);

/** Name of a GPT partition type, or null when we do not know it. */
export function gptTypeName(typeGuid: string): string | null {
  return GPT_TYPE_NAMES.get(typeGuid.toUpperCase()) ?? null;
}

const MBR_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'FAT12'],
  [0x02, 'XENIX root'],
  [0x03, 'XENIX usr'],
  [0x04, 'FAT16 <32M'],
  [0x05, 'Extended'],
  [0x06, 'FAT16'],
  [0x07, 'HPFS/NTFS/exFAT'],
  [0x08, 'AIX'],
  [0x09, 'AIX bootable'],
  [0x0a, 'OS/2 Boot Manager'],
  [0x0b, 'W95 FAT32'],
  [0x0c, 'W95 FAT32 (LBA)'],
  [0x0e, 'W95 FAT16 (LBA)'],
  [0x0f, 'W95 extended (LBA)'],
  [0x10, 'OPUS'],
  [0x11, 'Hidden FAT12'],
  [0x12, 'Compaq diagnostics'],
  [0x14, 'Hidden FAT16 <32M'],
  [0x16, 'Hidden FAT16'],
  [0x17, 'Hidden HPFS/NTFS'],
  [0x18, 'AST SmartSleep'],
  [0x1b, 'Hidden W95 FAT32'],
  [0x1c, 'Hidden W95 FAT32 (LBA)'],
  [0x1e, 'Hidden W95 FAT16 (LBA)'],
  [0x24, 'NEC DOS'],
  [0x27, 'Hidden NTFS WinRE'],
  [0x39, 'Plan 9'],
  [0x3c, 'PartitionMagic recovery'],
  [0x40, 'Venix 80286'],
  [0x41, 'PPC PReP Boot'],
  [0x42, 'SFS'],
  [0x4d, 'QNX4.x'],
  [0x4e, 'QNX4.x 2nd part'],
  [0x4f, 'QNX4.x 3rd part'],
  [0x50, 'OnTrack DM'],
  [0x51, 'OnTrack DM6 Aux1'],
  [0x52, 'CP/M'],
  [0x53, 'OnTrack DM6 Aux3'],
  [0x54, 'OnTrackDM6'],
  [0x55, 'EZ-Drive'],
  [0x56, 'Golden Bow'],
  [0x5c, 'Priam Edisk'],
  [0x61, 'SpeedStor'],
  [0x63, 'GNU HURD or SysV'],
  [0x64, 'Novell Netware 286'],
  [0x65, 'Novell Netware 386'],
  [0x70, 'DiskSecure Multi-Boot'],
  [0x75, 'PC/IX'],
  [0x80, 'Old Minix'],
  [0x81, 'Minix / old Linux'],
  [0x82, 'Linux swap'],
  [0x83, 'Linux'],
  [0x84, 'OS/2 hidden or Intel hibernation'],
  [0x85, 'Linux extended'],
  [0x86, 'NTFS volume set'],
  [0x87, 'NTFS volume set'],
  [0x88, 'Linux plaintext'],
  [0x8e, 'Linux LVM'],
  [0x93, 'Amoeba'],
  [0x94, 'Amoeba BBT'],
  [0x9f, 'BSD/OS'],
  [0xa0, 'IBM Thinkpad hibernation'],
  [0xa5, 'FreeBSD'],
  [0xa6, 'OpenBSD'],
  [0xa7, 'NeXTSTEP'],
  [0xa8, 'Darwin UFS'],
  [0xa9, 'NetBSD'],
  [0xab, 'Darwin boot'],
  [0xaf, 'Apple HFS/HFS+'],
  [0xb7, 'BSDI fs'],
  [0xb8, 'BSDI swap'],
  [0xbb, 'Boot Wizard hidden'],
  [0xbc, 'Acronis FAT32 LBA'],
  [0xbe, 'Solaris boot'],
  [0xbf, 'Solaris'],
  [0xc1, 'DRDOS/sec (FAT-12)'],
  [0xc4, 'DRDOS/sec (FAT-16 < 32M)'],
  [0xc6, 'DRDOS/sec (FAT-16)'],
  [0xc7, 'Syrinx'],
  [0xda, 'Non-FS data'],
  [0xdb, 'CP/M / CTOS / ...'],
  [0xde, 'Dell Utility'],
  [0xdf, 'BootIt'],
  [0xe1, 'DOS access'],
  [0xe3, 'DOS R/O'],
  [0xe4, 'SpeedStor'],
  [0xea, 'Linux extended boot'],
  [0xeb, 'BeOS fs'],
  [0xee, 'GPT protective'],
  [0xef, 'EFI (FAT-12/16/32)'],
  [0xf0, 'Linux/PA-RISC boot'],
  [0xf1, 'SpeedStor'],
  [0xf2, 'DOS secondary'],
  [0xf4, 'SpeedStor'],
  [0xf8, 'EBBR protective'],
  [0xfb, 'VMware VMFS'],
  [0xfc, 'VMware vmkDiagnostic'],
  [0xfd, 'Linux RAID autodetect'],
  [0xfe, 'LANstep'],
  [0xff, 'BBT'],
]);

/** Name of an MBR partition type byte, or null. */
export function mbrTypeName(type: number): string | null {
  return MBR_TYPE_NAMES.get(type) ?? null;
}

/** MBR types that mark an extended partition (a chain of EBRs). */
export function isExtendedMbrType(type: number): boolean {
  return type === 0x05 || type === 0x0f || type === 0x85;
}

/**
 * Short names users type for GPT partition types (`diskx set ... type=linux`),
 * roughly as sfdisk and systemd-repart spell them. The full names of
 * gptTypeName are accepted too, in any case.
 */
export const GPT_TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['efi', TYPE_EFI_SYSTEM],
  ['esp', TYPE_EFI_SYSTEM],
  ['bios-boot', '21686148-6449-6E6F-744E-656564454649'],
  ['msr', 'E3C9E316-0B5C-4DB8-817D-F92DF00215AE'],
  ['basic-data', TYPE_MS_BASIC_DATA],
  ['windows-recovery', 'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC'],
  ['ldm-metadata', '5808C8AA-7E8F-42E0-85D2-E1E90434CFB3'],
  ['ldm-data', 'AF9B60A0-1431-4F62-BC68-3311714A69AD'],
  ['linux', '0FC63DAF-8483-4772-8E79-3D69D8477DE4'],
  ['swap', '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F'],
  ['lvm', 'E6D6D379-F507-44C2-A23C-238F2A3DF928'],
  ['raid', 'A19D880F-05FC-4D3B-A006-743F0F84911E'],
  ['root-x86-64', '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709'],
  ['root-x86', '44479540-F297-41B2-9AF7-D131D5F0458A'],
  ['root-arm64', 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE'],
  ['home', '933AC7E1-2EB4-4F13-B844-0E14E2AEF915'],
  ['srv', '3B8F8425-20E0-4F3B-907F-1A25A76F98E8'],
  ['xbootldr', 'BC13C2FF-59E6-4262-A352-B275FD6F7172'],
  ['luks', 'CA7D7CCB-63ED-4C53-861C-1742536059CC'],
  ['vmfs', TYPE_VMWARE_VMFS],
  ['vmkdiagnostic', TYPE_VMWARE_DIAGNOSTIC],
  ['vmfs-l', TYPE_VMWARE_VMFSL],
  ['osdata', TYPE_VMWARE_VMFSL],
  ['vmware-reserved', '9198EFFC-31C0-11DB-8F78-000C2911D1B8'],
  ['vsan', '381CFCCC-7288-11E0-92EE-000C2911D0B2'],
  ['hfs+', '48465300-0000-11AA-AA11-00306543ECAC'],
  ['apfs', '7C3457EF-0000-11AA-AA11-00306543ECAC'],
  ['freebsd-boot', '83BD6B9D-7F41-11DC-BE0B-001560B84F0F'],
  ['freebsd-ufs', '516E7CB6-6ECF-11D6-8FF8-00022D09712B'],
  ['freebsd-zfs', '516E7CBA-6ECF-11D6-8FF8-00022D09712B'],
  ['chromeos-kernel', 'FE3A2A5D-4F32-41A7-B725-ACCC3285A309'],
  ['chromeos-root', '3CB8E202-3B7E-47DD-8A3C-7FF2A13CFCEC'],
]);

/** The type GUID a short or full type name stands for, or null. */
export function gptTypeByName(name: string): string | null {
  const key = name.trim().toLowerCase();
  const alias = GPT_TYPE_ALIASES.get(key);
  if (alias) return alias;
  for (const [guid, full] of GPT_TYPE_NAMES) if (full.toLowerCase() === key) return guid;
  return null;
}

/** Every named GPT type (for pick lists): GUID, full name, and the short name when there is one. */
export function knownGptTypes(): { guid: string; name: string; alias: string | null }[] {
  const aliasOf = new Map<string, string>();
  for (const [alias, guid] of GPT_TYPE_ALIASES) if (!aliasOf.has(guid)) aliasOf.set(guid, alias);
  return [...GPT_TYPE_NAMES]
    .filter(([guid]) => guid !== '00000000-0000-0000-0000-000000000000')
    .map(([guid, name]) => ({ guid, name, alias: aliasOf.get(guid) ?? null }));
}

/** Short names for MBR type bytes (`mbr.partitions.0.type=linux`); full names are accepted too. */
export const MBR_TYPE_ALIASES: ReadonlyMap<string, number> = new Map([
  ['empty', 0x00],
  ['fat12', 0x01],
  ['fat16', 0x06],
  ['extended', 0x05],
  ['ntfs', 0x07],
  ['exfat', 0x07],
  ['fat32', 0x0c],
  ['linux', 0x83],
  ['swap', 0x82],
  ['linux-extended', 0x85],
  ['lvm', 0x8e],
  ['raid', 0xfd],
  ['gpt', 0xee],
  ['protective', 0xee],
  ['efi', 0xef],
  ['vmfs', 0xfb],
  ['vmkdiagnostic', 0xfc],
  ['freebsd', 0xa5],
  ['hfs', 0xaf],
]);

/** The MBR type byte a name stands for, or null. */
export function mbrTypeByName(name: string): number | null {
  const key = name.trim().toLowerCase();
  const alias = MBR_TYPE_ALIASES.get(key);
  if (alias !== undefined) return alias;
  for (const [type, full] of MBR_TYPE_NAMES) if (full.toLowerCase() === key) return type;
  return null;
}

/** Every named MBR type (for pick lists). */
export function knownMbrTypes(): { type: number; name: string }[] {
  return [...MBR_TYPE_NAMES].map(([type, name]) => ({ type, name }));
}
