// One disk map drawn as a bar: each area of the host's DiskMapView is an
// element placed by its fractions (x, width, lane), labelled, coloured by kind,
// marked by the worst severity of its findings. The bar is a listbox: Tab
// enters it on the current area (roving tabindex), arrows move between areas,
// Home / End to the first / last, Enter or a click activates (the pane says
// what that does), Shift+Enter or a double-click "goes to" the area's first
// byte. A table of the same areas is the text alternative (visually hidden
// until asked for). Shared by the editor and the comparison view.
import type { DiskMapArea, DiskMapView } from '../../src/shared/protocol/diskMap';
import { formatSizeShort } from '../../src/shared/sizeText';
import { el } from '../dom';
import { t } from '../l10n';
import './diskMap.css';

export interface MapBarActions {
  /** Enter, Space or a click on an area. */
  activate(area: DiskMapArea): void;
  /** Shift+Enter or a double-click: the area's first byte. */
  goTo(area: DiskMapArea): void;
}

export class MapBar {
  /** The bar (role listbox) and its table, in one element. */
  readonly element: HTMLElement;
  readonly bar: HTMLElement;
  readonly table: HTMLTableElement;
  /** The table's box: visually hidden (still read by screen readers) until showTable(true). */
  readonly tableBox: HTMLElement;
  private readonly tableBody = el('tbody');
  /** Areas in keyboard order (by first LBA, then lane) and their elements. */
  private order: DiskMapArea[] = [];
  private readonly elements = new Map<string, HTMLElement>();
  private current = 0;

  constructor(
    /** Prefix of the element ids (`map-a`, `disk-map`), so two bars can share a page. */
    idPrefix: string,
    private readonly actions: MapBarActions,
  ) {
    this.bar = el('div', { id: `${idPrefix}-bar`, className: 'map-bar' });
    this.bar.setAttribute('role', 'listbox');
    this.table = el(
      'table',
      { id: `${idPrefix}-table`, className: 'map-table' },
      el('thead', {}, el('tr', {}, ...[t('Area'), t('First LBA'), t('Last LBA'), t('Size'), t('Findings')].map((text) => el('th', { text })))),
      this.tableBody,
    );
    this.tableBox = el('div', { id: `${idPrefix}-table-box`, className: 'map-table-box sr-only' }, this.table);
    this.element = el('div', { className: 'map-bar-box' }, this.bar, this.tableBox);
    this.bar.addEventListener('keydown', (event) => this.key(event));
    this.bar.addEventListener('click', (event) => {
      const area = this.areaOf(event.target);
      if (!area) return;
      this.focusArea(this.order.indexOf(area));
      this.actions.activate(area);
    });
    this.bar.addEventListener('dblclick', (event) => {
      const area = this.areaOf(event.target);
      if (area) this.actions.goTo(area);
    });
  }

  /** Draws `view`; null: an empty bar (plain bytes). */
  render(view: DiskMapView | null, accessibleName: string): void {
    this.elements.clear();
    this.bar.setAttribute('aria-label', view ? `${accessibleName}: ${view.summary}` : accessibleName);
    this.bar.style.height = `${laneTop(view?.lanes ?? 1)}px`;
    this.order = view ? [...view.areas].sort((a, b) => a.firstLba - b.firstLba || a.lane - b.lane) : [];
    this.current = Math.min(this.current, Math.max(0, this.order.length - 1));
    const items = this.order.map((area, i) => this.areaElement(area, i === this.current));
    if (view && view.end < 1) {
      // A smaller disk drawn on a larger one's scale: what lies past its end.
      const beyond = el('div', { className: 'map-beyond', title: t('Past the end of this disk') });
      beyond.style.left = pct(view.end);
      beyond.style.width = pct(1 - view.end);
      beyond.setAttribute('aria-hidden', 'true');
      items.push(beyond);
    }
    this.bar.replaceChildren(...items);
    this.tableBody.replaceChildren(...this.order.map((area) => tableRow(area, view!)));
  }

  /** Shows the table of areas on screen too (it is always there for screen readers). */
  showTable(shown: boolean): void {
    this.tableBox.classList.toggle('sr-only', !shown);
  }

  get tableShown(): boolean {
    return !this.tableBox.classList.contains('sr-only');
  }

  get areas(): readonly DiskMapArea[] {
    return this.order;
  }

  elementOf(id: string): HTMLElement | undefined {
    return this.elements.get(id);
  }

