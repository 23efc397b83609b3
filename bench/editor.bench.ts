// `npm run bench:editor`: the custom editor in a real browser, through code-server
// (a real VS Code workbench with our extension installed, installed on first use;
// see scripts/codeServer.mjs) driven by Debian's headless Chromium. Prints numbers;
// never fails. Goals from issue 5, item 10: open to tree + hex painted under 300 ms,
// frames under 16 ms while jumping and scrolling anywhere in a 2 TiB sparse image.
//
// What is measured:
// - open: wall time from the double-click in the Explorer to the webview's
//   `performance.mark('diskx-ready')` (tree and first hex rows painted), taken as
//   epoch times on this one machine. The first open also pays for activating the
//   extension; later opens (the editor closed in between) are the steady state.
// - jump: `test:goto` (what Ctrl+G does) to random offsets across the 2 TiB image:
//   time until that row is painted with its bytes (a round trip to the host).
// - frame work: every requestAnimationFrame callback of the webview is timed,
//   including the style and layout it causes (forced at the callback's end), while
//   jumping, wheel-scrolling and dragging the scrollbar to random places. This is
//   the work a frame has to fit into 16 ms; the browser's own frame interval in
//   headless mode (vsync-paced) is printed alongside.
// - save: a one-byte change, Ctrl+S to clean tab (bench/editorSave.ts), next to the
//   figures of issue 19 (ours before, Microsoft's Hex Editor).
import fs from 'node:fs';
import { crc32 } from '../src/shared/crc32';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Frame, Page } from 'playwright-core';
import { writeEsxi5Sample } from '../scripts/sampleImages';
import { openFromExplorer, openWorkbench, runCommand, tempWorkspace } from '../test/e2e/workbench';
import { measureSaves, PEER_SAVE_MS, PREVIOUS_SAVE_MS } from './editorSave';

const TiB = 1024 ** 4;
const IMAGE = 'esxi5-2tib.img';
const PNG_FILE = 'baseline.png';
const OPENS = Math.max(2, Number(process.env.BENCH_OPENS ?? 8) || 8);
const JUMPS = Math.max(5, Number(process.env.BENCH_JUMPS ?? 40) || 40);
const SAVES = Math.max(3, Number(process.env.BENCH_SAVES ?? 9) || 9);
const GOAL_OPEN_MS = 300;
const GOAL_FRAME_MS = 16;

