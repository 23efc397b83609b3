// The fix preview (`#fix-preview`): what a fix would change, field by field, with
// Apply and Cancel; the changed bytes are marked `preview` in the hex view while
// it is open. Apply sends only the fix id: the host plans the fix itself.
import type { FixPreview } from '../../src/shared/protocol/editor';
import { el } from '../dom';
import type { EditorState } from './state';
import { t, td } from '../l10n';

export interface PreviewActions {
  /** Sends `applyFix` for the previewed fix. */
  apply(fixId: FixPreview['fixId']): void;
  /** Selects (and scrolls to) a changed run. */
  select(offset: number, length: number): void;
  /** The preview's marks changed: redraw the hex rows. */
  marksChanged(): void;
  /** The fix shown (null: the preview closed): its finding is marked and kept in view. */
  previewing(fixId: FixPreview['fixId'] | null): void;
}

export class FixPreviewPanel {
  readonly element = el('section', { id: 'fix-preview' });

  constructor(
    private readonly state: EditorState,
    private readonly actions: PreviewActions,
  ) {
    this.element.hidden = true;
    this.element.setAttribute('aria-label', t('Fix preview'));
    window.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !this.element.hidden) this.hide();
    });
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  show(next: FixPreview): void {
    const panel = this.element;
    panel.replaceChildren();
    panel.hidden = false;
    panel.dataset.fixId = next.fixId;
    const title = el('div', { className: 'preview-title', text: next.ok ? t('Preview: {0}', td(next.label)) : t('{0}: does not apply', td(next.label)) });
    if (!next.ok) {
      this.state.preview.clear();
      panel.classList.add('refused');
      const cancel = el('button', { id: 'fix-cancel', text: t('Close') });
      cancel.type = 'button';
      cancel.addEventListener('click', () => this.hide());
      panel.append(title, el('div', { className: 'preview-reason', text: next.reason }), el('div', { className: 'preview-buttons' }, cancel));
      this.actions.marksChanged();
      this.actions.previewing(next.fixId);
      return;
    }
    panel.classList.remove('refused');
    this.state.preview.set(next.changed);
    const summary = el(
      'div',
      {
        className: 'preview-summary',
        text:
          next.bytesChanged === 1
            ? t('{0}: 1 byte change in 1 sector; ', td(next.title))
            : next.sectorsTouched === 1
              ? t('{0}: {1} bytes change in 1 sector; ', td(next.title), next.bytesChanged)
              : t('{0}: {1} bytes change in {2} sectors; ', td(next.title), next.bytesChanged, next.sectorsTouched),
      },
      el('span', { className: 'save-note', text: this.saveNote() }),
    );
    const description = el('div', { className: 'preview-description', text: next.description });
    const apply = el('button', { id: 'fix-apply', text: t('Apply') });
    apply.type = 'button';
    apply.title = t('Make this fix an unsaved edit (undo with Ctrl+Z, write with Ctrl+S)');
    const cancel = el('button', { id: 'fix-cancel', className: 'secondary', text: t('Cancel') });
    cancel.type = 'button';
    const blocked = this.state.edits?.blocked;
    if (blocked) {
      apply.disabled = true;
      apply.title = blocked;
    }
    apply.addEventListener('click', () => {
      apply.disabled = true;
      this.actions.apply(next.fixId);
    });
    cancel.addEventListener('click', () => this.hide());
    // Apply / Cancel next to the title: always in sight, however long the list of changes.
    panel.append(
      el('div', { className: 'preview-head' }, title, el('div', { className: 'preview-buttons' }, apply, cancel)),
      summary,
      description,
      this.patchTable(next),
    );
    this.actions.marksChanged();
    const firstChange = next.changed[0];
    if (firstChange) this.actions.select(firstChange.offset, firstChange.length);
    this.actions.previewing(next.fixId);
  }

  hide(): void {
    this.state.preview.clear();
    this.element.hidden = true;
    this.element.replaceChildren();
    delete this.element.dataset.fixId;
    this.actions.marksChanged();
    this.actions.previewing(null);
  }

  /** A request failed while the preview is open (an Apply the host refused): Apply can be tried again. */
  error(text: string): void {
    if (this.element.hidden) return;
    const apply = this.element.querySelector<HTMLButtonElement>('#fix-apply');
    if (apply) apply.disabled = false;
    this.element.querySelector('.preview-error')?.remove();
    this.element.append(el('div', { className: 'preview-error', text }));
  }

  /** Auto save was turned on or off: the summary says what Apply leads to. */
  autoSaveChanged(): void {
    const note = this.element.querySelector('.save-note');
    if (note) note.textContent = this.saveNote();
  }

  private saveNote(): string {
    return this.state.autoSave ? t('auto save is on: Apply asks, then it is written at once.') : t('nothing is written until you save.');
  }

  private patchTable(next: Extract<FixPreview, { ok: true }>): HTMLTableElement {
    const sectorSize = this.state.image?.sectorSize ?? 512;
    const table = el('table', { className: 'preview-patches' });
    table.append(
      el('tr', {}, el('th', { text: t('Where') }), el('th', { text: t('Fields') }), el('th', { text: t('Before') }), el('th', { text: t('After') })),
    );
    for (const patch of [...next.patches].sort((x, y) => x.offset - y.offset)) {
      for (const [i, change] of patch.changes.entries()) {
        const row = el('tr', { className: 'preview-patch' });
        row.dataset.offset = String(change.offset);
        const where = el('td', {
          className: 'where',
          text: `0x${change.offset.toString(16).toUpperCase()} (LBA ${Math.floor(change.offset / sectorSize)}) +${change.length}`,
        });
        const fields = el('td', { className: 'fields', text: i === 0 ? patch.fields.join(', ') : '' });
        row.append(where, fields, el('td', { className: 'before', text: change.before }), el('td', { className: 'after', text: change.after }));
        row.addEventListener('click', () => this.actions.select(change.offset, change.length));
        table.append(row);
      }
      if (patch.moreChanges > 0)
        table.append(
          el(
            'tr',
            {},
            el('td', { text: '' }),
            el('td', { text: t('… {0} more changed run(s) in this patch (highlighted in the hex view)', patch.moreChanges) }),
          ),
        );
      if (!patch.changes[0])
        table.append(
          el(
            'tr',
            {},
            el('td', { text: `0x${patch.offset.toString(16)}` }),
            el('td', { text: patch.fields.join(', ') }),
            el('td', { text: t('no byte changes') }),
          ),
        );
    }
    return table;
  }
}