  /** Marks the area `id` selected (none: no area); the keyboard's place follows it. */
  select(id: string | undefined): void {
    for (const [areaId, element] of this.elements) {
      const on = areaId === id;
      element.classList.toggle('selected', on);
      element.setAttribute('aria-selected', String(on));
    }
    const index = this.order.findIndex((a) => a.id === id);
    if (index >= 0) this.setCurrent(index);
  }

  /** The lane-0 area holding `lba` (what a cursor there is in). */
  areaAt(lba: number): DiskMapArea | undefined {
    return this.order.find((a) => a.lane === 0 && lba >= a.firstLba && lba <= a.lastLba);
  }

  private areaElement(area: DiskMapArea, current: boolean): HTMLElement {
    const classes = ['map-area', `kind-${area.kind}`];
    if (area.severity) classes.push(`sev-${area.severity}`);
    if (area.missing) classes.push('missing');
    if (area.kind === 'partition' && area.number !== undefined && area.number % 2 === 0) classes.push('alt');
    // The number never elides, the name after it does ("5 bootb…", then "5").
    const prefix = area.number !== undefined ? `${area.number} ` : '';
    const label = el('span', { className: 'map-label' });
    if (prefix && area.label.startsWith(prefix)) {
      label.append(
        el('span', { className: 'map-num', text: String(area.number) }),
        ' ',
        el('span', { className: 'map-name', text: area.label.slice(prefix.length) }),
      );
    } else {
      label.append(el('span', { className: 'map-name', text: area.label }));
    }
    const node = el('div', { className: classes.join(' '), title: area.title }, label);
    if (area.severity) node.prepend(el('span', { className: 'map-finding', text: area.severity === 'info' ? 'i' : '!' }));
    node.dataset.areaId = area.id;
    if (area.nodeId) node.dataset.treeNode = area.nodeId; // not data-node-id: that names tree items (the DOM contract)
    node.setAttribute('role', 'option');
    node.setAttribute('aria-selected', 'false');
    node.setAttribute('aria-label', area.title.replace(/\n/g, ', '));
    node.tabIndex = current ? 0 : -1;
    node.style.left = pct(area.x);
    node.style.width = pct(area.width);
    node.style.top = `${laneTop(area.lane)}px`;
    if (area.lane > 0) node.classList.add('sub');
    this.elements.set(area.id, node);
    return node;
  }

  private areaOf(target: EventTarget | null): DiskMapArea | undefined {
    const id = (target as HTMLElement | null)?.closest<HTMLElement>('.map-area')?.dataset.areaId;
    return this.order.find((a) => a.id === id);
  }

  private key(event: KeyboardEvent): void {
    if (this.order.length === 0) return;
    const last = this.order.length - 1;
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        next = Math.min(last, this.current + 1);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        next = Math.max(0, this.current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      case 'Enter':
      case ' ': {
        const area = this.order[this.current]!;
        if (event.key === 'Enter' && event.shiftKey) this.actions.goTo(area);
        else this.actions.activate(area);
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    this.focusArea(next);
  }

  private focusArea(index: number): void {
    this.setCurrent(index);
    this.elements.get(this.order[index]!.id)?.focus();
  }

  private setCurrent(index: number): void {
    const before = this.order[this.current];
    if (before) this.elements.get(before.id)?.setAttribute('tabindex', '-1');
    this.current = index;
    this.elements.get(this.order[index]!.id)?.setAttribute('tabindex', '0');
  }
}

function tableRow(area: DiskMapArea, view: DiskMapView): HTMLTableRowElement {
  const size = formatSizeShort((area.lastLba - area.firstLba + 1) * view.sectorSize);
  const name = area.title.split('\n')[0] ?? area.label;
  const row = el(
    'tr',
    {},
    el('td', { text: name }),
    el('td', { text: String(area.firstLba) }),
    el('td', { text: String(area.lastLba) }),
    el('td', { text: size }),
    el('td', { text: area.findings.join(', ') }),
  );
  row.dataset.areaId = area.id;
  return row;
}

// The first row is tall enough for a label; the rows below (extended partitions, overlaps) are thinner.
const MAIN_ROW = 28;
const SUB_ROW = 16;

/** Top of row `lane` in px; laneTop(lanes) is the bar's height. */
function laneTop(lane: number): number {
  return lane <= 0 ? 0 : MAIN_ROW + (lane - 1) * SUB_ROW;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(4)}%`;
}
