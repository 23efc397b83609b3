// End-to-end: a user's Kaitai spec in a real VS Code (code-server + Chromium). A workspace
// .ksy is applied at an LBA with "Apply Structure Spec..." (quick picks, input box), its
// fields appear in the Structure tree; the .ksy is edited in VS Code's text editor and
// saved, and the tree follows; a broken spec shows its error in the Problems panel at its
// line; the image reopened gets its spec back from the workspace state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  clickMenuItem,
  closeAllEditors,
  openFromExplorer,
  openImageByPath,
  openWorkbench,
  problemsText,
  runCommand,
  screenshot,
  tempWorkspace,
  waitForEditorReady,
} from './workbench';
import type { Workbench } from './workbench';
import { writeSparseImage } from '../builders/images';

const IMAGE = 'loader-disk.img';
const SPEC = 'boot_record.ksy';
const SPEC_TEXT = `meta:
  id: boot_record
  endian: le
seq:
  - id: magic
    contents: BOOT
  - id: version
    type: u2
    doc: Format version of the record.
  - id: kind
    type: u1
    enum: kind
enums:
  kind:
    2: loader
`;

async function nodeText(frame: Frame, id: string, timeoutMs = 30_000): Promise<string> {
  const node = frame.locator(`#structure [data-node-id="${id}"]`).first();
  await node.waitFor({ state: 'attached', timeout: timeoutMs });
  return (await node.evaluate((element) => element.textContent ?? '')).replace(/\s+/g, ' ');
}

