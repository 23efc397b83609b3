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
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

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
  const clipped: Message[] = [];
  const partitions = table.entries.map((e): ProposedPartition => {
    const firstLba = e.firstLba + table.shift;
    let lastLba = e.lastLba + table.shift;
    if (lastLba > lastUsable) {
      clipped.push(
        e.name
          ? msg("slot {0} ({1}) ended at LBA {2}, past the disk's last usable LBA {3}: it is cut to end there", e.slot, e.name, lastLba, lastUsable)
          : msg("slot {0} (unnamed) ended at LBA {1}, past the disk's last usable LBA {2}: it is cut to end there", e.slot, lastLba, lastUsable),
      );
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
      shiftedHeaderReason(which, table.lba, n, table.shift > 0n, table.myLba, table.shift),
      msg(
        '{0} of its {1} partitions have a volume found at their start moved by the same amount (LBA {2}): its entries are kept in their slots, GUIDs and names as they were, every LBA moved by {3}',
        matched.length,
        table.entries.length,
        matched.join(', '),
        table.shift,
      ),
      ...clipped,
    ],
  };
}

/** "a GPT primary header with valid CRCs was found at LBA X, N sectors after its MyLBA Y: ...", one template per wording. */
function shiftedHeaderReason(which: string, lba: bigint, n: bigint, after: boolean, myLba: bigint, shift: bigint): Message {
  const primary = which === 'primary';
  if (n === 1n)
    return after
      ? primary
        ? msg(
            "a GPT primary header with valid CRCs was found at LBA {0}, {1} sector after its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
            lba,
            n,
            myLba,
            shift,
          )
        : msg(
            "a GPT backup header with valid CRCs was found at LBA {0}, {1} sector after its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
            lba,
            n,
            myLba,
            shift,
          )
      : primary
        ? msg(
            "a GPT primary header with valid CRCs was found at LBA {0}, {1} sector before its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
            lba,
            n,
            myLba,
            shift,
          )
        : msg(
            "a GPT backup header with valid CRCs was found at LBA {0}, {1} sector before its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
            lba,
            n,
            myLba,
            shift,
          );
  return after
    ? primary
      ? msg(
          "a GPT primary header with valid CRCs was found at LBA {0}, {1} sectors after its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
          lba,
          n,
          myLba,
          shift,
        )
      : msg(
          "a GPT backup header with valid CRCs was found at LBA {0}, {1} sectors after its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
          lba,
          n,
          myLba,
          shift,
        )
    : primary
      ? msg(
          "a GPT primary header with valid CRCs was found at LBA {0}, {1} sectors before its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
          lba,
          n,
          myLba,
          shift,
        )
      : msg(
          "a GPT backup header with valid CRCs was found at LBA {0}, {1} sectors before its MyLBA {2}: the disk's contents moved by {3} sectors (a RAID set rebuilt with the wrong stripe start, an image copied with an offset)",
          lba,
          n,
          myLba,
          shift,
        );
}
