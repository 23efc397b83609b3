// The find bar (Ctrl+F): hex bytes with ?? wildcards, text (ASCII/UTF-8),
// UTF-16LE, a GUID (either byte order) or a little-endian integer. The host
// searches the whole document (streamed, holes skipped, a cancellable progress
// notification) and sends the matches; F3 / Shift+F3 (or Enter / Shift+Enter)
// step through them from the cursor, and the matches are marked in the hex.
import type { FindResultMessage, FromWebview } from '../../src/shared/protocol/editor';
import type { PatternMode } from '../../src/core/find/pattern';
import { PendingRequests } from '../../src/shared/protocol/common';
import { ByteMarks } from '../hex/marks';
import { el } from '../dom';
import type { EditorState } from './state';
import { t } from '../l10n';
import { KeyEcho } from './keyEcho';

export interface FindBarHost {
  post(message: FromWebview): void;
  /** Select a match and scroll to it. */
  select(offset: number, length: number): void;
  repaint(): void;
  focusHex(): void;
}

const MODES: { mode: PatternMode; label: string }[] = [
  { mode: 'hex', label: 'Hex' },
  { mode: 'text', label: 'Text' },
  { mode: 'utf16', label: 'UTF-16' },
  { mode: 'guid', label: 'GUID' },
  { mode: 'u32', label: 'u32' },
  { mode: 'u64', label: 'u64' },
];

/** Matches listed in the bar (all are marked and stepped through). */
const LISTED = 20;

export class FindBar {
  readonly element = el('div', { id: 'find-bar' });
  readonly marks = new ByteMarks('match', true);
  private readonly input = el('input', { id: 'find-input', title: t('Hex bytes (45 46 49, ?? = any byte), text, a GUID or a number') });
  private readonly mode = el('select', { id: 'find-mode' });
  private readonly count = el('span', { id: 'find-count' });
  private readonly list = el('div', { id: 'find-list' });
  private readonly requests = new PendingRequests<{ pattern: string; mode: PatternMode }>();
  private matches: { offset: number; length: number }[] = [];
  private searched: { pattern: string; mode: PatternMode } | null = null;
  private current = -1;
  private waiting: number | null = null;
  private stepAfter: 'next' | 'previous' | null = null;
  private readonly echo = new KeyEcho();

