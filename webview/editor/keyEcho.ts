// A key our webview handles itself that VS Code also runs through its keybinding
// (Ctrl+G, Ctrl+F): the webview acts on the keydown at once, so what the user
// types next lands in the field, and VS Code forwards the same keydown to the
// workbench, whose command sends the webview the same request a moment later.
// Under load that echo can arrive after the user has already typed and pressed
// Enter, and would pull the focus back. An echo is expected from the keydown
// until it arrives or the page loses the focus (the command palette, another
// editor): then a request from the host is a real one again.

export class KeyEcho {
  private pending = false;

  constructor() {
    window.addEventListener('blur', () => (this.pending = false));
  }

  /** The webview handled the key itself. */
  handledHere(): void {
    this.pending = true;
  }

  /** The host asks for the same action: false when it is the echo of a key handled here. */
  fromHost(): boolean {
    if (!this.pending) return true;
    this.pending = false;
    return false;
  }
}
