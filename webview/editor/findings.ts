// The findings list (`#findings`, above the tree: what a user opens a broken image
// for). Each finding selects its bytes and tree node; its fix buttons ask the host
// for a preview (only the fix id travels).
import type { FindingView } from '../../src/shared/protocol/editor';
import { el } from '../dom';
import { t, td, tm } from '../l10n';
import type { EditorState } from './state';
import type { StructureTree } from './tree';

export interface FindingsActions {
  /** Show the finding's bytes and the tree node it belongs to. */
  reveal(finding: FindingView): void;
  /** Ask the host for the preview of a fix. */
  preview(fixId: FindingView['actions'][number]['id']): void;
}

export class FindingsList {
  readonly element = el('ul', { id: 'findings' });

  constructor(
    private readonly state: EditorState,
    private readonly tree: StructureTree,
    private readonly actions: FindingsActions,
  ) {}

  render(): void {
    const { findings, image } = this.state;
    this.element.replaceChildren();
    if (findings.length === 0) {
      this.element.append(el('li', { className: 'no-findings', text: image?.scheme === 'plain' ? t('Not parsed.') : t('No problems found.') }));
      return;
    }
    for (const finding of findings) this.element.append(this.item(finding));
  }

  /**
   * Marks the finding whose fix `fixId` is previewed (none: null) and scrolls the
   * list to it: the preview takes height from the panes, and its first change
   * selects a tree node, but the finding being fixed stays in sight.
   */
  previewing(fixId: string | null): void {
    let shown: HTMLElement | null = null;
    for (const item of this.element.querySelectorAll<HTMLElement>('li.finding')) {
      const match = fixId !== null && item.querySelector(`button.fix[data-fix-id="${CSS.escape(fixId)}"]`) !== null;
      item.classList.toggle('previewing', match && !shown);
      if (match && !shown) shown = item;
    }
    if (!shown) return;
    const item = shown;
    // After the layout settles (the panel just took its height); only the list scrolls.
    requestAnimationFrame(() => {
      const list = this.element;
      const box = list.getBoundingClientRect();
      const at = item.getBoundingClientRect();
      if (at.top >= box.top && at.bottom <= box.bottom) return;
      // Taller than the list: its start (severity, code, message) in sight; else just into view.
      const by = at.height > box.height || at.top < box.top ? at.top - box.top : at.bottom - box.bottom;
      list.scrollTop += by;
    });
  }

  private item(finding: FindingView): HTMLElement {
    const severity = el('span', {
      className: 'severity',
      text: finding.severity === 'error' ? t('error') : finding.severity === 'warning' ? t('warning') : t('info'),
    });
    const item = el(
      'li',
      { className: `finding sev-${finding.severity}` },
      severity,
      el('span', { className: 'code', text: finding.code }),
      el('span', { className: 'message', text: finding.text ? tm(finding.text) : finding.message }),
    );
    item.dataset.code = finding.code;
    if (finding.nodeId) item.dataset.nodeId = finding.nodeId;
    item.tabIndex = 0;
    const node = this.tree.node(finding.nodeId);
    // A container finding is about bytes of the container file, not of the virtual disk the hex view shows.
    const where = finding.file
      ? t('container file bytes 0x{0} +{1}', finding.file.offset.toString(16).toUpperCase(), finding.file.length)
      : t('bytes 0x{0} +{1}', finding.offset.toString(16).toUpperCase(), finding.length);
    item.title = `${node ? `${node.label} · ` : ''}${where}`;
    item.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')) return;
      this.actions.reveal(finding);
    });
    item.addEventListener('keydown', (e) => {
      if ((e.target as HTMLElement).closest('button')) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.actions.reveal(finding);
      }
    });
    if (finding.actions.length > 0) {
      const actions = el('div', { className: 'fix-actions' });
      for (const action of finding.actions) {
        const label = td(action.label);
        const button = el('button', { className: 'fix', text: label });
        button.type = 'button';
        button.dataset.fixId = action.id;
        const reason = action.reason ?? this.state.edits?.blocked ?? null;
        if (reason) {
          button.disabled = true;
          button.title = t('Does not apply: {0}', reason);
          actions.append(button, el('span', { className: 'fix-reason', text: `${label}: ${reason}` }));
        } else {
          button.title = t('Preview "{0}" before applying it', label);
          button.addEventListener('click', () => this.actions.preview(action.id));
          actions.append(button);
        }
      }
      item.append(actions);
    }
    return item;
  }
}
