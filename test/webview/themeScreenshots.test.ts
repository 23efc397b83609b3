// README screenshots of the editor at 800 px in a light, a dark and a high
// contrast theme, and of the disk map on the sample image `npm start` makes
// (src/app/sampleImage.ts). The harness page gets the body class and a few of
// the --vscode-* colours VS Code's default themes set (through the CSSOM, which
// the page's CSP allows), so what is checked is that the panes take every
// colour from the theme: the map's areas change colour with it, and the high
// contrast theme draws their borders. Skipped with a reason where chromium is
// missing, except in CI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { writeEsxi5Sample } from '../../src/app/sampleImage';
import { tempDir } from '../builders/images';
import { CHROMIUM, CHROMIUM_ARGS, browserUnavailable, openInHarness, startHarnessServer } from './harness';
import type { HarnessServer, OpenedPage } from './harness';
import { THEMES, applyTheme } from './themes';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('theme screenshots need chromium in CI', () => assert.fail(`cannot run: ${unavailable}`));
const skip = unavailable ? `skipped: ${unavailable}` : false;
const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

describe('README screenshots in three themes', { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let sample: string;
  const opened: OpenedPage[] = [];

  before(async () => {
    sample = writeEsxi5Sample(path.join(tempDir('diskx-shots-'), 'esxi5-compacted.img'), { compacted: true });
    server = await startHarnessServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    fs.mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    for (const o of opened) await o.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  test('the editor at 800 px: light, dark and high contrast; the map takes its colours and borders from the theme', async () => {
    const o = await openInHarness(browser, server, sample, { bytesPerRow: 16 }, { width: 800, height: 600 });
    opened.push(o);
    const { page } = o;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    const look = (): Promise<{ background: string; border: string }> =>
      page.locator('#disk-map-bar [data-area-id="partition-1"]').evaluate((n) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; borderTopStyle: string } }).getComputedStyle(n);
        return { background: s.backgroundColor, border: s.borderTopStyle };
      });
    const seen: Record<string, { background: string; border: string }> = {};
    for (const name of Object.keys(THEMES)) {
      await applyTheme(page, name);
      seen[name] = await look();
      await page.screenshot({ path: path.join(shots, `editor-800-${name}.png`) });
      if (name === 'light') await page.locator('#disk-map').screenshot({ path: path.join(shots, 'disk-map.png') });
    }
    assert.notEqual(seen.light!.background, seen.dark!.background, 'the map follows the theme');
    assert.equal(seen['high-contrast']!.border, 'solid', 'high contrast: areas have borders');
    assert.deepEqual(o.problems, []);
  });
});
