// A GPT found away from its own MyLBA: the disk's contents moved by a number of
// sectors (a RAID set rebuilt with the wrong stripe start, an image copied with
// an offset, a disk behind a bridge that hides or adds sectors). The header found
// at LBA 129 says MyLBA 1: everything moved 128 sectors later, its partitions
// with it. When volumes are found where its entries start, moved by that same
// amount, the table is proposed as it was (slots, GUIDs, attributes, names) with
// every LBA moved by the shift, so the partitions point at the data where it now
// is. A header in a disk image stored inside a volume moves too (its MyLBA is 1
// wherever the file sits): its matches are nested in that volume, so it is not used.
import type { FoundVolume } from './scanner';
import type { StrayTable } from './tables';
import type { Proposal, ProposedPartition } from './proposalTypes';
import { gptUsableRange } from './proposalTypes';

type StrayGpt = Extract<StrayTable, { kind: 'gpt' }>;

/**
 * The proposal from the shifted stray GPT whose moved entries start where the
 * most top-level volumes were found, or null when no shifted GPT is borne out
 * by the volumes (or its moved entries do not fit the disk).
 */
export function shiftedGptProposal(tables: StrayTable[], volumes: FoundVolume[], totalSectors: bigint, sectorSize: number): Proposal | null {
  const { firstUsable, lastUsable } = gptUsableRange(totalSectors, sectorSize);
  const top = volumes.filter((v) => v.nestedIn === undefined);
  let best: { table: StrayGpt; matched: bigint[] } | null = null;
  for (const table of tables) {
    if (table.kind !== 'gpt' || table.shift === 0n || !table.headerCrcOk || table.arrayCrcOk !== true || table.entries.length === 0) continue;
    const moved = table.entries.map((e) => ({ first: e.firstLba + table.shift, last: e.lastLba + table.shift }));
    // Every moved partition must start inside the usable range and end after it starts.
    if (moved.some((m) => m.first < firstUsable || m.first > lastUsable || m.last < m.first)) continue;
    const matched = moved.filter((m) => top.some((v) => v.firstLba === m.first)).map((m) => m.first);
    // Borne out by the volumes: at least one starts where a moved entry does, none where an unmoved one does.
    if (matched.length === 0 || table.entries.some((e) => top.some((v) => v.firstLba === e.firstLba))) continue;
    if (!best || matched.length > best.matched.length) best = { table, matched };
  }
  if (!best) return null;
  const { table, matched } = best;
  const clipped: string[] = [];
  const partitions = table.entries.map((e): ProposedPartition => {
    const firstLba = e.firstLba + table.shift;
    let lastLba = e.lastLba + table.shift;
    if (lastLba > lastUsable) {
      clipped.push(`slot ${e.slot} (${e.name || 'unnamed'}) ended at LBA ${lastLba}, past the disk's last usable LBA ${lastUsable}: it is cut to end there`);
      lastLba = lastUsable;
    }
    return {
      slot: e.slot,
      firstLba,
      lastLba,
      typeGuid: e.typeGuid,
      uniqueGuid: e.uniqueGuid,
      attributes: e.attributes,
      name: e.name,
      role: e.name || `slot ${e.slot}`,
    };
  });
  const n = table.shift < 0n ? -table.shift : table.shift;
  const which = table.myLba === 1n ? 'primary' : 'backup';
  return {
    scheme: 'gpt',
    source: 'stray-gpt',
    diskGuid: table.diskGuid,
    shift: table.shift,
    partitions,
    reasons: [
      `a GPT ${which} header with valid CRCs was found at LBA ${table.lba}, ${n} sector${n === 1n ? '' : 's'} ${table.shift > 0n ? 'after' : 'before'} its MyLBA ${table.myLba}: the disk's contents moved by ${table.shift} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)`,
      `${matched.length} of its ${table.entries.length} partitions have a volume found at their start moved by the same amount (LBA ${matched.join(', ')}): its entries are kept in their slots, GUIDs and names as they were, every LBA moved by ${table.shift}`,
      ...clipped,
    ],
  };
}
