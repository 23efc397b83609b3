// The comparison's structure pane: partitions by status (same / moved slot /
// changed / only in A / only in B), the copy-slots fix with its preview, and the
// header fields (only the differing ones unless asked).
import type { FixOffer, FromCompareWebview } from '../../src/shared/protocol/compare';
import { button, el } from '../dom';
import type { CompareState } from './state';
import { t } from '../l10n';

const STATUS_TEXT: Record<string, string> = {
  same: t('same'),
  'moved-slot': t('moved slot'),
  changed: t('changed'),
  'only-a': t('only in A'),
  'only-b': t('only in B'),
};

function row(cell: 'th' | 'td', texts: string[]): HTMLTableRowElement {
  return el('tr', {}, ...texts.map((t) => el(cell, { text: t })));
}

export class StructurePane {
  readonly element: HTMLElement;
  private readonly partitionsBody = el('tbody');
  private readonly partitionsTable = el(
    'table',
    { id: 'partitions' },
    el('thead', {}, row('th', [t('Partition'), t('Status'), t('Slot in A'), t('Slot in B'), t('Details')])),
    this.partitionsBody,
  );
  private readonly partitionsSummary = el('div', { id: 'partitions-summary', className: 'summary' });
  private readonly fixBox = el('div', { id: 'fix' });
  private readonly headersBody = el('tbody');
  private readonly headersTable = el('table', { id: 'headers' }, el('thead', {}, row('th', ['Field', 'A', 'B'])), this.headersBody);
  private readonly headersSummary = el('span', { id: 'headers-summary', className: 'summary' });

  constructor(
    private readonly state: CompareState,
    private readonly post: (message: FromCompareWebview) => void,
  ) {
    const showEqual = el('input', { id: 'show-equal' });
    showEqual.type = 'checkbox';
    showEqual.addEventListener('change', () => {
      state.showEqualHeaders = showEqual.checked;
      this.renderHeaders();
    });
    this.element = el(
      'div',
      { id: 'structure-pane' },
      el(
        'div',
        { id: 'structure-main' },
        el('div', { className: 'section-title', text: t('Partitions') }),
        this.partitionsSummary,
        this.partitionsTable,
        el('div', { className: 'section-title', text: t('Fix') }),
        this.fixBox,
      ),
      el(
        'div',
        { id: 'structure-headers' },
        el('div', { className: 'section-title', text: t('Headers') }),
        el('label', { className: 'toggle' }, showEqual, ` ${t('show equal fields')} `),
        this.headersSummary,
        this.headersTable,
      ),
    );
  }

  render(fix: FixOffer): void {
    this.renderPartitions();
    this.renderFix(fix);
    this.renderHeaders();
  }

  private renderPartitions(): void {
    const { structure, a, b } = this.state;
    this.partitionsBody.replaceChildren();
    if (!structure) {
      const problems = [a, b].filter((i) => i?.problem).map((i) => `${i!.name} ${i!.problem}`);
      this.partitionsSummary.textContent = t(
        'No structural comparison: {0}. The bytes still compare below.',
        problems.join('; ') || t('an image could not be parsed'),
      );
      this.partitionsTable.hidden = true;
      return;
    }
    this.partitionsTable.hidden = false;
    const counts = new Map<string, number>();
    for (const p of structure.partitions) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
    this.partitionsSummary.textContent = structure.identical
      ? t('The partition structures are identical.')
      : [...counts].map(([status, n]) => `${n} ${STATUS_TEXT[status] ?? status}`).join(' · ');
    for (const p of structure.partitions) {
      const details =
        p.status === 'moved-slot' || p.status === 'only-a' || p.status === 'only-b'
          ? p.summary
          : p.changes.map((c) => `${c.field}: ${c.a ?? '—'} → ${c.b ?? '—'}`).join('; ') || '—';
      const tr = el(
        'tr',
        { className: `partition status-${p.status}`, title: `${p.summary}${p.uuid ? `\nGUID ${p.uuid}` : ''}` },
        el('td', { className: 'label', text: p.label }),
        el('td', {}, el('span', { className: `status-badge status-${p.status}`, text: STATUS_TEXT[p.status] ?? p.status })),
        el('td', { className: 'slot', text: p.slotA === null ? '—' : String(p.slotA) }),
        el('td', { className: 'slot', text: p.slotB === null ? '—' : String(p.slotB) }),
        el('td', { className: 'details', text: details }),
      );
      tr.dataset.status = p.status;
      tr.dataset.label = p.label;
      this.partitionsBody.append(tr);
    }
  }

