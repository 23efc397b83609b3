// The editor's top lines: the banner (files that are not disk images), go-to,
// the status line (the byte under the mouse or the cursor, or a message) and the
// edit state ("● Unsaved repairs (n)").
import type { EditState } from '../../src/shared/protocol/editor';
import { el } from '../dom';
import { spanAt } from '../spanIndex';
import type { GotoField } from './goto';
import type { EditorState } from './state';
import { t, td } from '../l10n';

export class Toolbar {
  private readonly status = el('span', { id: 'status' });
  private readonly edits = el('span', { id: 'edits' });
  readonly element: HTMLElement;

  constructor(
    private readonly state: EditorState,
    goto: GotoField,
  ) {
    this.element = el('div', { id: 'toolbar' }, goto.field, goto.error, this.status, this.edits);
  }

  /** A message on the status line (until the next hover or cursor move). */
  say(text: string): void {
    this.status.textContent = text;
    this.status.title = text;
  }

  /** Where `offset` (the mouse's byte, else the cursor) is: hex and decimal, LBA + byte, the field. */
  describe(offset = this.state.selection.cursor): void {
    const image = this.state.image;
    if (!image) return;
    const span = spanAt(this.state.spans, offset);
    const where = `0x${offset.toString(16).toUpperCase()} (${offset}) · LBA ${Math.floor(offset / image.sectorSize)} + ${offset % image.sectorSize}`;
    this.status.textContent = span ? `${where} · ${span.name}` : where;
    this.status.title = this.status.textContent; // in full, should a very narrow editor cut it
  }

  setEdits(edits: EditState): void {
    this.state.edits = edits;
    document.body.dataset.dirty = String(edits.dirty);
    this.edits.classList.toggle('dirty', edits.dirty);
    this.edits.textContent = edits.dirty
      ? `● ${t('Unsaved repairs ({0}): Ctrl+S writes them, Ctrl+Z undoes', edits.pending)}`
      : edits.applied.length
        ? t('Repairs saved')
        : '';
    this.edits.title = edits.applied.length
      ? `${t('Edits: {0}', edits.applied.map(td).join(', '))}${edits.saveNeedsConfirmation ? `\n${t('Saving asks first: {0}', edits.saveNeedsConfirmation)}` : ''}`
      : '';
  }

  /** The banner above the toolbar, or none. */
  showBanner(text: string | null): void {
    document.getElementById('banner')?.remove();
    if (!text) return;
    const banner = el('div', { id: 'banner', text });
    banner.setAttribute('role', 'alert');
    this.element.before(banner);
  }
}
