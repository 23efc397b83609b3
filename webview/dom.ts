// Small DOM helpers shared by the editor and the comparison view.

/** An element with an id, classes, text and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { id?: string; className?: string; text?: string; title?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.id) node.id = props.id;
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}

/** A `type="button"` button with an id, its text, a tooltip and a click handler. */
export function button(id: string, text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { id, text, title });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** True when a key event comes from a text field (its keys are not the view's shortcuts). */
export function typingInField(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  return !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
}

/** Width in px of `input`'s placeholder text in the font the input draws it with (0 where it cannot be measured). */
export function placeholderWidth(input: HTMLInputElement): number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return 0;
  const style = getComputedStyle(input);
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  return context.measureText(input.placeholder).width;
}

/**
 * Sets `host` (the input, or the component around it) as wide as the input's whole
 * placeholder needs: the hint's text differs by language, a fixed width cuts it.
 */
export function fitPlaceholder(host: HTMLElement, input: HTMLInputElement): void {
  const text = placeholderWidth(input);
  if (!(text > 0) || !(input.clientWidth > 0)) return;
  const style = getComputedStyle(input);
  // Around the text: the host's borders (and the component's frame), the input's padding.
  const around = host.getBoundingClientRect().width - input.clientWidth + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  host.style.width = `${Math.ceil(text + around) + 2}px`; // CSSOM: allowed by the CSP
}
