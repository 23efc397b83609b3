// Mouse selection and Copy As in a real browser (issue 18): a click puts the
// cursor on one byte (not its field), a drag selects a range, Shift+click extends
// it, a double click selects the field and its tree node; Copy As (the host's
// copyAs message, which the palette and context-menu commands send) copies the
// selection as hex, a C array, base64 or text, and Ctrl+C still copies hex.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { CHROMIUM, CHROMIUM_ARGS, browserUnavailable, openInHarness, startHarnessServer } from './harness';
import type { HarnessServer, OpenedPage } from './harness';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('selection browser tests need chromium in CI', () => assert.fail(`cannot run: ${unavailable}`));
const skip = unavailable ? `skipped: ${unavailable}` : false;

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

async function copied(page: Page, count: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const all = (await page.evaluate('window.__diskxCopied')) as string[];
    if (all.length >= count) return all[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail('nothing was copied');
}

describe('mouse selection and Copy As in a real browser', { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let opened: OpenedPage;

  before(async () => {
    const dir = tempDir('diskx-selection-');
    const image = writeGptImage(path.join(dir, 'gpt.img'), {
      sectorSize: 512,
      totalSectors: 2048n * 8n,
      diskGuid: testGuid(0x18),
      slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'data' }],
    });
    server = await startHarnessServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    opened = await openInHarness(browser, server, image, { bytesPerRow: 16 }, { width: 1400, height: 900 });
    await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await opened.page.evaluate(`window.postMessage({ type: 'test:goto', offset: 512 }, '*')`);
    await opened.page.waitForSelector('.hex-row[data-offset="512"]:not(.loading)');
  });

  after(async () => {
    await opened?.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
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
});
