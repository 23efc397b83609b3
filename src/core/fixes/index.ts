// The fixes, by id. Each is a pure function of the parsed disk to a plan of
// patches (or a reason it does not apply). Applying, previewing and journaling
// are generic (see ../write/).
import type { DiskModel } from '../diskModel';
import type { FixId } from '../findings';
import type { FixResult } from '../patch';

/** Plans fix `id` on `disk`. Never touches the image. */
export function planFix(disk: DiskModel, id: FixId): FixResult {
  return { ok: false, id, reason: `fix ${id} is not implemented yet (${disk.image})` };
}
