// The editor's disk map (`#disk-map`), above the panes: a header (collapse
// toggle, what the disk is, the table toggle) and the bar. Enter or a click on
// an area selects its tree node and that node's bytes, the way a click in the
// tree does; Shift+Enter or a double-click jumps to the area's first sector.
// The area the selection is about is marked. Collapsed or not is remembered.
import type { DiskMapArea, DiskMapView } from '../../src/shared/protocol/diskMap';
import { el } from '../dom';
import { t } from '../l10n';
import { MapBar } from '../map/mapBar';
import type { EditorState } from './state';

export interface DiskMapActions {
  /** Select the area's tree node (and its bytes); false when the tree has no such node. */
  selectNode(nodeId: string): boolean;
  /** Select bytes [offset, offset + length) and bring them into view; the tree follows, or selects `nodeId`. */
  selectBytes(offset: number, length: number, nodeId?: string): void;
  /** Whether the map was collapsed last time, and remember it now. */
  collapsed(): boolean;
  setCollapsed(collapsed: boolean): void;
}

export class DiskMapPane {
  readonly element: HTMLElement;
  readonly bar: MapBar;
  private readonly toggle: HTMLButtonElement;
  private readonly tableToggle: HTMLButtonElement;
  private readonly summary = el('span', { className: 'map-summary' });
  private view: DiskMapView | null = null;

  constructor(
    private readonly state: EditorState,
    private readonly actions: DiskMapActions,
  ) {
    this.bar = new MapBar('disk-map', {
      activate: (area) => this.activate(area),
      goTo: (area) => this.goTo(area),
    });
    this.toggle = el('button', { id: 'disk-map-toggle' });
    this.toggle.type = 'button';
    this.toggle.setAttribute('aria-controls', 'disk-map-body');
    this.toggle.addEventListener('click', () => this.setCollapsed(!this.element.classList.contains('collapsed')));
    this.tableToggle = el('button', { id: 'disk-map-table-toggle', text: t('Table'), title: t('Show the areas as a table') });
    this.tableToggle.type = 'button';
    this.tableToggle.setAttribute('aria-pressed', 'false');
    this.tableToggle.addEventListener('click', () => {
      this.bar.showTable(!this.bar.tableShown);
      this.tableToggle.setAttribute('aria-pressed', String(this.bar.tableShown));
    });
    this.bar.element.id = 'disk-map-body';
    this.element = el('section', { id: 'disk-map' }, el('div', { className: 'map-head' }, this.toggle, this.summary, this.tableToggle), this.bar.element);
    this.element.setAttribute('aria-label', t('Disk map'));
    this.setCollapsed(actions.collapsed(), false);
  }

  /** Draws the host's map (null: no map, the pane is hidden). */
  render(view: DiskMapView | null | undefined): void {
    this.view = view ?? null;
    this.element.hidden = !this.view;
    this.summary.textContent = this.view?.summary ?? '';
    this.summary.title = this.view?.summary ?? '';
    this.bar.render(this.view, t('Disk map'));
    this.follow();
  }

  /**
   * The selection moved: the area it is about is selected, the one of the
   * tree node under the cursor (a GPT entry is about its partition) or else
   * the one the cursor's sector lies in.
   */
  follow(nodeId?: string): void {
    if (!this.view) return;
    const lba = Math.floor(this.state.selection.cursor / this.view.sectorSize);
    this.bar.select((nodeId !== undefined ? this.areaOfNode(nodeId) : undefined)?.id ?? this.bar.areaAt(lba)?.id);
  }

  private areaOfNode(nodeId: string): DiskMapArea | undefined {
    // `slot-4.StartingLBA` is about partition 5, and so are `partition-5.volume...` and, on an MBR disk, `mbr.record-4`.
    const slot = /^(?:backup-)?slot-(\d+)(?:\.|$)/.exec(nodeId);
    const record = this.state.image?.scheme === 'mbr' ? /^mbr\.record-(\d)(?:\.|$)/.exec(nodeId) : null;
    const number = slot ? Number(slot[1]) + 1 : record ? Number(record[1]) + 1 : null;
    const id = number !== null ? `partition-${number}` : nodeId;
    return this.bar.areas.find((a) => a.nodeId !== undefined && (id === a.nodeId || id.startsWith(`${a.nodeId}.`)));
  }

  /** As a click in the tree: the node and its bytes; an area whose node has no bytes (free space) goes to its first sector. */
  private activate(area: DiskMapArea): void {
    if (area.nodeId && this.actions.selectNode(area.nodeId)) {
      this.bar.select(area.id);
      return;
    }
    this.goTo(area);
  }

  private goTo(area: DiskMapArea): void {
    const ss = this.view?.sectorSize ?? 512;
    this.actions.selectBytes(area.firstLba * ss, ss, area.nodeId);
    this.bar.select(area.id);
  }

  private setCollapsed(collapsed: boolean, remember = true): void {
    this.element.classList.toggle('collapsed', collapsed);
    this.toggle.textContent = `${collapsed ? '▸' : '▾'} ${t('Disk map')}`;
    this.toggle.title = collapsed ? t('Show the disk map') : t('Hide the disk map');
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
    if (remember) this.actions.setCollapsed(collapsed);
  }
}
