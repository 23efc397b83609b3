// The editor's disk map in a real browser (issue 18 item 5), at 640 and 1920
// px: every area of the host's map is drawn, in order and inside the bar; a
// click on a partition selects it in the tree and its entry in the hex; the
// keyboard reaches it with Tab and moves with the arrows; Enter selects; the
// table is the text alternative; the map collapses, and stays so. Skipped with a reason where
// chromium is missing, except in CI.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeEsxi5Image } from '../builders/images';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';

const skip = skipUnless(browserUnavailable(), 'disk map browser tests');

const TiB = 1024 ** 4;
/** Slot 3 of the primary array: bootbank on the compacted disk (partition 4). */
const SLOT3_ENTRY = 1024 + 3 * 128;

/** Polled from Node: page.waitForFunction with a string is eval inside the page, which the CSP refuses. */
async function until(page: Page, script: string, expected: unknown, what: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    last = await page.evaluate(script);
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`${what}: ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
}

const FOCUSED_AREA = `document.activeElement && document.activeElement.dataset && document.activeElement.dataset.areaId || null`;
const SELECTED_NODE = `(document.querySelector('vscode-tree-item[selected]') || { dataset: {} }).dataset.nodeId || null`;

describe('the disk map in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-map-browser-');
  let image: string;

  before(() => {
    image = writeEsxi5Image(path.join(suite.dir, 'esxi-compacted-2t.img'), { compacted: true, sizeBytes: 2 * TiB });
  });

  async function open(width: number): Promise<OpenedPage> {
    const o = await suite.open(image, { bytesPerRow: 16 }, { width, height: 700 });
    await waitReady(o.page);
    return o;
  }

  for (const width of [640, 1920]) {
    test(`${width} px: every area drawn in LBA order inside the bar, each at least 1 px wide, labels from the host`, async () => {
      const { page, session, problems } = await open(width);
      const map = (await session.initMessage({ bytesPerRow: 16 })).map!;
      const bar = (await page.locator('#disk-map-bar').boundingBox())!;
      assert.ok(bar.width <= width, 'the map never needs a horizontal scrollbar');
      const drawn = await page.locator('#disk-map-bar .map-area').evaluateAll((nodes) =>
        nodes.map((n) => {
          const r = n.getBoundingClientRect();
          const e = n as unknown as {
            dataset: Record<string, string>;
            querySelector(s: string): { textContent: string } | null;
            getAttribute(a: string): string | null;
          };
          return {
            id: e.dataset.areaId!,
            left: r.left,
            right: r.right,
            top: r.top,
            label: e.querySelector('.map-label')!.textContent,
            aria: e.getAttribute('aria-label'),
          };
        }),
      );
      assert.deepEqual(
        drawn.map((d) => d.id),
        [...map.areas].sort((a, b) => a.firstLba - b.firstLba || a.lane - b.lane).map((a) => a.id),
      );
      for (const d of drawn) {
        assert.ok(d.left >= bar.x - 0.5 && d.right <= bar.x + bar.width + 0.5, `${d.id} inside the bar`);
        assert.ok(d.right - d.left >= 1, `${d.id} is ${d.right - d.left} px wide`);
      }
      const lane0 = drawn.filter((d) => map.areas.find((a) => a.id === d.id)!.lane === 0);
      for (let i = 1; i < lane0.length; i++) assert.ok(lane0[i]!.left >= lane0[i - 1]!.left, 'left to right in LBA order');
      const bootbank = drawn.find((d) => d.id === 'partition-4')!;
      assert.equal(bootbank.label, '4 bootbank');
      assert.match(bootbank.aria!, /^Partition 4 \(slot 3\), ESXi bootbank/);
      // A partition is at least 16 px wide even beside the 2 TiB datastore.
      assert.ok(bootbank.right - bootbank.left >= 16, `bootbank ${bootbank.right - bootbank.left} px`);
      // The error is marked on the array and on the moved partition.
      assert.equal(await page.locator('#disk-map-bar [data-area-id="primary-array"].sev-error .map-finding').count(), 1);
      assert.equal(await page.locator('#disk-map-bar [data-area-id="partition-4"].sev-error').count(), 1);
      assert.deepEqual(problems, []);
    });
  }

  test('a click on a partition selects it in the tree and its entry in the hex; the tree selecting a slot selects its area', async () => {
    const { page } = suite.opened[0] ?? (await open(640));
    await page.locator('#disk-map-bar [data-area-id="partition-4"]').click();
    await until(page, SELECTED_NODE, 'partition-4', 'tree selection');
    await page.waitForSelector(`.hex-byte.selected[data-offset="${SLOT3_ENTRY}"], .hex-byte.selected[data-offset]`, { timeout: 5000 });
    const selected = await page
      .locator('.hex-byte.selected')
      .evaluateAll((cells) => cells.map((c) => Number((c as unknown as { dataset: Record<string, string> }).dataset.offset)));
    assert.ok(selected.length > 0 && Math.min(...selected) === SLOT3_ENTRY, `selection starts at ${Math.min(...selected)}`);
    assert.equal(await page.locator('#disk-map-bar [data-area-id="partition-4"][aria-selected="true"]').count(), 1);
    // Go-to the MBR: the map follows the selection.
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: 0 }, '*')`);
    await until(page, `document.querySelector('#disk-map-bar [aria-selected="true"]').dataset.areaId`, 'mbr', 'map follows the cursor');
  });

  test('keyboard: Tab from the toggle enters the bar on the selected area, arrows move, Enter selects, Shift+Enter goes to the first sector', async () => {
    const o = suite.opened[1] ?? (await open(1920));
    const { page } = o;
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: 0 }, '*')`);
    await page.locator('#disk-map-toggle').focus();
    await page.keyboard.press('Tab'); // the table toggle
    await page.keyboard.press('Tab'); // into the bar: the one area with tabindex 0
    await until(page, FOCUSED_AREA, 'mbr', 'Tab enters the bar');
    await page.keyboard.press('ArrowRight');
    await until(page, FOCUSED_AREA, 'primary-header', 'ArrowRight');
    await page.keyboard.press('End');
    await until(page, FOCUSED_AREA, 'backup-header', 'End');
    await page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await until(page, FOCUSED_AREA, 'partition-1', 'four to the right of the MBR (header, array, gap)');
    await page.keyboard.press('Enter');
    await until(page, SELECTED_NODE, 'partition-1', 'Enter selects in the tree');
    // Shift+Enter: the partition's first sector (LBA 64) in the hex.
    await page.keyboard.press('Shift+Enter');
    await page.waitForSelector(`.hex-row[data-offset="${64 * 512}"]:not(.loading) .hex-byte.selected`, { timeout: 5000 });
    // The keys stayed in the map (the hex did not move its cursor on the arrows).
    await until(page, FOCUSED_AREA, 'partition-1', 'focus stays');
    assert.deepEqual(o.problems, []);
  });

  test('the table lists every area for screen readers, shown on request; the map collapses and opens again', async () => {
    const { page, session } = suite.opened[1] ?? (await open(1920));
    const map = (await session.initMessage({ bytesPerRow: 16 })).map!;
    const rows = await page
      .locator('#disk-map-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { children: ArrayLike<{ textContent: string }> }).children, (td) => td.textContent)));
    assert.equal(rows.length, map.areas.length);
    const bootbank = rows.find((r) => r[0] === 'Partition 4 (slot 3)')!;
    assert.deepEqual(bootbank.slice(1), ['8224', '520191', '250 MiB', 'esxi-slot-compacted']);
    assert.match((await page.locator('#disk-map-bar').getAttribute('aria-label'))!, /^Disk map: GPT disk · 2 TiB · 7 partitions/);
    assert.ok(((await page.locator('#disk-map-table-box').boundingBox())?.height ?? 0) <= 1, 'visually hidden at first');
    await page.locator('#disk-map-table-toggle').click();
    assert.equal(await page.locator('#disk-map-table-toggle').getAttribute('aria-pressed'), 'true');
    assert.ok((await page.locator('#disk-map-table-box').boundingBox())!.height > 100, 'shown on request');
    await page.locator('#disk-map-table-toggle').click();
    const before = (await page.locator('#disk-map').boundingBox())!.height;
    await page.locator('#disk-map-toggle').click();
    assert.equal(await page.locator('#disk-map-toggle').getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#disk-map-bar').isVisible(), false);
    assert.ok((await page.locator('#disk-map').boundingBox())!.height < before - 20, 'collapsed: the bar gives its height back');
    // Remembered in the webview's state: still collapsed after the page is made again (a hidden tab restored).
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator('#disk-map-toggle').getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#disk-map-bar').isVisible(), false);
    await page.locator('#disk-map-toggle').click();
    assert.equal(await page.locator('#disk-map-bar').isVisible(), true);
  });
});
