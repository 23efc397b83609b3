// End-to-end: recovering a lost table in a real VS Code (code-server, Debian's
// Chromium). An ESXi 6.x boot disk (FAT volumes from mkfs.vfat in the
// installer's slots) has its MBR and both GPTs zeroed. "Scan for Lost
// Partitions..." shows its progress notification, lists the volumes with their
// evidence and the proposed table; the preview shows the table and the bytes it
// writes, Apply makes it an unsaved edit, Ctrl+S writes it, and sfdisk and
// sgdisk see partitions 1,5,6,7,8 with slots 1..3 empty. Screenshot:
// docs/screenshots/scan-preview.png. The same disk with a FAT made on the whole
// of it (mkfs.vfat over the partitions): the conflict is listed, the preview says
// what the table OVERWRITES, and Apply asks first.
//
// `node scripts/runTests.mjs --e2e scan` (not part of `npm test`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { closeAllEditors, openFromExplorer, openImageByPath, openWorkbench, runCommand, screenshot, tempWorkspace, waitForEditorReady } from './workbench';
import type { Workbench } from './workbench';
import { esxi6UsbDisk, have, wipeTables } from '../builders/recovery';

const SAMPLE = 'esxi6-usb-wiped.img';
const MKFSED = 'esxi6-usb-mkfs-vfat.img';

