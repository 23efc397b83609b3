// End-to-end: the repair a new user makes in a real VS Code (code-server,
// installed on demand into .vscode-test/code-server/) driven through Debian's
// Chromium. Opens a copy of the seed's compacted ESXi image, clicks "Restore
// ESXi slot gap" on the esxi-slot-compacted finding, reads the preview (changed
// bytes highlighted in the hex view), applies it (dirty tab), saves with Ctrl+S
// and checks the file with sfdisk --json and sgdisk -v; then Ctrl+Z and Ctrl+S
// again write the old bytes back (GPT areas byte-equal to the original).
// Then hot exit (a reload keeps the unsaved repair), a file changed on disk (Save
// refuses, nothing is written) and auto save (Apply asks before a repair is written
// without Ctrl+S). Screenshots: docs/screenshots/fix-preview.png, fix-saved.png,
// changed-on-disk.png, auto-save-confirm.png.
//
// `npm run test:e2e` (not part of `npm test`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Frame, Page } from 'playwright-core';
import { writeEsxi5Sample } from '../../scripts/sampleImages';
import { findFrame, openFromExplorer, openWorkbench, runCommand, screenshot, tempWorkspace, waitForEditorReady } from './workbench';
import type { Workbench } from './workbench';

const SAMPLE = 'esxi5-compacted.img';
const SECTOR = 512;

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

/** LBA 0..33 (protective MBR, primary header and array) and the last 33 LBAs (backup array and header). */
function gptAreas(file: string): Buffer {
  const size = fs.statSync(file).size;
  return Buffer.concat([readAt(file, 0, 34 * SECTOR), readAt(file, size - 33 * SECTOR, 33 * SECTOR)]);
}

