// Partition types diskx has no probe for because their format is not public:
// ESXi's vmkDiagnostic (core dump) partition. No blkid probe, VMware document
// or forensic tool describes a fixed header for it, so diskx does not guess
// one: it says whether the partition's first bytes are all zero (no dump yet,
// or cleared) or hold something it cannot identify, and that the type cannot
// be verified. Such a partition never gets a type-mismatch finding for
// holding nothing recognisable.
import type { Partition } from '../model';
import { TYPE_VMWARE_DIAGNOSTIC } from '../partitionTypes';
import { isAllZero } from './probe';
import { msg } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** How many bytes from the partition's start the note looks at. */
export const UNVERIFIABLE_HEAD_BYTES = 4096;
/** MBR type 0xFC: VMware vmkDiagnostic (VMKCORE). */
const MBR_VMKCORE = 0xfc;

/** Whether `p`'s type is one whose contents diskx cannot verify (vmkDiagnostic, GPT or MBR). */
export function isUnverifiableType(p: Partition): boolean {
  return p.typeGuid === TYPE_VMWARE_DIAGNOSTIC || (p.typeGuid === null && p.mbrType === MBR_VMKCORE);
}

/** The note for such a partition with nothing recognised in it, from its first bytes (null: not read, over the per-disk budget). */
export function unverifiableMessage(head: Uint8Array | null): Message {
  const what =
    head === null
      ? msg('Not read (the per-disk probe budget was spent)')
      : isAllZero(head)
        ? msg('The first {0} bytes are all zero: no core dump has been written (or it was cleared)', head.length)
        : msg('The first {0} bytes hold data diskx does not recognise (a core dump, or something else)', head.length);
  return msg('{0}. The type cannot be verified: the format of an ESXi vmkDiagnostic partition is not published, so diskx reads no structure in it.', what);
}
