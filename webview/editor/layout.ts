// The editor's panes: findings and tree (#side), the hex, the inspector, with a
// splitter between each two (drag or arrow keys) and a button that collapses the
// side pane or the inspector; sizes and collapsed panes are kept in the webview
// state. Every byte column and the ASCII column stay visible: when they do not fit,
// the inspector moves under the hex (`stacked`), then the LBA column goes, then a
// row shows 8 bytes (`diskx.hex.bytesPerRow: auto`); only a fixed row width the
// editor cannot hold scrolls sideways.
import { el } from '../dom';
import { S } from '../strings';
import type { EditorHexPane } from './hexRows';
import type { SavedState } from '../savedState';

/** Narrowest side pane and inspector beside the hex, a collapsed pane's strip, a splitter. */
const SIDE_MIN = 180;
const INSPECTOR_MIN = 190;
const INSPECTOR_DEFAULT = 280;
const COLLAPSED = 24;
const SPLIT = 5;
/** Arrow keys move a focused splitter by this many px. */
const KEY_STEP = 16;

type PaneName = 'side' | 'inspector';

export interface LayoutMode {
  bytesPerRow: number;
  lba: boolean;
  stacked: boolean;
}

export class PaneLayout {
  readonly element: HTMLElement;
  private readonly splitSide = splitter('split-side');
  private readonly splitInspector = splitter('split-inspector');
  private readonly toggles: Record<PaneName, HTMLButtonElement>;
  /** The mode of the last fit (tests and the status line read it from the classes too). */
  mode: LayoutMode | null = null;

