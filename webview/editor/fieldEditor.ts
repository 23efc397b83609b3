// Field editors: double-click (or Enter) on an editable field in the structure
// tree opens an editor fit for its kind, checked as you type with the same
// parser the host uses (core/edit/fieldKinds): integers u8..u64, LBAs (also
// `1M`, `+512M`), GUIDs with a pick list of partition types, UTF-16 names with a
// counter, attribute bits as checkboxes beside the raw 64-bit value, MBR type
// bytes with names. Set sends the text; the host parses it again, plans the edit
// (with the dependent CRCs and the other copy when asked) and makes it one edit.
import type { FieldEdit, FromWebview, TreeNode } from '../../src/shared/protocol/editor';
import { formatFieldValue, kindLength, parseFieldValue } from '../../src/core/edit/fieldKinds';
import { attributeNamesFor } from '../../src/core/edit/attributes';
import { knownGptTypes, knownMbrTypes } from '../../src/core/partitionTypes';
import { el } from '../dom';
import type { EditorState } from './state';
import { t, tm } from '../l10n';
import { asMessage } from '../../src/shared/l10n';

export interface FieldEditorHost {
  post(message: FromWebview): void;
  /** Keep dependent values in step (the edit bar's checkbox). */
  dependents(): boolean;
}

const HINTS: Record<string, string> = {
  uint: t('a whole number: decimal, or hex with 0x'),
  lba: t('an LBA, a byte offset like 1M, or for an end a size like +512M'),
  guid: t('8-4-4-4-12 hex digits'),
  attributes: t('0x and 16 hex digits, or +name / -name'),
  mbrType: t('a type byte in hex (83) or a name (linux)'),
  bootIndicator: t('0x80 active, 0x00 not'),
  diskSignature: t('a 32-bit number (0x...)'),
  ascii: t('text of exactly the field length, or 0x...'),
  hexbytes: t('hex bytes of exactly the field length, or zeros'),
};

export class FieldEditor {
  readonly element = el('div', { id: 'field-editor' });
  private edit: FieldEdit | null = null;
  /** Set when editing raw bytes from the data inspector: where they go and in which byte order. */
  private target: { offset: number; bigEndian: boolean } | null = null;
  private input: HTMLInputElement | null = null;
  private readonly message = el('div', { id: 'field-editor-message' });

  constructor(
    private readonly state: EditorState,
    private readonly host: FieldEditorHost,
  ) {
    this.element.hidden = true;
    this.element.setAttribute('role', 'dialog');
  }

  /**
   * Opens an editor for the value the data inspector shows in row `label`
   * ("u32 LE", "u16 BE", "GUID (mixed-endian)") at `offset`; false for rows that are not editable.
   */
  openInspectorValue(label: string, offset: number): boolean {
    const match = /^(u8|u16|u32|u64)(?: (LE|BE))?$/.exec(label.trim());
    const guid = /^GUID/.test(label.trim());
    if (!match && !guid) return false;
    const intWidth = match ? ({ u8: 1, u16: 2, u32: 4, u64: 8 } as const)[match[1] as 'u8' | 'u16' | 'u32' | 'u64'] : 1;
    const width = guid ? 16 : intWidth;
    const bigEndian = match?.[2] === 'BE';
    const size = this.state.image?.sizeBytes ?? 0;
    const current = offset + width <= size ? this.state.cache?.range(offset, width) : null;
    if (!current) return false;
    const kind: FieldEdit['kind'] = guid ? { kind: 'guid' } : { kind: 'uint', width: intWidth };
    const le = bigEndian ? current.slice().reverse() : current;
    const opened = this.open({
      id: 'inspector',
      label: t('{0} at {1}', label.trim(), `0x${offset.toString(16).toUpperCase()}`),
      offset,
      length: width,
      edit: { path: `bytes 0x${offset.toString(16).toUpperCase()}`, kind, value: formatFieldValue(kind, le) },
    });
    this.target = { offset, bigEndian };
    return opened;
  }