/** Picks the quick-pick row containing `text` (typing it first narrows the list). */
async function pick(page: Page, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('input').fill(text);
  await widget.locator('.monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Replaces every `find` with `replacement` in the focused text editor (Ctrl+H, replace all) and saves. */
async function replaceAndSave(page: Page, find: string, replacement: string): Promise<void> {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+H');
  const findInput = page.locator('.find-widget .find-part textarea, .find-widget .find-part input').first();
  await findInput.waitFor({ state: 'visible', timeout: 10_000 });
  await findInput.fill(find);
  const replaceInput = page.locator('.find-widget .replace-part textarea, .find-widget .replace-part input').first();
  await replaceInput.fill(replacement);
  await replaceInput.press('Control+Alt+Enter');
  await page.keyboard.press('Escape');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+S');
}

describe('user structure specs in code-server', { timeout: 15 * 60_000 }, () => {
  let workbench: Workbench;
  let folder: string;

  before(async () => {
    folder = tempWorkspace();
    // A DOS disk with one partition, and a loader record at LBA 64.
    writeSparseImage(path.join(folder, IMAGE), 4 * 1024 * 1024, [
      { offset: 446, bytes: new Uint8Array([0, 0, 0, 0, 0x83, 0, 0, 0, 0, 8, 0, 0, 0, 0x10, 0, 0]) },
      { offset: 510, bytes: new Uint8Array([0x55, 0xaa]) },
      { offset: 64 * 512, bytes: new Uint8Array([0x42, 0x4f, 0x4f, 0x54, 3, 0, 2]) },
    ]);
    fs.writeFileSync(path.join(folder, SPEC), SPEC_TEXT);
    workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await workbench?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('apply a workspace .ksy at an LBA, edit and save it, see the tree follow', async () => {
    const { page } = workbench;
    await openFromExplorer(page, IMAGE);
    let frame = await waitForEditorReady(page);

    await runCommand(page, 'Apply Structure Spec...');
    await pick(page, SPEC);
    await pick(page, 'At an LBA');
    await page.locator('.quick-input-widget', { hasText: 'Sector number' }).waitFor({ state: 'visible', timeout: 15_000 });
    const input = page.locator('.quick-input-widget input');
    await input.fill('64');
    await page.keyboard.press('Enter');

    assert.match(await nodeText(frame, 'spec-1'), /Spec boot_record at lba:64 \(byte 0x8000\)/);
    assert.match(await nodeText(frame, 'spec-1:version'), /version 3/);
    assert.match(await nodeText(frame, 'spec-1:kind'), /kind 2 ?loader/);
    const title = await frame.locator('#structure [data-node-id="spec-1:version"]').first().getAttribute('title');
    assert.match(title ?? '', /Format version of the record\.\nbytes 0x8004\.\.0x8005 \(2\)/, 'the doc is the hover text, with the byte range');
    // Selecting the field selects its bytes in the hex view, which names the spec's field on hover.
    await frame.locator('#structure [data-node-id="spec-1:version"]').first().click();
    await frame.locator('#hex .hex-byte.selected').first().waitFor({ state: 'attached', timeout: 10_000 });
    const selected = await frame
      .locator('#hex .hex-byte.selected')
      .evaluateAll((cells) =>
        cells.map((cell) => [Number(cell.getAttribute('data-offset')), Number(cell.getAttribute('data-length')), cell.getAttribute('title')] as const),
      );
    assert.deepEqual(
      selected.flatMap(([start, length]) => Array.from({ length }, (_, i) => start + i)),
      [0x8004, 0x8005],
    );
    assert.match(selected[0]![2] ?? '', /boot_record › version/);
    await screenshot(page, 'user-spec');

    // Edit the spec in VS Code: rename a field, then save.
    await openFromExplorer(page, SPEC);
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
    await replaceAndSave(page, 'id: version', 'id: revision');

    await page.locator('.tabs-container .tab', { hasText: IMAGE }).first().click();
    frame = await waitForEditorReady(page);
    assert.match(await nodeText(frame, 'spec-1:revision'), /revision 3/, 'saving the .ksy parsed the image again');
    assert.equal(await frame.locator('#structure [data-node-id="spec-1:version"]').count(), 0);

    // A broken spec: the error is a diagnostic on the .ksy at its line, and the tree says so.
    await page.locator('.tabs-container .tab', { hasText: SPEC }).first().click();
    await replaceAndSave(page, 'enum: kind', 'enum: nokind');
    const problems = await problemsText(page, /unable to find enum 'nokind'/);
    assert.match(problems, /Ln 12, Col 11/);
    await page.locator('.tabs-container .tab', { hasText: IMAGE }).first().click();
    frame = await waitForEditorReady(page);
    assert.match(await nodeText(frame, 'spec-1'), /boot_record\.ksy:12:11: \/seq\/2\/enum: unable to find enum 'nokind'/);
  });

  test('the image opened again gets its spec back', async () => {
    const { page } = workbench;
    fs.writeFileSync(path.join(folder, SPEC), SPEC_TEXT);
    await closeAllEditors(page);
    // By its path through Open Disk Image...: no Explorer row to aim at while the Explorer catches up with the files.
    await openImageByPath(page, path.join(folder, IMAGE));
    const frame = await waitForEditorReady(page);
    assert.match(await nodeText(frame, 'spec-1'), /Spec boot_record at lba:64/);
    assert.match(await nodeText(frame, 'spec-1:version'), /version 3/);

    // "Set Field Value..." on a spec field: an unsaved edit, written by Save.
    await frame.locator('#structure [data-node-id="spec-1:version"]').first().click({ button: 'right' });
    const set = page.locator('.context-view .action-item', { hasText: 'Set Field Value' }).first();
    await clickMenuItem(page, set);
    const valueInput = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'The new value' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await valueInput.inputValue(), '3');
    await valueInput.fill('0x0107');
    await page.keyboard.press('Enter');
    await frame.locator('#structure [data-node-id="spec-1:version"]', { hasText: '263' }).first().waitFor({ state: 'attached', timeout: 15_000 });
    await page.keyboard.press('Control+S');
    const deadline = Date.now() + 15_000;
    let onDisk = '';
    while (Date.now() < deadline) {
      onDisk = fs.readFileSync(path.join(folder, IMAGE)).subarray(0x8004, 0x8006).toString('hex');
      if (onDisk === '0701') break;
      await page.waitForTimeout(250);
    }
    assert.equal(onDisk, '0701', 'Save wrote the new value, little-endian');

    // "Parse Here with Structure Spec..." from the partition node's context menu.
    await frame.locator('#structure [data-node-id="partition-1"]').first().click({ button: 'right' });
    const item = page.locator('.context-view .action-item', { hasText: 'Parse Here with Structure Spec' }).first();
    await clickMenuItem(page, item);
    await pick(page, SPEC);
    assert.match(await nodeText(frame, 'spec-2'), /Spec boot_record at partition:1 \(byte 0x100000\)/);
    assert.match(await nodeText(frame, 'spec-2'), /stopped: magic at 0x100000: validation failed/, 'no record there: the parse says where it stopped');
  });
});
