// Typing over bytes in the hex view: hex digits in the hex column (two make a
// byte; the first shows at once, the byte is sent when the second comes or the
// cursor leaves), characters in the ASCII column, Tab switches columns; paste
// hex or text over the selection; fill the selection with a byte; revert the
// selection to the saved bytes. Overwrite only: a disk's size is fixed, so
// nothing is ever inserted or deleted. The webview sends intents; the host owns
// the bytes, checks every message and makes each one an undoable edit (with the
// dependent CRCs and the other GPT copy when "Keep dependent values" is on).
import type { FromWebview } from '../../src/shared/protocol/editor';
import { MAX_EDIT_BYTES } from '../../src/shared/protocol/editor';
import { ByteMarks } from '../hex/marks';
import { el } from '../dom';
import type { EditorState } from './state';
import { t } from '../l10n';

export type EditColumn = 'hex' | 'ascii';

/** What the byte editor needs from the rest of the view. */
export interface ByteEditorHost {
  post(message: FromWebview): void;
  say(text: string): void;
  /** Repaint the hex (marks changed). */
  repaint(): void;
}

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** Parses pasted text as hex bytes ("45 46 49", "45:46:49", "0x4546"); null when it is not hex. */
export function pastedHex(text: string): Uint8Array | null {
  const digits = text
    .trim()
    .replace(/^0x/i, '')
    .replace(/[\s:,-]+/g, '');
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(digits)) return null;
  return Uint8Array.from(digits.match(/../g)!, (h) => parseInt(h, 16));
}

