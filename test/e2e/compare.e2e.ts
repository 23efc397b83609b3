// End-to-end: comparing two images in a real VS Code (code-server, installed on
// demand into .vscode-test/code-server/) driven through Debian's Chromium. A user
// selects the seed's compacted ESXi image and its original in the Explorer,
// right-clicks "Compare Disk Images", reads "bootbank: slot 3 in A, slot 4 in B",
// starts the byte scan (progress notification, cancelled), copies the slots of
// the original into the compacted image (modal confirmation; bytes checked on
// disk) and undoes it from the notification. Then "Compare with..." from the
// disk image editor's title bar. Screenshots land in docs/screenshots/compare*.png.
//
// `npm run test:e2e` (not part of `npm test`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { writeEsxi5Sample } from '../../scripts/sampleImages';

// The samples are sparse: with their holes skipped the byte scan ends at once, before
// this test can cancel it. The extension host (code-server inherits this) reads them whole.
process.env.DISKX_SKIP_HOLES = '0';
import {
  clickMenuItem,
  explorerInSync,
  explorerRow,
  findFrame,
  openFromExplorer,
  openWorkbench,
  runCommand,
  screenshot,
  tempWorkspace,
  waitForEditorReady,
} from './workbench';
import type { Workbench } from './workbench';

const COMPACTED = 'esxi5-compacted.img';
const ORIGINAL = 'esxi5-original.img';
const ENTRY_ARRAY = 1024; // LBA 2 at 512-byte sectors
const ENTRY_SIZE = 128;

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.alloc(length);
    fs.readSync(fd, out, 0, length, offset);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** The frame of the comparison webview whose partitions table lists bootbank. */
async function compareFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const frame = await findFrame(page, '#partitions tr.partition[data-label="bootbank"]', timeoutMs);
  await frame.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return frame;
}

async function bootbank(frame: Frame): Promise<{ status: string | null; text: string }> {
  const row = frame.locator('#partitions tr.partition[data-label="bootbank"]');
  return { status: await row.getAttribute('data-status'), text: (await row.innerText()).replace(/\s+/g, ' ') };
}

async function waitBootbankStatus(frame: Frame, status: string, timeoutMs = 30_000): Promise<void> {
  await frame.waitForSelector(`#partitions tr.partition[data-label="bootbank"][data-status="${status}"]`, { timeout: timeoutMs });
}

/** The workbench notification toast whose text matches. */
function toast(page: Page, text: RegExp) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

