// recompute-crcs: make the CRCs agree with the bytes as they are, for each header
// whose CRCs are stale. This is the manual repair after a hex edit: the
// array CRC first (UEFI 5.3.2, header offset 0x58, over NumberOfPartitionEntries x
// SizeOfPartitionEntry bytes), then the header CRC (0x10, over HeaderSize bytes
// with the field zeroed), because the header CRC covers the array CRC.
import { english, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import type { DiskModel, GptHeader } from '../model';
import type { FixResult, Patch } from '../patch';
import type { FixDefinition } from './fixDefinition';
import { arraySectorsOf, deriveHeader, diffPatches, headerSegments, hex32, isHealthy, notApplicable, u32, writeSummaryMessage } from './shared';
import { GPT_HEADER } from '../layout';

const ID = 'recompute-crcs' as const;

/** Recompute GPT CRCs: the registry's entry (registry.ts). */
export const recomputeCrcs = {
  id: 'recompute-crcs',
  title: english('Recompute GPT CRCs'),
  label: english('Recompute CRCs'),
  help: 'For each header whose CRCs are stale: the entry array CRC (0x58), then the header CRC (0x10). Trusts the bytes as they are now.',
  plan: planRecomputeCrcs,
} as const satisfies FixDefinition<'recompute-crcs'>;

/** Plans recomputing stale array and header CRCs, trusting the current bytes. */
export function planRecomputeCrcs(disk: DiskModel): FixResult {
  const headers = [disk.backup, disk.primary].filter((h): h is GptHeader => h !== null); // backup first (UEFI 5.3.2)
  if (headers.length === 0) return notApplicable(ID, msg('the disk has no GPT header'));
  const patches: Patch[] = [];
  const changes: Message[] = [];
  const skipped: Message[] = [];
  for (const header of headers) {
    const other = header.role === 'primary' ? disk.backup : disk.primary;
    const primary = header.role === 'primary';
    // "; rebuild-primary-from-backup rewrites it from the healthy backup copy", or nothing.
    const rebuildHint: Message | string = !isHealthy(other)
      ? ''
      : primary
        ? msg('; rebuild-primary-from-backup rewrites it from the healthy backup copy')
        : msg('; rebuild-backup-from-primary rewrites it from the healthy primary copy');
    // A structurally invalid header (bad HeaderSize, entry geometry, MyLBA...) would
    // only be sealed in its wrong state: rebuilding it from the other copy is the fix.
    if (header.invalid.length > 0 || !header.array) {
      skipped.push(
        msg(
          primary
            ? 'the primary header at LBA {0} is structurally invalid ({1}), so sealing it would not repair it{2}'
            : 'the backup header at LBA {0} is structurally invalid ({1}), so sealing it would not repair it{2}',
          header.lba,
          header.invalid.map((p) => p.field).join(', '),
          rebuildHint,
        ),
      );
      continue;
    }
    // A stale HeaderCRC32 means the header's bytes changed after it was sealed. When
    // the other header is vouched for by its own CRC, the fields both copies must
    // share (UEFI 5.3.2) tell a CRC-only problem from damaged fields; sealing
    // damaged fields would make them look valid (and, for the primary, be used).
    const reference = other && other.invalid.length === 0 && other.headerCrcOk ? other : null;
    const disagreements = !header.headerCrcOk && reference ? mirroredFieldDifferences(header, reference) : [];
    // UEFI 5.3.2: the entry array lies outside the usable range. A PartitionEntryLBA
    // moved into it (a damaged field the structural checks accept) would have its
    // CRC computed over partition data: never seal that.
    const arrayEnd = header.partitionEntryLba + BigInt(arraySectorsOf(header, disk.sectorSize)) - 1n;
    if (!header.headerCrcOk && header.partitionEntryLba <= header.lastUsableLba && arrayEnd >= header.firstUsableLba) {
      disagreements.push(
        msg(
          'its entry array at LBAs {0}..{1} lies inside the usable range {2}..{3}',
          header.partitionEntryLba,
          arrayEnd,
          header.firstUsableLba,
          header.lastUsableLba,
        ),
      );
    }
    // Likewise stale CRCs over entries that break the rules (UEFI 5.3.3:
    // StartingLBA <= EndingLBA, inside the header's usable range, no overlaps) are
    // damage, not an edit to vouch for: a corrupted entry, or a usable range moved
    // by a corrupted header field. Sealing it would make the partitions look real.
    if (!header.headerCrcOk || header.arrayCrcOk === false) disagreements.push(...entryProblems(header));
    if (disagreements.length > 0) {
      const stale = msgJoin([!header.headerCrcOk ? 'HeaderCRC32' : '', header.arrayCrcOk === false ? 'PartitionEntryArrayCRC32' : ''].filter(Boolean), ' and ');
      const against = !reference
        ? msg('breaks the layout rules')
        : reference.role === 'primary'
          ? msg('disagrees with the primary header or breaks the layout rules')
          : msg('disagrees with the backup header or breaks the layout rules');
      skipped.push(
        msg(
          primary
            ? 'the primary GPT at LBA {0} has a stale {1} and its content {2} ({3}), so its bytes, not just its CRCs, are damaged and sealing them would make them look valid{4}'
            : 'the backup GPT at LBA {0} has a stale {1} and its content {2} ({3}), so its bytes, not just its CRCs, are damaged and sealing them would make them look valid{4}',
          header.lba,
          stale,
          against,
          msgJoin(disagreements, '; '),
          rebuildHint,
        ),
      );
      continue;
    }
    const arrayCrc = header.computedArrayCrc32!;
    const block = deriveHeader(header.bytes, { partitionEntryArrayCrc32: arrayCrc });
    const headerCrc = u32(block, GPT_HEADER.headerCrc32.offset);
    const own = diffPatches(header.offset, header.bytes, block, headerSegments(header.bytes, disk.sectorSize), disk.sectorSize);
    if (own.length === 0) continue;
    patches.push(...own);
    const parts: Message[] = [];
    if (arrayCrc !== header.partitionEntryArrayCrc32) {
      parts.push(
        msg(
          'PartitionEntryArrayCRC32 {0} -> {1} (over {2} x {3} bytes at LBA {4})',
          hex32(header.partitionEntryArrayCrc32),
          hex32(arrayCrc),
          header.numPartitionEntries,
          header.partitionEntrySize,
          header.partitionEntryLba,
        ),
      );
    }
    if (headerCrc !== header.headerCrc32) parts.push(msg('HeaderCRC32 {0} -> {1}', hex32(header.headerCrc32), hex32(headerCrc)));
    changes.push(msg(primary ? 'primary header (LBA {0}): {1}' : 'backup header (LBA {0}): {1}', header.lba, msgJoin(parts, ', ')));
  }
  if (patches.length === 0) {
    return notApplicable(
      ID,
      skipped.length > 0
        ? msg('{0}; no other header has stale CRCs', msgJoin(skipped, '; '))
        : msg('every header CRC and entry array CRC already matches its bytes'),
    );
  }
  const healthyOther = headers.find((h) => isHealthy(h));
  const trust = !healthyOther
    ? msg('This trusts the current bytes: whatever the headers and arrays hold now becomes what their CRCs vouch for.')
    : healthyOther.role === 'primary'
      ? msg(
          'This trusts the current bytes: whatever the headers and arrays hold now becomes what their CRCs vouch for. If the damage was not a deliberate edit, rebuild-backup-from-primary restores the other copy from the healthy primary GPT instead.',
        )
      : msg(
          'This trusts the current bytes: whatever the headers and arrays hold now becomes what their CRCs vouch for. If the damage was not a deliberate edit, rebuild-primary-from-backup restores the other copy from the healthy backup GPT instead.',
        );
  const descriptionText = msgJoin(
    [
      msg('Recomputes the stale CRCs, array CRC first, then header CRC: {0}.', msgJoin(changes, '; ')),
      trust,
      ...(skipped.length > 0 ? [msg('Left alone: {0}.', msgJoin(skipped, '; '))] : []),
      writeSummaryMessage(patches, disk.sectorSize),
    ],
    ' ',
  );
  return { ok: true, plan: { id: ID, title: recomputeCrcs.title, description: renderMessage(descriptionText), descriptionText, patches } };
}

/** Fields a primary and a backup header must agree on (UEFI 5.3.2), as "name X vs Y" for each difference. */
function mirroredFieldDifferences(header: GptHeader, reference: GptHeader): Message[] {
  const out: Message[] = [];
  const same = (name: string, a: bigint | number | string, b: bigint | number | string): void => {
    if (a !== b) out.push(msg('{0} {1} vs {2}', name, String(a), String(b)));
  };
  same('Revision', header.revision, reference.revision);
  same('HeaderSize', header.headerSize, reference.headerSize);
  same('AlternateLBA', header.alternateLba, reference.lba);
  same('FirstUsableLBA', header.firstUsableLba, reference.firstUsableLba);
  same('LastUsableLBA', header.lastUsableLba, reference.lastUsableLba);
  same('DiskGUID', header.diskGuid, reference.diskGuid);
  same('NumberOfPartitionEntries', header.numPartitionEntries, reference.numPartitionEntries);
  same('SizeOfPartitionEntry', header.partitionEntrySize, reference.partitionEntrySize);
  return out;
}

/** Used entries that break UEFI 5.3.3's rules, in a few words each (the first 3, then "and others"). */
function entryProblems(header: GptHeader): Message[] {
  const used = header.array!.slots.filter((e) => e.used);
  const out: Message[] = [];
  for (const e of used) {
    if (e.lastLba < e.firstLba) out.push(msg('partition {0} ends (LBA {1}) before it starts (LBA {2})', e.number, e.lastLba, e.firstLba));
    else if (e.firstLba < header.firstUsableLba || e.lastLba > header.lastUsableLba)
      out.push(
        msg(
          'partition {0} (LBAs {1}..{2}) lies outside the usable range {3}..{4}',
          e.number,
          e.firstLba,
          e.lastLba,
          header.firstUsableLba,
          header.lastUsableLba,
        ),
      );
  }
  const spans = used.filter((e) => e.lastLba >= e.firstLba).sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : 0));
  // One sweep with the furthest end so far: linear after the sort, whatever a hostile array holds.
  let furthestEnd = -1n;
  for (const e of spans) {
    if (e.firstLba <= furthestEnd) out.push(msg('partition {0} (LBAs {1}..{2}) overlaps an earlier one', e.number, e.firstLba, e.lastLba));
    if (e.lastLba > furthestEnd) furthestEnd = e.lastLba;
    if (out.length > 3) break;
  }
  return out.length > 3 ? [...out.slice(0, 3), msg('and others')] : out;
}