  private renderHeaders(): void {
    const structure = this.state.structure;
    this.headersBody.replaceChildren();
    if (!structure) {
      this.headersSummary.textContent = '';
      this.headersTable.hidden = true;
      return;
    }
    this.headersTable.hidden = false;
    const differing = structure.headers.filter((h) => !h.equal).length;
    this.headersSummary.textContent =
      differing === 0 ? t('All {0} fields are equal.', structure.headers.length) : t('{0} of {1} fields differ.', differing, structure.headers.length);
    for (const h of structure.headers) {
      if (h.equal && !this.state.showEqualHeaders) continue;
      const tr = el(
        'tr',
        { className: `header-field${h.equal ? ' equal' : ' differs'}` },
        el('td', { className: 'field', text: h.field }),
        el('td', { className: 'value side-a', text: h.a ?? '—' }),
        el('td', { className: 'value side-b', text: h.b ?? '—' }),
      );
      tr.dataset.field = h.field;
      tr.dataset.equal = String(h.equal);
      this.headersBody.append(tr);
    }
    this.headersTable.hidden = this.headersBody.childElementCount === 0;
  }

  private renderFix(fix: FixOffer): void {
    const box = this.fixBox;
    box.replaceChildren();
    box.dataset.available = String(fix.available);
    if (!fix.available) {
      box.append(el('div', { className: 'fix-unavailable', text: t('{0}: does not apply: {1}', fix.id, fix.reason) }));
      return;
    }
    const apply = button('apply-fix', t('Copy slots from B into A…'), t('Writes to A after a confirmation; the old bytes go to an undo journal'), () =>
      this.post({ type: 'applyFix', fixId: fix.id }),
    );
    if (fix.readOnlyReason) {
      apply.disabled = true;
      apply.title = fix.readOnlyReason;
    }
    const patches = el('tbody');
    for (const p of fix.patches) {
      const before = el('td', { className: 'bytes before', text: p.before });
      const after = el('td', { className: 'bytes after', text: p.after });
      // The bytes are cut to the column; the tooltip has them all.
      before.title = p.before;
      after.title = p.after;
      patches.append(
        el(
          'tr',
          { className: 'patch' },
          el('td', { text: p.what }),
          el('td', { className: 'num', text: `LBA ${p.lba}` }),
          el('td', { className: 'num', text: `0x${p.offset.toString(16).toUpperCase()}` }),
          el('td', { className: 'num', text: String(p.length) }),
          before,
          after,
        ),
      );
    }
    const preview = el(
      'details',
      { id: 'fix-preview' },
      el('summary', { text: t('Preview: {0} patches, {1} sectors of A', fix.patches.length, fix.sectorsTouched) }),
      el('table', { className: 'patches' }, el('thead', {}, row('th', [t('Where'), 'LBA', t('Offset'), t('Bytes'), t('Before'), t('After')])), patches),
    );
    box.append(
      el('div', { className: 'fix-title' }, el('code', { text: fix.id }), ` ${fix.title}`),
      el('p', { id: 'fix-description', text: fix.description }),
      preview,
      apply,
    );
    if (fix.readOnlyReason) box.append(el('div', { className: 'fix-unavailable', text: fix.readOnlyReason }));
  }
}
