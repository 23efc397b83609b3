// End-to-end, in a real VS Code (code-server): the first-run walkthrough from its
// first step to its last, each step's button pressed on the walkthrough page the
// way a new user does it: "Create Sample Disk Image" writes and opens the sample;
// back on the walkthrough, "Show the Problems Panel" lists esxi-slot-compacted;
// "Apply Fix..." brings the image's editor forward with the fix previewed; Apply;
// back on the walkthrough, "Save" writes the repair (sfdisk sees the ESXi slots
// again); every step is then marked done.
//
// `node scripts/runTests.mjs --e2e walkthrough` (not part of `npm test`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { findFrame, openWorkbench, problemsText, runCommand, tempWorkspace, waitForEditorReady } from './workbench';
import type { Workbench } from './workbench';

const LONG = 90_000;
const SAMPLE = 'esxi5-compacted.img';
const WALKTHROUGH = 'Repair a broken ESXi disk image';

/** Partition numbers sfdisk lists, or null when it sees no table. */
function sfdiskNumbers(file: string): number[] | null {
  const result = spawnSync('sfdisk', ['--json', file], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const table = JSON.parse(result.stdout) as { partitiontable: { partitions?: { node: string }[] } };
  return (table.partitiontable.partitions ?? []).map((p) => Number(/(\d+)$/.exec(p.node)![1]));
}

/**
 * Brings the walkthrough's tab forward. Back on the Welcome tab VS Code may show its start page (our
 * walkthrough listed with its progress) rather than the walkthrough: then its card is clicked.
 */
async function showWalkthrough(page: Page): Promise<void> {
  // The tab is "Welcome" on the start page, "Walkthrough: Disk Structure Explorer" on ours.
  await page
    .locator('.tabs-container .tab', { hasText: /^\s*(Welcome|Walkthrough: )/ })
    .first()
    .click();
  const walkthrough = page.locator('.gettingStartedContainer');
  const card = walkthrough.locator('.getting-started-category:not([disabled])', { hasText: WALKTHROUGH }).first();
  const steps = walkthrough.locator('.getting-started-step:not([disabled])').first();
  await steps.or(card).first().waitFor({ state: 'visible', timeout: 30_000 });
  if (!(await steps.isVisible())) await card.click();
  await steps.waitFor({ state: 'visible', timeout: 30_000 });
}

/** Opens step `title` of the walkthrough (unless it is open already) and returns it. */
async function openStep(page: Page, title: string): Promise<ReturnType<Page['locator']>> {
  await showWalkthrough(page);
  const step = page.locator('.gettingStartedContainer .getting-started-step', { hasText: title }).first();
  if ((await step.getAttribute('aria-expanded')) !== 'true') await step.click();
  await step.locator('.step-description-container').waitFor({ state: 'visible', timeout: 10_000 });
  return step;
}

const have = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

describe('the first-run walkthrough in code-server, every step', { timeout: 15 * 60_000, skip: have('sfdisk') ? false : 'needs fdisk' }, () => {
  let workbench: Workbench;
  let folder: string;

  before(async () => {
    folder = tempWorkspace('diskx-e2e-walkthrough-');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'The sample disk image is written next to this file.\n');
    workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await workbench?.close().catch(() => undefined);
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('make the sample, see the finding, preview and apply the fix, save: each from its button on the walkthrough page', async () => {
    const { page } = workbench;
    const image = path.join(folder, SAMPLE);
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: WALKTHROUGH }).first();
    await pick.waitFor({ state: 'visible', timeout: 30_000 });
    await pick.click();
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Make the sample broken disk').first().waitFor({ state: 'visible', timeout: 30_000 });

    // 1. The sample: written into the workspace folder and opened in our editor.
    await walkthrough.getByText('Create Sample Disk Image', { exact: true }).first().click();
    let frame = await waitForEditorReady(page, LONG);
    await frame.locator('#findings [data-code="esxi-slot-compacted"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 4, 5, 6, 7], 'the sample: compacted into slots 0..6');

    // 2. The Problems panel lists the finding.
    let step = await openStep(page, 'See what is wrong');
    await step.getByText('Show the Problems Panel', { exact: true }).first().click();
    assert.match(await problemsText(page, /esxi-slot-compacted/), /esxi-slot-compacted/);

    // 3. Apply Fix... from the walkthrough: the image's editor comes forward with a fix to pick or its preview.
    step = await openStep(page, 'Preview and apply the fix');
    await step.getByText('Apply Fix...', { exact: true }).first().click();
    const fixRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Restore ESXi slot gap' }).first();
    const previewShown = frame
      .locator('#fix-preview')
      .waitFor({ state: 'visible', timeout: 30_000 })
      .then(() => 'preview');
    const picked = fixRow.waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'pick');
    const first = await Promise.race([previewShown, picked]);
    if (first === 'pick') {
      await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: 'Restore ESXi slot gap' }).waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
    }
    frame = await findFrame(page, '#fix-preview:not([hidden])', 30_000);
    await frame.locator('#fix-preview').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await frame.locator('#fix-preview').innerText(), /Restore ESXi slot gap/);
    await frame.locator('#fix-apply').click();
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 60_000 });
    assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 4, 5, 6, 7], 'Apply writes nothing');

    // 4. Save from the walkthrough: the repair is written.
    step = await openStep(page, 'Save the repair');
    await step.getByText('Save', { exact: true }).first().click();
    await frame.waitForSelector('body[data-dirty="false"]', { timeout: 60_000 });
    assert.deepEqual(sfdiskNumbers(image), [1, 2, 3, 5, 6, 7, 8], 'the ESXi slots: slot 3 empty again');
    assert.ok(fs.existsSync(`${image}.diskx-journal`), 'saved through the safe writer (its undo journal)');

    // Every step is marked done (VS Code then leaves the finished walkthrough out of its start page's list).
    const steps = page.locator('.gettingStartedContainer .getting-started-step[data-step-id^="diskx.disk-structure-explorer#firstRun#"]');
    await page.waitForFunction(
      () =>
        [
          ...(
            globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> } }
          ).document.querySelectorAll('.gettingStartedContainer .getting-started-step[data-step-id^="diskx.disk-structure-explorer#firstRun#"]'),
        ].every((step) => step.getAttribute('aria-checked') === 'true'),
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(await steps.count(), 4);
  });
});
