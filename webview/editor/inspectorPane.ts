// The data inspector pane (`#inspector`): the selection or cursor decoded as
// integers, LBA, GUID and text (inspector.ts), and the CRC-32 of the selection,
// computed here for up to 64 KiB of cached bytes, else asked of the host.
import { MAX_CRC_LENGTH } from '../../src/shared/protocol/editor';
import { el } from '../dom';
import { escapeHtml } from '../html';
import { crc32 } from '../../src/shared/crc32';
import { formatCrc, inspect } from '../inspector';
import type { InspectorRow } from '../inspector';
import { spanAt } from '../spanIndex';
import { INSPECTOR_LABELS, S, sectorsOf } from '../strings';
import type { HostChannel } from './host';
import type { SavedState } from '../savedState';
import type { EditorState } from './state';
import { t } from '../l10n';

/** The most bytes the webview hashes itself (cached bytes); above that the host computes the CRC. */
const LOCAL_CRC_LIMIT = 64 * 1024;

export class InspectorPane {
  private readonly table = el('table', { id: 'inspector-table' });
  private readonly selectionInfo = el('div', { id: 'selection-info' });
  private readonly endian = el('button', { id: 'inspector-endian', className: 'secondary', title: S.byteOrderTitle });
  readonly element = el(
    'div',
    { id: 'inspector' },
    el('div', { className: 'section-title inspector-title' }, el('span', { text: S.dataInspector }), this.endian),
    this.selectionInfo,
    this.table,
  );
  private rows: InspectorRow[] = [];
  private queued = false;
  private crcCell: HTMLElement | null = null;
  /** The last CRC shown, by `offset:length`. */
  private crcResult: { key: string; text: string } | null = null;
  /** The range whose CRC the host is computing, and that request's id. */
  private crcPendingKey = '';
  private crcRequestId = 0;

  /** `onEdit`: a row was double-clicked (its label, e.g. "u32 LE"), to edit the value at the selection. */
  constructor(
    private readonly state: EditorState,
    private readonly host: HostChannel,
    private readonly saved: SavedState,
    onEdit?: (label: string, offset: number) => void,
  ) {
    this.endian.type = 'button';
    this.showEndian();
    this.endian.addEventListener('click', () => {
      this.saved.update({ bigEndian: !this.bigEndian });
      this.showEndian();
      this.render();
    });
    this.table.addEventListener('dblclick', (event) => {
      const index = Number((event.target as HTMLElement).closest('tr')?.dataset.row);
      const edit = this.rows[index]?.edit;
      if (!edit || !onEdit) return;
      // The field editor's names: "u32 LE", "u16 BE", "GUID".
      const label = edit.kind === 'guid' ? 'GUID' : `u${edit.width * 8} ${this.bigEndian ? 'BE' : 'LE'}`;
      onEdit(label, this.state.selection.length > 0 ? this.state.selection.lo : this.state.selection.cursor);
    });
  }

  get bigEndian(): boolean {
    return this.saved.get().bigEndian === true;
  }

  private showEndian(): void {
    this.endian.textContent = this.bigEndian ? S.bigEndian : S.littleEndian;
    this.endian.setAttribute('aria-pressed', String(this.bigEndian));
  }

  /** A render at the next animation frame. */
  schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.render();
    });
  }

  /** The bytes changed (a new model): CRCs shown before no longer hold. */
  reset(): void {
    this.crcResult = null;
    this.crcPendingKey = '';
    this.schedule();
  }

  /** The host's answer to a `crcRange` request (stale answers are ignored). */
  crcArrived(requestId: number, offset: number, length: number, crc: number): void {
    if (requestId !== this.crcRequestId) return;
    this.crcResult = { key: `${offset}:${length}`, text: t('{0} ({1} bytes)', formatCrc(crc), length) };
    this.crcPendingKey = '';
    this.setCrc(this.crcResult.text);
  }

  private setCrc(text: string): void {
    if (this.crcCell) this.crcCell.textContent = text;
  }

  private render(): void {
    const { image, cache, selection, spans } = this.state;
    if (!image || !cache) return;
    const lo = selection.lo;
    const length = selection.length;
    const span = spanAt(spans, lo);
    this.selectionInfo.textContent =
      length > 0
        ? `${t('Selection {0} +{1} bytes', `0x${lo.toString(16).toUpperCase()}`, length)}${span ? ` · ${span.name}` : ''}`
        : `${t('Cursor {0}', `0x${selection.cursor.toString(16).toUpperCase()}`)}${span ? ` · ${span.name}` : ''}`;
    // Numbers decode at the start of the selection (or the cursor); text covers the selection, at most 72 bytes.
    const at = length > 0 ? lo : selection.cursor;
    const bytes = cache.range(at, length > 0 ? Math.min(Math.max(length, 16), 72) : 72);
    const html: string[] = [];
    this.rows = bytes ? inspect({ bytes, offset: at, sectorSize: image.sectorSize, littleEndian: !this.bigEndian, sectorsText: sectorsOf }) : [];
    // Each token is unbreakable; a value wraps only at the spaces between tokens.
    this.rows.forEach((row, index) => {
      const tokens = row.tokens.map((t) => `<span class="tok">${escapeHtml(t)}</span>`).join(row.joiner === '' ? '<wbr>' : ' ');
      html.push(
        `<tr data-row="${index}"${row.text ? ' class="text"' : ''}><th>${escapeHtml(INSPECTOR_LABELS[row.label] ?? row.label)}</th><td>${tokens}</td></tr>`,
      );
    });
    if (!bytes) html.push(`<tr><th>…</th><td>${escapeHtml(S.loading)}</td></tr>`);
    html.push(`<tr><th>${escapeHtml(S.crcOfSelection)}</th><td id="crc">—</td></tr>`);
    this.table.innerHTML = html.join('');
    this.crcCell = this.table.querySelector('#crc');
    const crcLength = Math.max(1, length);
    if (crcLength > MAX_CRC_LENGTH) {
      this.setCrc(t('selection over {0} MiB', MAX_CRC_LENGTH / 1024 / 1024));
      return;
    }
    const key = `${lo}:${crcLength}`;
    if (this.crcResult?.key === key) {
      this.setCrc(this.crcResult.text);
      return;
    }
    const local = crcLength <= LOCAL_CRC_LIMIT ? cache.range(lo, crcLength) : null;
    if (local) {
      this.crcResult = { key, text: t('{0} ({1} bytes)', formatCrc(crc32(local)), crcLength) };
      this.setCrc(this.crcResult.text);
      return;
    }
    this.setCrc('computing…');
    if (key !== this.crcPendingKey) {
      this.crcPendingKey = key;
      this.crcRequestId = this.host.requestCrc(lo, crcLength);
    }
  }
}
