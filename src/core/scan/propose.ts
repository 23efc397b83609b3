// From what the scan found to a partition table to write. In order of trust:
//   1. a stray GPT whose header and array CRCs hold and whose entries fit the
//      disk (e.g. the backup left at the old end of a grown disk): its entries
//      in the slots they had, GUIDs, attributes and names as they were; one
//      found shifted (the disk's contents moved) when the volumes found bear
//      the shift out, its LBAs moved by it (shifted.ts);
//   2. volumes that match an ESXi boot-disk layout: the installer's slots and
//      type GUIDs (vmkDiagnostic partitions, which carry no file system, from
//      the layout's fixed LBAs), so no partition is renumbered;
//   3. a Windows GPT layout (windows.ts): the ESP and the Microsoft reserved
//      partition, which holds no file system, in their slots;
//   4. otherwise the volumes in disk order, numbered from 1, GPT unless an MBR
//      fits better (a volume at the DOS start LBA 63, or a stray MBR's records).
// A file system made on the whole disk over lost partitions (wholeDisk.ts) is
// set aside when it holds no file and the volumes inside it are intact: the
// proposal is made from those volumes and names it as what it overwrites.
import { createHash } from 'node:crypto';
import type { FoundVolume, ScanResult } from './scanner';
import type { StrayTable } from './tables';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA, TYPE_VMWARE_DIAGNOSTIC, TYPE_VMWARE_VMFS, TYPE_VMWARE_VMFSL } from '../partitionTypes';
import { MAX_PROPOSED_PARTITIONS } from '../limits';
import { TYPE_MS_RESERVED, windowsProposal } from './windows';
import { wholeDiskConflict } from './wholeDisk';
import type { Proposal, ProposalResult, ProposedPartition } from './proposalTypes';
import { gptUsableRange, noProposal } from './proposalTypes';
import { shiftedGptProposal } from './shifted';
import { msg, msgJoin } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

export const TYPE_LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const TYPE_LINUX_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';
const TYPE_LINUX_LVM = 'E6D6D379-F507-44C2-A23C-238F2A3DF928';
const TYPE_LINUX_RAID = 'A19D880F-05FC-4D3B-A006-743F0F84911E';
const TYPE_LINUX_LUKS = 'CA7D7CCB-63ED-4C53-861C-1742536059CC';
const TYPE_ZFS = '6A898CC3-1DD2-11B2-99A6-080020736631';

export type { Proposal, ProposalResult, ProposedPartition } from './proposalTypes';
export { gptUsableRange } from './proposalTypes';

const GPT_TYPE_BY_CONTENT: Record<string, string> = {
  vfat: TYPE_MS_BASIC_DATA,
  exfat: TYPE_MS_BASIC_DATA,
  ntfs: TYPE_MS_BASIC_DATA,
  BitLocker: TYPE_MS_BASIC_DATA,
  ext2: TYPE_LINUX_FS,
  ext3: TYPE_LINUX_FS,
  ext4: TYPE_LINUX_FS,
  xfs: TYPE_LINUX_FS,
  btrfs: TYPE_LINUX_FS,
  iso9660: TYPE_MS_BASIC_DATA,
  swap: TYPE_LINUX_SWAP,
  LVM2_member: TYPE_LINUX_LVM,
  crypto_LUKS: TYPE_LINUX_LUKS,
  linux_raid_member: TYPE_LINUX_RAID,
  zfs_member: TYPE_ZFS,
  VMFS: TYPE_VMWARE_VMFS,
  VMFS_volume_member: TYPE_VMWARE_VMFS,
};

const MBR_TYPE_BY_CONTENT: Record<string, number> = {
  vfat: 0x0c,
  exfat: 0x07,
  ntfs: 0x07,
  BitLocker: 0x07,
  ext2: 0x83,
  ext3: 0x83,
  ext4: 0x83,
  xfs: 0x83,
  btrfs: 0x83,
  swap: 0x82,
  LVM2_member: 0x8e,
  crypto_LUKS: 0x83,
  linux_raid_member: 0xfd,
  VMFS: 0xfb,
  VMFS_volume_member: 0xfb,
};