interface Globals {
  performance: { now(): number; timeOrigin: number; getEntriesByName(name: string): { startTime: number }[] };
  requestAnimationFrame(callback: (time: number) => void): number;
  document: {
    body: { dataset: Record<string, string | undefined>; offsetHeight: number };
    querySelector(selector: string): { scrollTop: number; scrollHeight: number; clientHeight: number; classList: { contains(name: string): boolean } } | null;
  };
  dispatchEvent(event: unknown): boolean;
  MessageEvent: new (type: string, init: { data: unknown }) => unknown;
  __diskxBench?: { work: number[]; intervals: number[]; recording: boolean; raf(callback: (time: number) => void): number };
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function line(label: string, samples: number[], goal?: number): string {
  const median = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  const verdict =
    goal === undefined
      ? ''
      : p95 <= goal
        ? `  (goal < ${goal} ms: met at p95)`
        : median <= goal
          ? `  (goal < ${goal} ms: median meets it, p95 does not)`
          : `  (goal < ${goal} ms: NOT met)`;
  return `  ${label.padEnd(46)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   max ${Math.max(...samples)
    .toFixed(1)
    .padStart(7)} ms   n=${samples.length}${verdict}`;
}

/** Times every requestAnimationFrame callback (plus the layout it causes) in the webview. */
async function instrumentFrames(frame: Frame): Promise<void> {
  // tsx (esbuild keepNames) wraps named functions in __name(); give the page one.
  await frame.evaluate('globalThis.__name = globalThis.__name || ((fn) => fn)');
  await frame.evaluate(() => {
    const g = globalThis as unknown as Globals;
    if (g.__diskxBench) return;
    const original = g.requestAnimationFrame.bind(globalThis);
    // The benchmark's own polling uses `raf` (not timed); the webview's callbacks are timed.
    const state = { work: [] as number[], intervals: [] as number[], recording: false, raf: original };
    g.__diskxBench = state;
    g.requestAnimationFrame = (callback) =>
      original((time) => {
        const started = g.performance.now();
        callback(time);
        void g.document.body.offsetHeight; // include the style/layout this frame's DOM changes cost
        if (state.recording) state.work.push(g.performance.now() - started);
      });
    let last = 0;
    const tick = (time: number) => {
      if (state.recording && last) state.intervals.push(time - last);
      last = time;
      original(tick);
    };
    original(tick);
  });
}

async function record(frame: Frame, on: boolean): Promise<{ work: number[]; intervals: number[] }> {
  return frame.evaluate((recording) => {
    const state = (globalThis as unknown as Globals).__diskxBench!;
    state.recording = recording;
    const taken = { work: state.work, intervals: state.intervals };
    if (recording) {
      state.work = [];
      state.intervals = [];
    }
    return taken;
  }, on);
}

/** Finds the webview frame that has painted (body[data-ready]), with its ready time as an epoch ms. */
async function waitReady(
  page: Page,
  after: number,
  timeoutMs = 60_000,
): Promise<{ frame: Frame; readyEpoch: number; inWebview: number; originEpoch: number; marks: { start: number; init: number; tree: number } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const ready = await frame
        .evaluate(() => {
          const g = globalThis as unknown as Globals;
          if (g.document.body?.dataset.ready !== 'true') return null;
          const mark = g.performance.getEntriesByName('diskx-ready')[0];
          // No named helper here: tsx would wrap it in __name(), which the page does not have.
          const [start, init, tree] = ['diskx-start', 'diskx-init', 'diskx-tree'].map((name) => g.performance.getEntriesByName(name)[0]?.startTime ?? NaN);
          return mark
            ? {
                readyEpoch: g.performance.timeOrigin + mark.startTime,
                inWebview: mark.startTime,
                originEpoch: g.performance.timeOrigin,
                marks: { start: start!, init: init!, tree: tree! },
              }
            : null;
        })
        .catch(() => null);
      if (ready && ready.readyEpoch >= after) return { frame, ...ready };
    }
    if (Date.now() > deadline) throw new Error(`the editor did not become ready within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(20);
  }
}

/** Jumps like Ctrl+G; resolves with ms until the target row is painted with bytes. */
async function jump(frame: Frame, offset: number): Promise<number> {
  return frame.evaluate(
    (target) =>
      new Promise<number>((resolve, reject) => {
        const g = globalThis as unknown as Globals;
        const started = g.performance.now();
        g.dispatchEvent(new g.MessageEvent('message', { data: { type: 'test:goto', offset: target } }));
        const row = Math.floor(target / 16) * 16;
        const poll = () => {
          const element = g.document.querySelector(`#hex .hex-row[data-offset="${row}"]`);
          if (element && !element.classList.contains('loading')) resolve(g.performance.now() - started);
          else if (g.performance.now() - started > 10_000) reject(new Error(`row ${row} never painted`));
          else g.__diskxBench!.raf(poll);
        };
        g.__diskxBench!.raf(poll);
      }),
    offset,
  );
}

/** Sets the scrollbar to `fraction` of its range; resolves with ms until no visible row is loading. */
async function dragScrollbar(frame: Frame, fraction: number): Promise<number> {
  return frame.evaluate(
    (at) =>
      new Promise<number>((resolve) => {
        const g = globalThis as unknown as Globals;
        const scroller = g.document.querySelector('#hex-scroller')!;
        const started = g.performance.now();
        scroller.scrollTop = Math.floor(at * (scroller.scrollHeight - scroller.clientHeight));
        const poll = () => {
          const loading = g.document.querySelector('#hex .hex-row.loading');
          if (!loading || g.performance.now() - started > 10_000) resolve(g.performance.now() - started);
          else g.__diskxBench!.raf(poll);
        };
        g.__diskxBench!.raf(() => g.__diskxBench!.raf(poll));
      }),
    fraction,
  );
}

/** Records, in the workbench page, when the next pointer press happens (epoch ms): the user's click. */
async function armClick(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      __diskxClick?: number;
      performance: { timeOrigin: number };
      addEventListener(type: string, listener: (event: { timeStamp: number }) => void, options: { capture: boolean; once: boolean }): void;
    };
    g.__diskxClick = 0;
    g.addEventListener('pointerdown', (event) => (g.__diskxClick = g.performance.timeOrigin + event.timeStamp), { capture: true, once: true });
  });
}

