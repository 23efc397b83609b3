// The responsive layout in a real browser (issue 18): at 640, 800 and 1920 px every
// byte column and the ASCII column are visible with no sideways scrollbar (16 bytes
// a row, or 8 when 16 do not fit; the LBA column only where it fits), the tree's
// values stay visible next to elided names, Ctrl+End keeps the cursor's row on
// screen, and dragged pane sizes and collapsed panes survive a reload.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { testGuid, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage, Rect } from './harness';

const skip = skipUnless(browserUnavailable(), 'layout browser tests');

interface El {
  getBoundingClientRect(): Rect;
  scrollWidth: number;
  clientWidth: number;
  className: string;
  textContent: string;
  dataset: Record<string, string>;
}
type Doc = { document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El>; documentElement: El } };

/** What the page shows: columns, widths and overflows. */
async function measure(page: Page) {
  // tsx names the arrow functions below with a helper the page does not have.
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate(() => {
    const doc = (globalThis as unknown as Doc).document;
    const q = (s: string): El => doc.querySelector(s)!;
    const all = (s: string): El[] => Array.from(doc.querySelectorAll(s));
    const hex = q('#hex').getBoundingClientRect();
    const side = q('#side').getBoundingClientRect();
    const rows = all('#hex-rows > .hex-row:not(.loading)');
    const bytesOf = (row: El): number =>
      Array.from((row as unknown as { querySelectorAll(s: string): ArrayLike<El> }).querySelectorAll('.hex-byte')).reduce(
        (n, b) => n + Number(b.dataset.length ?? 1),
        0,
      );
    const values = all('#structure vscode-tree-item .tree-line > .value')
      .map((v) => ({ text: v.textContent, box: v.getBoundingClientRect() }))
      .filter((v) => v.box.top >= side.top && v.box.bottom <= side.bottom && v.box.width > 0);
    return {
      columns: all('#hex-header .col').length,
      lbaColumn: all('#hex-header .lba').length,
      main: q('#main').className,
      rowBytes: rows.slice(0, -1).map(bytesOf),
      asciiOverflow: Math.max(...all('#hex-rows .hex-row .ascii').map((a) => a.getBoundingClientRect().right - hex.right)),
      byteOverflow: Math.max(...all('#hex-rows .hex-byte').map((b) => b.getBoundingClientRect().right - hex.right)),
      hexScroll: q('#hex').scrollWidth - q('#hex').clientWidth,
      pageScroll: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
      values: values.map((v) => ({ text: v.text, width: v.box.width, right: v.box.right })),
      sideRight: side.right,
    };
  });
}