/** Partition numbers as sfdisk --json lists them (node name suffix). */
function sfdiskNumbers(file: string): number[] {
  const result = spawnSync('sfdisk', ['--json', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sfdisk --json failed: ${result.stderr}`);
  const table = JSON.parse(result.stdout) as { partitiontable: { partitions: { node: string }[] } };
  return table.partitiontable.partitions.map((p) => Number(/(\d+)$/.exec(p.node)![1]));
}

function sgdiskVerify(file: string): string {
  const result = spawnSync('sgdisk', ['-v', file], { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

async function waitFor(what: string, check: () => boolean, page: Page, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

/** The editor tab of the sample: VS Code marks it `.dirty` while edits are unsaved. */
function sampleTab(page: Page) {
  return page.locator('.tabs-container .tab', { hasText: SAMPLE }).first();
}

async function tabDirty(page: Page): Promise<boolean> {
  return ((await sampleTab(page).getAttribute('class')) ?? '').split(/\s+/).includes('dirty');
}

async function findingCodes(frame: Frame): Promise<string[]> {
  return frame.locator('#findings .finding[data-code]').evaluateAll((items) => items.map((item) => item.getAttribute('data-code') ?? ''));
}

const oracles = spawnSync('sfdisk', ['--version']).status === 0 && spawnSync('sgdisk', ['--version']).status === 0;

describe(
  'Repairing the seed image in code-server',
  { timeout: 20 * 60_000, skip: oracles ? false : 'sfdisk and sgdisk are needed (apt-get install fdisk gdisk)' },
  () => {
    let workbench: Workbench;
    let folder: string;
    let image: string;
    let original: Buffer;

    before(async () => {
      folder = tempWorkspace('diskx-e2e-fix-');
      image = writeEsxi5Sample(path.join(folder, SAMPLE), { compacted: true });
      original = gptAreas(image);
      // Auto save off, as in desktop VS Code (browser VS Code defaults to afterDelay; the last test turns it on).
      workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
    });

    after(async () => {
      await workbench?.close().catch(() => undefined);
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
    });

    test('click "Restore ESXi slot gap", preview, Apply, Ctrl+S; sfdisk and sgdisk agree; Ctrl+Z, Ctrl+S writes the old bytes back', async () => {
      const { page } = workbench;
      assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 4, 5, 6, 7], 'the seed: compacted into slots 0..6');
      await openFromExplorer(page, SAMPLE);
      const frame = await waitForEditorReady(page, 60_000);

      // The finding lists its fix as a button.
      const finding = frame.locator('#findings .finding[data-code="esxi-slot-compacted"]');
      await finding.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await finding.innerText(), /error|warning/i, 'severity shown');
      const button = finding.locator('button.fix', { hasText: 'Restore ESXi slot gap' });
      await button.click();

      // Preview: title, fields, before/after, changed bytes highlighted in the hex view; nothing written yet.
      const previewPanel = frame.locator('#fix-preview');
      await previewPanel.waitFor({ state: 'visible', timeout: 10_000 });
      const previewText = await previewPanel.innerText();
      assert.match(previewText, /Restore ESXi slot gap/);
      assert.match(previewText, /Before[\s\S]*After/);
      assert.match(previewText, /primaryArray|backupArray|entries/i, 'the fields touched are named');
      await frame.locator('#hex .hex-byte.preview').first().waitFor({ state: 'attached', timeout: 10_000 });
      assert.deepEqual(gptAreas(image), original, 'the preview writes nothing');
      await page.mouse.move(5, 500);
      await screenshot(page, 'fix-preview');

      // Apply: an unsaved edit (the model is re-read: the finding is gone), the tab is dirty.
      await frame.locator('#fix-apply').click();
      await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
      await frame.locator('#fix-preview').waitFor({ state: 'hidden', timeout: 10_000 });
      assert.ok(!(await findingCodes(frame)).includes('esxi-slot-compacted'));
      await page.locator('.tabs-container .tab.dirty', { hasText: SAMPLE }).first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.deepEqual(gptAreas(image), original, 'Apply writes nothing until save');

      // Ctrl+S (the webview has focus: VS Code forwards the keybinding).
      await frame.locator('#hex').focus();
      await page.keyboard.press('Control+s');
      await waitFor('the save (sfdisk sees partitions 1,2,3,5,6,7,8)', () => sfdiskNumbers(image).join() === '1,2,3,5,6,7,8', page, 30_000);
      await frame.waitForSelector('body[data-dirty="false"]', { timeout: 15_000 });
      await page
        .locator('.tabs-container .tab.dirty', { hasText: SAMPLE })
        .first()
        .waitFor({ state: 'detached', timeout: 30_000 })
        .catch(async (error: Error) => {
          await screenshot(page, 'debug-fix-save');
          const toasts = (await page.locator('.notifications-toasts').allInnerTexts()).join('\n');
          throw new Error(`${error.message}\nnotifications: ${toasts}\nconsole: ${workbench.console.slice(-20).join('\n')}`);
        });
      assert.equal(await tabDirty(page), false, 'saved: no dirty marker');
      const verify = sgdiskVerify(image);
      assert.match(verify, /No problems found/, verify);
      await screenshot(page, 'fix-saved');

      // Ctrl+Z after the save, then Ctrl+S: the old bytes go back through the same writer.
      await frame.locator('#hex').focus();
      await page.keyboard.press('Control+z');
      await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
      assert.ok((await findingCodes(frame)).includes('esxi-slot-compacted'), 'the finding is back after undo');
      await frame.locator('#hex').focus();
      await page.keyboard.press('Control+s');
      await waitFor('the undo to be saved', () => gptAreas(image).equals(original), page, 30_000);
      await frame.waitForSelector('body[data-dirty="false"]', { timeout: 15_000 });
      assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 4, 5, 6, 7]);
      assert.ok(gptAreas(image).equals(original), 'GPT areas byte-equal to the compacted original');

      // The palette command acts on the active image editor: a quick pick of the findings' fixes, then the same preview.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>Disk Structure Explorer: Apply Fix');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Apply Fix' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Restore ESXi slot gap' }).first();
      await pick.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await frame.locator('#fix-preview').waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await frame.locator('#fix-preview').innerText(), /Preview: Restore ESXi slot gap/);
      await frame.locator('#fix-cancel').click();
      assert.ok(gptAreas(image).equals(original), 'the palette preview writes nothing');
    });

    test('hot exit keeps an unsaved repair across a reload; Save never overwrites a file changed on disk', async () => {
      const { page } = workbench;
      let frame = await waitForEditorReady(page, 60_000);
      await frame.locator('#findings .finding[data-code="esxi-slot-compacted"] button.fix', { hasText: 'Restore ESXi slot gap' }).click();
      await frame.locator('#fix-apply').click();
      await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });

      // Reload the window: VS Code backs the document up (our edit list, never the image) and restores it dirty.
      // (A browser VS Code backs dirty editors up a moment after they change: an unload cannot wait for it.)
      await page.waitForTimeout(2000);
      await runCommand(page, 'Developer: Reload Window');
      await page.waitForLoadState('domcontentloaded');
      await page.locator('.tabs-container .tab.dirty', { hasText: SAMPLE }).first().waitFor({ state: 'visible', timeout: 60_000 });
      frame = await findFrame(page, 'body[data-dirty="true"]', 20_000).catch(async (e) => {
        await screenshot(page, 'debug-hotexit');
        for (const f of page.frames())
          console.log(
            'FRAME',
            f.url().slice(0, 150),
            String(await f.evaluate('document.body && document.body.innerText.slice(0, 200)').catch(() => '?')).replace(/\n/g, ' | '),
          );
        console.log('CONSOLE', workbench.console.slice(-40).join('\n'));
        await runCommand(page, 'Notifications: Show Notifications');
        await page.waitForTimeout(1000);
        console.log('NOTIFS', (await page.locator('.notifications-center').allInnerTexts()).join(' | '));
        throw e;
      });
      assert.ok(!(await findingCodes(frame)).includes('esxi-slot-compacted'), 'the restored edit is in the view');
      assert.match(await frame.locator('#edits').innerText(), /Unsaved repairs \(1\)/);
      assert.deepEqual(gptAreas(image), original, 'restoring the backup writes nothing');

      // Someone else writes to the image (a byte at 4 MiB, outside the GPT areas) while the repair is unsaved.
      const fd = fs.openSync(image, 'r+');
      fs.writeSync(fd, Buffer.from([0x5a]), 0, 1, 4 * 1024 * 1024);
      fs.closeSync(fd);
      await frame.locator('#hex').focus();
      await page.keyboard.press('Control+s');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await dialog.innerText(), /changed on disk since it was opened/);
      await screenshot(page, 'changed-on-disk');
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      assert.deepEqual(gptAreas(image), original, 'nothing was written over the changed file');
      assert.equal(readAt(image, 4 * 1024 * 1024, 1)[0], 0x5a, "the other writer's byte is kept");
      assert.equal(await tabDirty(page), true, 'the repair is still unsaved');

      // Revert drops the repair and shows the file as it is now.
      await runCommand(page, 'File: Revert File');
      await frame.waitForSelector('body[data-dirty="false"]', { timeout: 15_000 });
      assert.ok((await findingCodes(frame)).includes('esxi-slot-compacted'), 'the finding is back after revert');
    });

    test('with auto save on, Apply asks before a repair is written without Ctrl+S', async () => {
      const { page } = workbench;
      await runCommand(page, 'Notifications: Clear All Notifications');
      // Turn auto save on (browser VS Code's default) as a user does: File > Auto Save, here from the palette.
      await runCommand(page, 'File: Toggle Auto Save');
      const frame = await waitForEditorReady(page, 60_000);
      // The extension has seen the change when the view says so (the preview tells what Apply will do).
      await frame.waitForSelector('body[data-auto-save="true"]', { state: 'attached', timeout: 30_000 });
      const apply = async () => {
        await frame.locator('#findings .finding[data-code="esxi-slot-compacted"] button.fix', { hasText: 'Restore ESXi slot gap' }).click();
        assert.match(await frame.locator('#fix-preview .preview-summary').innerText(), /auto save is on: Apply asks/);
        await frame.locator('#fix-apply').click();
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await dialog.innerText(), /Auto save is on \(files\.autoSave: afterDelay\)[\s\S]*without Ctrl\+S/);
        return dialog;
      };
      // Cancel: nothing applied, nothing written.
      let dialog = await apply();
      await screenshot(page, 'auto-save-confirm');
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      await page.waitForTimeout(2500); // longer than the auto save delay
      assert.equal(await frame.getAttribute('body', 'data-dirty'), 'false');
      assert.ok((await findingCodes(frame)).includes('esxi-slot-compacted'));
      assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 4, 5, 6, 7], 'nothing written');
      // Apply and Write: auto save writes it through the safe writer, no Ctrl+S.
      dialog = await apply();
      await dialog.locator('.monaco-button', { hasText: 'Apply and Write' }).click();
      await waitFor('auto save to write the repair', () => sfdiskNumbers(image).join() === '1,2,3,5,6,7,8', page, 30_000);
      await frame.waitForSelector('body[data-dirty="false"]', { timeout: 15_000 });
      assert.match(sgdiskVerify(image), /No problems found/);
    });
  },
);
