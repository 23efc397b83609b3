// The comparison's disk maps (`#compare-maps`): A's bar over B's on one scale
// (the host placed both), and between them a link for each partition that
// starts at the same LBA under another number ("5 → 4": the compacted ESXi
// case). A click on an area, or Enter, brings that LBA into both hex views and
// selects the area at the same place in the other map; a link does the same.
// The header's triangle collapses the maps (kept in the webview state).
import type { CompareMapsView, DiskMapArea, DiskMapLink, DiskMapView } from '../../src/shared/protocol/diskMap';
import type { Side } from '../../src/shared/protocol/compare';
import { el } from '../dom';
import { t } from '../l10n';
import { MapBar } from '../map/mapBar';

const SVG = 'http://www.w3.org/2000/svg';

export interface CompareMapsActions {
  /** Brings LBA `lba` into both hex views. */
  goToLba(lba: number): void;
  /** Whether the maps were collapsed last time, and remember it now. */
  collapsed(): boolean;
  setCollapsed(collapsed: boolean): void;
}

export class CompareMapsPane {
  readonly element: HTMLElement;
  private readonly bars: Record<Side, MapBar>;
  private readonly links = el('div', { id: 'map-links', className: 'map-links' });
  private readonly note = el('span', { id: 'compare-maps-note', className: 'map-summary' });
  private readonly toggle = el('button', { id: 'compare-maps-toggle' });
  private view: CompareMapsView | null = null;

  constructor(private readonly actions: CompareMapsActions) {
    const barActions = (side: Side) => ({
      activate: (area: DiskMapArea) => this.activate(side, area),
      goTo: (area: DiskMapArea) => this.activate(side, area),
    });
    this.bars = { a: new MapBar('map-a', barActions('a')), b: new MapBar('map-b', barActions('b')) };
    this.links.setAttribute('role', 'list');
    this.links.setAttribute('aria-label', t('Partitions at the same place under another number'));
    this.toggle.type = 'button';
    this.toggle.setAttribute('aria-controls', 'compare-maps-body');
    this.toggle.addEventListener('click', () => this.setCollapsed(!this.element.classList.contains('collapsed')));
    const tableToggle = el('button', { id: 'compare-maps-table-toggle', text: t('Table'), title: t('Show the areas as tables') });
    tableToggle.type = 'button';
    tableToggle.setAttribute('aria-pressed', 'false');
    tableToggle.addEventListener('click', () => {
      const shown = !this.bars.a.tableShown;
      for (const bar of Object.values(this.bars)) bar.showTable(shown);
      tableToggle.setAttribute('aria-pressed', String(shown));
    });
    const row = (side: Side): HTMLElement =>
      el('div', { className: 'map-row' }, el('span', { className: `map-side side-${side}`, text: side.toUpperCase() }), this.bars[side].bar);
    const body = el('div', { id: 'compare-maps-body', className: 'map-bar-box' }, row('a'), this.links, row('b'), this.bars.a.tableBox, this.bars.b.tableBox);
    this.element = el('section', { id: 'compare-maps' }, el('div', { className: 'map-head' }, this.toggle, this.note, tableToggle), body);
    this.element.setAttribute('aria-label', t('Disk maps'));
    this.setCollapsed(actions.collapsed(), false);
    new ResizeObserver(() => this.arrangeLinks()).observe(this.links);
  }

  render(view: CompareMapsView): void {
    this.view = view;
    this.element.hidden = !view.a && !view.b;
    this.bars.a.render(view.a, t('Disk map of {0}', 'A'));
    this.bars.b.render(view.b, t('Disk map of {0}', 'B'));
    this.note.textContent = view.note ?? '';
    this.note.title = view.note ?? '';
    this.links.replaceChildren(...(view.a && view.b ? view.links.map((link) => this.linkElement(link, view.a!, view.b!)) : []));
    this.links.hidden = this.links.childElementCount === 0;
    this.arrangeLinks();
  }

  /** Chips that would touch their neighbour (a narrow view, partitions close together) go on two rows, alternately. */
  private arrangeLinks(): void {
    const chips = Array.from(this.links.querySelectorAll<HTMLElement>('.map-link'));
    const boxes = chips.map((chip) => chip.getBoundingClientRect()).sort((x, y) => x.left - y.left);
    const crowded = boxes.some((box, i) => i > 0 && box.width > 0 && box.left < boxes[i - 1]!.right + 2);
    this.links.classList.toggle('staggered', crowded);
  }

  private linkElement(link: DiskMapLink, a: DiskMapView, b: DiskMapView): HTMLElement {
    const areaA = a.areas.find((x) => x.id === link.areaA);
    const areaB = b.areas.find((x) => x.id === link.areaB);
    const xA = areaA ? areaA.x + areaA.width / 2 : 0;
    const xB = areaB ? areaB.x + areaB.width / 2 : 0;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'map-link-line');
    svg.setAttribute('aria-hidden', 'true');
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', `${xA * 100}%`);
    line.setAttribute('x2', `${xB * 100}%`);
    line.setAttribute('y1', '0');
    line.setAttribute('y2', '100%');
    svg.append(line);
    const chip = el('button', { className: 'map-link', text: link.label, title: link.title });
    chip.type = 'button';
    chip.dataset.numberA = String(link.numberA);
    chip.dataset.numberB = String(link.numberB);
    chip.setAttribute('aria-label', link.title);
    chip.style.left = `${((xA + xB) / 2) * 100}%`;
    chip.addEventListener('click', () => {
      this.bars.a.select(link.areaA);
      this.bars.b.select(link.areaB);
      this.actions.goToLba(link.firstLba);
    });
    const item = el('div', { className: 'map-link-item' }, svg, chip);
    item.setAttribute('role', 'listitem');
    return item;
  }

  /** The area, and the one at the same first LBA in the other map, selected; both hex views at its first sector. */
  private activate(side: Side, area: DiskMapArea): void {
    const other: Side = side === 'a' ? 'b' : 'a';
    const twin = this.view?.[other]?.areas.find((x) => x.firstLba === area.firstLba && x.lane === area.lane);
    this.bars[side].select(area.id);
    this.bars[other].select(twin?.id);
    this.actions.goToLba(area.firstLba);
  }

  private setCollapsed(collapsed: boolean, remember = true): void {
    if (remember) this.actions.setCollapsed(collapsed);
    this.element.classList.toggle('collapsed', collapsed);
    this.toggle.textContent = `${collapsed ? '▸' : '▾'} ${t('Disk maps')}`;
    this.toggle.title = collapsed ? t('Show the disk maps') : t('Hide the disk maps');
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
  }
}
