// Mouse selection and Copy As in a real browser (issue 18): a click puts the
// cursor on one byte (not its field), a drag selects a range, Shift+click extends
// it, a drag held past the bottom or top of the hex scrolls it and the selection
// follows, a double click selects the field and its tree node; Copy As (the host's
// copyAs message, which the palette and context-menu commands send) copies the
// selection as hex, a C array, base64 or text, and Ctrl+C still copies hex.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';
import { dataDisk } from './images';

const skip = skipUnless(browserUnavailable(), 'selection browser tests');

type Run = { offset: number; length: number };

async function runs(page: Page, selector: string): Promise<Run[]> {
  return page.locator(selector).evaluateAll((cells) =>
    cells.map((c) => {
      const { dataset } = c as unknown as { dataset: Record<string, string> };
      return { offset: Number(dataset.offset), length: Number(dataset.length ?? 1) };
    }),
  );
}

async function selected(page: Page): Promise<number[]> {
  return (await runs(page, '.hex-byte.selected')).flatMap((r) => Array.from({ length: r.length }, (_, i) => r.offset + i));
}

/** The centre of byte `offset` in the hex column (inside whichever run holds it). */
async function pointAt(page: Page, offset: number): Promise<{ x: number; y: number }> {
  const run = (await runs(page, '.hex-byte')).find((r) => offset >= r.offset && offset < r.offset + r.length);
  assert.ok(run, `byte ${offset} is not on screen`);
  const box = (await page.locator(`.hex-byte[data-offset="${run.offset}"]`).boundingBox())!;
  return { x: box.x + ((offset - run.offset + 0.5) * box.width) / run.length, y: box.y + box.height / 2 };
}

async function cursor(page: Page): Promise<number> {
  return Number(await page.locator('.hex-byte.cursor').first().getAttribute('data-offset'));
}

/** The selection from the inspector's line: first byte and length (a collapsed one: the cursor, 1). */
async function selectionRange(page: Page): Promise<{ lo: number; length: number }> {
  const text = (await page.locator('#selection-info').textContent()) ?? '';
  const range = /Selection 0x([0-9A-F]+) \+(\d+) bytes/.exec(text);
  if (range) return { lo: parseInt(range[1]!, 16), length: Number(range[2]) };
  const at = /Cursor 0x([0-9A-F]+)/.exec(text);
  assert.ok(at, text);
  return { lo: parseInt(at[1]!, 16), length: 1 };
}

/** Offsets of the first and last rows on screen. */
async function rowsShown(page: Page): Promise<{ first: number; last: number }> {
  const offsets = await page.locator('#hex-rows > .hex-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-offset'))));
  return { first: Math.min(...offsets), last: Math.max(...offsets) };
}

type InfoDoc = { document: { querySelector(s: string): { textContent: string } } };

/** Lets the page draw `n` frames. */
async function frames(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await page.evaluate('new Promise((r) => requestAnimationFrame(() => r()))');
}

