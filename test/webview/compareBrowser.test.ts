// The built comparison webview (dist/compare.js) in Debian's chromium through
// playwright-core, in a page with the extension's CSP and a stub host that
// answers from a real CompareSession (the object the panel drives): the seed
// case's structure and fix preview, both hex views with differing bytes
// highlighted, the scan started by `n`, next/previous difference with n / p and
// F7 / Shift+F7, apply (auto-confirmed by the stub) and no console noise or CSP
// violations. Skipped with a reason where chromium is missing, except in CI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { TYPE_EFI_SYSTEM } from '../../src/core/partitionTypes';
import { testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { skipUnless } from './harness';
import { compareSuite, compareUnavailable as unavailable, waitReady } from './compareHarness';
import { screenshotPath } from '../builders/screenshots';

const skip = skipUnless(unavailable, 'compare browser tests');
const TYPE_LINUX_FILESYSTEM = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const TYPE_LINUX_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

async function goto(page: Page, offset: number): Promise<void> {
  await page.evaluate(
    (o) => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage({ type: 'test:goto', offset: o }, '*'),
    offset,
  );
  const row = offset - (offset % 16);
  await page.waitForSelector(`#hex-a .hex-row[data-offset="${row}"]:not(.loading)`, { timeout: 10_000 });
  await page.waitForSelector(`#hex-b .hex-row[data-offset="${row}"]:not(.loading)`, { timeout: 10_000 });
}

async function pressInPage(page: Page, key: string, shiftKey: boolean): Promise<void> {
  await page.evaluate(
    ({ key, shiftKey }) => {
      const g = globalThis as unknown as { dispatchEvent(e: unknown): void; KeyboardEvent: new (type: string, init: unknown) => unknown };
      g.dispatchEvent(new g.KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }));
    },
    { key, shiftKey },
  );
}

