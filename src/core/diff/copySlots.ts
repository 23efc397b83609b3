// copy-slots-from-reference: make A's partition numbers those of a reference disk
// B (a backup, a sibling host): every entry of A moves, bytes unchanged, into the
// slot B uses for the same partition (matched as in the structural diff), in
// the primary and the backup array, then each array CRC and header CRC is
// recomputed. A pure planner like those in ../fixes: model in, patches out.
import { english, msg, msgJoin, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';
import type { DiskModel, GptHeader, Partition } from '../model';
import type { ReferenceFixId } from '../findings';
import type { FixResult, Patch } from '../patch';
import type { ReferenceFixDefinition } from '../fixes/fixDefinition';
import { crc32 } from '../crc32';
import { resealGptHeader } from '../gptEncode';
import { GPT_HEADER } from '../layout';
import { matchPartitions } from './structuralDiff';
import type { PartitionMatch } from './structuralDiff';

/** The fix id. */
export const COPY_SLOTS_FROM_REFERENCE: ReferenceFixId = 'copy-slots-from-reference';

// Not a FixId (findings.ts): it needs a reference disk, so no finding offers it
// and planFix(disk, id) cannot run it; the registry lists it apart (REFERENCE_FIXES).
const ID = COPY_SLOTS_FROM_REFERENCE;

/** Copy partition slots from a reference disk: the registry's entry (../fixes/registry.ts). */
export const copySlotsFromReference = {
  id: 'copy-slots-from-reference',
  title: english('Copy partition slots from a reference disk'),
  helpTitle: 'Copy the slots of a reference image (needs --reference B)',
  label: english('Copy slots from B into A'),
  help: 'Moves each entry into the slot the reference image uses for the same partition (matched by unique GUID, else type + first LBA), in the primary and the backup array; CRCs recomputed.',
  plan: planCopySlotsFromReference,
} as const satisfies ReferenceFixDefinition<'copy-slots-from-reference'>;

// The two CRCs this fix rewrites (UEFI 5.3.2), where the spec puts them.
const HEADER_CRC32_AT = GPT_HEADER.headerCrc32.offset;
const ARRAY_CRC32_AT = GPT_HEADER.partitionEntryArrayCrc32.offset;

/** Plans moving A's entries into the slots reference B uses for the same partitions. Never touches either image. */
export function planCopySlotsFromReference(disk: DiskModel, reference: DiskModel): FixResult {
  const refuse = (reason: string | Message): FixResult =>
    typeof reason === 'string' ? { ok: false, id: ID, reason } : { ok: false, id: ID, reason: renderMessage(reason), reasonText: reason };
  if (disk.scheme !== 'gpt')
    return refuse(
      disk.scheme === 'none'
        ? msg('{0} has no GPT (no partition table was found), so it has no slots to rearrange', disk.image)
        : disk.scheme === 'mbr'
          ? msg('{0} has no GPT (it is partitioned with an MBR), so it has no slots to rearrange', disk.image)
          : msg('{0} has no GPT (it is partitioned with a {1} label), so it has no slots to rearrange', disk.image, disk.scheme.toUpperCase()),
    );
  if (reference.scheme !== 'gpt') return refuse(msg('the reference {0} has no GPT, so it has no slots to copy', reference.image));

  const copies = [disk.backup, disk.primary].filter((h): h is GptHeader => h !== null); // backup first (UEFI 5.3.2)
  const broken = copies.find((h) => !(h.invalid.length === 0 && h.headerCrcOk && h.arrayCrcOk === true && h.array));
  if (broken)
    return refuse(
      broken.role === 'primary'
        ? msg('the primary GPT of {0} is damaged (bad CRC or invalid fields); repair it first (diskx check lists the fixes), then copy the slots', disk.image)
        : msg('the backup GPT of {0} is damaged (bad CRC or invalid fields); repair it first (diskx check lists the fixes), then copy the slots', disk.image),
    );
  if (copies.length === 2 && Buffer.compare(copies[0]!.array!.bytes, copies[1]!.array!.bytes) !== 0) {
    return refuse(
      msg('the primary and backup entry arrays of {0} differ, so it is unclear which one to rearrange; rebuild one from the other first', disk.image),
    );
  }

  const { matches, onlyA, onlyB } = matchPartitions(disk.partitions, reference.partitions);
  if (onlyA.length > 0) {
    const list = msgJoin(
      onlyA.map((p) => msg('{0} (slot {1}, {2})', labelText(disk, p), p.slot, p.uuid ?? msg('no GUID'))),
      ', ',
    );
    return refuse(
      onlyA.length === 1
        ? msg('a partition of {0} is missing in the reference, so there is no slot to copy for {1}', disk.image, list)
        : msg('{0} partitions of {1} are missing in the reference, so there is no slot to copy for {2}', onlyA.length, disk.image, list),
    );
  }
  const moves = matches.filter((m) => m.a.slot !== m.b.slot).sort((x, y) => x.a.slot - y.a.slot);
  if (moves.length === 0) return refuse(msg('every partition of {0} already sits in the slot the reference uses', disk.image));

  const patches: Patch[] = [];
  const crcNotes: Message[] = [];
  for (const header of copies) {
    const array = header.array!;
    const beyond = moves.find((m) => m.b.slot >= header.numPartitionEntries);
    if (beyond)
      return refuse(
        header.role === 'primary'
          ? msg(
              'the primary array of {0} has {1} entries, so it has no slot {2} for {3}',
              disk.image,
              header.numPartitionEntries,
              beyond.b.slot,
              labelText(disk, beyond.a),
            )
          : msg(
              'the backup array of {0} has {1} entries, so it has no slot {2} for {3}',
              disk.image,
              header.numPartitionEntries,
              beyond.b.slot,
              labelText(disk, beyond.a),
            ),
      );
    const moved = moveEntries(array.bytes, moves, header.partitionEntrySize);
    if (!(moved instanceof Uint8Array)) return refuse(header.role === 'primary' ? msg('primary array: {0}', moved) : msg('backup array: {0}', moved));
    const arrayCrc = crc32(moved);
    const block = header.bytes.slice();
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    view.setUint32(ARRAY_CRC32_AT, arrayCrc, true); // the header CRC covers the array CRC: set it first
    resealGptHeader(block);
    crcNotes.push(
      msg(
        header.role === 'primary'
          ? 'primary (LBA {0}): array CRC {1} -> {2}, header CRC {3} -> {4}'
          : 'backup (LBA {0}): array CRC {1} -> {2}, header CRC {3} -> {4}',
        header.lba,
        hex32(header.partitionEntryArrayCrc32),
        hex32(arrayCrc),
        hex32(header.headerCrc32),
        hex32(view.getUint32(HEADER_CRC32_AT, true)),
      ),
    );
    for (let slot = 0; slot < header.numPartitionEntries; slot++) {
      const at = slot * header.partitionEntrySize;
      patches.push(
        ...changedPatches(
          array.offset + at,
          array.bytes.subarray(at, at + header.partitionEntrySize),
          moved.subarray(at, at + header.partitionEntrySize),
          disk.sectorSize,
        ),
      );
    }
    for (const at of [ARRAY_CRC32_AT, HEADER_CRC32_AT])
      patches.push(...changedPatches(header.offset + at, header.bytes.subarray(at, at + 4), block.subarray(at, at + 4), disk.sectorSize));
  }

  const moveText = msgJoin(
    moves.map((m) => msg('{0} slot {1} -> {2} (partition {3} -> {4})', labelText(disk, m.a), m.a.slot, m.b.slot, m.a.number, m.b.number)),
    ', ',
  );
  const vacated = moves.map((m) => m.a.slot).filter((slot) => !moves.some((m) => m.b.slot === slot));
  const differing = matches.filter(
    (m) =>
      m.a.firstLba !== m.b.firstLba ||
      m.a.lastLba !== m.b.lastLba ||
      m.a.typeGuid !== m.b.typeGuid ||
      m.a.name !== m.b.name ||
      m.a.attributes !== m.b.attributes,
  );
  const where =
    copies.length === 2
      ? msg('in the primary and the backup array')
      : copies[0]!.role === 'primary'
        ? msg('in the primary array (the only GPT copy)')
        : msg('in the backup array (the only GPT copy)');
  const sentences: (Message | null)[] = [
    moves.length === 1
      ? msg('Moves 1 entry of {0} into the slots the reference {1} uses, {2}: {3}.', disk.image, reference.image, where, moveText)
      : msg('Moves {0} entries of {1} into the slots the reference {2} uses, {3}: {4}.', moves.length, disk.image, reference.image, where, moveText),
    vacated.length === 0
      ? null
      : vacated.length > 1
        ? msg('Slots {0} become empty (zeroed).', vacated.join(', '))
        : msg('Slot {0} becomes empty (zeroed).', vacated[0]!),
    msg('Entry bytes move unchanged (GUIDs, LBAs, all 64 attribute bits, names); only slots change.'),
    differing.length === 0
      ? null
      : differing.length > 1
        ? msg('Not copied: {0} matched partitions also differ in their fields (diskx diff shows them).', differing.length)
        : msg('Not copied: 1 matched partition also differs in their fields (diskx diff shows them).'),
    onlyB.length === 0
      ? null
      : onlyB.length > 1
        ? msg('The reference has {0} partitions that {1} lacks; they are not created.', onlyB.length, disk.image)
        : msg('The reference has 1 partition that {0} lacks; it is not created.', disk.image),
    msg('Then recomputes the array CRC and then the header CRC: {0}.', msgJoin(crcNotes, '; ')),
  ];
  const descriptionText = msgJoin(
    sentences.filter((m): m is Message => m !== null),
    ' ',
  );
  const description = renderMessage(descriptionText);
  return { ok: true, plan: { id: ID, title: copySlotsFromReference.title, description, descriptionText, patches } };
}

/**
 * The array with every moving entry taken out of its slot and written, byte for
 * byte, into the slot the reference uses; vacated slots become zero (unused,
 * UEFI 5.3.3). Slots nobody moves out of or into keep their bytes.
 */
function moveEntries(array: Uint8Array, moves: PartitionMatch[], entrySize: number): Uint8Array | Message {
  const out = array.slice();
  const leaving = new Set(moves.map((m) => m.a.slot));
  for (const m of moves) {
    const target = array.subarray(m.b.slot * entrySize, m.b.slot * entrySize + 16);
    if (!leaving.has(m.b.slot) && target.some((x) => x !== 0))
      return msg('slot {0} holds an entry that does not move, so moving slot {1} there would overwrite it', m.b.slot, m.a.slot);
  }
  for (const m of moves) out.fill(0, m.a.slot * entrySize, (m.a.slot + 1) * entrySize);
  for (const m of moves) out.set(array.subarray(m.a.slot * entrySize, (m.a.slot + 1) * entrySize), m.b.slot * entrySize);
  return out;
}

/** A patch for each sector-sized piece of the span (a whole entry, a 4-byte field) whose bytes change. */
function changedPatches(offset: number, before: Uint8Array, after: Uint8Array, sectorSize: number): Patch[] {
  const out: Patch[] = [];
  for (let at = 0; at < before.length;) {
    const end = Math.min(before.length, (Math.floor((offset + at) / sectorSize) + 1) * sectorSize - offset);
    if (Buffer.compare(before.subarray(at, end), after.subarray(at, end)) !== 0)
      out.push({ offset: offset + at, before: before.slice(at, end), after: after.slice(at, end) });
    at = end;
  }
  return out;
}

/** partitionLabel as a message: the ESXi role, the name or the type name as they are, else "partition N" in the user's language. */
function labelText(disk: DiskModel, p: Partition): string | Message {
  const role = disk.esxi?.placements.find((placement) => placement.currentSlot === p.slot)?.role;
  return role ?? (p.name || p.typeName || msg('partition {0}', p.number));
}

function hex32(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
}
