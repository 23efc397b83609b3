// A byte source that shows another source with patches laid over it, without
// touching the underlying bytes. Used to plan several fixes in sequence (plan A,
// overlay its patches, re-read the model, plan B) and to show the editor's
// unsaved edits (src/app/editableImage.ts). Patches never change the size (replace-only).
import type { ByteSource } from './byteSource';
import { assertInRange } from './byteSource';
import type { Patch } from '../patch';
import { TruncatedError } from '../errors';

/** `base` with `patches` applied in order (a later patch wins where two overlap). */
export class PatchedSource implements ByteSource {
  private readonly overlay: Patch[] = [];

  constructor(
    private readonly base: ByteSource,
    patches: readonly Patch[] = [],
  ) {
    this.add(patches);
  }

  get name(): string {
    return this.base.name;
  }
  get size(): number {
    return this.base.size;
  }
  get reportedSectorSize(): number | undefined {
    return this.base.reportedSectorSize;
  }
  get readOnlyHint(): boolean | undefined {
    return this.base.readOnlyHint;
  }

  /** The patches laid over the base, oldest first. */
  get patches(): readonly Patch[] {
    return this.overlay;
  }

  /** Lays more patches over the current view. Throws TruncatedError for a patch outside the source. */
  add(patches: readonly Patch[]): void {
    for (const patch of patches) {
      // A patch is a replacement of equal length; anything else is a bug in the fix.
      if (patch.before.length !== patch.after.length) throw new RangeError(`patch at ${patch.offset}: before and after differ in length`);
      assertInRange(patch.offset, patch.after.length, this.size);
    }
    this.overlay.push(...patches);
  }

  /** Removes the last `count` patches (undo of unsaved edits). */
  dropLast(count: number): Patch[] {
    return this.overlay.splice(Math.max(0, this.overlay.length - count), count);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertInRange(offset, length, this.size);
    const bytes = await this.base.read(offset, length);
    if (bytes.length !== length) throw new TruncatedError(offset, length, bytes.length);
    // Copy before writing into it: the base may hand out a view of its cache.
    const out = new Uint8Array(bytes);
    const end = offset + length;
    for (const patch of this.overlay) {
      const patchEnd = patch.offset + patch.after.length;
      if (patchEnd <= offset || patch.offset >= end) continue;
      const from = Math.max(offset, patch.offset);
      const to = Math.min(end, patchEnd);
      out.set(patch.after.subarray(from - patch.offset, to - patch.offset), from - offset);
    }
    return out;
  }

  /** Closes the base source. */
  async close(): Promise<void> {
    await this.base.close();
  }
}
