// README screenshots of the editor at 800 px in a light, a dark and a high
// contrast theme, and of the disk map on the sample image `npm start` makes
// (src/app/sampleImage.ts). The harness page gets the body class and a few of
// the --vscode-* colours VS Code's default themes set (through the CSSOM, which
// the page's CSP allows), so what is checked is that the panes take every
// colour from the theme: the map's areas change colour with it, and the high
// contrast theme draws their borders. Skipped with a reason where chromium is
// missing, except in CI.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeEsxi5Sample } from '../../src/app/sampleImage';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import { THEMES, applyTheme } from './themes';
import { screenshotPath } from '../builders/screenshots';

const skip = skipUnless(browserUnavailable(), 'theme screenshots');

describe('README screenshots in three themes', { skip }, () => {
  const suite = browserSuite('diskx-shots-');
  let sample: string;

  before(() => {
    sample = writeEsxi5Sample(path.join(suite.dir, 'esxi5-compacted.img'), { compacted: true });
  });

  test('the editor at 800 px: light, dark and high contrast; the map takes its colours and borders from the theme', async () => {
    const o = await suite.open(sample, { bytesPerRow: 16 }, { width: 800, height: 600 });
    const { page } = o;
    await waitReady(page);
    const look = (): Promise<{ background: string; border: string }> =>
      page.locator('#disk-map-bar [data-area-id="partition-1"]').evaluate((n) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; borderTopStyle: string } }).getComputedStyle(n);
        return { background: s.backgroundColor, border: s.borderTopStyle };
      });
    const seen: Record<string, { background: string; border: string }> = {};
    for (const name of Object.keys(THEMES)) {
      await applyTheme(page, name);
      seen[name] = await look();
      await page.screenshot({ path: screenshotPath(`editor-800-${name}.png`) });
      if (name === 'light') await page.locator('#disk-map').screenshot({ path: screenshotPath('disk-map.png') });
    }
    assert.notEqual(seen.light!.background, seen.dark!.background, 'the map follows the theme');
    assert.equal(seen['high-contrast']!.border, 'solid', 'high contrast: areas have borders');
    assert.deepEqual(o.problems, []);
  });
});