/** A GUID derived from `seed`, so a dry run shows exactly what --write writes (RFC 4122 version 4 bits). */
export function derivedGuid(seed: string): string {
  const h = createHash('sha256').update(`diskx-rebuild:${seed}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Proposes a table for a disk of `totalSectors` from a scan of the whole disk. */
export function proposeTable(scan: ScanResult, totalSectors: bigint): ProposalResult {
  const conflict = wholeDiskConflict(scan.volumes);
  if (conflict) {
    const refusal = wholeDiskRefusal(conflict.outer, conflict.inner);
    if (refusal) return noProposal(refusal);
  }
  const result = proposeFrom(conflict ? conflict.inner : scan.volumes, scan, totalSectors);
  return result.ok && conflict ? { ok: true, proposal: overwriting(result.proposal, conflict.outer, conflict.inner) } : result;
}

function proposeFrom(found: FoundVolume[], scan: ScanResult, totalSectors: bigint): ProposalResult {
  const { sectorSize } = scan;
  const stray = strayGptProposal(scan.tables, totalSectors);
  if (stray) return { ok: true, proposal: stray };
  const shifted = shiftedGptProposal(scan.tables, found, totalSectors, sectorSize);
  if (shifted) return { ok: true, proposal: shifted };
  const volumes = found.filter((v) => v.nestedIn === undefined);
  if (volumes.length === 0) return noProposal(msg('the scan found no volume and no intact stray GPT: nothing to rebuild a table from'));
  // LBA 0 is the table's own sector in either scheme: a volume there was made on the whole disk.
  const whole = volumes.find((v) => v.firstLba === 0n);
  if (whole)
    return noProposal(
      volumes.length === 1
        ? msg(
            'the {0} file system at LBA 0 was made on the whole disk, without a partition table (nothing else was found): no partition can start there, so there is no table to rebuild',
            whole.content.type,
          )
        : msg(
            'the {0} file system at LBA 0 was made on the whole disk, without a partition table: no partition can start there, so there is no table to rebuild',
            whole.content.type,
          ),
    );
  const overlapping = volumes.find((v) => v.overlaps !== undefined);
  if (overlapping)
    return noProposal(
      msg(
        'the {0} volume at LBA {1} overlaps another volume: resolve which one is real first (e.g. diskx scan --from/--to on each)',
        overlapping.content.type,
        overlapping.firstLba,
      ),
    );
  if (volumes.length > MAX_PROPOSED_PARTITIONS)
    return noProposal(msg('the scan found {0} volumes, more than the {1} a GPT array holds', volumes.length, MAX_PROPOSED_PARTITIONS));
  const esxi = esxiProposal(volumes, totalSectors, sectorSize);
  if (esxi) return { ok: true, proposal: esxi };
  const windows = windowsLayout(volumes, totalSectors, sectorSize);
  if (windows) return { ok: true, proposal: windows };
  return { ok: true, proposal: volumesProposal(volumes, scan.tables, totalSectors, sectorSize) };
}

function strayGptProposal(tables: StrayTable[], totalSectors: bigint): Proposal | null {
  for (const table of tables) {
    if (table.kind !== 'gpt' || !table.headerCrcOk || table.arrayCrcOk !== true || table.entries.length === 0 || table.shift !== 0n) continue;
    if (table.lba === 1n || table.lba === totalSectors - 1n) continue; // where a table belongs: the disk's own, not a stray one
    if (!table.entries.every((e) => e.firstLba <= e.lastLba && e.lastLba < totalSectors)) continue;
    return {
      scheme: 'gpt',
      source: 'stray-gpt',
      diskGuid: table.diskGuid,
      partitions: table.entries.map((e) => ({
        slot: e.slot,
        firstLba: e.firstLba,
        lastLba: e.lastLba,
        typeGuid: e.typeGuid,
        uniqueGuid: e.uniqueGuid,
        attributes: e.attributes,
        name: e.name,
        role: e.name || `slot ${e.slot}`,
      })),
      reasons: [
        table.myLba === 1n
          ? msg('a GPT primary header with valid CRCs was found at LBA {0} (MyLBA {1}); its entries are kept in their slots', table.lba, table.myLba)
          : msg('a GPT backup header with valid CRCs was found at LBA {0} (MyLBA {1}); its entries are kept in their slots', table.lba, table.myLba),
      ],
    };
  }
  return null;
}

/** Fixed partitions of the ESXi 5.x/6.x installers (512-byte sectors, first and last LBA). */
const ESXI56 = {
  efi: [64n, 8191n],
  bootbank: [8224n, 520191n],
  altbootbank: [520224n, 1032191n],
  vmkDiagnostic: [1032224n, 1257471n],
  store: [1257504n, 1843199n],
  /** 5.x: scratch right after store. */
  scratch5: [1843200n, 10229759n],
  datastore5: 10229760n,
  /** 5.5/6.x on larger media: a second vmkDiagnostic (partition 9), then scratch. */
  vmkDiagnostic9: [1843200n, 7086079n],
  scratch6: [7086080n, 15472639n],
  datastore6: 15472640n,
} as const;

/** ESXi 7.x/8.x: the system partition's fixed bounds and the installer's alignment (1 MiB). */
const ESXI7_SYSTEM = [64n, 204863n] as const;
const ESXI7_ALIGN = 2048n;

function esxiProposal(volumes: FoundVolume[], totalSectors: bigint, sectorSize: number): Proposal | null {
  if (sectorSize !== 512) return null;
  const at = (lba: bigint): FoundVolume | undefined => volumes.find((v) => v.firstLba === lba);
  const isFat = (v: FoundVolume | undefined): v is FoundVolume => v !== undefined && v.content.type === 'vfat';
  const { lastUsable } = gptUsableRange(totalSectors, sectorSize);
  // 7.x: a partition ends where its file system ends, rounded up to the installer's 1 MiB
  // alignment (mkfs may leave a few sectors short of the partition), never past the next one.
  const endOf = (v: FoundVolume, next: bigint): bigint => {
    if (v.lastLba === undefined) return next - 1n;
    const aligned = ((v.lastLba + 1n + ESXI7_ALIGN - 1n) / ESXI7_ALIGN) * ESXI7_ALIGN - 1n;
    return aligned < next ? aligned : next - 1n;
  };
  const seed = volumes.map((v) => `${v.firstLba}:${v.content.uuid ?? ''}`).join(',');
  const part = (slot: number, firstLba: bigint, lastLba: bigint, typeGuid: string, role: string): ProposedPartition => ({
    slot,
    firstLba,
    lastLba,
    typeGuid,
    uniqueGuid: derivedGuid(`${seed}|${slot}`),
    attributes: 0n,
    role,
  });

  // 5.x / 6.x: FAT volumes at the installer's fixed starts; the partitions get the installer's fixed
  // bounds (a FAT volume may end a few sectors before its partition: mkfs rounds to whole clusters).
  if (isFat(at(ESXI56.bootbank[0])) && isFat(at(ESXI56.altbootbank[0])) && isFat(at(ESXI56.store[0]))) {
    const withNine = isFat(at(ESXI56.scratch6[0]));
    const scratch = withNine ? ESXI56.scratch6 : isFat(at(ESXI56.scratch5[0])) ? ESXI56.scratch5 : null;
    const datastoreLba = withNine ? ESXI56.datastore6 : ESXI56.datastore5;
    const datastore = at(datastoreLba);
    const hasDatastore = datastore !== undefined && datastore.content.type.startsWith('VMFS') && datastoreLba <= lastUsable;
    if ((scratch && scratch[1] > lastUsable) || ESXI56.store[1] > lastUsable) return null;
    const partitions: ProposedPartition[] = [
      part(0, ESXI56.efi[0], ESXI56.efi[1], TYPE_EFI_SYSTEM, 'systemPartition (EFI)'),
      part(4, ESXI56.bootbank[0], ESXI56.bootbank[1], TYPE_MS_BASIC_DATA, 'bootbank'),
      part(5, ESXI56.altbootbank[0], ESXI56.altbootbank[1], TYPE_MS_BASIC_DATA, 'altbootbank'),
      part(6, ESXI56.vmkDiagnostic[0], ESXI56.vmkDiagnostic[1], TYPE_VMWARE_DIAGNOSTIC, 'vmkDiagnostic'),
      part(7, ESXI56.store[0], ESXI56.store[1], TYPE_MS_BASIC_DATA, 'store/locker'),
    ];
    if (withNine) partitions.push(part(8, ESXI56.vmkDiagnostic9[0], ESXI56.vmkDiagnostic9[1], TYPE_VMWARE_DIAGNOSTIC, 'vmkDiagnostic (large)'));
    if (scratch) partitions.push(part(1, scratch[0], scratch[1], TYPE_MS_BASIC_DATA, 'scratch'));
    if (hasDatastore) partitions.push(part(2, datastoreLba, lastUsable, TYPE_VMWARE_VMFS, 'VMFS datastore'));
    return {
      scheme: 'gpt',
      source: 'esxi-layout',
      layout: withNine ? 'esxi-6' : 'esxi-5',
      diskGuid: derivedGuid(`${seed}|disk`),
      partitions: partitions.sort((a, b) => a.slot - b.slot),
      reasons: [
        withNine
          ? msg(
              "FAT volumes at the ESXi 5.5/6.x (with partition 9) installer's starts (bootbank LBA 8224, altbootbank 520224, store 1257504): the installer's slots and bounds are kept (bootbank is partition 5, slot 3 stays empty)",
            )
          : msg(
              "FAT volumes at the ESXi 5.x installer's starts (bootbank LBA 8224, altbootbank 520224, store 1257504): the installer's slots and bounds are kept (bootbank is partition 5, slot 3 stays empty)",
            ),
        msg("vmkDiagnostic partitions hold no file system: placed at the layout's fixed LBAs"),
      ],
    };
  }

  // 7.x / 8.x: EFI, two equal FAT bootbanks, OSDATA (VMFS-L), optional datastore, in that order.
  const ordered = [...volumes].sort((a, b) => Number(a.firstLba - b.firstLba));
  const [v0, v1, v2, v3, v4] = ordered;
  if (
    isFat(v0) &&
    isFat(v1) &&
    isFat(v2) &&
    v3 &&
    v3.content.type.startsWith('VMFS') &&
    v1.content.sizeBytes !== undefined &&
    v1.content.sizeBytes === v2.content.sizeBytes &&
    ordered.length <= 5
  ) {
    const datastore = v4 && v4.content.type.startsWith('VMFS') ? v4 : undefined;
    const partitions = [
      // The 7.x system partition has fixed bounds, 64..204863 (100 MiB), when the EFI volume is there.
      v0.firstLba === ESXI7_SYSTEM[0] && (v0.lastLba ?? 0n) <= ESXI7_SYSTEM[1] && v1.firstLba > ESXI7_SYSTEM[1]
        ? part(0, ESXI7_SYSTEM[0], ESXI7_SYSTEM[1], TYPE_EFI_SYSTEM, 'systemPartition (EFI)')
        : part(0, v0.firstLba, endOf(v0, v1.firstLba), TYPE_EFI_SYSTEM, 'systemPartition (EFI)'),
      part(4, v1.firstLba, endOf(v1, v2.firstLba), TYPE_MS_BASIC_DATA, 'bootbank 0'),
      part(5, v2.firstLba, endOf(v2, v3.firstLba), TYPE_MS_BASIC_DATA, 'bootbank 1'),
      part(6, v3.firstLba, datastore ? datastore.firstLba - 1n : lastUsable, TYPE_VMWARE_VMFSL, 'OSDATA (VMFS-L)'),
    ];
    if (datastore) partitions.push(part(7, datastore.firstLba, lastUsable, TYPE_VMWARE_VMFS, 'VMFS datastore'));
    return {
      scheme: 'gpt',
      source: 'esxi-layout',
      layout: 'esxi-7',
      diskGuid: derivedGuid(`${seed}|disk`),
      partitions,
      reasons: [
        msg(
          "an EFI FAT volume, two equal FAT bootbanks and a VMFS-L OSDATA volume: the ESXi 7.x/8.x installer's slots are kept (bootbanks are partitions 5 and 6, slots 1..3 stay empty)",
        ),
      ],
    };
  }
  return null;
}

function windowsLayout(volumes: FoundVolume[], totalSectors: bigint, sectorSize: number): Proposal | null {
  const ordered = [...volumes].sort((a, b) => Number(a.firstLba - b.firstLba));
  const { firstUsable, lastUsable } = gptUsableRange(totalSectors, sectorSize);
  if (ordered[0]!.firstLba < firstUsable) return null;
  const seed = ordered.map((v) => `${v.firstLba}:${v.content.uuid ?? ''}`).join(',');
  return windowsProposal(
    ordered,
    sectorSize,
    lastUsable,
    (slot) => derivedGuid(`${seed}|${slot}`),
    derivedGuid(`${seed}|disk`),
    (v) => GPT_TYPE_BY_CONTENT[v.content.type] ?? TYPE_LINUX_FS,
  );
}

function volumesProposal(volumes: FoundVolume[], tables: StrayTable[], totalSectors: bigint, sectorSize: number): Proposal {
  const ordered = [...volumes].sort((a, b) => Number(a.firstLba - b.firstLba));
  const fitsMbr = totalSectors <= 0x1_0000_0000n && ordered.length <= 4;
  const mbrHint = ordered.some((v) => v.firstLba === 63n) || tables.some((t) => t.kind === 'mbr' && t.lba === 0n);
  const scheme: 'gpt' | 'mbr' = fitsMbr && (mbrHint || ordered[0]!.firstLba < gptUsableRange(totalSectors, sectorSize).firstUsable) ? 'mbr' : 'gpt';
  const { lastUsable } = gptUsableRange(totalSectors, sectorSize);
  const limit = scheme === 'gpt' ? lastUsable : totalSectors - 1n;
  const seed = ordered.map((v) => `${v.firstLba}:${v.content.uuid ?? ''}`).join(',');
  const partitions = ordered.map((v, slot): ProposedPartition => {
    const next = ordered[slot + 1]?.firstLba ?? limit + 1n;
    const last = v.lastLba !== undefined && v.lastLba < next ? v.lastLba : next - 1n;
    const role = `${v.content.type}${v.content.label ? ` "${v.content.label}"` : ''}`;
    if (scheme === 'mbr') return { slot, firstLba: v.firstLba, lastLba: last, mbrType: MBR_TYPE_BY_CONTENT[v.content.type] ?? 0x83, role };
    return {
      slot,
      firstLba: v.firstLba,
      lastLba: last,
      typeGuid: GPT_TYPE_BY_CONTENT[v.content.type] ?? TYPE_LINUX_FS,
      uniqueGuid: derivedGuid(`${seed}|${slot}`),
      attributes: 0n,
      role,
    };
  });
  return {
    scheme,
    source: 'volumes',
    ...(scheme === 'gpt' ? { diskGuid: derivedGuid(`${seed}|disk`) } : {}),
    partitions,
    reasons: [
      scheme === 'mbr'
        ? ordered.length === 1
          ? msg(
              '1 volume in disk order, numbered from 1 (no ESXi layout, no intact stray table); an MBR (a volume at the DOS start LBA 63, a stray MBR, or no room for a GPT before the first volume)',
            )
          : msg(
              '{0} volumes in disk order, numbered from 1 (no ESXi layout, no intact stray table); an MBR (a volume at the DOS start LBA 63, a stray MBR, or no room for a GPT before the first volume)',
              ordered.length,
            )
        : ordered.length === 1
          ? msg('1 volume in disk order, numbered from 1 (no ESXi layout, no intact stray table); a GPT')
          : msg('{0} volumes in disk order, numbered from 1 (no ESXi layout, no intact stray table); a GPT', ordered.length),
    ],
  };
}

/** Why a whole-disk file system with volumes inside must not be set aside, or null when it may. */
function wholeDiskRefusal(outer: FoundVolume, inner: FoundVolume[]): Message | null {
  const type = outer.content.type;
  const what =
    inner.length === 1
      ? msg('the {0} file system at LBA 0 spans the disk and has 1 volume inside it', type)
      : msg('the {0} file system at LBA 0 spans the disk and has {1} volumes inside it', type, inner.length);
  if (outer.holdsFiles === true)
    return msg(
      '{0}, and it holds files: it is in use and the volumes inside it may be files stored in it; nothing proposed (copy its files off first if it was made over the partitions by mistake)',
      what,
    );
  if (outer.holdsFiles !== false)
    return msg('{0}; diskx cannot tell whether a {1} file system holds files, so it will not propose a table that overwrites it', what, type);
  if (!inner.some((v) => v.confidence === 'high' && v.nestedIn === undefined))
    return msg('{0}, but none of them is intact (each was found from a backup copy only): nothing proposed', what);
  return null;
}

/** `proposal` made from the volumes inside `outer` (`inner`), which it overwrites. */
function overwriting(proposal: Proposal, outer: FoundVolume, inner: FoundVolume[]): Proposal {
  // Partitions that should hold a file system but where none was found: the whole-disk one overwrote it.
  const noFileSystem = new Set([TYPE_VMWARE_DIAGNOSTIC, TYPE_MS_RESERVED]);
  const lost = proposal.partitions.filter((p) => !noFileSystem.has(p.typeGuid ?? '') && !inner.some((v) => v.firstLba === p.firstLba));
  const lostList = msgJoin(
    lost.map((p) => msg('{0} (LBA {1})', p.role, p.firstLba)),
    ', ',
  );
  return {
    ...proposal,
    overwrites: {
      firstLba: outer.firstLba,
      lastLba: outer.lastLba!,
      type: outer.content.type,
      ...(outer.content.label ? { label: outer.content.label } : {}),
      ...(outer.content.uuid ? { uuid: outer.content.uuid } : {}),
    },
    reasons: [
      msg(
        'the {0} file system at LBA 0..{1} was made on the whole disk over the partitions (it holds no file; the volumes inside it are intact): the table is proposed from those volumes, and writing it overwrites that file system',
        outer.content.type,
        outer.lastLba!,
      ),
      ...proposal.reasons,
      ...(lost.length
        ? [
            lost.length === 1
              ? msg(
                  "no volume was found where {0} starts: the whole-disk file system's own structures were written there; the partition is restored, its file system must be made again",
                  lostList,
                )
              : msg(
                  "no volume was found where {0} start: the whole-disk file system's own structures were written there; the partitions are restored, their file systems must be made again",
                  lostList,
                ),
          ]
        : []),
      ...damagedInside(proposal, inner),
    ],
  };
}

/** A reason per restored partition whose volume was found from a backup copy only (the mkfs wrote over its start). */
function damagedInside(proposal: Proposal, inner: FoundVolume[]): Message[] {
  return proposal.partitions.flatMap((p) => {
    const v = inner.find((x) => x.firstLba === p.firstLba && x.confidence !== 'high');
    if (!v) return [];
    const repair = v.content.type.startsWith('ext')
      ? msg('e2fsck -b BLOCK (one of the backup superblocks the scan lists)')
      : msg('its own repair tool, from the backup copy the scan lists');
    return [
      msg(
        'the {0} volume of partition {1} (LBA {2}) was found from a backup copy only: the whole-disk file system overwrote its first structure; after the table is written, repair it with {3}',
        v.content.type,
        p.slot + 1,
        p.firstLba,
        repair,
      ),
    ];
  });
}
