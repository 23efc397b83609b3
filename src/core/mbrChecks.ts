// Checks of the MBR: the protective MBR of a GPT disk (UEFI 5.2.3: one 0xEE record
// from LBA 1 over the disk) and a DOS partition table (records inside the disk,
// no overlaps, a sound EBR chain, no orphaned 0xEE record).
import type { DiskModel, Partition } from './model';
import { MBR, MBR_RECORD_SIZE } from './layout';
import { msg, msgJoin } from '../shared/l10n';
import type { Add } from './checkKit';
import { overlappingPairs } from './checkKit';

export function checkProtectiveMbr(disk: DiskModel, add: Add): void {
  const mbr = disk.mbr!;
  if (!mbr.bootSignatureOk) {
    add(
      'mbr-missing',
      'warning',
      msg('No protective MBR: the 0x55AA signature at byte 510 is missing, so firmware and MBR-only tools may take the disk for blank.'),
      MBR.bootSignature.offset,
      MBR.bootSignature.length,
    );
    return;
  }
  if (mbr.kind === 'dos' || mbr.kind === 'empty') {
    add(
      'mbr-not-protective',
      'warning',
      msg(
        'The MBR has no 0xEE protective record although the disk has a GPT ({0}); MBR-only tools may overwrite the GPT.',
        mbr.kind === 'empty' ? msg('all four records are empty') : msg('it lists DOS partitions'),
      ),
      MBR.partitions.offset,
      MBR.partitions.length,
    );
    return;
  }
  if (mbr.kind === 'hybrid') {
    const others = mbr.records.filter((r) => r.type !== 0 && r.type !== 0xee).map((r) => msg('record {0} type 0x{1}', r.index + 1, r.type.toString(16)));
    add(
      'mbr-not-protective',
      'warning',
      msg('Hybrid MBR: besides the 0xEE protective record it has {0}; MBR and GPT can disagree about those partitions.', msgJoin(others, ', ')),
      MBR.partitions.offset,
      MBR.partitions.length,
    );
  }
  const protective = mbr.records.find((r) => r.type === 0xee)!;
  const expectedSize = disk.totalSectors - 1n > 0xffffffffn ? 0xffffffff : Number(disk.totalSectors - 1n);
  if (protective.firstLba !== 1 || (mbr.kind === 'protective' && protective.sectors !== expectedSize)) {
    add(
      'mbr-protective-size',
      'warning',
      msg(
        'Protective MBR record {0} covers LBAs {1}..+{2}; for this disk it should start at LBA 1 and cover {3} sectors.',
        protective.index + 1,
        protective.firstLba,
        protective.sectors,
        expectedSize,
      ),
      protective.offset + 8,
      8,
      ['relocate-backup'],
    );
  }
}

export function checkDosMbr(disk: DiskModel, add: Add): void {
  const mbr = disk.mbr!;
  // A 0xEE record promises a GPT (UEFI 5.2.3); both headers gone must not read as a clean MBR disk.
  const protective = mbr.records.find((r) => r.type === 0xee);
  if (protective) {
    const hint = disk.sectorSizeSource === 'override' ? msg(" with the --sector-size {0} given; is that the disk's block size?", disk.sectorSize) : '.';
    add(
      'gpt-primary-missing',
      'error',
      msg(
        'MBR record {0} is a 0xEE GPT protective record, but there is no "EFI PART" header at LBA 1 nor at the last LBA ({1}-byte sectors){2}',
        protective.index + 1,
        disk.sectorSize,
        hint,
      ),
      disk.sectorSize,
      disk.sectorSize,
    );
  }
  for (const problem of mbr.ebrProblems)
    add(
      'mbr-ebr-chain',
      'error',
      msg('Extended partition: {0}.', problem),
      mbr.records.find((r) => r.type === 0x05 || r.type === 0x0f || r.type === 0x85)?.offset ?? MBR.partitions.offset,
      MBR_RECORD_SIZE,
    );
  const withRecords = disk.partitions;
  for (const p of withRecords) {
    if (p.firstLba === 0n || p.lastLba > disk.lastLba) {
      add(
        'mbr-partition-out-of-range',
        'error',
        msg('MBR partition {0} covers LBAs {1}..{2}, outside the disk (LBAs 1..{3}).', p.number, p.firstLba, p.lastLba, disk.lastLba),
        p.number <= 4 ? MBR.partitions.offset + MBR_RECORD_SIZE * (p.number - 1) : 0,
        MBR_RECORD_SIZE,
      );
    }
  }
  // Logical partitions live inside the extended one: compare like with like.
  const isExtended = (p: Partition): boolean => p.mbrType === 0x05 || p.mbrType === 0x0f || p.mbrType === 0x85;
  const comparable = withRecords.filter((p) => !isExtended(p));
  for (const [a, b] of overlappingPairs(comparable)) {
    add(
      'mbr-partition-overlap',
      'error',
      msg('MBR partitions {0} (LBAs {1}..{2}) and {3} (LBAs {4}..{5}) overlap.', a.number, a.firstLba, a.lastLba, b.number, b.firstLba, b.lastLba),
      MBR.partitions.offset,
      MBR.partitions.length,
    );
  }
}
