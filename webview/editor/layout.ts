// The editor's panes side by side: findings and tree, the whole hex, the
// inspector. When they do not fit, `#main` gets the class `stacked` and the
// inspector moves under the hex; only when even that does not fit does the hex
// scroll sideways (main.css).
import { el } from '../dom';
import type { EditorHexPane } from './hexRows';

// Narrowest tree and inspector beside the hex (the grid minimums in main.css).
const SIDE_MIN = 200;
const INSPECTOR_MIN = 190;

export class PaneLayout {
  readonly element: HTMLElement;

  constructor(
    side: HTMLElement,
    private readonly hex: EditorHexPane,
    inspector: HTMLElement,
  ) {
    this.element = el('div', { id: 'main' }, side, hex.element, inspector);
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  /** Stacks the inspector under the hex when tree + whole hex (ASCII included) + inspector do not fit side by side. */
  fit(): void {
    const hexNeeds = this.hex.neededWidth();
    if (hexNeeds === null) return;
    const stacked = this.element.clientWidth < SIDE_MIN + hexNeeds + INSPECTOR_MIN;
    if (this.element.classList.contains('stacked') !== stacked) this.element.classList.toggle('stacked', stacked);
  }
}