  constructor(
    private readonly side: HTMLElement,
    private readonly hex: EditorHexPane,
    private readonly inspector: HTMLElement,
    private readonly saved: SavedState,
  ) {
    this.element = el('div', { id: 'main' }, side, this.splitSide, hex.element, this.splitInspector, inspector);
    this.toggles = { side: this.toggle('side'), inspector: this.toggle('inspector') };
    side.prepend(this.toggles.side);
    (inspector.querySelector('.section-title') ?? inspector).prepend(this.toggles.inspector);
    this.drag(this.splitSide, 'side', 1);
    this.drag(this.splitInspector, 'inspector', -1);
    this.showCollapsed();
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  private pane(name: PaneName): { size?: number; collapsed?: boolean } {
    return this.saved.pane(name);
  }

  private setPane(name: PaneName, change: { size?: number; collapsed?: boolean }): void {
    this.saved.updatePane(name, change);
  }

  private toggle(name: PaneName): HTMLButtonElement {
    const b = el('button', { id: `${name}-toggle`, className: 'pane-toggle' });
    b.type = 'button';
    b.addEventListener('click', () => {
      this.setPane(name, { collapsed: !this.pane(name).collapsed });
      this.showCollapsed();
      this.fit();
    });
    return b;
  }

  private showCollapsed(): void {
    for (const name of ['side', 'inspector'] as const) {
      const collapsed = this.pane(name).collapsed === true;
      this.element.classList.toggle(`${name}-collapsed`, collapsed);
      const b = this.toggles[name];
      b.setAttribute('aria-expanded', String(!collapsed));
      const title = name === 'side' ? (collapsed ? S.showSide : S.hideSide) : collapsed ? S.showInspector : S.hideInspector;
      b.title = title;
      b.setAttribute('aria-label', title);
      // Chevrons point where the pane goes: the side pane folds left, the inspector right (or down when stacked).
      b.textContent = name === 'side' ? (collapsed ? '›' : '‹') : collapsed ? '‹' : '›';
    }
  }

  /** Dragging a splitter (or its arrow keys) sizes its pane; `sign` is +1 when moving right grows the pane. */
  private drag(handle: HTMLElement, name: PaneName, sign: 1 | -1): void {
    handle.setAttribute('aria-label', name === 'side' ? S.resizeSide : S.resizeInspector);
    const current = (): number => (name === 'side' ? this.side : this.inspector).getBoundingClientRect().width;
    handle.addEventListener('pointerdown', (event: PointerEvent) => {
      if (this.pane(name).collapsed) return;
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      const startX = event.clientX;
      const startSize = current();
      const move = (e: PointerEvent): void => {
        this.setPane(name, { size: Math.round(startSize + sign * (e.clientX - startX)) });
        this.fit();
      };
      const up = (): void => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        handle.removeEventListener('pointercancel', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
      handle.addEventListener('pointercancel', up);
    });
    handle.addEventListener('keydown', (event: KeyboardEvent) => {
      const step = event.key === 'ArrowRight' ? KEY_STEP : event.key === 'ArrowLeft' ? -KEY_STEP : 0;
      if (!step || this.pane(name).collapsed) return;
      event.preventDefault();
      this.setPane(name, { size: Math.round(current() + sign * step) });
      this.fit();
    });
  }

  /** Picks the mode that shows every byte column and ASCII, then sizes the columns. */
  fit(): void {
    const width = this.element.clientWidth;
    if (!(width > 0)) return;
    const side = this.pane('side');
    const insp = this.pane('inspector');
    const sideMin = side.collapsed ? COLLAPSED : SIDE_MIN;
    const inspectorMin = insp.collapsed ? COLLAPSED : INSPECTOR_MIN;
    const lbaChoices = this.hex.preference.showLba ? [true, false] : [false];
    let chosen: { mode: LayoutMode; hexWidth: number } | null = null;
    let last: { mode: LayoutMode; hexWidth: number } | null = null;
    for (const bytesPerRow of this.hex.rowWidths()) {
      const candidates: LayoutMode[] = [
        { bytesPerRow, lba: lbaChoices[0]!, stacked: false },
        ...lbaChoices.map((lba) => ({ bytesPerRow, lba, stacked: true })),
      ];
      for (const mode of candidates) {
        const hexWidth = this.hex.widthFor(mode.bytesPerRow, mode.lba);
        if (hexWidth === null) return;
        last = { mode, hexWidth };
        const needs = sideMin + SPLIT + hexWidth + (mode.stacked ? 0 : SPLIT + inspectorMin);
        if (needs <= width) {
          chosen = last;
          break;
        }
      }
      if (chosen) break;
    }
    chosen ??= last;
    if (!chosen) return;
    const { mode } = chosen;
    // The hex was laid out for another mode: measure again with the scrollbar of the new rows.
    if (this.hex.setMode(mode.bytesPerRow, mode.lba)) chosen.hexWidth = this.hex.widthFor(mode.bytesPerRow, mode.lba) ?? chosen.hexWidth;
    this.mode = mode;
    this.element.classList.toggle('stacked', mode.stacked);
    this.element.classList.toggle('narrow', mode.bytesPerRow < 16 || !mode.lba);
    this.place(width, chosen.hexWidth, mode.stacked, side, insp);
  }

  /** Column widths: a pane the user sized keeps its size where it fits; the rest of the width goes to the tree. */
  private place(
    width: number,
    hexWidth: number,
    stacked: boolean,
    side: { size?: number; collapsed?: boolean },
    insp: { size?: number; collapsed?: boolean },
  ): void {
    const inspectorBeside = stacked ? 0 : SPLIT + (insp.collapsed ? COLLAPSED : clamp(insp.size ?? INSPECTOR_DEFAULT, INSPECTOR_MIN, width));
    let sideWidth: number;
    if (side.collapsed) sideWidth = COLLAPSED;
    else {
      const room = width - SPLIT - hexWidth - inspectorBeside;
      sideWidth = side.size === undefined ? Math.max(SIDE_MIN, room) : clamp(side.size, SIDE_MIN, Math.max(SIDE_MIN, room));
    }
    const rest = Math.max(0, width - sideWidth - SPLIT - inspectorBeside);
    const columns = [`${sideWidth}px`, `${SPLIT}px`, `${Math.max(hexWidth, rest)}px`];
    if (!stacked) columns.push(`${SPLIT}px`, `${inspectorBeside - SPLIT}px`);
    // When the hex column is wider than its content, the inspector (not a gap) takes the extra.
    if (!stacked && rest > hexWidth && !insp.collapsed) {
      columns[2] = `${hexWidth}px`;
      columns[4] = `${inspectorBeside - SPLIT + rest - hexWidth}px`;
    }
    this.element.style.gridTemplateColumns = columns.join(' '); // CSSOM, allowed by the CSP
  }
}

function splitter(id: string): HTMLElement {
  const handle = el('div', { id, className: 'splitter' });
  handle.setAttribute('role', 'separator');
  handle.setAttribute('aria-orientation', 'vertical');
  handle.tabIndex = 0;
  return handle;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}
