// Hand edits in the built webview, in a real browser, against the real session:
// typing hex digits and ASCII characters over bytes (Tab switches columns),
// edited bytes marked, the field editors opened from the tree (name with its
// counter, attributes as checkboxes, a type pick list), and the find bar.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';
import { twoPartitionDisk } from './images';

const skip = skipUnless(browserUnavailable(), 'hand edit browser tests');
const MiB = 1024 * 1024;

/** The page's document, typed just enough for the waits below (this file compiles without the DOM library). */
type PageDocument = {
  querySelector(selector: string): { textContent: string | null; hasAttribute(name: string): boolean } | null;
  body: { dataset: Record<string, string | undefined> };
};

/** Waits until the text of `selector` matches `pattern`. */
function waitText(page: Page, selector: string, pattern: RegExp): Promise<unknown> {
  return page.waitForFunction(
    ([s, source, flags]) =>
      new RegExp(source!, flags).test((globalThis as unknown as { document: PageDocument }).document.querySelector(s!)?.textContent ?? ''),
    [selector, pattern.source, pattern.flags],
  );
}

async function goto(page: Page, offset: number): Promise<void> {
  await page.evaluate(
    (o) => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage({ type: 'test:goto', offset: o }, '*'),
    offset,
  );
  await page.waitForSelector(`.hex-byte.cursor[data-offset="${offset}"], .hex-byte.cursor[data-offset="${offset - (offset % 8)}"]`);
}

