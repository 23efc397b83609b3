// The comparison's disk maps in a real browser (issue 18 item 5): A's and B's
// bars on one scale, the compacted ESXi case's moved partitions linked "4 → 5"
// between them, a click on a link or an area bringing its LBA into both hex
// views, a grown disk hatched past the smaller one's end, no overflow at 640 px,
// and the maps' collapsed state kept across a reload. Skipped with a reason where chromium is missing, except in CI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { skipUnless } from './harness';
import { compareSuite, compareUnavailable as unavailable, waitReady } from './compareHarness';
import { screenshotPath } from '../builders/screenshots';

const skip = skipUnless(unavailable, 'compare map browser tests');
const GiB = 1024 ** 3;

/** Left and right edges of the elements matching `selector`, by data-area-id. */
async function edges(page: Page, selector: string): Promise<Map<string, { left: number; right: number }>> {
  const list = await page.locator(selector).evaluateAll((nodes) =>
    nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { id: (n as unknown as { dataset: Record<string, string> }).dataset.areaId ?? '', left: r.left, right: r.right };
    }),
  );
  return new Map(list.map((e) => [e.id, { left: e.left, right: e.right }]));
}

describe('the comparison disk maps in a real browser', { skip }, () => {
  const suite = compareSuite('diskx-compare-map-');

  for (const width of [640, 1500]) {
    test(`${width} px: the compacted disk (A) over the healthy one (B), partitions 4..7 of A linked to 5..8 of B at their common LBA`, async () => {
      const a = writeEsxi5Image(path.join(suite.dir, `compacted-${width}.img`), { compacted: true });
      const b = writeEsxi5Image(path.join(suite.dir, `healthy-${width}.img`));
      const o = await suite.open(a, b, { viewport: { width, height: 800 } });
      const { page } = o;
      await waitReady(page);
      await page.waitForSelector('#map-links .map-link');
      const chips = await page.locator('#map-links .map-link').evaluateAll((nodes) =>
        nodes.map((n) => {
          const r = n.getBoundingClientRect();
          return { text: n.textContent, aria: n.getAttribute('aria-label'), centre: (r.left + r.right) / 2, right: r.right };
        }),
      );
      assert.deepEqual(
        chips.map((c) => c.text),
        ['4 → 5', '5 → 6', '6 → 7', '7 → 8'],
      );
      assert.equal(chips[0]!.aria, 'Partition 4 of A is partition 5 of B: both start at LBA 8224');
      const onA = await edges(page, '#map-a-bar .map-area');
      const onB = await edges(page, '#map-b-bar .map-area');
      // Same scale: the same LBA at the same x; the link's chip sits over both areas.
      for (const [n, m] of [
        [4, 5],
        [7, 8],
      ] as const) {
        const [areaA, areaB] = [onA.get(`partition-${n}`)!, onB.get(`partition-${m}`)!];
        assert.ok(Math.abs(areaA.left - areaB.left) < 0.5 && Math.abs(areaA.right - areaB.right) < 0.5, `partition ${n} of A over ${m} of B`);
      }
      const bootbank = onA.get('partition-4')!;
      assert.ok(Math.abs(chips[0]!.centre - (bootbank.left + bootbank.right) / 2) < 1, 'the chip is over its partitions');
      const bar = (await page.locator('#map-a-bar').boundingBox())!;
      assert.ok(bar.x + bar.width <= width, 'no overflow');
      // The link brings LBA 8224 into both hex views and selects both partitions.
      await page.locator('#map-links .map-link').first().click();
      await page.waitForSelector(`#hex-a .hex-row[data-offset="${8224 * 512}"]:not(.loading)`, { timeout: 10_000 });
      await page.waitForSelector(`#hex-b .hex-row[data-offset="${8224 * 512}"]:not(.loading)`, { timeout: 10_000 });
      assert.equal(await page.locator('#map-a-bar [data-area-id="partition-4"][aria-selected="true"]').count(), 1);
      assert.equal(await page.locator('#map-b-bar [data-area-id="partition-5"][aria-selected="true"]').count(), 1);
      // An area click: its twin in the other map is selected too.
      await page.locator('#map-b-bar [data-area-id="partition-8"]').click();
      assert.equal(await page.locator('#map-a-bar [data-area-id="partition-7"][aria-selected="true"]').count(), 1);
      if (width === 1500) {
        await page.locator('#compare-maps').screenshot({ path: screenshotPath('compare-maps.png') });
      }
      assert.deepEqual(o.problems, []);
    });
  }

  test("a grown disk: A ends early on B's scale, hatched past its end, and the note explains", async () => {
    const spec = (sectors: bigint) => ({
      sectorSize: 512,
      totalSectors: sectors,
      diskGuid: testGuid(5),
      slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 1048575n, name: 'data' }],
    });
    const a = writeGptImage(path.join(suite.dir, 'small.img'), spec(BigInt(GiB / 512)));
    const b = writeGptImage(path.join(suite.dir, 'large.img'), spec(BigInt((4 * GiB) / 512)));
    const o = await suite.open(a, b);
    await waitReady(o.page);
    await o.page.waitForSelector('#map-a-bar .map-area');
    assert.match((await o.page.locator('#compare-maps-note').textContent())!, /^A is 1 GiB and B 4 GiB/);
    assert.equal(await o.page.locator('#map-a-bar .map-beyond').count(), 1);
    assert.equal(await o.page.locator('#map-b-bar .map-beyond').count(), 0);
    const [onA, onB] = [await edges(o.page, '#map-a-bar .map-area'), await edges(o.page, '#map-b-bar .map-area')];
    assert.ok(Math.abs(onA.get('partition-1')!.left - onB.get('partition-1')!.left) < 0.5);
    assert.equal(await o.page.locator('#map-links .map-link').count(), 0);
    assert.deepEqual(o.problems, []);
  });

  test('the maps collapsed stay collapsed after a reload (webview state, beside the two paths); expanded again, they stay so', async () => {
    const a = writeEsxi5Image(path.join(suite.dir, 'collapse-a.img'), { compacted: true });
    const b = writeEsxi5Image(path.join(suite.dir, 'collapse-b.img'));
    const o = await suite.open(a, b);
    const { page } = o;
    await waitReady(page);
    const collapsed = async (): Promise<{ cls: boolean; expanded: string | null; bodyShown: boolean }> => ({
      cls: await page.locator('#compare-maps').evaluate((n) => n.classList.contains('collapsed')),
      expanded: await page.locator('#compare-maps-toggle').getAttribute('aria-expanded'),
      bodyShown: await page.locator('#compare-maps-body').isVisible(),
    });
    assert.deepEqual(await collapsed(), { cls: false, expanded: 'true', bodyShown: true });
    await page.locator('#compare-maps-toggle').click();
    assert.deepEqual(await collapsed(), { cls: true, expanded: 'false', bodyShown: false });
    assert.deepEqual(await page.evaluate('window.__diskxState'), { a, b, panes: { maps: { collapsed: true } } });
    await page.reload();
    await waitReady(page);
    assert.deepEqual(await collapsed(), { cls: true, expanded: 'false', bodyShown: false });
    assert.deepEqual(await page.evaluate('window.__diskxState'), { a, b, panes: { maps: { collapsed: true } } }, 'the paths are kept too');
    await page.locator('#compare-maps-toggle').click();
    await page.reload();
    await waitReady(page);
    assert.deepEqual(await collapsed(), { cls: false, expanded: 'true', bodyShown: true });
    assert.deepEqual(o.problems, []);
  });
});