/** Waits until the cursor (drawn on the next animation frame) sits at `offset`. */
async function expectCursor(page: Page, offset: number): Promise<void> {
  const seen = await page
    .waitForFunction(
      (o) =>
        (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document
          .querySelector('#hex-a .hex-byte.cursor')
          ?.getAttribute('data-offset') === String(o),
      offset,
      { timeout: 20_000 },
    )
    .then(
      () => offset,
      async () => Number(await page.locator('#hex-a .hex-byte.cursor').first().getAttribute('data-offset')),
    );
  assert.equal(seen, offset);
}

describe('comparison webview in a real browser', { skip }, () => {
  const suite = compareSuite('diskx-compare-browser-');

  test('the seed case: partitions by status, bootbank moved, fix preview, differing bytes highlighted in both views', async () => {
    const a = writeEsxi5Image(path.join(suite.dir, 'compacted.img'), { compacted: true });
    const b = writeEsxi5Image(path.join(suite.dir, 'original.img'));
    const o = await suite.open(a, b, { journalDir: path.join(suite.dir, 'journals') });
    const { page } = o;
    await waitReady(page);
    assert.match(await page.locator('#title-a').innerText(), /A: compacted\.img/);
    assert.match(await page.locator('#title-b').innerText(), /B: original\.img/);
    // What VS Code keeps across a reload, for the host's panel serializer: the two paths.
    assert.deepEqual(await page.evaluate('window.__diskxState'), { a, b });
    const bootbank = page.locator('#partitions tr.partition[data-label="bootbank"]');
    assert.equal(await bootbank.getAttribute('data-status'), 'moved-slot');
    assert.match(await bootbank.innerText(), /moved slot\s+3\s+4\s+bootbank: slot 3 in A, slot 4 in B/);
    assert.equal(await page.locator('#partitions tr.partition[data-status="same"]').count(), 3);
    assert.match(await page.locator('#partitions-summary').innerText(), /3 same · 4 moved slot|4 moved slot · 3 same/);
    // Headers: only the differing fields unless asked.
    const differing = await page.locator('#headers tr.header-field').count();
    assert.ok(differing > 0 && (await page.locator('#headers tr.header-field[data-equal="true"]').count()) === 0);
    await page.locator('#show-equal').check();
    assert.ok((await page.locator('#headers tr.header-field').count()) > differing);
    // Fix preview.
    assert.equal(await page.locator('#fix').getAttribute('data-available'), 'true');
    assert.match(await page.locator('#fix-description').innerText(), /bootbank slot 3 -> 4/);
    await page.locator('#fix-preview summary').click();
    assert.ok((await page.locator('#fix-preview tr.patch').count()) >= 10);
    assert.match(await page.locator('#fix-preview').innerText(), /backup array: slot 3/);
    // Slot 3 of the primary array (byte 1408): A holds bootbank, B an empty slot.
    await goto(page, 1408);
    assert.equal(await page.locator('#hex-a .hex-byte.diff[data-offset="1408"]').count(), 1);
    assert.equal(await page.locator('#hex-b .hex-byte.diff[data-offset="1408"]').count(), 1);
    assert.equal(await page.locator('#hex-b .hex-byte[data-offset="1408"]').innerText(), '00');
    assert.equal(
      (await page.locator('#hex-a .hex-byte.same[data-offset="1024"]').count()) +
        ((await page.locator('#hex-a .hex-row[data-offset="1024"]').count()) === 0 ? 1 : 0),
      1,
    );
    // The two views scroll together: the same rows on both sides.
    const rowsA = await page.locator('#hex-a .hex-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-offset')));
    const rowsB = await page.locator('#hex-b .hex-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-offset')));
    assert.deepEqual(rowsA, rowsB);
    assert.ok(rowsA.length > 5);
    await page.screenshot({ path: screenshotPath('compare-harness.png') });
    assert.deepEqual(o.problems, []);
  });

  test('n starts the scan and goes to the first difference; n / p / F7 / Shift+F7 walk the differences and the tail; apply rewrites A', async () => {
    // Small GPT disks: A with the root partition in slot 2, B (the reference, 4 KiB longer) with it in slot 3.
    const totalSectors = 32768n;
    const e = (n: number, type: string, first: bigint, last: bigint) => ({
      typeGuid: type,
      uniqueGuid: testGuid(n),
      firstLba: first,
      lastLba: last,
      name: `part${n}`,
    });
    const slots = [e(1, TYPE_EFI_SYSTEM, 2048n, 4095n), e(2, TYPE_LINUX_SWAP, 4096n, 8191n), null, e(3, TYPE_LINUX_FILESYSTEM, 8192n, 30000n)];
    const a = writeGptImage(path.join(suite.dir, 'small-a.img'), {
      sectorSize: 512,
      totalSectors,
      diskGuid: testGuid(0xab),
      slots: slots.filter((s) => s !== null),
    });
    const b = writeGptImage(path.join(suite.dir, 'small-b.img'), { sectorSize: 512, totalSectors, diskGuid: testGuid(0xab), slots });
    fs.appendFileSync(b, Buffer.alloc(4096, 0x5a));
    const o = await suite.open(a, b, { journalDir: path.join(suite.dir, 'journals') });
    const { page } = o;
    await waitReady(page);
    assert.equal(await page.locator('body').getAttribute('data-scan'), 'idle');
    await page.locator('#bytes-pane').focus();
    await page.keyboard.press('n');
    await page.waitForSelector('body[data-scan="done"]', { timeout: 20_000 });
    assert.ok(o.sent.some((m) => m.type === 'startScan'));
    const summary = o.session().lastScan!;
    assert.ok(summary.ranges.length >= 3, JSON.stringify(summary.ranges));
    assert.deepEqual(summary.tail, { offset: Number(totalSectors) * 512, length: 4096, in: 'b' });
    assert.match(await page.locator('#scan-status').innerText(), /differing range.*B has 4,096 more bytes/);
    const first = summary.ranges[0]!.offset;
    await page.waitForFunction(
      (f) =>
        (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document
          .querySelector('#hex-a .hex-byte.cursor')
          ?.getAttribute('data-offset') === String(f),
      first,
      { timeout: 10_000 },
    );
    assert.match(
      await page.locator('#hex-status').innerText(),
      new RegExp(`Difference 1 of ${summary.ranges.length + 1} at 0x${first.toString(16).toUpperCase()}`),
    );
    assert.ok((await page.locator('#hex-a .hex-byte.current').count()) >= 1);
    await page.keyboard.press('n');
    await expectCursor(page, summary.ranges[1]!.offset);
    // Chromium keeps F7 (caret browsing) for itself; VS Code's webview gets it: dispatch it as the page would see it.
    await pressInPage(page, 'F7', false);
    await expectCursor(page, summary.ranges[2]!.offset);
    await pressInPage(page, 'F7', true);
    await expectCursor(page, summary.ranges[1]!.offset);
    await page.keyboard.press('p');
    await expectCursor(page, first);
    await page.keyboard.press('p'); // wraps to the last stop: the bytes only B has
    await expectCursor(page, summary.tail!.offset);
    assert.match(await page.locator('#hex-status').innerText(), /Only in B at 0x1000000 \(4,096 bytes\) · wrapped around/);
    await page.waitForSelector(`#hex-b .hex-byte.only[data-offset="${summary.tail!.offset}"]`);
    assert.equal(await page.locator(`#hex-a .hex-byte.none[data-offset="${summary.tail!.offset}"]`).count(), 1);

    // Apply (the stub confirms): A's root entry moves to slot 3, the next init says the slots are the same.
    const row = page.locator('#partitions tr.partition[data-label="part3"]');
    assert.equal(await row.getAttribute('data-status'), 'moved-slot');
    await page.locator('#apply-fix').click();
    await page.waitForSelector('#notice:not([hidden])');
    assert.equal(await page.locator('#partitions tr.partition[data-label="part3"]').getAttribute('data-status'), 'same');
    assert.equal(await page.locator('#fix').getAttribute('data-available'), 'false');
    assert.equal(await page.locator('body').getAttribute('data-scan'), 'idle', 'the old scan is dropped after a write');
    assert.deepEqual(o.problems, []);
  });
  test('scrolling recycles the rows of both views; they stay in row order, side by side', async () => {
    const a = writeEsxi5Image(path.join(suite.dir, 'recycle-a.img'), { compacted: true });
    const b = writeEsxi5Image(path.join(suite.dir, 'recycle-b.img'));
    const o = await suite.open(a, b, { journalDir: path.join(suite.dir, 'journals-recycle') });
    const { page } = o;
    await waitReady(page);
    type Doc = {
      document: {
        querySelector(s: string): { dataset: Record<string, string> } | null;
        querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string>; getBoundingClientRect(): { top: number } }>;
      };
    };
    await page.evaluate(() => {
      const doc = (globalThis as unknown as Doc).document;
      doc.querySelector('#hex-a .hex-row[data-offset="160"]')!.dataset.tag = 'kept';
      doc.querySelector('#hex-b .hex-row[data-offset="160"]')!.dataset.tag = 'kept';
    });
    // These images' scrollbar is scaled, so the wheel scrolls by rows: 60 px = 3 rows.
    const box = (await page.locator('#hex-scroller').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 60);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#hex-a .hex-row[data-offset="0"]') === null);
    await page.waitForSelector('body[data-first-row="3"]');
    // One row back up: the row coming in at the top goes before the kept ones.
    await page.mouse.wheel(0, -20);
    await page.waitForSelector('body[data-first-row="2"]');
    for (const side of ['a', 'b'])
      assert.equal(await page.locator(`#hex-${side} .hex-row[data-offset="160"]`).getAttribute('data-tag'), 'kept', `row 160 of ${side} is the same element`);
    const lanes = await page.evaluate(() =>
      ['a', 'b'].map((side) =>
        Array.from((globalThis as unknown as Doc).document.querySelectorAll(`#hex-${side} .hex-row`), (row) => ({
          offset: Number(row.dataset.offset),
          top: row.getBoundingClientRect().top,
        })),
      ),
    );
    const [rowsA, rowsB] = lanes as [{ offset: number; top: number }[], { offset: number; top: number }[]];
    assert.equal(rowsA[0]!.offset, 32);
    assert.deepEqual(
      rowsA.map((r) => r.offset),
      rowsB.map((r) => r.offset),
    );
    rowsA.forEach((row, i) => {
      assert.equal(row.offset, 32 + 16 * i, 'document order is row order');
      assert.equal(row.top, rowsB[i]!.top, 'A and B rows side by side');
      if (i > 0) assert.equal(row.top - rowsA[i - 1]!.top, 20);
    });
    // Moving the cursor into row 160 rebuilds that row on both sides (the cursor shows in each).
    await page.locator('#hex-a .hex-byte[data-offset="163"]').click();
    await page.waitForSelector('#hex-b .hex-byte.cursor[data-offset="163"]');
    for (const side of ['a', 'b']) assert.equal(await page.locator(`#hex-${side} .hex-row[data-offset="160"]`).getAttribute('data-tag'), null);
    assert.deepEqual(o.problems, []);
  });
});
