// Keys and focus in a real browser (issue 18): the hex view has the focus once
// the editor opens (arrows move the cursor at once), and the host's `focus`
// message, which the Ctrl+G keybinding sends, puts the keyboard in the go-to field.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';
import { dataDisk } from './images';

const skip = skipUnless(browserUnavailable(), 'keys browser tests');

describe('keys and focus in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-keys-');
  let opened: OpenedPage;

  before(async () => {
    const image = dataDisk(path.join(suite.dir, 'gpt.img'), 16);
    opened = await suite.open(image);
    await waitReady(opened.page);
  });

  test('the hex view has the focus on open: ArrowRight moves the cursor without a click or Tab', async () => {
    const { page } = opened;
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'hex');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.hex-byte.cursor[data-offset="17"]', { timeout: 5000 });
  });

  // Polled from Node: page.waitForFunction with a string evaluates it inside the page, which the webview's CSP forbids.
  async function focusedOn(page: typeof opened.page, id: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail(`#${id} never got the focus`);
  }

  test('a host "focus" message (the Ctrl+G keybinding) focuses the go-to field; Enter jumps and gives the hex the keys back', async () => {
    const { page, problems } = opened;
    await page.evaluate(`window.postMessage({ type: 'focus', target: 'goto' }, '*')`);
    await focusedOn(page, 'goto');
    await page.keyboard.type('lba:1');
    await page.keyboard.press('Enter');
    await focusedOn(page, 'hex');
    await page.waitForSelector('.hex-row[data-offset="512"]:not(.loading) .hex-byte.selected', { timeout: 5000 });
    // Typed Ctrl+G in the webview itself does the same.
    await page.keyboard.press('Control+g');
    await focusedOn(page, 'goto');
    await page.evaluate(`window.postMessage({ type: 'focus', target: 'hex' }, '*')`);
    await focusedOn(page, 'hex');
    assert.deepEqual(problems, []);
  });

  test("Ctrl+G handled here: VS Code's late echo of the same key does not pull the focus back once the user pressed Enter", async () => {
    const { page, problems } = opened;
    await page.evaluate(`window.postMessage({ type: 'focus', target: 'hex' }, '*')`);
    await focusedOn(page, 'hex');
    await page.keyboard.press('Control+g');
    await focusedOn(page, 'goto');
    await page.keyboard.type('0x20');
    await page.keyboard.press('Enter');
    await focusedOn(page, 'hex');
    await page.waitForSelector('.hex-byte.cursor[data-offset="32"]', { timeout: 5000 });
    // The keybinding's message arrives late (a loaded machine); then a go-to the test can see, handled after it.
    await page.evaluate(`window.postMessage({ type: 'focus', target: 'goto' }, '*'); window.postMessage({ type: 'test:goto', offset: 64 }, '*')`);
    await page.waitForSelector('.hex-byte.cursor[data-offset="64"]', { timeout: 5000 });
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'hex', 'the echo left the focus in the hex view');
    // A request the page did not see the key of (the palette, focus elsewhere) still focuses the field.
    await page.evaluate(`window.postMessage({ type: 'focus', target: 'goto' }, '*')`);
    await focusedOn(page, 'goto');
    await page.keyboard.press('Escape');
    await focusedOn(page, 'hex');
    // Ctrl+F opens our find bar at once: the pattern typed right after it goes there, not over the bytes.
    await page.keyboard.press('Control+f');
    await focusedOn(page, 'find-input');
    await page.keyboard.type('45 46 49');
    await page.evaluate(`window.postMessage({ type: 'findCommand', command: 'open' }, '*'); window.postMessage({ type: 'test:goto', offset: 80 }, '*')`);
    await page.waitForSelector('.hex-byte.cursor[data-offset="80"]', { timeout: 5000 });
    assert.equal(await page.locator('#find-input').inputValue(), '45 46 49');
    assert.notEqual(await page.evaluate('document.body.dataset.dirty'), 'true', 'no byte was typed over');
    await page.keyboard.press('Escape');
    assert.deepEqual(problems, []);
  });
});
