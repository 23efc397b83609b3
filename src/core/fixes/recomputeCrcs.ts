// recompute-crcs: make the CRCs agree with the bytes as they are, for each header
// whose CRCs are stale. This is the seed's manual repair after a hex edit: the
// array CRC first (UEFI 5.3.2, header offset 0x58, over NumberOfPartitionEntries x
// SizeOfPartitionEntry bytes), then the header CRC (0x10, over HeaderSize bytes
// with the field zeroed), because the header CRC covers the array CRC.
import type { DiskModel, GptHeader } from '../diskModel';
import type { FixResult, Patch } from '../patch';
import { deriveHeader, diffPatches, headerSegments, hex32, isHealthy, notApplicable, u32, writeSummary, HEADER_FIELD } from './shared';

const ID = 'recompute-crcs' as const;

/** Plans recomputing stale array and header CRCs, trusting the current bytes. */
export function planRecomputeCrcs(disk: DiskModel): FixResult {
  const headers = [disk.backup, disk.primary].filter((h): h is GptHeader => h !== null); // backup first (UEFI 5.3.2)
  if (headers.length === 0) return notApplicable(ID, 'the disk has no GPT header');
  const patches: Patch[] = [];
  const changes: string[] = [];
  const skipped: string[] = [];
  for (const header of headers) {
    // A structurally invalid header (bad HeaderSize, entry geometry, MyLBA...) would
    // only be sealed in its wrong state: rebuilding it from the other copy is the fix.
    if (header.invalid.length > 0 || !header.array) {
      skipped.push(`the ${header.role} header at LBA ${header.lba} is structurally invalid (${header.invalid.map((p) => p.field).join(', ')}), so sealing it would not repair it`);
      continue;
    }
    const arrayCrc = header.computedArrayCrc32!;
    const block = deriveHeader(header.bytes, { partitionEntryArrayCrc32: arrayCrc });
    const headerCrc = u32(block, HEADER_FIELD.headerCrc32);
    const own = diffPatches(header.offset, header.bytes, block, headerSegments(header.bytes, disk.sectorSize), disk.sectorSize);
    if (own.length === 0) continue;
    patches.push(...own);
    const parts: string[] = [];
    if (arrayCrc !== header.partitionEntryArrayCrc32) {
      parts.push(`PartitionEntryArrayCRC32 ${hex32(header.partitionEntryArrayCrc32)} -> ${hex32(arrayCrc)} (over ${header.numPartitionEntries} x ${header.partitionEntrySize} bytes at LBA ${header.partitionEntryLba})`);
    }
    if (headerCrc !== header.headerCrc32) parts.push(`HeaderCRC32 ${hex32(header.headerCrc32)} -> ${hex32(headerCrc)}`);
    changes.push(`${header.role} header (LBA ${header.lba}): ${parts.join(', ')}`);
  }
  if (patches.length === 0) {
    return notApplicable(ID, skipped.length > 0 ? `${skipped.join('; ')}; no other header has stale CRCs` : 'every header CRC and entry array CRC already matches its bytes');
  }
  const healthyOther = headers.find((h) => isHealthy(h));
  const caution = healthyOther
    ? ` If the damage was not a deliberate edit, rebuild-${healthyOther.role === 'primary' ? 'backup-from-primary' : 'primary-from-backup'} restores the other copy from the healthy ${healthyOther.role} GPT instead.`
    : '';
  const description = [
    `Recomputes the stale CRCs, array CRC first, then header CRC: ${changes.join('; ')}.`,
    `This trusts the current bytes: whatever the headers and arrays hold now becomes what their CRCs vouch for.${caution}`,
    skipped.length > 0 ? `Left alone: ${skipped.join('; ')}.` : '',
    writeSummary(patches, disk.sectorSize),
  ]
    .filter((s) => s.length > 0)
    .join(' ');
  return { ok: true, plan: { id: ID, title: 'Recompute GPT CRCs', description, patches } };
}