async function copied(page: Page, count: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const all = (await page.evaluate('window.__diskxCopied')) as string[];
    if (all.length >= count) return all[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail('nothing was copied');
}

describe('mouse selection and Copy As in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-selection-');
  let opened: OpenedPage;

  before(async () => {
    const image = dataDisk(path.join(suite.dir, 'gpt.img'));
    opened = await suite.open(image, { bytesPerRow: 16 }, { width: 1400, height: 900 });
    await waitReady(opened.page);
    await opened.page.evaluate(`window.postMessage({ type: 'test:goto', offset: 512 }, '*')`);
    await opened.page.waitForSelector('.hex-row[data-offset="512"]:not(.loading)');
  });

  test('a click puts the cursor on that byte only, not on its whole field', async () => {
    const { page } = opened;
    const p = await pointAt(page, 514); // inside Signature (512..519)
    await page.mouse.click(p.x, p.y);
    assert.equal(await cursor(page), 514);
    assert.deepEqual(await selected(page), []);
    assert.match((await page.locator('#selection-info').textContent()) ?? '', /Cursor 0x202/);
  });

  test('a drag selects the bytes between press and release, in either direction', async () => {
    const { page } = opened;
    const from = await pointAt(page, 516);
    const to = await pointAt(page, 530);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    assert.deepEqual(
      await selected(page),
      Array.from({ length: 15 }, (_, i) => 516 + i),
    );
    assert.equal(await cursor(page), 530);
    const back = await pointAt(page, 513);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(back.x, back.y, { steps: 3 });
    await page.mouse.up();
    assert.deepEqual(await selected(page), [513, 514, 515, 516]);
    // Moving the mouse after the release selects nothing more.
    await page.mouse.move(to.x, to.y, { steps: 3 });
    assert.deepEqual(await selected(page), [513, 514, 515, 516]);
  });

  test('Shift+click extends the selection from its anchor', async () => {
    const { page } = opened;
    const a = await pointAt(page, 520);
    await page.mouse.click(a.x, a.y);
    const b = await pointAt(page, 527);
    await page.keyboard.down('Shift');
    await page.mouse.click(b.x, b.y);
    await page.keyboard.up('Shift');
    assert.deepEqual(await selected(page), [520, 521, 522, 523, 524, 525, 526, 527]);
    const c = await pointAt(page, 517);
    await page.keyboard.down('Shift');
    await page.mouse.click(c.x, c.y);
    await page.keyboard.up('Shift');
    assert.deepEqual(await selected(page), [517, 518, 519, 520]);
  });

  test('a double click selects the whole field and its tree node', async () => {
    const { page } = opened;
    const p = await pointAt(page, 530); // HeaderCRC32 (528..531)
    await page.mouse.dblclick(p.x, p.y);
    assert.deepEqual(await selected(page), [528, 529, 530, 531]);
    await page.waitForSelector('vscode-tree-item[data-node-id="primary-header.HeaderCRC32"][selected]', { timeout: 5000 });
  });

  test('Copy As hex, C array, base64 and text copy the selection; Ctrl+C still copies hex', async () => {
    const { page } = opened;
    // "EFI PART" (512..519): double-click selects the Signature field.
    const p = await pointAt(page, 513);
    await page.mouse.dblclick(p.x, p.y);
    assert.deepEqual(await selected(page), [512, 513, 514, 515, 516, 517, 518, 519]);
    const start = ((await page.evaluate('window.__diskxCopied.length')) as number) + 1;
    const bytes = Buffer.from('EFI PART');
    const formats = ['hex', 'c', 'base64', 'text'] as const;
    for (const format of formats) await page.evaluate(`window.postMessage({ type: 'copyAs', format: '${format}' }, '*')`);
    assert.equal(await copied(page, start), '45 46 49 20 50 41 52 54');
    assert.equal(await copied(page, start + 1), 'const unsigned char data[8] = {\n  0x45, 0x46, 0x49, 0x20, 0x50, 0x41, 0x52, 0x54,\n};');
    assert.equal(await copied(page, start + 2), bytes.toString('base64'));
    assert.equal(await copied(page, start + 3), 'EFI PART');
    assert.match((await page.locator('#status').textContent()) ?? '', /Copied 8 bytes as text/);
    // A right click inside the selection keeps it (the context menu's Copy As acts on it).
    await page.mouse.click(p.x, p.y, { button: 'right' });
    assert.deepEqual(await selected(page), [512, 513, 514, 515, 516, 517, 518, 519]);
    assert.deepEqual(JSON.parse((await page.locator('#hex').getAttribute('data-vscode-context')) ?? '{}'), { webviewSection: 'hex' });
    await page.locator('#hex').focus();
    await page.keyboard.press('Control+c');
    assert.equal(await copied(page, start + 4), '45 46 49 20 50 41 52 54');
    const copies = opened.sent.filter((m) => (m as { type: string }).type === 'copyHex');
    assert.deepEqual(
      copies.slice(-5).map((m) => (m as { format?: string }).format),
      [undefined, 'c', 'base64', 'text', undefined],
    );
    assert.deepEqual(opened.problems, []);
  });

  test('a drag held below the hex scrolls it down and extends the selection; above it, up; the release stops it', async () => {
    const { page } = opened;
    // 800 px: the inspector goes under the hex, so there is page below the rows to hold the mouse on.
    await page.setViewportSize({ width: 800, height: 900 });
    await page.waitForSelector('#main.stacked');
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: 512 }, '*')`);
    await page.waitForSelector('.hex-row[data-offset="512"]:not(.loading)');
    await frames(page, 2);
    const scroller = (await page.locator('#hex-scroller').boundingBox())!;
    const from = await pointAt(page, 516); // column 4
    const before = await rowsShown(page);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x, scroller.y + scroller.height + 40, { steps: 4 });
    // Held still below the rows: the view keeps scrolling by itself.
    const target = before.last + 16 * 10;
    await page.waitForFunction(
      (t) => {
        const m = /Selection 0x([0-9A-F]+) \+(\d+)/.exec((globalThis as unknown as InfoDoc).document.querySelector('#selection-info').textContent);
        return !!m && parseInt(m[1]!, 16) + Number(m[2]) - 1 > t;
      },
      target,
      { timeout: 20_000 },
    );
    await page.mouse.up();
    await frames(page, 2); // the inspector's line follows the selection at the next frame
    const down = await selectionRange(page);
    assert.equal(down.lo, 516, 'the anchor stays where the drag started');
    const cursorDown = await cursor(page);
    assert.equal(cursorDown, down.lo + down.length - 1);
    assert.equal(cursorDown % 16, 4, "the selection follows in the pointer's column");
    const scrolled = await rowsShown(page);
    assert.ok(
      scrolled.first > before.first && cursorDown <= scrolled.last + 15,
      `the view scrolled with it: ${JSON.stringify({ before, scrolled, cursorDown })}`,
    );
    await frames(page, 10);
    assert.deepEqual(await selectionRange(page), down, 'the release stopped the scrolling');

    // Up: press in the middle of the view, hold above the rows.
    const middle = scrolled.first + 16 * 8 + 9;
    const press = await pointAt(page, middle);
    await page.mouse.move(press.x, press.y);
    await page.mouse.down();
    await page.mouse.move(press.x, scroller.y - 30, { steps: 4 });
    const above = scrolled.first - 16 * 10;
    await page.waitForFunction(
      (t) => {
        const m = /Selection 0x([0-9A-F]+)/.exec((globalThis as unknown as InfoDoc).document.querySelector('#selection-info').textContent);
        return !!m && parseInt(m[1]!, 16) < t;
      },
      above,
      { timeout: 20_000 },
    );
    await page.mouse.up();
    await frames(page, 2);
    const up = await selectionRange(page);
    assert.equal(up.lo + up.length - 1, middle, 'the anchor is the last byte');
    assert.equal(await cursor(page), up.lo);
    assert.equal(up.lo % 16, middle % 16);
    const back = await rowsShown(page);
    assert.ok(back.first < scrolled.first, `scrolled up: ${JSON.stringify({ back, scrolled })}`);
    await page.setViewportSize({ width: 1400, height: 900 });
    assert.deepEqual(opened.problems, []);
  });
});
