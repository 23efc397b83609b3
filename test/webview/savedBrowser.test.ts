// After a save the host sends the views only the new edit state (`edits`): the
// file holds the bytes they show, so their tree, spans and cached bytes stand.
// In the built webview, in a real browser, against the real session: the edited
// mark goes, the toolbar says saved, the tree is the same elements, and the next
// change (an undo) brings the whole `update` again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readAt } from '../builders/oracles';
import { browserSuite, browserUnavailable, openInHarness, skipUnless, waitReady } from './harness';
import { twoPartitionDisk } from './images';

const skip = skipUnless(browserUnavailable(), 'saved browser tests');
const MiB = 1024 * 1024;

type PageDocument = {
  querySelector(selector: string): ({ textContent: string | null } & Record<string, unknown>) | null;
  body: { dataset: Record<string, string | undefined> };
};
type PageWindow = { document: PageDocument; postMessage(m: unknown, t: string): void; __diskxTreeNode?: unknown };

const post = (page: Page, message: unknown): Promise<void> => page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(m, '*'), message);

describe('the webview after a save', { skip }, () => {
  const suite = browserSuite('diskx-saved-');

  test('a one-byte save sends only the edit state: the mark goes, the tree stays; an undo sends the whole model again', async () => {
    const file = twoPartitionDisk(path.join(suite.dir, 'saved.img'));
    const o = await openInHarness(suite.browser, suite.server, file);
    try {
      const { page } = o;
      await waitReady(page);
      const at = 3 * MiB + 5;
      await post(page, { type: 'test:goto', offset: at });
      await page.waitForSelector(`.hex-byte.cursor[data-offset="${at}"]`);
      await page.locator('#hex').focus();
      await page.keyboard.press('c');
      await page.keyboard.press('3');
      await page.waitForSelector(`.hex-row[data-offset="${at - (at % 16)}"] .hex-byte.edited`);
      assert.equal(o.edits.length, 1);
      // Mark a tree element: an `update` rebuilds the tree, an `edits` message leaves it alone.
      await page.evaluate(() => {
        const w = globalThis as unknown as PageWindow;
        w.__diskxTreeNode = w.document.querySelector('[data-node-id="slot-0"]');
      });

      await o.session.save();
      assert.equal(readAt(file, at, 1)[0], 0xc3);
      const saved = await o.session.updateMessage('Saved: Type 1 byte');
      assert.equal(saved.type, 'edits');
      assert.deepEqual(Object.keys(saved).sort(), ['edits', 'notice', 'type'], 'no tree, spans, bytes or map');
      await post(page, saved);
      await page.waitForSelector('body[data-dirty="false"]');
      const row = page.locator(`.hex-row[data-offset="${at - (at % 16)}"]`);
      await page.waitForFunction(
        (start) => {
          const found = (
            globalThis as unknown as { document: { querySelector(s: string): { querySelector(s: string): unknown } | null } }
          ).document.querySelector(`.hex-row[data-offset="${start}"]`);
          return found !== null && found.querySelector('.edited') === null;
        },
        at - (at % 16),
      );
      assert.match((await row.locator('.bytes').textContent()) ?? '', /^00 00 00 00 00 C3/, 'the byte shown is the saved one');
      assert.match((await page.locator('#edits').textContent()) ?? '', /Repairs saved/);
      assert.equal(
        await page.evaluate(() => {
          const w = globalThis as unknown as PageWindow;
          return w.__diskxTreeNode === w.document.querySelector('[data-node-id="slot-0"]');
        }),
        true,
        'the tree was not rebuilt',
      );

      // The next change is an edit again: the whole model goes out.
      assert.ok(await o.session.undo(o.edits[0]!));
      const undone = await o.session.updateMessage('Undone');
      assert.equal(undone.type, 'update');
      assert.deepEqual(o.problems, []);
    } finally {
      await o.close();
    }
  });
});
