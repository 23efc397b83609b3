// End-to-end: hand edits in a real VS Code (code-server) driven through
// Debian's Chromium. Type over one byte in the hex view and save (only that byte
// changes on disk), undo after the save writes it back; rename a partition from
// the structure tree and save (sgdisk -i shows the name, sgdisk -v is clean);
// Ctrl+F finds "EFI PART" at both header copies of a 2 TiB sparse image and F3
// steps to the backup. Screenshots: docs/screenshots/field-editor-name.png,
// field-editor-attributes.png, find-bar.png.
//
// `npm run test:e2e` (not part of `npm test`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Frame, Page } from 'playwright-core';
import { closeAllEditors, openFromExplorer, openImageByPath, openWorkbench, screenshot, tempWorkspace, waitForEditorReady } from './workbench';
import type { Workbench } from './workbench';

const MiB = 1024 * 1024;
const oracles = spawnSync('sgdisk', ['--version']).status === 0;

function sgdisk(file: string, ...args: string[]): string {
  const result = spawnSync('sgdisk', [...args, file], { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

async function waitFor(what: string, check: () => boolean, page: Page, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

/** Goes to `offset` in the hex view (the webview's test hook behaves like Ctrl+G). */
async function goto(frame: Frame, offset: number): Promise<void> {
  await frame.evaluate(
    (o) => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage({ type: 'test:goto', offset: o }, '*'),
    offset,
  );
}

async function tabDirty(page: Page, name: string): Promise<boolean> {
  return ((await page.locator('.tabs-container .tab', { hasText: name }).first().getAttribute('class')) ?? '').split(/\s+/).includes('dirty');
}

describe('Hand edits in code-server', { timeout: 20 * 60_000, skip: oracles ? false : 'sgdisk is needed (apt-get install gdisk)' }, () => {
  let workbench: Workbench;
  let folder: string;
  let disk: string;
  let big: string;

  before(async () => {
    folder = tempWorkspace('diskx-e2e-edit-');
    disk = path.join(folder, 'disk.img');
    fs.writeFileSync(disk, '');
    fs.truncateSync(disk, 64 * MiB);
    sgdisk(disk, '-n', '1:2048:+10M', '-c', '1:data', '-n', '2:0:+5M', '-t', '2:ef00', '-c', '2:esp');
    big = path.join(folder, 'big.img');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 2 * 1024 ** 4);
    sgdisk(big, '-o');
    workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await workbench?.close().catch(() => undefined);
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('type over a byte and save: only that byte changes on disk; Ctrl+Z and save write it back', async () => {
    const { page } = workbench;
    const original = fs.readFileSync(disk);
    await openFromExplorer(page, 'disk.img');
    const frame = await waitForEditorReady(page, 60_000);
    const at = 3 * MiB + 5;
    await goto(frame, at);
    await frame.locator('#hex').focus();
    await page.keyboard.press('c');
    await page.keyboard.press('3');
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
    await frame.locator(`#hex .hex-byte.edited`).first().waitFor({ state: 'attached', timeout: 10_000 });
    assert.ok(fs.readFileSync(disk).equals(original), 'nothing written before Ctrl+S');
    await page.keyboard.press('Control+s');
    await waitFor('the save', () => fs.readFileSync(disk)[at] === 0xc3, page);
    const saved = fs.readFileSync(disk);
    const changed: number[] = [];
    for (let i = 0; i < saved.length; i++) if (saved[i] !== original[i]) changed.push(i);
    assert.deepEqual(changed, [at], 'exactly the typed byte');
    await frame.waitForSelector('body[data-dirty="false"]', { timeout: 15_000 });
    // Undo after the save: Ctrl+Z makes the document dirty again, Ctrl+S writes the old byte back.
    await frame.locator('#hex').focus();
    await page.keyboard.press('Control+z');
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
    await page.keyboard.press('Control+s');
    await waitFor('the undo to be saved', () => fs.readFileSync(disk).equals(original), page);
    assert.equal(await tabDirty(page, 'disk.img').catch(() => false), false);
  });

  test('rename a partition from the tree and save: sgdisk -i shows the name, sgdisk -v finds no problem', async () => {
    const { page } = workbench;
    const frame = await waitForEditorReady(page, 60_000);
    await frame.locator('[data-node-id="slot-0"]').click();
    const item = frame.locator('vscode-tree-item[data-node-id="slot-0.PartitionName"]');
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.dblclick();
    const input = frame.locator('#field-editor-input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('bootbank');
    await page.mouse.move(5, 500);
    await screenshot(page, 'field-editor-name');
    await input.press('Enter');
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
    await frame.locator('#hex').focus();
    await page.keyboard.press('Control+s');
    await waitFor('sgdisk to show the new name', () => /Partition name: 'bootbank'/.test(sgdisk(disk, '-i', '1')), page);
    assert.match(sgdisk(disk, '-v'), /No problems found/);
    // The attribute editor, for the README.
    await frame.locator('[data-node-id="slot-1"]').click();
    await frame.locator('vscode-tree-item[data-node-id="slot-1.Attributes"]').dblclick();
    await frame.locator('#field-editor-attributes input[data-attribute="required"]').check();
    await screenshot(page, 'field-editor-attributes');
    await frame.locator('#field-editor-input').press('Escape');
  });

  test('Ctrl+F finds EFI PART at both header copies of a 2 TiB sparse image; F3 steps to the backup', async () => {
    const { page } = workbench;
    // Only this image's webview in the page: the last test's (kept alive while hidden) is closed first.
    await closeAllEditors(page);
    // By its path through Open Disk Image...: the Explorer may still be re-rendering for the journal the save wrote.
    await openImageByPath(page, big);
    const frame = await waitForEditorReady(page, 60_000);
    await frame.locator('#hex').focus();
    await page.keyboard.press('Control+f');
    const input = frame.locator('#find-input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await frame.locator('#find-mode').selectOption('text');
    await input.fill('EFI PART');
    await input.press('Enter');
    await frame.waitForFunction(
      () =>
        /1 of 2/.test(
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('#find-count')
            ?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    await frame.locator('#hex').focus();
    await page.keyboard.press('F3');
    await frame.waitForFunction(
      () =>
        /2 of 2/.test(
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('#find-count')
            ?.textContent ?? '',
        ),
      undefined,
      { timeout: 30_000 },
    );
    const matches = await frame.locator('#find-list .find-match').allTextContents();
    assert.deepEqual(matches, ['0x200', `0x${(2 * 1024 ** 4 - 512).toString(16).toUpperCase()}`]);
    await page.mouse.move(5, 500);
    await screenshot(page, 'find-bar');
  });
});
