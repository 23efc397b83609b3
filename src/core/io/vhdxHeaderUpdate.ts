// The VHDX header update a data write needs first (VHDX 1.0, 2.2.2 and 2.2.2.1):
// before the first change of user-visible data after the file is opened, the
// header gets a new FileWriteGuid and DataWriteGuid. The update is written to
// the non-current of the two 4 KiB slots (64 KiB and 128 KiB) with the sequence
// number one above the current header's and a CRC-32C over the 4 KiB (checksum
// field taken as zero), and flushed before any data is written: a crash leaves
// either the old header current or the new one, both valid. The old header in
// the other slot stays as it is.
import { randomUUID } from 'node:crypto';
import type { ByteSource } from './byteSource';
import type { ContainerMetadataSlot, ContainerMetadataWrite } from './containerSource';
import { ContainerError, bytesField, parseContainerStruct, readTable, readU64le } from './containerStructs';
import type { StructNode } from '../structure';
import { findField } from '../structure';
import { VhdxHeader } from '../generated/VhdxHeader';
import { crc32c } from '../crc32c';
import { parseGuid, isZeroGuid } from '../guid';
import { msg } from '../../shared/l10n';

const KiB = 1024;
/** The two header slots, file offsets (VHDX 1.0, 2.2). */
export const VHDX_HEADER_SLOTS = [64 * KiB, 128 * KiB];
export const VHDX_HEADER_BYTES = 4 * KiB;

/** A header slot as read: its bytes, the parsed node, and whether it is a valid header ("head" and CRC-32C). */
export interface VhdxHeaderSlot {
  at: number;
  bytes: Uint8Array;
  node: StructNode;
  valid: boolean;
  sequence: bigint;
}

/** Reads and parses both header slots. */
export async function readVhdxHeaderSlots(source: ByteSource): Promise<VhdxHeaderSlot[]> {
  const slots: VhdxHeaderSlot[] = [];
  for (const at of VHDX_HEADER_SLOTS) {
    const bytes = await readTable(source, at, VHDX_HEADER_BYTES, 'VHDX header');
    const node = parseContainerStruct(`vhdxHeader@${at / KiB}K`, VhdxHeader, bytes, at);
    const valid = Buffer.from(bytesField(node, 'signature')).toString('latin1') === 'head' && checksumOk(bytes, 4);
    slots.push({ at, bytes, node, valid, sequence: readU64le(bytesField(node, 'sequenceNumber')) });
  }
  return slots;
}

/** The current header: the valid slot with the larger sequence number, or null when neither is valid. */
export function currentSlot(slots: readonly VhdxHeaderSlot[]): VhdxHeaderSlot | null {
  let best: VhdxHeaderSlot | null = null;
  for (const slot of slots) if (slot.valid && (!best || slot.sequence > best.sequence)) best = slot;
  return best;
}

/** The header slots of `file` as metadata slots (where a VHDX repair's header update may go). */
export function vhdxMetadataSlots(file: string): ContainerMetadataSlot[] {
  return VHDX_HEADER_SLOTS.map((fileOffset) => ({ file, fileOffset, length: VHDX_HEADER_BYTES }));
}

/**
 * The header update to write before data: the current header with sequence + 1,
 * new FileWriteGuid and DataWriteGuid and its CRC-32C, into the other slot.
 * Read from `source` now; refused when the log is not empty (its entries would
 * have to be replayed first).
 */
export async function vhdxHeaderUpdate(file: string, source: ByteSource): Promise<ContainerMetadataWrite> {
  const slots = await readVhdxHeaderSlots(source);
  const current = currentSlot(slots);
  if (!current) throw new ContainerError(msg('neither VHDX header (at 64 KiB and 128 KiB) has a valid signature and CRC-32C'));
  if (!isZeroGuid(bytesField(current.node, 'logGuid')))
    throw new ContainerError(msg('the VHDX log is not empty: it must be replayed before anything is written'));
  const target = slots.find((s) => s !== current)!;
  const sequence = current.sequence + 1n;
  if (sequence > 0xffff_ffff_ffff_ffffn) throw new ContainerError(msg('the VHDX header sequence number cannot grow any further'));
  const after = new Uint8Array(current.bytes);
  const view = new DataView(after.buffer);
  const put = (name: string, bytes: Uint8Array): void => after.set(bytes, offsetOf(current.node, name));
  view.setBigUint64(offsetOf(current.node, 'sequenceNumber'), sequence, true);
  put('fileWriteGuid', parseGuid(randomUUID()));
  put('dataWriteGuid', parseGuid(randomUUID()));
  const checksumAt = offsetOf(current.node, 'checksum');
  view.setUint32(checksumAt, 0, true);
  view.setUint32(checksumAt, crc32c(after), true);
  return {
    file,
    fileOffset: target.at,
    before: target.bytes,
    after,
    what: `VHDX header at ${target.at / KiB} KiB`,
    change: `sequence ${sequence}, new FileWriteGuid and DataWriteGuid`,
  };
}

/** A field's offset inside the header, from the spec's parse (not a hand-kept table). */
function offsetOf(node: StructNode, name: string): number {
  const field = findField(node.fields, name);
  if (!field) throw new ContainerError(msg('{0} has no field {1}', node.name, name));
  return field.offset - node.offset;
}

/** CRC-32C over `bytes` with the 4-byte checksum at `at` taken as zero equals the stored one. */
export function checksumOk(bytes: Uint8Array, at: number): boolean {
  const copy = new Uint8Array(bytes);
  const stored = new DataView(copy.buffer).getUint32(at, true);
  copy.fill(0, at, at + 4);
  return crc32c(copy) === stored;
}