describe('Comparing two disk images in code-server', { timeout: 20 * 60_000 }, () => {
  let workbench: Workbench;
  let folder: string;
  let compacted: string;
  let original: string;

  before(async () => {
    folder = tempWorkspace('diskx-e2e-compare-');
    compacted = writeEsxi5Sample(path.join(folder, COMPACTED), { compacted: true });
    original = writeEsxi5Sample(path.join(folder, ORIGINAL));
    // A single click only selects (no preview editor opening and taking the focus and the
    // Explorer selection while the two images are being selected for the context menu).
    workbench = await openWorkbench(folder, { settings: { 'workbench.list.openMode': 'doubleClick' } });
  });

  after(async () => {
    // code-server's extension host may still write workspace state while the folder is removed: retry once.
    await workbench?.close().catch(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      fs.rmSync(path.dirname(workbench.server.userDataDir), { recursive: true, force: true });
    });
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('two images selected in the Explorer: Compare Disk Images, scan (cancelled), copy the slots across, undo', async () => {
    const { page } = workbench;
    // Select both (select again until the Explorer shows two selected rows), then right-click;
    // the menu lists our item once the extension's contributions are in.
    const item = page.locator('.context-view .action-item', { hasText: 'Compare Disk Images' }).first();
    await explorerInSync(page);
    for (let attempt = 1; ; attempt++) {
      await explorerRow(page, COMPACTED).click();
      await page.waitForTimeout(attempt === 1 ? 1000 : 500);
      await explorerRow(page, ORIGINAL).click({ modifiers: ['Control'] });
      const selected = await page.locator('.explorer-folders-view .monaco-list-row.selected').count();
      if (selected === 2) {
        await explorerRow(page, ORIGINAL).click({ button: 'right' });
        const shown = await item.waitFor({ state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        if (shown) break;
        await page.keyboard.press('Escape');
      }
      assert.ok(attempt < 8, `the Explorer context menu never listed Compare Disk Images (${selected} rows selected)`);
    }
    await clickMenuItem(page, item);

    let frame = await compareFrame(page);
    // Explorer order decides A; the compacted image is the one to repair, so make it A.
    if (!/compacted/.test(await frame.locator('#title-a').innerText())) {
      await frame.locator('#swap').click();
      await frame.waitForFunction(
        () =>
          /compacted/.test(
            (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('#title-a')
              ?.textContent ?? '',
          ),
        null,
        { timeout: 30_000 },
      );
      frame = await compareFrame(page);
    }
    assert.match(await frame.locator('#title-a').innerText(), new RegExp(`A: ${COMPACTED}`));
    assert.match(await frame.locator('#title-b').innerText(), new RegExp(`B: ${ORIGINAL}`));
    const seed = await bootbank(frame);
    assert.equal(seed.status, 'moved-slot');
    assert.match(seed.text, /bootbank: slot 3 in A, slot 4 in B/);
    assert.equal(await frame.locator('#partitions tr.partition[data-status="same"]').count(), 3);
    assert.equal(await frame.locator('#fix').getAttribute('data-available'), 'true');
    assert.match(await frame.locator('#fix-description').innerText(), /bootbank slot 3 -> 4/);
    // Slot 3 of the primary array differs: bootbank in A, empty in B.
    await frame.evaluate(() => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage({ type: 'test:goto', offset: 1408 }, '*'));
    await frame.waitForSelector('#hex-a .hex-byte.diff[data-offset="1408"]', { timeout: 15_000 });
    await frame.waitForSelector('#hex-b .hex-byte.diff[data-offset="1408"]', { timeout: 15_000 });
    await frame.locator('#fix-preview summary').click();
    await page.mouse.move(5, 500);
    await screenshot(page, 'compare');

    // The whole-image scan runs in the host with a cancellable progress notification.
    await frame.locator('#scan').click();
    const progress = toast(page, /Comparing the bytes of/);
    await progress.waitFor({ state: 'visible', timeout: 15_000 });
    await frame.waitForSelector('body[data-scan="running"]', { timeout: 10_000 });
    await page.waitForTimeout(1500); // let the progress move
    await screenshot(page, 'compare-scan');
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await frame.waitForSelector('body[data-scan="cancelled"]', { timeout: 30_000 });
    assert.match(await frame.locator('#scan-status').innerText(), /cancelled/i);

    // Copy the slots of B into A: a modal confirmation, then the bytes on disk equal B's.
    const before = readAt(compacted, ENTRY_ARRAY, 8 * ENTRY_SIZE);
    await frame.locator('#apply-fix').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await dialog.innerText(), /Copy the partition slots of esxi5-original\.img into esxi5-compacted\.img\?/);
    await screenshot(page, 'compare-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Write to A' }).click();
    await waitBootbankStatus(frame, 'same');
    assert.deepEqual(readAt(compacted, ENTRY_ARRAY, 8 * ENTRY_SIZE), readAt(original, ENTRY_ARRAY, 8 * ENTRY_SIZE));
    assert.match(await frame.locator('#notice').innerText(), /Wrote \d+ sector\(s\) to esxi5-compacted\.img/);
    assert.equal(await frame.locator('#fix').getAttribute('data-available'), 'false');
    const done = toast(page, /Copied the slots of esxi5-original\.img into esxi5-compacted\.img/);
    await done.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'compare-applied');

    // Undo from the notification: the old slots are back, on disk and in the view.
    await done.locator('.monaco-button', { hasText: 'Undo' }).click();
    await waitBootbankStatus(frame, 'moved-slot');
    assert.deepEqual(readAt(compacted, ENTRY_ARRAY, 8 * ENTRY_SIZE), before);
    assert.match(await frame.locator('#notice').innerText(), /Undid the repair/);
  });

  test('Compare with... from the disk image editor title picks the second image', async () => {
    const { page } = workbench;
    // Close the first comparison, so the frame found below is the new one.
    const tabs = page.locator('.tabs-container .tab', { hasText: '↔' });
    while ((await tabs.count()) > 0) {
      await tabs.first().hover();
      await tabs.first().locator('.tab-actions .action-label').first().click();
      await page.waitForTimeout(300);
    }
    await openFromExplorer(page, COMPACTED);
    await waitForEditorReady(page, 60_000);
    const action = page.locator('.editor-actions .action-label[aria-label*="Compare with"]').first();
    await action.waitFor({ state: 'visible', timeout: 15_000 });
    await action.click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(ORIGINAL);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: ORIGINAL }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    const frame = await compareFrame(page);
    assert.equal(await tabs.count(), 1, 'one comparison tab: the new one');
    assert.match(await frame.locator('#title-a').innerText(), new RegExp(`A: ${COMPACTED}`));
    assert.match((await bootbank(frame)).text, /bootbank: slot 3 in A, slot 4 in B/);

    // The image editor of A (still open behind the comparison) follows a write made from the comparison.
    const editor = await findFrame(page, '#structure');
    assert.equal(await editor.locator('#findings .finding[data-code="esxi-slot-compacted"]').count(), 1);
    await frame.locator('#apply-fix').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'Write to A' }).click();
    await waitBootbankStatus(frame, 'same');
    await editor.waitForFunction(
      () =>
        (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          '#findings .finding[data-code="esxi-slot-compacted"]',
        ) === null,
      null,
      { timeout: 30_000 },
    );
    assert.match((await editor.locator('[data-node-id="slot-4"]').textContent()) ?? '', /bootbank/);
  });

  test('a comparison open when the window reloads comes back (panel serializer)', async () => {
    const { page } = workbench;
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForLoadState('domcontentloaded');
    const tab = page.locator('.tabs-container .tab', { hasText: '↔' });
    await tab.first().waitFor({ state: 'visible', timeout: 60_000 });
    await tab.first().click();
    const frame = await compareFrame(page);
    assert.match(await frame.locator('#title-a').innerText(), new RegExp(`A: ${COMPACTED}`));
    assert.match(await frame.locator('#title-b').innerText(), new RegExp(`B: ${ORIGINAL}`));
    assert.equal((await bootbank(frame)).status, 'same', 'the slots copied before the reload, read afresh');
  });
});
