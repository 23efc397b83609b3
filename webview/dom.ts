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
