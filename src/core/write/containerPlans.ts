// Whether a fix plan can be written through a container (qcow2, VHD, ...): every
// sector it touches must map to allocated, uncompressed, unshared data of the
// container file itself. Planning asks this so a dry run already says why not.
import type { ByteSource } from '../io/byteSource';
import { isContainerSource } from '../io/containerSource';
import { repairableCopyCommand } from '../io/containerDetect';
import type { FixPlan } from '../patch';
import { msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** Why `plan` cannot be written in place through `source`'s container (with the conversion to use), or null when it can or `source` is no container. */
export async function containerRefusal(source: ByteSource, plan: FixPlan, sectorSize: number): Promise<string | null> {
  const text = await containerRefusalText(source, plan, sectorSize);
  return text && renderMessage(text);
}

/** containerRefusal as a msg() template (the editor shows it in the user's language). */
export async function containerRefusalText(source: ByteSource, plan: FixPlan, sectorSize: number): Promise<Message | null> {
  if (!isContainerSource(source)) return null;
  for (const range of planSectorRanges([plan], sectorSize)) {
    const mapped = await source.mapWrite(range.offset, Math.min(range.length, source.size - range.offset));
    if (!mapped.ok) {
      const file = source.container.files[0]!;
      return msg(
        'it would write through the {0} container, but {1}; repair a raw copy instead: {2}',
        source.container.format,
        mapped.reasonText,
        repairableCopyCommand(file, source.container.format),
      );
    }
  }
  return null;
}

/** The whole sectors the plans' patches touch, as byte ranges (a container maps exactly these for writing). */
export function planSectorRanges(plans: readonly FixPlan[], sectorSize: number): { offset: number; length: number }[] {
  return plans.flatMap((plan) =>
    plan.patches
      .filter((p) => p.after.length > 0)
      .map((p) => {
        const first = Math.floor(p.offset / sectorSize) * sectorSize;
        return { offset: first, length: Math.ceil((p.offset + p.after.length) / sectorSize) * sectorSize - first };
      }),
  );
}
