// The shape of one entry of the fix registry (registry.ts). Each fix's module
// exports its definition next to its planner, so the words a user sees and the
// code that plans the patches stay together; the registry lists them by id.
import type { DiskModel } from '../model';
import type { PlanFixId } from '../findings';
import type { FixResult } from '../patch';

/** A planner of a fix that needs only the disk itself. */
export type DiskFixPlanner = (disk: DiskModel) => FixResult;

/** A planner of a fix that needs a second, reference disk (copy-slots-from-reference). */
export type ReferenceFixPlanner = (disk: DiskModel, reference: DiskModel) => FixResult;

/** Everything the CLI, the editor and the Problems panel say about a fix, and its planner. */
export interface FixDefinition<Id extends PlanFixId = PlanFixId, Planner = DiskFixPlanner> {
  id: Id;
  /** The plan's title and the heading of its help ("Restore ESXi partition slots"). */
  title: string;
  /** Button text in the editor, the quick fixes and the palette ("Restore ESXi slot gap"). */
  label: string;
  /** One paragraph for `diskx --help` and `diskx codes`. */
  help: string;
  /** Pure: the parsed model in, patches (or the reason it does not apply) out. Never touches the image. */
  plan: Planner;
}

/** A fix that needs `--reference B`: its help heading says so. */
export interface ReferenceFixDefinition<Id extends PlanFixId = PlanFixId> extends FixDefinition<Id, ReferenceFixPlanner> {
  /** The heading in `diskx --help` and `diskx codes`. */
  helpTitle: string;
}