describe('responsive layout in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-layout-');
  let image: string;

  before(() => {
    // 20 GiB sparse: offsets of 9 hex digits, LBAs of 8 decimal digits.
    image = writeGptImage(path.join(suite.dir, 'gpt.img'), {
      sectorSize: 512,
      totalSectors: 2048n * 20480n,
      diskGuid: testGuid(0x18),
      slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'EFI system partition' }],
    });
  });

  async function open(width: number, height = 800): Promise<OpenedPage> {
    const o = await suite.open(image, { bytesPerRow: 'auto' }, { width, height });
    await waitReady(o.page);
    await o.page.evaluate(`window.postMessage({ type: 'test:goto', offset: 512 }, '*')`);
    await o.page.waitForSelector('.hex-row[data-offset="512"]:not(.loading)');
    await o.page.waitForTimeout(100);
    return o;
  }

  const cases = [
    { width: 640, bytesPerRow: 8, stacked: true },
    { width: 800, bytesPerRow: 16, stacked: true },
    { width: 1920, bytesPerRow: 16, stacked: false, lba: true },
  ];
  for (const c of cases) {
    test(`${c.width} px: every byte column and ASCII visible, no sideways scrollbar, the tree's values visible`, async () => {
      const o = await open(c.width);
      const m = await measure(o.page);
      const label = `${c.width} px: ${JSON.stringify({ ...m, values: m.values.length })}`;
      assert.equal(m.columns, c.bytesPerRow, label);
      assert.ok(m.rowBytes.length > 10 && m.rowBytes.every((n) => n === c.bytesPerRow), label);
      assert.ok(m.asciiOverflow <= 0.5, `ASCII column cut off: ${label}`);
      assert.ok(m.byteOverflow <= 0.5, `a byte column cut off: ${label}`);
      assert.equal(m.hexScroll, 0, `the hex scrolls sideways: ${label}`);
      assert.ok(m.pageScroll <= 0, `the page scrolls sideways: ${label}`);
      assert.equal(/\bstacked\b/.test(m.main), c.stacked, label);
      if (c.lba) assert.equal(m.lbaColumn, 1, label);
      // Values: each visible one shows at least a few characters, inside the side pane.
      assert.ok(m.values.length > 10, label);
      for (const v of m.values) {
        assert.ok(v.width >= 18, `value ${v.text} is hidden (${v.width} px) at ${c.width} px`);
        assert.ok(v.right <= m.sideRight + 0.5, `value ${v.text} runs out of the tree at ${c.width} px`);
      }
      // Short values are shown whole (HeaderSize 92, MyLBA 1).
      const whole = await o.page.locator('[data-node-id="primary-header.MyLBA"] .value').evaluate((v) => {
        const e = v as unknown as El;
        return e.scrollWidth <= e.clientWidth;
      });
      assert.ok(whole, `MyLBA's value is elided at ${c.width} px`);
      assert.deepEqual(o.problems, []);
    });
  }

  test('640 px: Ctrl+End puts the cursor on the last byte and its row stays in view', async () => {
    const o = await open(640);
    const { page } = o;
    await page.locator('#hex').focus();
    await page.keyboard.press('Control+End');
    const last = 2048 * 20480 * 512 - 1;
    const cursor = page.locator(`.hex-byte.cursor`);
    await page.waitForSelector(`.hex-row[data-offset="${last - 7}"]:not(.loading) .hex-byte.cursor`, { timeout: 5000 });
    const box = (await cursor.boundingBox())!;
    const scroller = (await page.locator('#hex-scroller').boundingBox())!;
    assert.ok(
      box.y >= scroller.y && box.y + box.height <= scroller.y + scroller.height,
      `cursor row ${JSON.stringify(box)} inside ${JSON.stringify(scroller)}`,
    );
  });

  test('a dragged side pane and a collapsed inspector are kept across a reload (webview state)', async () => {
    const o = await open(1920);
    const { page } = o;
    const before = (await page.locator('#side').boundingBox())!;
    const handle = (await page.locator('#split-side').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + 100);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 - 200, handle.y + 100, { steps: 4 });
    await page.mouse.up();
    const dragged = (await page.locator('#side').boundingBox())!;
    assert.ok(Math.abs(dragged.width - (before.width - 200)) <= 2, `${dragged.width} vs ${before.width} - 200`);
    await page.locator('#inspector-toggle').click();
    assert.match((await page.locator('#main').getAttribute('class')) ?? '', /inspector-collapsed/);
    const inspector = (await page.locator('#inspector').boundingBox())!;
    assert.ok(inspector.width <= 30, `collapsed inspector is a strip (${inspector.width} px)`);
    await page.reload();
    await waitReady(page);
    await page.waitForTimeout(100);
    const after = (await page.locator('#side').boundingBox())!;
    assert.ok(Math.abs(after.width - dragged.width) <= 2, `side ${after.width} after reload vs ${dragged.width}`);
    assert.match((await page.locator('#main').getAttribute('class')) ?? '', /inspector-collapsed/);
    await page.locator('#inspector-toggle').click();
    assert.doesNotMatch((await page.locator('#main').getAttribute('class')) ?? '', /inspector-collapsed/);
    // The splitter also moves with the arrow keys.
    await page.locator('#split-side').focus();
    await page.keyboard.press('ArrowRight');
    const keyed = (await page.locator('#side').boundingBox())!;
    assert.ok(Math.abs(keyed.width - (after.width + 16)) <= 2, `${keyed.width} after ArrowRight`);
    assert.deepEqual(o.problems, []);
  });
});
