// Mouse and keys in the hex view, turned into selection changes: a click selects
// the byte's whole field (as naming it implies; a plain byte or a double click
// selects one byte), Shift+click extends, the arrows / pages / Home / End move the
// cursor (Shift extends), Ctrl+C copies the selection as hex through the host.
import { MAX_COPY_LENGTH } from '../../src/shared/protocol/editor';
import { cursorKeyTarget } from '../hex/cursorKeys';
import type { HexViewport } from '../hex/viewport';
import { spanAt } from '../spanIndex';
import type { HostChannel } from './host';
import type { HexPointer } from './hexRows';
import type { EditorState } from './state';
import type { Toolbar } from './toolbar';
import { t } from '../l10n';

export function hexInput(state: EditorState, viewport: () => HexViewport, toolbar: Toolbar, host: HostChannel): HexPointer {
  const { selection } = state;
  const setHover = (offset: number): void => {
    // Hover is drawn by the row renderer (a row's signature includes it): only the rows it leaves and enters are rebuilt.
    if (offset === state.hover) return;
    state.hover = offset;
    viewport().schedule();
  };
  const copy = (): void => {
    const length = selection.hi - selection.lo + 1;
    if (length > MAX_COPY_LENGTH) {
      toolbar.say(t('Selection too large to copy ({0} bytes; at most {1}).', length, MAX_COPY_LENGTH));
      return;
    }
    host.post({ type: 'copyHex', offset: selection.lo, length });
    toolbar.say(length === 1 ? t('Copied 1 byte as hex.') : t('Copied {0} bytes as hex.', length));
  };
  return {
    press(offset, event) {
      if (event.shiftKey) return selection.extendTo(offset);
      const span = spanAt(state.spans, offset);
      if (span && event.detail < 2) selection.selectBytes(span.offset, span.offset + span.length - 1);
      else selection.selectBytes(offset, offset);
    },
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
      if (ctrl && (event.key === 'c' || event.key === 'C')) {
        event.preventDefault();
        copy();
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