/** Text as bytes: UTF-8 (ASCII stays one byte a character). */
export function pastedText(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export class ByteEditor {
  column: EditColumn = 'hex';
  /** The first hex digit typed at `pendingAt` (the byte is sent with the second). */
  private pending: { offset: number; high: number } | null = null;
  /** Bytes differing from the file (from the host), and the byte being typed. */
  readonly edited = new ByteMarks('edited', true);
  readonly typing = new ByteMarks('typing', true);
  /** Keep CRCs and the other GPT copy in step (on by default; the checkbox in the edit bar). */
  dependents = true;
  readonly bar: HTMLElement;
  private readonly dependentsBox: HTMLInputElement;
  private readonly fillField: HTMLInputElement;

  constructor(
    private readonly state: EditorState,
    private readonly host: ByteEditorHost,
  ) {
    state.marks.push(this.edited, this.typing);
    this.dependentsBox = el('input', { id: 'edit-dependents' });
    this.dependentsBox.type = 'checkbox';
    this.dependentsBox.checked = true;
    this.dependentsBox.addEventListener('change', () => (this.dependents = this.dependentsBox.checked));
    const dependentsLabel = el(
      'label',
      {
        id: 'edit-dependents-label',
        title: t(
          'On: an edit inside a GPT entry or header also recomputes the array CRC and the header CRC, and a primary edit is made in the backup too (and the reverse). Off: the edit stands alone; the findings then say which CRCs are stale.',
        ),
      },
      this.dependentsBox,
      ` ${t('Keep CRCs and backup in step')}`,
    );
    this.fillField = el('input', { id: 'edit-fill', title: t('Fill the selection with this byte (hex), Enter') });
    this.fillField.placeholder = t('fill 00');
    this.fillField.size = 7;
    this.fillField.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.fill(this.fillField.value);
    });
    const revert = el('button', { id: 'edit-revert', text: t('Revert selection'), title: t('Put the saved bytes (the file on disk) back over the selection') });
    revert.addEventListener('click', () => this.revertSelection());
    const column = el('span', { id: 'edit-column', text: t('Typing: hex (Tab: ASCII)') });
    this.bar = el('div', { id: 'edit-bar' }, dependentsLabel, column, this.fillField, revert);
  }

  /** The view's state changed (an update from the host): the edited marks follow it, a half-typed byte is dropped. */
  refresh(): void {
    this.edited.set(this.state.edits?.edited ?? []);
    this.pending = null;
    this.typing.clear();
    document.body.dataset.editColumn = this.column;
  }

  /** Keys in the hex view: true when the editor used the key. */
  key(event: KeyboardEvent): boolean {
    if (!this.state.image || event.ctrlKey || event.metaKey || event.altKey) return false;
    if (event.key === 'Tab') {
      event.preventDefault();
      this.commitPending();
      this.column = this.column === 'hex' ? 'ascii' : 'hex';
      document.body.dataset.editColumn = this.column;
      this.bar.querySelector('#edit-column')!.textContent = this.column === 'hex' ? t('Typing: hex (Tab: ASCII)') : t('Typing: ASCII (Tab: hex)');
      return true;
    }
    if (event.key === 'Backspace' || event.key === 'Delete' || event.key === 'Insert') {
      event.preventDefault();
      this.host.say(t('Overwrite only: a disk image never grows or shrinks (type over bytes, or fill the selection).'));
      return true;
    }
    if (event.key.length !== 1) {
      this.commitPending();
      return false;
    }
    const at = this.typingOffset();
    if (this.column === 'hex') {
      if (!HEX_DIGIT.test(event.key)) return false;
      event.preventDefault();
      const digit = parseInt(event.key, 16);
      if (this.pending && this.pending.offset === at) {
        const value = (this.pending.high << 4) | digit;
        this.pending = null;
        this.typing.clear();
        this.send(at, Uint8Array.of(value), 'type');
        this.advance(at);
      } else {
        this.commitPending();
        this.pending = { offset: at, high: digit };
        this.typing.set([{ offset: at, length: 1 }]);
        this.host.say(t('0x{0}: {1}_ (type the second hex digit)', at.toString(16).toUpperCase(), event.key.toUpperCase()));
        this.state.selection.moveCursor(at, false);
        this.host.repaint();
      }
      return true;
    }
    const code = event.key.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return false;
    event.preventDefault();
    this.send(at, Uint8Array.of(code), 'type');
    this.advance(at);
    return true;
  }

  /** Paste over the selection (or at the cursor): hex in the hex column when it reads as hex, else the text's bytes. */
  paste(text: string): void {
    if (!this.state.image) return;
    this.commitPending();
    const hex = this.column === 'hex' ? pastedHex(text) : null;
    let bytes = hex ?? pastedText(text);
    const at = this.typingOffset();
    const room = this.state.image.sizeBytes - at;
    if (bytes.length > room) bytes = bytes.subarray(0, room);
    if (bytes.length === 0) return;
    if (bytes.length > MAX_EDIT_BYTES) {
      this.host.say(t('Paste too large ({0} bytes; at most {1}).', bytes.length, MAX_EDIT_BYTES));
      return;
    }
    this.send(at, bytes, 'paste');
  }

  /** Fills the selection with one byte (hex text, "00".."FF"). */
  fill(text: string): void {
    const value = /^(0x)?[0-9a-f]{1,2}$/i.test(text.trim()) ? parseInt(text.trim().replace(/^0x/i, ''), 16) : null;
    const { selection } = this.state;
    if (value === null) return this.host.say(t('Fill: "{0}" is not a byte (hex, 00..FF).', text));
    if (!selection.hasRange) return this.host.say(t('Fill: select the bytes to fill first.'));
    if (selection.length > MAX_EDIT_BYTES) return this.host.say(t('Fill: the selection is {0} bytes; at most {1} at once.', selection.length, MAX_EDIT_BYTES));
    this.send(selection.lo, new Uint8Array(selection.length).fill(value), 'fill');
  }

  /** The saved bytes back over the selection (or the byte at the cursor). */
  revertSelection(): void {
    const { selection } = this.state;
    const length = Math.max(1, selection.length);
    if (length > MAX_EDIT_BYTES) return this.host.say(t('Revert: the selection is {0} bytes; at most {1} at once.', length, MAX_EDIT_BYTES));
    this.host.post({ type: 'revertBytes', offset: selection.hasRange ? selection.lo : selection.cursor, length, dependents: this.dependents });
  }

  /** The cursor moved: a half-typed byte elsewhere is sent as it shows. */
  selectionMoved(): void {
    if (this.pending && this.state.selection.cursor !== this.pending.offset) this.commitPending();
  }

  /** A half-typed byte is sent as it shows (high digit typed, low digit kept) when the cursor leaves it. */
  commitPending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.typing.clear();
    const old = this.state.cache?.range(pending.offset, 1)?.[0];
    if (old === undefined) return;
    this.send(pending.offset, Uint8Array.of((pending.high << 4) | (old & 0x0f)), 'type');
  }

  /** Where typing goes: the start of a selected range (typing replaces it from there), else the cursor. */
  private typingOffset(): number {
    const { selection } = this.state;
    if (this.pending) return this.pending.offset;
    return selection.hasRange && !selection.collapsed ? selection.lo : selection.cursor;
  }

  private advance(at: number): void {
    this.state.selection.moveCursor(Math.min(at + 1, (this.state.image?.sizeBytes ?? 1) - 1), false);
  }

  private send(offset: number, bytes: Uint8Array, action: 'type' | 'paste' | 'fill'): void {
    // Said by the host in the user's language; a plain file (not a disk image) still takes byte edits.
    const blocked = this.state.edits?.handBlocked;
    if (blocked) {
      this.host.say(t('Not editable here: {0}.', blocked));
      return;
    }
    // Shown at once; the host's update replaces the bytes with what it made of them.
    this.state.cache?.overwrite(offset, bytes);
    this.edited.set(
      [...this.edited.ranges, { offset, length: bytes.length }]
        .sort((a, b) => a.offset - b.offset)
        .reduce<{ offset: number; length: number }[]>((out, r) => {
          const last = out[out.length - 1];
          if (last && r.offset <= last.offset + last.length) last.length = Math.max(last.length, r.offset + r.length - last.offset);
          else out.push({ ...r });
          return out;
        }, []),
    );
    this.host.repaint();
    this.host.post({ type: 'editBytes', offset, hex: toHex(bytes), dependents: this.dependents, action });
  }
}