async function clickEpoch(page: Page): Promise<number> {
  const at = await page.evaluate(() => (globalThis as unknown as { __diskxClick?: number }).__diskxClick ?? 0);
  if (!at) throw new Error('the click in the Explorer was not seen');
  return at;
}

/** A valid 64x64 RGB PNG (a gradient), written with Node's zlib: the baseline's file. */
function writePng(file: string): void {
  // PNG chunks carry the same CRC-32 as GPT.
  const crc = (bytes: Buffer): number => crc32(bytes);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const size = 64;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw.set([x * 4, y * 4, 128], y * (1 + size * 3) + 1 + x * 3);
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', zlib.deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** Opens PNG_FILE (VS Code's image preview) like our image: click to its webview starting, and to its image fetched. */
async function imagePreviewBaseline(page: Page): Promise<{ navigation: number[]; shown: number[] }> {
  const navigation: number[] = [];
  const shown: number[] = [];
  for (let i = 0; i < Math.max(2, OPENS - 1); i++) {
    await runCommand(page, 'View: Close All Editors');
    await page.waitForTimeout(500);
    const armed = Date.now();
    await armClick(page);
    await openFromExplorer(page, PNG_FILE);
    const deadline = Date.now() + 30_000;
    let found: { origin: number; fetched: number } | null = null;
    while (!found && Date.now() < deadline) {
      for (const frame of page.frames()) {
        if (frame.isDetached()) continue;
        found = await frame
          .evaluate(() => {
            const g = globalThis as unknown as {
              document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null };
              performance: { timeOrigin: number; getEntriesByType(type: string): { initiatorType: string; responseEnd: number }[] };
            };
            const img = g.document.querySelector('img');
            if (!img || !img.complete || img.naturalWidth === 0) return null;
            const entry = g.performance.getEntriesByType('resource').find((e) => e.initiatorType === 'img');
            return entry ? { origin: g.performance.timeOrigin, fetched: g.performance.timeOrigin + entry.responseEnd } : null;
          })
          .catch(() => null);
        if (found && found.origin < armed) found = null; // an earlier preview's frame
        if (found) break;
      }
      if (!found) await page.waitForTimeout(20);
    }
    if (!found) throw new Error('the image preview did not show the PNG');
    const clicked = await clickEpoch(page);
    navigation.push(found.origin - clicked);
    shown.push(found.fetched - clicked);
  }
  return { navigation, shown };
}