  constructor(
    private readonly state: EditorState,
    private readonly host: FindBarHost,
  ) {
    state.marks.push(this.marks);
    this.element.hidden = true;
    for (const { mode, label } of MODES) {
      const option = el('option', { text: label });
      option.value = mode;
      this.mode.append(option);
    }
    this.input.placeholder = t('Find (45 46 49 20 50 41 52 54)');
    this.input.spellcheck = false;
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.step(event.shiftKey ? 'previous' : 'next');
      } else if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
      }
    });
    this.mode.addEventListener('change', () => this.search('next'));
    const previous = el('button', { id: 'find-previous', text: '↑', title: t('Previous match (Shift+F3)') });
    previous.addEventListener('click', () => this.step('previous'));
    const next = el('button', { id: 'find-next', text: '↓', title: t('Next match (F3)') });
    next.addEventListener('click', () => this.step('next'));
    const cancel = el('button', { id: 'find-cancel', text: t('Stop'), title: t('Cancel the search') });
    cancel.addEventListener('click', () => {
      if (this.waiting !== null) this.host.post({ type: 'cancelFind', requestId: this.waiting });
    });
    const close = el('button', { id: 'find-close', text: '×', title: t('Close (Escape)') });
    close.addEventListener('click', () => this.close());
    this.element.append(this.input, this.mode, previous, next, cancel, this.count, close, this.list);
    // Ctrl+F opens the bar at once, so the pattern typed right after it lands there (not in the hex view).
    window.addEventListener('keydown', (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && (event.key === 'f' || event.key === 'F')) {
        event.preventDefault();
        this.echo.handledHere();
        this.command('open');
      }
    });
  }

  /** The host's find command (VS Code's keybindings): Ctrl+F's echo of a key handled here is dropped. */
  commandFromHost(command: 'open' | 'next' | 'previous'): void {
    if (command === 'open' && !this.echo.fromHost()) return;
    this.command(command);
  }

  /** Ctrl+F opens the bar; F3 / Shift+F3 step (opening it first if nothing was searched yet). */
  command(command: 'open' | 'next' | 'previous'): void {
    if (command === 'open' || !this.searched) {
      this.element.hidden = false;
      this.input.focus();
      this.input.select();
      if (command === 'open') return;
    }
    this.step(command);
  }

  close(): void {
    this.element.hidden = true;
    this.marks.clear();
    this.host.repaint();
    this.host.focusHex();
  }

  /** Next or previous match from the cursor; a new pattern (or mode) searches first. */
  step(direction: 'next' | 'previous'): void {
    const pattern = this.input.value;
    if (!pattern.trim()) return;
    const mode = this.mode.value as PatternMode;
    if (!this.searched || this.searched.pattern !== pattern || this.searched.mode !== mode) return this.search(direction);
    if (this.matches.length === 0) {
      this.count.textContent = t('No matches');
      return;
    }
    const cursor = this.state.selection.hasRange ? this.state.selection.lo : this.state.selection.cursor;
    let index: number;
    if (direction === 'next') {
      index = this.matches.findIndex((m) => m.offset > cursor || (this.current < 0 && m.offset >= cursor));
      if (index < 0) index = 0; // wrap
    } else {
      index = -1;
      for (let i = this.matches.length - 1; i >= 0; i--)
        if (this.matches[i]!.offset < cursor) {
          index = i;
          break;
        }
      if (index < 0) index = this.matches.length - 1;
    }
    this.show(index);
  }

  /** The host's answer: every match (up to its limit), in image order. */
  results(message: FindResultMessage): void {
    const request = this.requests.settle(message.requestId);
    if (!request || message.requestId !== this.waiting) return;
    this.waiting = null;
    this.element.classList.remove('searching');
    if (message.cancelled) {
      this.count.textContent = t('Search cancelled');
      this.searched = null;
      return;
    }
    this.searched = request;
    this.matches = message.matches;
    this.marks.set(this.matches);
    this.current = -1;
    this.list.replaceChildren(
      ...this.matches.slice(0, LISTED).map((m, i) => {
        const item = el('button', { className: 'find-match', text: `0x${m.offset.toString(16).toUpperCase()}` });
        item.addEventListener('click', () => this.show(i));
        return item;
      }),
    );
    if (this.matches.length === 0) this.count.textContent = t('No matches');
    this.host.repaint();
    const then = this.stepAfter;
    this.stepAfter = null;
    if (then && this.matches.length > 0) this.step(then);
    else if (this.matches.length > 0) this.count.textContent = t('{0} matches', `${this.matches.length}${message.truncated ? '+' : ''}`);
    if (message.truncated) this.count.textContent += ` ${t('(first {0})', 10000)}`;
  }

  /** An error reply to our search (a bad pattern): said in the bar. */
  failed(requestId: number, text: string): void {
    if (requestId !== this.waiting) return;
    this.requests.settle(requestId);
    this.waiting = null;
    this.element.classList.remove('searching');
    this.searched = null;
    this.count.textContent = text;
  }

  private search(then: 'next' | 'previous'): void {
    const pattern = this.input.value;
    if (!pattern.trim()) return;
    const mode = this.mode.value as PatternMode;
    if (this.waiting !== null) this.host.post({ type: 'cancelFind', requestId: this.waiting });
    const requestId = this.requests.issue({ pattern, mode });
    this.waiting = requestId;
    this.stepAfter = then;
    this.count.textContent = t('Searching…');
    this.element.classList.add('searching');
    this.host.post({ type: 'find', requestId, pattern, mode, from: 0, direction: 'forward' });
  }

  private show(index: number): void {
    const match = this.matches[index];
    if (!match) return;
    this.current = index;
    this.count.textContent = t('{0} of {1}', index + 1, this.matches.length);
    this.host.select(match.offset, match.length);
  }
}