  /** Opens the editor for `node` (nothing for a field that is not editable by value). */
  open(node: TreeNode): boolean {
    const edit = node.edit;
    if (!edit) return false;
    this.target = null;
    this.edit = edit;
    const input = el('input', { id: 'field-editor-input' });
    input.value = edit.value;
    input.spellcheck = false;
    if (edit.kind.kind === 'utf16') input.maxLength = edit.kind.codeUnits;
    input.addEventListener('input', () => this.check());
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
      }
    });
    this.input = input;
    const set = el('button', { id: 'field-editor-set', text: t('Set') });
    set.addEventListener('click', () => this.submit());
    const cancel = el('button', { className: 'secondary', text: t('Cancel') });
    cancel.addEventListener('click', () => this.close());
    const title = el('div', { className: 'field-editor-title', text: `${node.label} · ${edit.path}` });
    const hint = el('div', {
      className: 'field-editor-hint',
      text: edit.kind.kind === 'utf16' ? t('UTF-16 text, at most {0} code units', edit.kind.codeUnits) : (HINTS[edit.kind.kind] ?? ''),
    });
    const extra = this.extra(edit, input);
    const dependents = el('div', {
      className: 'field-editor-hint',
      text: this.host.dependents()
        ? t('Dependent values kept: the other GPT copy and the CRCs follow (edit bar).')
        : t('Dependent values off: the edit stands alone; stale CRCs will be reported.'),
    });
    this.element.replaceChildren(title, el('div', { className: 'field-editor-row' }, input, set, cancel), ...extra, hint, dependents, this.message);
    this.element.hidden = false;
    this.check();
    input.focus();
    input.select();
    return true;
  }

  close(): void {
    this.element.hidden = true;
    this.target = null;
    this.edit = null;
    this.input = null;
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Checks the text as the host will; the message says what is wrong (or what the value means). */
  private check(): boolean {
    const edit = this.edit;
    const input = this.input;
    if (!edit || !input) return false;
    try {
      const current = parseFieldValue(edit.kind, edit.value, this.context(edit, new Uint8Array(kindLength(edit.kind))), edit.path);
      parseFieldValue(edit.kind, input.value, this.context(edit, current), edit.path);
      this.message.textContent = edit.kind.kind === 'utf16' ? t('{0} / {1} code units', input.value.length, edit.kind.codeUnits) : '';
      this.message.classList.remove('error');
      input.classList.remove('invalid');
      return true;
    } catch (error) {
      // The value's errors come from the core's parser as msg() templates (EditValueError.text): shown in the user's language.
      const text = asMessage((error as { text?: unknown }).text);
      this.message.textContent = text ? tm(text) : (error as Error).message;
      this.message.classList.add('error');
      input.classList.add('invalid');
      return false;
    }
  }

  private context(edit: FieldEdit, current: Uint8Array): { sectorSize: number; current: Uint8Array; startLba?: bigint; typeGuid: string | null } {
    return {
      sectorSize: this.state.image?.sectorSize ?? 512,
      current,
      ...(edit.path.endsWith('.lastLba') ? { startLba: 0n } : {}),
      typeGuid: edit.typeGuid ?? null,
    };
  }

  private submit(): void {
    if (!this.edit || !this.input || !this.check()) return;
    if (this.target) {
      const bytes = parseFieldValue(this.edit.kind, this.input.value, this.context(this.edit, new Uint8Array(kindLength(this.edit.kind))), this.edit.path);
      const ordered = this.target.bigEndian ? bytes.slice().reverse() : bytes;
      const hex = Array.from(ordered, (b) => b.toString(16).padStart(2, '0')).join('');
      this.host.post({ type: 'editBytes', offset: this.target.offset, hex, dependents: this.host.dependents(), action: 'type' });
    } else {
      this.host.post({ type: 'setField', path: this.edit.path, value: this.input.value, dependents: this.host.dependents() });
    }
    this.close();
  }

  /** The kind's helpers: pick lists for types, checkboxes for attribute bits. */
  private extra(edit: FieldEdit, input: HTMLInputElement): HTMLElement[] {
    const kind = edit.kind;
    if (kind.kind === 'guid' && kind.partitionType) {
      const select = el('select', { id: 'field-editor-types', title: t('Known partition types') });
      select.append(el('option', { text: t('Known partition types…') }));
      for (const t of knownGptTypes()) {
        const option = el('option', { text: `${t.name}${t.alias ? ` (${t.alias})` : ''}` });
        option.value = t.guid;
        select.append(option);
      }
      select.addEventListener('change', () => {
        if (select.value && select.selectedIndex > 0) input.value = select.value;
        this.check();
      });
      return [select];
    }
    if (kind.kind === 'mbrType') {
      const select = el('select', { id: 'field-editor-types', title: t('Known MBR types') });
      select.append(el('option', { text: t('Known MBR types…') }));
      for (const t of knownMbrTypes()) {
        const option = el('option', { text: `${t.type.toString(16).toUpperCase().padStart(2, '0')} ${t.name}` });
        option.value = `0x${t.type.toString(16).padStart(2, '0')}`;
        select.append(option);
      }
      select.addEventListener('change', () => {
        if (select.selectedIndex > 0) input.value = select.value;
        this.check();
      });
      return [select];
    }
    if (kind.kind === 'attributes') return [this.attributeBoxes(edit, input)];
    return [];
  }

  // One checkbox per single-bit name (the common bits and the type's), a number for multi-bit fields; they and the raw value stay in step.
  private attributeBoxes(edit: FieldEdit, input: HTMLInputElement): HTMLElement {
    const box = el('div', { id: 'field-editor-attributes' });
    const value = (): bigint => {
      try {
        return BigInt(formatFieldValue(edit.kind, parseFieldValue(edit.kind, input.value, { sectorSize: 512, current: new Uint8Array(8) }, edit.path)));
      } catch {
        return -1n;
      }
    };
    const controls: { bit: number; width: number; control: HTMLInputElement }[] = [];
    for (const a of attributeNamesFor(edit.typeGuid ?? null)) {
      const control = el('input');
      control.dataset.attribute = a.name;
      if (a.width === 1) control.type = 'checkbox';
      else {
        control.type = 'number';
        control.min = '0';
        control.max = String((1 << a.width) - 1);
      }
      control.addEventListener('input', () => {
        let v = value();
        if (v < 0n) v = 0n;
        const mask = ((1n << BigInt(a.width)) - 1n) << BigInt(a.bit);
        const n = a.width === 1 ? (control.checked ? 1n : 0n) : BigInt(Math.max(0, Math.min((1 << a.width) - 1, Number(control.value) || 0)));
        v = (v & ~mask) | (n << BigInt(a.bit));
        input.value = `0x${v.toString(16).toUpperCase().padStart(16, '0')}`;
        this.check();
      });
      controls.push({ bit: a.bit, width: a.width, control });
      box.append(el('label', { title: a.width > 1 ? t('bits {0}..{1}', a.bit, a.bit + a.width - 1) : t('bit {0}', a.bit) }, control, ` ${a.label}`));
    }
    const sync = (): void => {
      const v = value();
      if (v < 0n) return;
      for (const c of controls) {
        const n = (v >> BigInt(c.bit)) & ((1n << BigInt(c.width)) - 1n);
        if (c.width === 1) c.control.checked = n === 1n;
        else c.control.value = String(n);
      }
    };
    input.addEventListener('input', sync);
    sync();
    return box;
  }
}
