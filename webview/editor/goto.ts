// Go to (`#goto`, Ctrl+G): an offset, an LBA, `end`, or a field or node name
// (gotoTarget.ts parses and resolves); Enter jumps and selects, Escape returns
// to the hex view. The test hook `test:goto` goes through here too.
import { el, fitPlaceholder } from '../dom';
import { parseGoto, resolveGoto } from '../gotoTarget';
import type { EditorState } from './state';
import { t } from '../l10n';
import { KeyEcho } from './keyEcho';

export interface GotoActions {
  /** Selects the target's bytes, scrolled into view; `nodeId`: the tree node it names. */
  go(offset: number, length: number, nodeId: string | undefined): void;
  /** Back to the hex view. */
  focusHex(): void;
}

export class GotoField {
  readonly field = document.createElement('vscode-textfield') as HTMLElement & { value: string };
  readonly error = el('span', { id: 'goto-error' });
  private readonly echo = new KeyEcho();

  constructor(
    private readonly state: EditorState,
    private readonly actions: GotoActions,
  ) {
    const field = this.field;
    field.id = 'goto';
    field.setAttribute('placeholder', t('Go to: 0x200, 512, lba:34, 34s, HeaderCRC32  (Ctrl+G)'));
    field.setAttribute('aria-label', t('Go to offset, LBA or field'));
    field.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        if (this.go(field.value)) actions.focusHex();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        actions.focusHex();
      }
    });
    window.addEventListener('keydown', (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && (event.key === 'g' || event.key === 'G')) {
        event.preventDefault();
        this.echo.handledHere();
        this.focus();
      }
    });
  }

  /**
   * Sizes the field to its whole placeholder in the font it is drawn with (its text
   * differs by language; a fixed width cut it), at most the toolbar's width.
   */
  async fitPlaceholder(): Promise<void> {
    await customElements.whenDefined('vscode-textfield');
    await (this.field as unknown as { updateComplete?: Promise<unknown> }).updateComplete;
    await document.fonts?.ready;
    const input = this.field.shadowRoot?.querySelector('input');
    if (input) fitPlaceholder(this.field, input);
  }

  /** The host's Ctrl+G (VS Code's keybinding): the field, unless this page already handled that key. */
  focusFromHost(): void {
    if (this.echo.fromHost()) this.focus();
  }

  /** Puts the keyboard in the field with its text selected (Ctrl+G, here or through VS Code's keybinding). */
  focus(): void {
    this.field.focus();
    this.field.shadowRoot?.querySelector('input')?.select();
  }

  /** Goes to `text`; false (and the reason shown) when it names nothing in this image. */
  go(text: string): boolean {
    const image = this.state.image;
    if (!image) return false;
    const target = resolveGoto(parseGoto(text), image, this.state.tree);
    if ('error' in target) {
      this.error.textContent = target.error;
      return false;
    }
    this.error.textContent = '';
    this.actions.go(target.offset, target.length, target.nodeId);
    return true;
  }
}
