// Part of `npm run bench:editor`: the save of a one-byte change, Ctrl+S to a clean
// tab, in the same code-server workbench. Each round jumps to a byte no structure
// covers, types two hex digits over it (the tab turns dirty), then presses
// Ctrl+S; the time runs from that key's keydown in the webview to the moment the
// workbench takes the tab's dirty mark off (a MutationObserver in the page), both
// as epoch times on this one machine. The webview's own "saved" state is timed too.
//
// No other hex editor is installed in this workbench, so the baselines are the
// figures of issue 19, measured the same way on this machine before the save was
// cut down: ours 106 ms, Microsoft's Hex Editor 58 ms.
import type { Frame, Page } from 'playwright-core';

/** Ctrl+S to clean tab before this work (issue 19). */
export const PREVIOUS_SAVE_MS = 106;
/** Microsoft's Hex Editor, the same measurement (issue 19). */
export const PEER_SAVE_MS = 58;

interface PageGlobals {
  performance: { now(): number; timeOrigin: number };
  document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; classList: { contains(name: string): boolean } }> };
  MutationObserver: new (callback: () => void) => {
    observe(target: unknown, options: { attributes: boolean; subtree: boolean; attributeFilter: string[] }): void;
    disconnect(): void;
  };
  __diskxClean?: number;
}

/** Watches the tab of `name`: records (epoch ms) when it stops being dirty. */
async function armCleanTab(page: Page, name: string): Promise<void> {
  await page.evaluate((tabName) => {
    const g = globalThis as unknown as PageGlobals;
    g.__diskxClean = 0;
    const tab = () => Array.from(g.document.querySelectorAll('.tabs-container .tab')).find((t) => (t.textContent ?? '').includes(tabName));
    const observer = new g.MutationObserver(() => {
      const t = tab();
      if (t && !t.classList.contains('dirty')) {
        g.__diskxClean = g.performance.timeOrigin + g.performance.now();
        observer.disconnect();
      }
    });
    observer.observe((globalThis as unknown as { document: unknown }).document, { attributes: true, subtree: true, attributeFilter: ['class'] });
  }, name);
}

/** Records in the webview (epoch ms) the next Ctrl+S keydown and the moment the view shows the document saved. */
async function armWebview(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const g = globalThis as unknown as {
      performance: { now(): number; timeOrigin: number };
      document: { body: { dataset: Record<string, string | undefined> } };
      addEventListener(type: string, listener: (event: { key: string; ctrlKey: boolean; timeStamp: number }) => void, options: { capture: boolean }): void;
      MutationObserver: PageGlobals['MutationObserver'];
      __diskxSave?: { key: number; saved: number };
    };
    const state = { key: 0, saved: 0 };
    g.__diskxSave = state;
    g.addEventListener(
      'keydown',
      (event) => {
        if (!state.key && event.ctrlKey && event.key.toLowerCase() === 's') state.key = g.performance.timeOrigin + event.timeStamp;
      },
      { capture: true },
    );
    const observer = new g.MutationObserver(() => {
      if (state.key && g.document.body.dataset.dirty === 'false') {
        state.saved = g.performance.timeOrigin + g.performance.now();
        observer.disconnect();
      }
    });
    observer.observe(g.document.body, { attributes: true, subtree: false, attributeFilter: ['data-dirty'] });
  });
}

async function waitUntil<T>(page: Page, what: string, read: () => Promise<T | null | 0>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(10);
  }
}

/** `rounds` one-byte saves at `offsets` of image `name` (open in `frame`): ms from Ctrl+S to a clean tab, and to the view saying saved. */
export async function measureSaves(page: Page, frame: Frame, name: string, offsets: number[]): Promise<{ cleanTab: number[]; viewSaved: number[] }> {
  const cleanTab: number[] = [];
  const viewSaved: number[] = [];
  // tsx (esbuild keepNames) wraps named functions in __name(); give both documents one.
  for (const target of [page, frame]) await target.evaluate('globalThis.__name = globalThis.__name || ((fn) => fn)');
  for (const [round, offset] of offsets.entries()) {
    await frame.evaluate(
      (o) => (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage({ type: 'test:goto', offset: o }, '*'),
      offset,
    );
    await page.waitForTimeout(150);
    await frame.locator('#hex').focus();
    const digits = (round % 255) + 1;
    await page.keyboard.press(((digits >> 4) & 15).toString(16));
    await page.keyboard.press((digits & 15).toString(16));
    await frame.waitForSelector('body[data-dirty="true"]', { timeout: 15_000 });
    await waitUntil(page, 'the tab to turn dirty', () =>
      page.evaluate((tabName) => {
        const g = globalThis as unknown as PageGlobals;
        return Array.from(g.document.querySelectorAll('.tabs-container .tab')).some(
          (t) => (t.textContent ?? '').includes(tabName) && t.classList.contains('dirty'),
        );
      }, name),
    );
    await page.waitForTimeout(200); // let the edit's own traffic settle
    await armCleanTab(page, name);
    await armWebview(frame);
    await page.keyboard.press('Control+s');
    const clean = await waitUntil(page, 'the tab to be clean', () => page.evaluate(() => (globalThis as unknown as PageGlobals).__diskxClean ?? 0));
    const view = await waitUntil(page, 'the view to show the save', () =>
      frame.evaluate(() => {
        const state = (globalThis as unknown as { __diskxSave?: { key: number; saved: number } }).__diskxSave;
        return state && state.key && state.saved ? state : null;
      }),
    );
    cleanTab.push(clean - view.key);
    viewSaved.push(view.saved - view.key);
  }
  return { cleanTab, viewSaved };
}
