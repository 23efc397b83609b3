// restore-esxi-slots: put every entry of an ESXi boot disk back in the slot the
// installer gave it. ESXi names its partitions by number (= slot + 1), so an
// array rewritten "compacted" (in the ESXi 5.0 case: slots 3..6 instead of 4..7) renumbers
// bootbank, altbootbank, vmkDiagnostic and the locker and the host loses them.
import { english, markedText, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import type { DiskModel, GptHeader } from '../model';
import type { EsxiPlacement } from '../model';
import type { FixResult, Patch } from '../patch';
import type { FixDefinition } from './fixDefinition';
import { crc32 } from '../crc32';
import { deriveHeader, diffPatches, entrySegments, headerSegments, hex32, isHealthy, healthMessage, notApplicable, u32, writeSummaryMessage } from './shared';
import { GPT_HEADER } from '../layout';
import { bytesEqual } from '../bytes';

const ID = 'restore-esxi-slots' as const;

/** Restore ESXi partition slots: the registry's entry (registry.ts). */
export const restoreEsxiSlots = {
  id: 'restore-esxi-slots',
  title: english('Restore ESXi partition slots'),
  label: english('Restore ESXi slot gap'),
  help: 'Moves every entry of a compacted ESXi boot disk back to the slot the installer gave it (on a compacted ESXi 5.x disk: slots 3..6 back to 4..7, slot 3 zeroed), in the primary and the backup array, entry bytes unchanged; then recomputes both array CRCs and both header CRCs.',
  plan: planRestoreEsxiSlots,
} as const satisfies FixDefinition<'restore-esxi-slots'>;

/** Plans moving the entries of a compacted ESXi array back to their slots, in both GPT copies. */
export function planRestoreEsxiSlots(disk: DiskModel): FixResult {
  const layout = disk.esxi;
  if (!layout) return notApplicable(ID, msg('no ESXi boot-disk layout was recognised on this disk, so there are no installer slots to restore'));
  if (!layout.compacted) return notApplicable(ID, msg('every entry already sits in the slot the {0} gives it', markedText(layout.description)));
  const moves = layout.placements.filter((p) => p.currentSlot !== p.expectedSlot);

  // The copies to rewrite. A damaged copy would have to be trusted or ignored;
  // both are the job of recompute-crcs / rebuild-*, so we ask for those first.
  const copies = [disk.primary, disk.backup].filter((h): h is GptHeader => h !== null);
  const broken = copies.find((h): boolean => !isHealthy(h));
  if (broken) {
    const other = broken.role === 'primary' ? 'rebuild-primary-from-backup' : 'rebuild-backup-from-primary';
    return notApplicable(ID, msg('{0}; repair it first ({1} or recompute-crcs), then restore the slots', healthMessage(broken, broken.role), other));
  }
  if (copies.length === 0) return notApplicable(ID, msg('the disk has no GPT header to rewrite'));
  const [first, second] = copies;
  if (first && second && !bytesEqual(first.array!.bytes, second.array!.bytes)) {
    return notApplicable(ID, msg('the primary and backup entry arrays differ, so it is unclear which one to restore; rebuild one from the other first'));
  }

  // Both headers may name one array (a damaged or hand-made GPT): it is moved once, and both headers seal it.
  const shared = first && second && first.array!.offset === second.array!.offset;
  if (first && second && !shared && rangesOverlap(first.array!, second.array!)) {
    return notApplicable(
      ID,
      msg(
        'the primary array (LBA {0}) and the backup array (LBA {1}) overlap without being the same array; rebuild one from the other first',
        first.partitionEntryLba,
        second.partitionEntryLba,
      ),
    );
  }
  const patches: { backup: Patch[]; primary: Patch[] } = { backup: [], primary: [] };
  const crcNotes: Message[] = [];
  const arraysPatched = new Set<number>();
  for (const header of copies) {
    const beyond = moves.find((m) => m.expectedSlot >= header.numPartitionEntries);
    if (beyond) {
      return notApplicable(
        ID,
        msg(
          header.role === 'primary'
            ? 'the primary array has {0} entries, so slot {1} (partition {2}, {3}) does not exist in it'
            : 'the backup array has {0} entries, so slot {1} (partition {2}, {3}) does not exist in it',
          header.numPartitionEntries,
          beyond.expectedSlot,
          beyond.expectedSlot + 1,
          beyond.role,
        ),
      );
    }
    const array = header.array!;
    const moved = moveEntries(array.bytes, moves, header.partitionEntrySize);
    if (typeof moved === 'string') return notApplicable(ID, msg(header.role === 'primary' ? 'primary array: {0}' : 'backup array: {0}', moved));
    const arrayCrc = crc32(moved);
    const block = deriveHeader(header.bytes, { partitionEntryArrayCrc32: arrayCrc });
    crcNotes.push(
      msg(
        header.role === 'primary'
          ? 'primary header (LBA {0}): PartitionEntryArrayCRC32 {1} -> {2}, HeaderCRC32 {3} -> {4}'
          : 'backup header (LBA {0}): PartitionEntryArrayCRC32 {1} -> {2}, HeaderCRC32 {3} -> {4}',
        header.lba,
        hex32(header.partitionEntryArrayCrc32),
        hex32(arrayCrc),
        hex32(header.headerCrc32),
        hex32(u32(block, GPT_HEADER.headerCrc32.offset)),
      ),
    );
    if (!arraysPatched.has(array.offset))
      patches[header.role].push(
        ...diffPatches(array.offset, array.bytes, moved, entrySegments(array.bytes.length, header.partitionEntrySize), disk.sectorSize),
      );
    arraysPatched.add(array.offset);
    patches[header.role].push(...diffPatches(header.offset, header.bytes, block, headerSegments(header.bytes, disk.sectorSize), disk.sectorSize));
  }
  // UEFI 5.3.2 recovery order: the backup is brought up to date before the primary.
  const all = [...patches.backup, ...patches.primary];

  const vacated = moves.map((m) => m.currentSlot).filter((slot) => !moves.some((m) => m.expectedSlot === slot));
  const moveText = msgJoin(
    moves.map((m) => msg('slot {0} -> {1} ({2}, now partition {3})', m.currentSlot, m.expectedSlot, m.role, m.expectedSlot + 1)),
    ', ',
  );
  const where = shared
    ? msg('in the one array both headers point at (LBA {0}), once', first!.partitionEntryLba)
    : copies.length === 2
      ? msg('in the primary and the backup array')
      : copies[0]!.role === 'primary'
        ? msg('in the primary array only (there is no backup GPT; rebuild it afterwards)')
        : msg('in the backup array only (there is no primary GPT; rebuild it afterwards)');
  const sentences: Message[] = [
    moves.length === 1
      ? msg('Moves 1 entry back to the slots the {0} gives them, {1}: {2}.', markedText(layout.description), where, moveText)
      : msg('Moves {0} entries back to the slots the {1} gives them, {2}: {3}.', moves.length, markedText(layout.description), where, moveText),
    ...(vacated.length === 0
      ? []
      : [vacated.length > 1 ? msg('Slots {0} become empty (zeroed).', vacated.join(', ')) : msg('Slot {0} becomes empty (zeroed).', vacated[0]!)]),
    msg('Entry bytes move unchanged (type and unique GUIDs, LBAs, all 64 attribute bits, names).'),
    msg('Then recomputes the array CRC and then the header CRC of each header: {0}.', msgJoin(crcNotes, '; ')),
    writeSummaryMessage(all, disk.sectorSize),
  ];
  const descriptionText = msgJoin(sentences, ' ');
  return { ok: true, plan: { id: ID, title: restoreEsxiSlots.title, description: renderMessage(descriptionText), descriptionText, patches: all } };
}

function rangesOverlap(a: { offset: number; bytes: Uint8Array }, b: { offset: number; bytes: Uint8Array }): boolean {
  return a.offset < b.offset + b.bytes.length && b.offset < a.offset + a.bytes.length;
}

/**
 * The array with every moving entry taken out of its current slot and written,
 * unchanged, into its expected slot; vacated slots become zero (an unused entry,
 * UEFI 5.3.3: type GUID zero). Returns a reason when a target holds a used entry
 * (non-zero type GUID) that does not move: it would be overwritten.
 */
function moveEntries(array: Uint8Array, moves: EsxiPlacement[], entrySize: number): Uint8Array | string {
  const out = array.slice();
  const entryAt = (slot: number): Uint8Array => array.subarray(slot * entrySize, (slot + 1) * entrySize);
  const leaving = new Set(moves.map((m) => m.currentSlot));
  for (const move of moves) {
    const target = entryAt(move.expectedSlot);
    if (!leaving.has(move.expectedSlot) && target.subarray(0, 16).some((b) => b !== 0)) {
      return `slot ${move.expectedSlot} is not empty, so moving ${move.role} there would overwrite an entry`;
    }
  }
  for (const move of moves) out.fill(0, move.currentSlot * entrySize, (move.currentSlot + 1) * entrySize);
  for (const move of moves) out.set(entryAt(move.currentSlot), move.expectedSlot * entrySize);
  return out;
}