async function main(): Promise<void> {
  const folder = tempWorkspace('diskx-bench-editor-');
  const image = path.join(folder, IMAGE);
  writeEsxi5Sample(image, { sizeBytes: 2 * TiB, compacted: true });
  writePng(path.join(folder, PNG_FILE));
  console.log(`bench:editor: ${IMAGE}, a 2 TiB sparse ESXi 5.0 disk (compacted), in code-server + headless Chromium; ${OPENS} opens, ${JUMPS} jumps`);
  const started = Date.now();
  const workbench = await openWorkbench(folder, { settings: { 'files.autoSave': 'off' } });
  console.log(`  (code-server up and workbench loaded in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const { page } = workbench;
  try {
    // Open, close, open again: the first pays for the extension's activation.
    const opens: number[] = [];
    const inWebview: number[] = [];
    const beforeWebview: number[] = [];
    const scriptStart: number[] = [];
    const initReceived: number[] = [];
    const treeBuilt: number[] = [];
    let frame: Frame | undefined;
    for (let i = 0; i < OPENS; i++) {
      if (i > 0) {
        await runCommand(page, 'View: Close All Editors');
        await page.waitForTimeout(500);
      }
      const armed = Date.now();
      await armClick(page);
      await openFromExplorer(page, IMAGE);
      const ready = await waitReady(page, armed);
      const clicked = await clickEpoch(page);
      opens.push(ready.readyEpoch - clicked);
      inWebview.push(ready.inWebview);
      beforeWebview.push(ready.originEpoch - clicked);
      scriptStart.push(ready.marks.start);
      initReceived.push(ready.marks.init);
      treeBuilt.push(ready.marks.tree);
      frame = ready.frame;
    }
    const baseline = await imagePreviewBaseline(page);
    await runCommand(page, 'View: Close All Editors');
    await page.waitForTimeout(500);
    await armClick(page);
    await openFromExplorer(page, IMAGE);
    frame = (await waitReady(page, Date.now() - 1000)).frame;
    await instrumentFrames(frame!);
    await page.waitForTimeout(300);

    // Jumps to random offsets anywhere in the 2 TiB (a fixed seed: the same each run).
    let seed = 0x5eed;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    await record(frame!, true);
    const jumps: number[] = [];
    for (let i = 0; i < JUMPS; i++) jumps.push(await jump(frame!, Math.floor(random() * (2 * TiB - 16))));
    const jumpFrames = await record(frame!, true);

    // Wheel scrolling over the hex view: real input events, 60 notches.
    const hexBox = await (await frame!.frameElement()).boundingBox();
    const hexArea = await frame!.locator('#hex-scroller').boundingBox();
    if (hexBox && hexArea) await page.mouse.move(hexArea.x + hexArea.width / 2, hexArea.y + hexArea.height / 2);
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, i < 30 ? 300 : -200);
      await page.waitForTimeout(16);
    }
    await page.waitForTimeout(300);
    const wheelFrames = await record(frame!, true);

    // The scrollbar dragged to random places in the image.
    const drags: number[] = [];
    for (let i = 0; i < 20; i++) drags.push(await dragScrollbar(frame!, random()));
    const dragFrames = await record(frame!, false);

    // One-byte saves, each at a fresh offset in the data area 1 GiB in (no structure covers it).
    const saves = await measureSaves(
      page,
      frame!,
      IMAGE,
      Array.from({ length: SAVES }, (_, i) => 1024 ** 3 + i * 4096 + 7),
    );

    console.log('\nOpen (double-click in the Explorer to tree + hex painted):');
    console.log(line('first open (activates the extension)', opens.slice(0, 1)));
    console.log(line('later opens', opens.slice(1), GOAL_OPEN_MS));
    console.log(line('  VS Code: click to webview navigation start', beforeWebview.slice(1)));
    console.log(line('  webview: navigation start to paint', inWebview.slice(1)));
    console.log(line('    our script starts running', scriptStart.slice(1)));
    console.log(line('    init message from the host received', initReceived.slice(1)));
    console.log(line('    tree and findings built', treeBuilt.slice(1)));
    console.log("Baseline, same workbench: VS Code's built-in image preview (also a custom editor in a webview) on a PNG:");
    console.log(line('  click to webview navigation start', baseline.navigation));
    console.log(line('  click to image fetched in the webview', baseline.shown));
    console.log('\nJumping (test:goto = Ctrl+G to a random offset in 2 TiB):');
    console.log(line('jump to row painted with its bytes', jumps));
    console.log(line('frame work while jumping', jumpFrames.work, GOAL_FRAME_MS));
    console.log(line('browser frame interval while jumping', jumpFrames.intervals));
    console.log('\nScrolling:');
    console.log(line('frame work, wheel scrolling', wheelFrames.work, GOAL_FRAME_MS));
    console.log(line('browser frame interval, wheel scrolling', wheelFrames.intervals));
    console.log(line('scrollbar to a random place: rows painted', drags));
    console.log(line('frame work, scrollbar drags', dragFrames.work, GOAL_FRAME_MS));
    const all = [...jumpFrames.work, ...wheelFrames.work, ...dragFrames.work];
    console.log(line('frame work, all of the above', all, GOAL_FRAME_MS));
    console.log('\nSave (a one-byte change, Ctrl+S):');
    console.log(line('Ctrl+S to clean tab', saves.cleanTab));
    console.log(line('Ctrl+S to the view showing it saved', saves.viewSaved));
    const saveMedian = percentile(saves.cleanTab, 50);
    console.log(
      `  vs issue 19's figures: ours before ${PREVIOUS_SAVE_MS} ms (now ${(PREVIOUS_SAVE_MS / saveMedian).toFixed(2)}x as fast), Microsoft's Hex Editor ${PEER_SAVE_MS} ms (ours takes ${(saveMedian / PEER_SAVE_MS).toFixed(2)}x its time; goal <= 1.0)`,
    );
    console.log(`\n(frame work = the webview's requestAnimationFrame callbacks plus the style/layout they cause; the host round trip`);
    console.log(' for bytes is in the jump/drag times. Headless Chromium with --disable-gpu on this 2-core machine; numbers');
    console.log(' move with machine load: `uptime` load average now ' + fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') + '.)');
  } finally {
    await workbench.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  // A benchmark prints numbers; it never fails the caller.
  console.error(`bench:editor: could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 0;
});
