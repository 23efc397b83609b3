// What the editor shows about the container a disk is stored in: its
// description and structures for the tree, and the container findings
// (overlapping table entries, a VHDX log) and the allocation figure, read once
// when the image opens.
import type { ByteSource } from '../core/io/byteSource';
import { describeContainer, isContainerSource } from '../core/io/containerSource';
import { containerFindings, withContainerFindings } from '../core/containerChecks';
import { checkDisk } from '../core/checks';
import type { DiskModel } from '../core/diskModel';
import type { Finding } from '../core/findings';
import type { ContainerTreeInput } from './tree/context';

/** The container of an opened image, for the tree and the findings. */
export interface ContainerView extends ContainerTreeInput {
  findings: Finding[];
}

/** The container view of `source` (the image's own source, not an overlay of edits), or null for a raw file or device. */
export async function containerViewOf(source: ByteSource): Promise<ContainerView | null> {
  if (!isContainerSource(source)) return null;
  // A table too damaged to scan was already an error when it was read; the view still opens.
  const findings = await containerFindings(source).catch(() => []);
  // The allocation figure as inspect gives it; for qcow2 and VHDX the same pass over the tables as the check.
  const info = await describeContainer(source, source.container).catch(() => source.container);
  return { info, structures: source.structures, findings };
}

/** The disk's findings with the container's merged in. */
export function checkWithContainer(model: DiskModel, container: ContainerView | null): Finding[] {
  return withContainerFindings(checkDisk(model), container?.findings ?? []);
}
