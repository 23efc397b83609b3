// The editor webview in the user's language: with the Japanese bundle embedded
// the way the extension embeds it (webviewHtml's strings block), the panes'
// words are Japanese; with none they are English. The real bundle file is used,
// so a string routed through t() but left untranslated shows up here too.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeEsxi5Image } from '../builders/images';
import { browserSuite, browserUnavailable, openInHarness, skipUnless, waitReady } from './harness';
import { JA } from '../app/l10nHelpers';

const skip = skipUnless(browserUnavailable(), 'browser tests');

describe('editor webview in Japanese', { skip }, () => {
  const suite = browserSuite('diskx-l10n-');
  let image: string;
  before(() => {
    image = writeEsxi5Image(path.join(suite.dir, 'esxi5-compacted.img'), { compacted: true });
  });

  test('the pane titles come from the embedded Japanese strings; without them they are English', async () => {
    const ja = await openInHarness(suite.browser, suite.server, image, undefined, undefined, { strings: JA });
    const en = await openInHarness(suite.browser, suite.server, image);
    try {
      for (const opened of [ja, en]) await waitReady(opened.page, 30_000);
      const titles = async (opened: typeof ja): Promise<string[]> => opened.page.locator('#side .section-title').allTextContents();
      assert.deepEqual(await titles(ja), ['検査結果', '構造']);
      assert.deepEqual(await titles(en), ['Findings', 'Structure']);
      // The edit bar's checkbox and the inspector's cursor line.
      assert.equal((await ja.page.locator('#edit-dependents-label').innerText()).trim(), 'CRC とバックアップを連動して更新');
      assert.equal((await en.page.locator('#edit-dependents-label').innerText()).trim(), 'Keep CRCs and backup in step');
      assert.match((await ja.page.locator('#selection-info').textContent()) ?? '', /^カーソル 0x0\b/);
      assert.match((await en.page.locator('#selection-info').textContent()) ?? '', /^Cursor 0x0\b/);
      // The data block is read and removed before the panes are built.
      assert.equal(await ja.page.locator('#diskx-l10n').count(), 0);
      assert.deepEqual(ja.problems, []);
    } finally {
      await ja.close();
      await en.close();
    }
  });

  test("the field editor's check of a typed value speaks Japanese (the core parser's message template)", async () => {
    const ja = await openInHarness(suite.browser, suite.server, image, undefined, undefined, { strings: JA });
    try {
      const { page } = ja;
      await waitReady(page, 30_000);
      await page.locator('[data-node-id="slot-0"]').click();
      const name = page.locator('vscode-tree-item[data-node-id="slot-0.PartitionName"]');
      await name.waitFor();
      await name.dblclick();
      const input = page.locator('#field-editor-input');
      await input.waitFor({ state: 'visible' });
      await input.fill('x'.repeat(36));
      assert.equal(await page.locator('#field-editor-message').textContent(), '36 / 36 コード単位');
      await input.press('Escape');
      await page.locator('[data-node-id="primary-header"]').click();
      const first = page.locator('vscode-tree-item[data-node-id="primary-header.FirstUsableLBA"]');
      await first.waitFor();
      await first.dblclick();
      await input.waitFor({ state: 'visible' });
      await input.fill('abc');
      assert.match((await page.locator('#field-editor-message').textContent()) ?? '', /: "abc" は整数 \(10 進数、または 0x を付けた 16 進数\) ではありません$/);
      assert.deepEqual(ja.problems, []);
    } finally {
      await ja.close();
    }
  });
});