describe('hand edits in the webview', { skip }, () => {
  const suite = browserSuite('diskx-hand-edits-');

  async function open(name: string): Promise<OpenedPage> {
    const o = await suite.open(twoPartitionDisk(path.join(suite.dir, name)));
    await waitReady(o.page);
    return o;
  }

  test('two hex digits type one byte, Tab types ASCII; each byte is one edit, marked until saved; Backspace deletes nothing', async () => {
    const o = await open('type.img');
    const { page } = o;
    const at = 3 * MiB;
    await goto(page, at);
    await page.locator('#hex').focus();
    await page.keyboard.press('a');
    await page.locator(`.hex-byte.typing`).waitFor();
    assert.equal(o.edits.length, 0, 'the first digit is not an edit yet');
    await page.keyboard.press('b');
    await waitText(page, '#edits', /Unsaved/);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.body.dataset.editColumn), 'ascii');
    await page.keyboard.press('Z');
    await waitText(page, '#edits', /\(2\)/);
    await page.keyboard.press('Backspace');
    assert.match((await page.locator('#status').textContent()) ?? '', /Overwrite only/);
    const sent = o.sent.filter((m) => (m as { type: string }).type === 'editBytes');
    assert.deepEqual(sent, [
      { type: 'editBytes', offset: at, hex: 'ab', dependents: true, action: 'type' },
      { type: 'editBytes', offset: at + 1, hex: '5a', dependents: true, action: 'type' },
    ]);
    assert.deepEqual([...(await o.session.source.read(at, 3))], [0xab, 0x5a, 0]);
    assert.deepEqual(o.session.editState().edited, [{ offset: at, length: 2 }]);
    await page.waitForSelector(`.hex-byte.edited[data-offset="${at}"]`);
    // The data inspector edits the value at the cursor: u32 BE writes its bytes big-endian.
    await goto(page, at + 8);
    await page.locator('#inspector-endian').click(); // big endian
    await page
      .locator('#inspector-table tr', { has: page.locator('th', { hasText: /^u32$/ }) })
      .locator('th')
      .dblclick();
    const input = page.locator('#field-editor-input');
    await input.waitFor({ state: 'visible' });
    await input.fill('0x11223344');
    await input.press('Enter');
    await waitText(page, '#edits', /\(3\)/);
    assert.deepEqual([...(await o.session.source.read(at + 8, 4))], [0x11, 0x22, 0x33, 0x44]);
    assert.deepEqual(o.problems, []);
  });

  test('double-click on a partition name opens its editor with a counter; Enter renames it in both copies', async () => {
    const o = await open('name.img');
    const { page } = o;
    await page.locator('[data-node-id="slot-0"]').click();
    const name = page.locator('vscode-tree-item[data-node-id="slot-0.PartitionName"]');
    await name.waitFor();
    await name.dblclick();
    const input = page.locator('#field-editor-input');
    await input.waitFor({ state: 'visible' });
    assert.equal(await input.inputValue(), 'part1');
    await input.fill('x'.repeat(36));
    assert.match((await page.locator('#field-editor-message').textContent()) ?? '', /36 \/ 36 code units/);
    await input.fill('bootbank');
    await input.press('Enter');
    await waitText(page, '[data-node-id="slot-0"]', /bootbank/);
    assert.equal(o.session.model!.partitions[0]!.name, 'bootbank');
    assert.equal(o.session.model!.backup!.array!.slots[0]!.name, 'bootbank');
    assert.deepEqual(
      o.session.findings.filter((f) => f.severity !== 'info').map((f) => f.code),
      [],
    );
    assert.deepEqual(o.problems, []);
  });

  test('the attribute editor has named checkboxes beside the raw value; the type editor a pick list; a bad value is refused in place', async () => {
    const o = await open('attrs.img');
    const { page } = o;
    await page.locator('[data-node-id="slot-1"]').click();
    await page.locator('vscode-tree-item[data-node-id="slot-1.Attributes"]').dblclick();
    await page.locator('#field-editor-attributes input[data-attribute="required"]').check();
    await page.locator('#field-editor-attributes input[data-attribute="legacy-bios-bootable"]').check();
    assert.equal(await page.locator('#field-editor-input').inputValue(), '0x0000000000000005');
    await page.locator('#field-editor-set').click();
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.querySelector('#field-editor')?.hasAttribute('hidden'));
    await waitText(page, '#edits', /\(1\)/);
    assert.equal(o.session.model!.partitions[1]!.attributes, 5n);
    await page.locator('vscode-tree-item[data-node-id="slot-1.PartitionTypeGUID"]').dblclick();
    const options = await page.locator('#field-editor-types option').allTextContents();
    assert.ok(
      options.some((t) => t === 'EFI system partition (efi)'),
      options.slice(0, 5).join(', '),
    );
    await page.locator('#field-editor-input').fill('not-a-type');
    assert.match((await page.locator('#field-editor-message').textContent()) ?? '', /neither a GUID .* nor a known partition type name/);
    await page.locator('#field-editor-input').press('Enter');
    assert.equal(await page.locator('#field-editor').isVisible(), true, 'an invalid value is not sent');
    await page.locator('#field-editor-types').selectOption({ label: 'EFI system partition (efi)' });
    await page.locator('#field-editor-input').press('Enter');
    await waitText(page, '#edits', /\(2\)/);
    assert.equal(o.session.model!.partitions[1]!.typeName, 'EFI system partition');
    assert.deepEqual(o.problems, []);
  });

  test('find bar: "EFI PART" as text finds both headers; next and previous step through them, the matches marked', async () => {
    const o = await open('find.img');
    const { page } = o;
    const post = (m: unknown) => page.evaluate((x) => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage(x, '*'), m);
    await post({ type: 'findCommand', command: 'open' });
    const input = page.locator('#find-input');
    await input.waitFor({ state: 'visible' });
    await page.locator('#find-mode').selectOption('text');
    await input.fill('EFI PART');
    await input.press('Enter');
    await waitText(page, '#find-count', /1 of 2/);
    await page.waitForSelector('.hex-byte.cursor[data-offset="519"], .hex-byte.selected[data-offset="512"]');
    await post({ type: 'findCommand', command: 'next' });
    await waitText(page, '#find-count', /2 of 2/);
    assert.equal((await page.locator('#find-list .find-match').allTextContents()).join(' '), `0x200 0x${(8 * MiB - 512).toString(16).toUpperCase()}`);
    await post({ type: 'findCommand', command: 'previous' });
    await waitText(page, '#find-count', /1 of 2/);
    assert.ok((await page.locator('.hex-byte.match').count()) > 0);
    await input.fill('zz');
    await page.locator('#find-mode').selectOption('hex');
    await waitText(page, '#find-count', /not a hex pattern/);
    assert.deepEqual(
      o.problems.filter((p) => !/not a hex pattern/.test(p)),
      [],
    );
  });
});
