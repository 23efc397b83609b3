// The editor's top lines and side pane in a narrow editor (issue 18's defects), in
// a real browser: the go-to field shows its whole placeholder and the status line
// its whole text at 640, 800 and 1920 px, with a toolbar whose height does not
// follow the text; and the fix preview, which takes height from the panes and
// selects its first change in the tree, leaves the finding being fixed in view.
// Skipped with a reason where chromium is missing, except in CI.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeEsxi5Sample } from '../../src/app/sampleImage';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';

const skip = skipUnless(browserUnavailable(), 'narrow editor browser tests');

interface TopLines {
  placeholder: string;
  /** Width the placeholder's text needs in the field's font, and the room for text inside the field. */
  needs: number;
  room: number;
  status: { text: string; scrollWidth: number; clientWidth: number };
  toolbar: { height: number; scrollWidth: number; clientWidth: number };
}

// Plain JavaScript in the page (the test's compiler would add helpers the page lacks).
const TOP_LINES = `(() => {
  const field = document.querySelector('#goto');
  const input = field.shadowRoot.querySelector('input');
  const style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.fontStyle + ' ' + style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
  const status = document.querySelector('#status');
  const toolbar = document.querySelector('#toolbar');
  return {
    placeholder: input.placeholder,
    needs: context.measureText(input.placeholder).width,
    room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    status: { text: status.textContent, scrollWidth: status.scrollWidth, clientWidth: status.clientWidth },
    toolbar: { height: toolbar.getBoundingClientRect().height, scrollWidth: toolbar.scrollWidth, clientWidth: toolbar.clientWidth },
  };
})()`;

async function topLines(page: Page): Promise<TopLines> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return (await page.evaluate(TOP_LINES)) as TopLines;
}

async function goto(page: Page, offset: number): Promise<void> {
  await page.evaluate(`window.postMessage({ type: 'test:goto', offset: ${offset} }, '*')`);
  await page.waitForFunction(`document.querySelector('#status').textContent.startsWith('0x${offset.toString(16).toUpperCase()} ')`);
}

describe('the editor in a narrow window', { skip }, () => {
  const suite = browserSuite('diskx-narrow-');
  let sample: string;

  before(() => {
    sample = writeEsxi5Sample(path.join(suite.dir, 'esxi5-compacted.img'), { compacted: true });
  });

  for (const width of [640, 800, 1920]) {
    test(`${width} px: the whole go-to placeholder and status line; the toolbar keeps its height as the status changes`, async () => {
      const o = await suite.open(sample, { bytesPerRow: 'auto' }, { width, height: 700 });
      const { page } = o;
      await waitReady(page);
      await goto(page, 0);
      const short = await topLines(page);
      assert.match(short.placeholder, /^Go to: .*\(Ctrl\+G\)$/);
      assert.ok(short.needs <= short.room, `placeholder needs ${short.needs} px, the field has ${short.room}`);
      // The primary header's PartitionEntryArrayCRC32: about the longest status an image has.
      await goto(page, 600);
      const long = await topLines(page);
      assert.match(long.status.text, /^0x258 \(600\) · LBA 1 \+ 88 · .*PartitionEntryArrayCRC32$/);
      for (const lines of [short, long]) {
        assert.ok(lines.status.scrollWidth <= lines.status.clientWidth, `status "${lines.status.text}" is cut`);
        assert.ok(lines.toolbar.scrollWidth <= lines.toolbar.clientWidth, 'toolbar overflows');
      }
      assert.equal(long.toolbar.height, short.toolbar.height, 'the toolbar height does not follow the status text');
      assert.deepEqual(o.problems, []);
    });
  }

  for (const [width, height] of [
    [640, 700],
    [800, 600],
  ] as const) {
    test(`${width}x${height} px: the fix preview keeps its finding in view while the tree shows the first change, and leaves the hex rows to show it`, async () => {
      const o = await suite.open(sample, { bytesPerRow: 'auto' }, { width, height });
      const { page } = o;
      await waitReady(page);
      const finding = page.locator('#findings li.finding[data-code="esxi-slot-compacted"]');
      await finding.locator('button.fix').first().click();
      await page.waitForSelector('#fix-preview:not([hidden]) #fix-apply');
      // The first change (the primary header's CRC) is selected and its tree node scrolled into view.
      await page.waitForFunction(`(() => {
      const item = document.querySelector('#structure vscode-tree-item[selected]');
      const tree = document.querySelector('#structure').getBoundingClientRect();
      if (!item) return false;
      const r = item.getBoundingClientRect();
      return r.height > 0 && r.top >= tree.top - 1 && r.top < tree.bottom;
    })()`);
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      assert.equal(await page.locator('#findings li.previewing').getAttribute('data-code'), 'esxi-slot-compacted');
      const seen = (await page.evaluate(`(() => {
      const li = document.querySelector('#findings li.previewing').getBoundingClientRect();
      const list = document.querySelector('#findings').getBoundingClientRect();
      const top = Math.max(li.top, list.top, 0);
      const bottom = Math.min(li.bottom, list.bottom, window.innerHeight);
      return { top: li.top, listTop: list.top, visible: bottom - top };
    })()`)) as { top: number; listTop: number; visible: number };
      assert.ok(seen.top >= seen.listTop - 1, `the finding starts in view (${seen.top} vs ${seen.listTop})`);
      assert.ok(seen.visible >= 40, `${seen.visible} px of the finding visible`);
      // The hex keeps room for the changed bytes (the panel and the stacked inspector give way): the first change's row is on screen.
      const hex = (await page.evaluate(`(() => {
      const scroller = document.querySelector('#hex-scroller').getBoundingClientRect();
      const row = document.querySelector('#hex-rows > .hex-row[data-offset="528"]');
      const r = row && row.getBoundingClientRect();
      return { height: scroller.height, rowShown: !!r && r.top >= scroller.top - 1 && r.bottom <= scroller.bottom + 1 };
    })()`)) as { height: number; rowShown: boolean };
      assert.ok(hex.height >= 5 * 20, `the hex shows ${hex.height} px of rows`);
      assert.ok(hex.rowShown, "the first change's row (0x210, HeaderCRC32) is in view");
      await page.locator('#fix-cancel').click();
      assert.equal(await page.locator('#findings li.previewing').count(), 0);
      assert.deepEqual(o.problems, []);
    });
  }
});