/** Partition numbers and starts as sfdisk --json lists them, or null when it sees no table. */
function sfdiskPartitions(file: string): [number, number][] | null {
  const result = spawnSync('sfdisk', ['--json', file], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const table = JSON.parse(result.stdout) as { partitiontable: { partitions?: { node: string; start: number }[] } };
  return (table.partitiontable.partitions ?? []).map((p) => [Number(/(\d+)$/.exec(p.node)![1]), p.start]);
}

/** Polls `check` (a file on disk, say) until it holds; the page's clock paces it. */
async function poll(what: string, check: () => boolean, page: Page, attempts = 240): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** What the workbench page offers the functions below (the tests compile without the DOM library). */
interface PageGlobals {
  __diskxToasts?: string[];
  document: {
    body: unknown;
    activeElement: { id: string } | null;
    querySelectorAll(selector: string): Iterable<{ innerText: string }> & { length: number };
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
}

/** Records the text of every notification toast that appears from now on (a fast scan's progress toast is brief). */
async function watchNotifications(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const seen: string[] = [];
    g.__diskxToasts = seen;
    new g.MutationObserver(() => {
      for (const toast of g.document.querySelectorAll('.notification-toast')) {
        const text = toast.innerText;
        if (text && !seen.includes(text)) seen.push(text);
      }
    }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
  });
}

const toastsSeen = (page: Page): Promise<string[]> => page.evaluate(() => (globalThis as unknown as PageGlobals).__diskxToasts ?? []);

const tools = ['sfdisk', 'sgdisk', 'mkfs.vfat'].every(have);

describe('Scanning for lost partitions in code-server', { timeout: 20 * 60_000, skip: tools ? false : 'needs fdisk, gdisk and dosfstools' }, () => {
  let workbench: Workbench;
  let folder: string;
  let image: string;
  let mkfsed: string;

  before(async () => {
    folder = tempWorkspace('diskx-e2e-scan-');
    image = esxi6UsbDisk(path.join(folder, SAMPLE));
    wipeTables(image);
    // The careless mkfs: a FAT made on the whole (wiped) disk, over the partitions.
    mkfsed = esxi6UsbDisk(path.join(folder, MKFSED));
    wipeTables(mkfsed);
    spawnSync('mkfs.vfat', [mkfsed], { stdio: 'ignore' });
    workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await workbench?.close().catch(() => undefined);
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('Scan for Lost Partitions...: progress, volumes with evidence, the proposal previewed (table and bytes), Apply, Ctrl+S; sfdisk sees 1,5,6,7,8', async () => {
    const { page } = workbench;
    assert.equal(sfdiskPartitions(image), null, 'the tables are gone');
    await openFromExplorer(page, SAMPLE);
    const frame = await waitForEditorReady(page, 90_000);
    await frame.locator('#findings .finding[data-code="no-partition-table"]').waitFor({ state: 'attached', timeout: 30_000 });

    await watchNotifications(page);
    await runCommand(page, 'Scan for Lost Partitions');

    // The quick pick: the proposal first, then every volume with its evidence.
    const widget = page.locator('.quick-input-widget');
    const proposalRow = widget.locator('.monaco-list-row', { hasText: 'Preview the proposed GPT (esxi-5)' }).first();
    await proposalRow.waitFor({ state: 'visible', timeout: 120_000 });
    const title = await widget.locator('.quick-input-title').innerText();
    assert.match(title, /4 volume\(s\) found in esxi6-usb-wiped\.img/);
    const rows = (await widget.locator('.monaco-list-row').allInnerTexts()).join('\n');
    for (const expected of [
      /LBA 64\.\.\d+: vfat "ESP"/,
      /LBA 8224\.\.\d+: vfat "BOOTBANK1"/,
      /LBA 520224\.\.\d+: vfat "BOOTBANK2"/,
      /LBA 1257504\.\.\d+: vfat "STORE"/,
    ])
      assert.match(rows, expected);
    assert.match(rows, /FAT boot sector at byte 0x404000/, 'the evidence is shown');
    assert.match(rows, /confidence high/);
    const toasts = await toastsSeen(page);
    assert.ok(
      toasts.some((t) => /Scanning esxi6-usb-wiped\.img for lost partitions/.test(t)),
      `a progress notification was shown (seen: ${JSON.stringify(toasts)})`,
    );

    // The preview: the fix's title, the new table's fields and the bytes it writes (highlighted in the hex view).
    await proposalRow.click();
    const preview = frame.locator('#fix-preview');
    await preview.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await preview.innerText();
    assert.match(text, /Rebuild the partition table from a scan/);
    assert.match(text, /partition 5 \(slot 4\): LBA 8224\.\.520191/, 'the table, in the installer slots');
    assert.match(text, /Before[\s\S]*After/, 'the bytes before and after');
    await frame.locator('#hex .hex-byte.preview').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(sfdiskPartitions(image), null, 'the preview writes nothing');
    await page.mouse.move(5, 500);
    await screenshot(page, 'scan-preview');

    // Apply: an unsaved edit; Ctrl+S writes it through the safe writer.
    await frame.locator('#fix-apply').click();
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 60_000 });
    assert.equal(sfdiskPartitions(image), null, 'Apply writes nothing until save');
    await frame.locator('#hex').focus();
    await page.keyboard.press('Control+s');
    await poll('the save (sfdisk sees partitions 1,5,6,7,8)', () => (sfdiskPartitions(image) ?? []).map(([n]) => n).join() === '1,5,6,7,8', page);
    await frame.waitForSelector('body[data-dirty="false"]', { timeout: 60_000 });
    assert.deepEqual(sfdiskPartitions(image), [
      [1, 64],
      [5, 8224],
      [6, 520224],
      [7, 1032224],
      [8, 1257504],
    ]);
    const verify = spawnSync('sgdisk', ['-v', image], { encoding: 'utf8' });
    assert.match(`${verify.stdout}`, /No problems found/, verify.stdout);
  });
  test('a FAT made on the whole disk over the partitions: the conflict listed, the preview says what it OVERWRITES, Apply asks first (Cancel, then Overwrite and Apply), Ctrl+S', async () => {
    const { page } = workbench;
    await closeAllEditors(page);
    // Through our Open Disk Image... command: the Explorer is re-rendering its rows about now (the first test's
    // save wrote an undo journal next to its image), and a double-click there can land on another row.
    await openImageByPath(page, mkfsed);
    const frame = await waitForEditorReady(page, 90_000);
    // Opened from the palette, too, the keyboard is in the hex view.
    await frame.waitForFunction(() => (globalThis as unknown as PageGlobals).document.activeElement?.id === 'hex', undefined, { timeout: 10_000 });
    await frame.locator('#findings .finding[data-code="whole-disk-volume"]').waitFor({ state: 'attached', timeout: 30_000 });
    await runCommand(page, 'Scan for Lost Partitions');
    const widget = page.locator('.quick-input-widget');
    const proposalRow = widget.locator('.monaco-list-row', { hasText: 'Preview the proposed GPT (esxi-5)' }).first();
    await proposalRow.waitFor({ state: 'visible', timeout: 120_000 });
    const rows = (await widget.locator('.monaco-list-row').allInnerTexts()).join('\n');
    assert.match(rows, /LBA 0\.\.\d+: vfat[\s\S]*conflicts with the volume\(s\) at LBA 8224, 520224, 1257504/);
    assert.match(rows, /made on the whole disk over the partitions/, 'the proposal says why');
    await proposalRow.click();
    const preview = frame.locator('#fix-preview');
    await preview.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await preview.innerText(), /OVERWRITES the vfat file system made on the whole disk \(LBA 0\.\.2097143/);

    const dialog = page.locator('.monaco-dialog-box');
    await frame.locator('#fix-apply').click();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /overwrites the vfat file system made on the whole disk/);
    await screenshot(page, 'scan-overwrite-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await frame
      .locator('#fix-preview .preview-error', { hasText: 'not applied (it overwrites a volume, and that was not confirmed)' })
      .waitFor({ timeout: 30_000 });
    assert.equal(await frame.getAttribute('body', 'data-dirty'), 'false', 'not applied without the confirmation');
    await frame.locator('#fix-apply:not([disabled])').waitFor({ timeout: 30_000 });

    await frame.locator('#fix-apply').click();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'Overwrite and Apply' }).click();
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 60_000 });
    assert.match(spawnSync('blkid', ['-p', '-o', 'export', mkfsed], { encoding: 'utf8' }).stdout, /^TYPE=vfat$/m, 'Apply writes nothing until save');
    await frame.locator('#hex').focus();
    await page.keyboard.press('Control+s');
    await poll('the save (sfdisk sees partitions 1,5,6,7,8)', () => (sfdiskPartitions(mkfsed) ?? []).map(([n]) => n).join() === '1,5,6,7,8', page);
    const blkid = spawnSync('blkid', ['-p', '-o', 'export', mkfsed], { encoding: 'utf8' });
    assert.match(blkid.stdout, /PTTYPE=gpt/);
    assert.doesNotMatch(blkid.stdout, /^TYPE=/m, 'the whole-disk FAT is gone');
  });
});
