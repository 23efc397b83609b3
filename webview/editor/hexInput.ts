// Mouse and keys in the hex view, turned into selection changes: a click puts the
// cursor on that byte, a drag selects a range, Shift+click extends it, a double
// click selects the byte's whole field (as the tree does); a right click inside
// the selection keeps it (for the context menu's Copy As). The arrows / pages /
// Home / End move the cursor (Shift extends); Ctrl+C copies the selection as hex
// through the host, Copy As in other formats.
import type { CopyFormat } from '../../src/shared/protocol/editor';
import { MAX_COPY_LENGTH } from '../../src/shared/protocol/editor';
import { copiedText, tooLargeToCopy } from '../strings';
import { cursorKeyTarget } from '../hex/cursorKeys';
import type { HexViewport } from '../hex/viewport';
import { spanAt } from '../spanIndex';
import type { HostChannel } from './host';
import type { HexPointer } from './hexRows';
import type { EditorState } from './state';
import type { Toolbar } from './toolbar';

export function hexInput(state: EditorState, viewport: () => HexViewport, toolbar: Toolbar, host: HostChannel): HexPointer {
  const { selection } = state;
  const setHover = (offset: number): void => {
    // Hover is drawn by the row renderer (a row's signature includes it): only the rows it leaves and enters are rebuilt.
    if (offset === state.hover) return;
    state.hover = offset;
    viewport().schedule();
  };
  const copy = (format: CopyFormat): void => {
    if (!state.image) return;
    const length = selection.hi - selection.lo + 1;
    if (length > MAX_COPY_LENGTH) {
      toolbar.say(tooLargeToCopy(length, MAX_COPY_LENGTH));
      return;
    }
    host.post(format === 'hex' ? { type: 'copyHex', offset: selection.lo, length } : { type: 'copyHex', offset: selection.lo, length, format });
    toolbar.say(copiedText(format, length));
  };
  /** Where the current drag started (the anchor), or -1. */
  let dragFrom = -1;
  return {
    press(offset, event) {
      if (event.button === 2) {
        if (!selection.contains(offset)) selection.moveCursor(offset, false);
        return;
      }
      if (event.button !== 0) return;
      if (event.shiftKey) {
        selection.extendTo(offset);
        dragFrom = selection.anchor;
        return;
      }
      const span = spanAt(state.spans, offset);
      if (event.detail === 2 && span) {
        selection.selectBytes(span.offset, span.offset + span.length - 1);
        dragFrom = -1;
        return;
      }
      selection.moveCursor(offset, false);
      dragFrom = offset;
    },
    drag(offset) {
      if (dragFrom < 0) return;
      if (offset === selection.cursor && selection.hasRange) return;
      selection.selectBytes(dragFrom, offset);
    },
    release() {
      dragFrom = -1;
    },
    copy,
    hover(offset) {
      setHover(offset ?? -1);
      if (offset !== null) toolbar.describe(offset);
    },
    leave() {
      setHover(-1);
      toolbar.describe();
    },
    key(event) {
      if (!state.image) return;
      const ctrl = event.ctrlKey || event.metaKey;
      if (ctrl && !event.shiftKey && !event.altKey && (event.key === 'c' || event.key === 'C')) {
        event.preventDefault();
        copy('hex');
        return;
      }
      const view = viewport();
      const next = cursorKeyTarget(event.key, ctrl, selection.cursor, view.bytesPerRow, view.pageBytes(), state.image.sizeBytes - 1);
      if (next === null) return;
      event.preventDefault();
      selection.moveCursor(next, event.shiftKey);
    },
  };
}
