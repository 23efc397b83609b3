// The comparison view at 640, 800 and 1920 px in a light, a dark and a high
// contrast theme (issue 18): both hex lanes show every byte column and their
// ASCII inside the pane (no clipping, no sideways scrollbar; auto picks 8 or 16
// bytes a row and leaves B's offsets to A's when narrow), the structure sections
// and the map link chips never overlap, A's and B's maps stay aligned, the go-to
// field shows its whole hint, each lane's image name has a line over the whole
// lane (a long name cut with an ellipsis, at least 24 characters showing, the
// full name on hover). Writes the README's 800 px screenshots. Skipped with a
// reason where chromium is missing, except in CI.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeEsxi5Image } from '../builders/images';
import { skipUnless } from './harness';
import type { Rect } from './harness';
import { compareSuite, compareUnavailable as unavailable, waitReady } from './compareHarness';
import { THEMES, applyTheme } from './themes';
import { screenshotPath } from '../builders/screenshots';

const skip = skipUnless(unavailable, 'compare layout browser tests');

interface Box extends Rect {
  label: string;
}

interface Measure {
  pane: Box;
  paneScroll: { scrollWidth: number; clientWidth: number };
  page: { scrollWidth: number; innerWidth: number };
  toolbar: { scrollWidth: number; clientWidth: number };
  structure: { scrollWidth: number; clientWidth: number };
  /** The go-to hint's text width in the field's font, and the room for text in the field. */
  hint: { needs: number; room: number };
  sharedOffsets: boolean;
  /** Per lane (A, B): header columns, each rendered row's byte count and ASCII text, and every cell's box. */
  lanes: { columns: number; rows: { offset: number; bytes: number; ascii: string }[]; cells: Box[]; offsetShown: boolean }[];
  /** Per lane (A, B): the name line over the lane, the lane's column headings, how much of the name shows. */
  names: { box: Box; lane: Box; text: string; title: string; elided: boolean; visibleChars: number; ellipsis: string }[];
  sections: Box[];
  mapBars: Box[];
  chips: Box[];
}

// Plain JavaScript (no helpers the test's compiler would rename): everything the assertions need in one go.
const MEASURE = `(() => {
  const box = (e, label) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, label }; };
  const pane = document.querySelector('#bytes-pane');
  const lanes = ['a', 'b'].map((side, i) => {
    const header = document.querySelectorAll('#hex-header .hex-line')[i];
    const rows = Array.from(document.querySelectorAll('#hex-' + side + ' .hex-row'));
    const cells = [];
    for (const el of [header, ...rows]) for (const c of el.querySelectorAll('.hex-byte, .col, .ascii, .off')) if (c.getBoundingClientRect().width > 0) cells.push(box(c, side + ' ' + c.className + ' @' + (el.dataset.offset ?? 'header')));
    const off = rows[0] && rows[0].querySelector('.off');
    return {
      columns: header.querySelectorAll('.col').length,
      rows: rows.map((r) => ({ offset: Number(r.dataset.offset), bytes: r.querySelectorAll('.hex-byte').length, ascii: r.querySelector('.ascii').textContent })),
      cells,
      offsetShown: !!off && off.getBoundingClientRect().width > 0,
    };
  });
  // How many characters of a lane's name show: all of them, or the longest start that fits with the ellipsis.
  const names = Array.from(document.querySelectorAll('#hex-header .lane-head')).map((head, i) => {
    const name = head.querySelector('.lane-name');
    const style = getComputedStyle(name);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.fontStyle + ' ' + style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
    const text = name.textContent;
    const room = name.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const elided = name.scrollWidth > name.clientWidth;
    let visibleChars = text.length;
    if (elided) {
      visibleChars = 0;
      while (visibleChars < text.length && context.measureText(text.slice(0, visibleChars + 1) + '\u2026').width <= room) visibleChars++;
    }
    return { box: box(name, 'name ' + i), lane: box(head.querySelector('.hex-line'), 'lane ' + i), text, title: name.title, elided, visibleChars, ellipsis: style.textOverflow };
  });
  const sections = Array.from(document.querySelectorAll('#structure-pane .section-title, #structure-pane .summary, #structure-pane table, #fix-description, #apply-fix, #structure-pane label'))
    .filter((e) => e.getBoundingClientRect().height > 0 && !e.closest('details:not([open])'))
    .map((e) => box(e, (e.id || e.className || e.tagName) + ': ' + (e.textContent || '').slice(0, 30)));
  return {
    pane: box(pane, 'pane'),
    paneScroll: { scrollWidth: pane.scrollWidth, clientWidth: pane.clientWidth },
    page: { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth },
    toolbar: { scrollWidth: document.querySelector('#toolbar').scrollWidth, clientWidth: document.querySelector('#toolbar').clientWidth },
    structure: { scrollWidth: document.querySelector('#structure-pane').scrollWidth, clientWidth: document.querySelector('#structure-pane').clientWidth },
    hint: (() => {
      const input = document.querySelector('#goto');
      const style = getComputedStyle(input);
      const context = document.createElement('canvas').getContext('2d');
      context.font = style.fontStyle + ' ' + style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
      return { needs: context.measureText(input.placeholder).width, room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) };
    })(),
    sharedOffsets: pane.classList.contains('shared-offsets'),
    lanes,
    names,
    sections,
    mapBars: ['#map-a-bar', '#map-b-bar'].map((s) => box(document.querySelector(s), s)),
    chips: Array.from(document.querySelectorAll('#map-links .map-link')).map((c) => box(c, c.textContent)),
  };
})()`;

/** Two boxes share more than a hairline. */
function overlap(x: Box, y: Box): boolean {
  return Math.min(x.right, y.right) - Math.max(x.left, y.left) > 0.5 && Math.min(x.bottom, y.bottom) - Math.max(x.top, y.top) > 0.5;
}

function contains(outer: Box, inner: Box): boolean {
  return inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
}

/** Every check of the "fits" at one width and theme. */
function checkFits(m: Measure, bytesPerRow: number, where: string): void {
  assert.ok(
    m.paneScroll.scrollWidth <= m.paneScroll.clientWidth,
    `${where}: the bytes pane has no sideways scroll (${m.paneScroll.scrollWidth} > ${m.paneScroll.clientWidth})`,
  );
  assert.ok(m.page.scrollWidth <= m.page.innerWidth, `${where}: the page has no sideways scroll`);
  assert.ok(m.toolbar.scrollWidth <= m.toolbar.clientWidth, `${where}: the toolbar wraps instead of overflowing`);
  assert.ok(m.structure.scrollWidth <= m.structure.clientWidth, `${where}: the structure pane has no sideways scroll`);
  assert.ok(m.hint.needs <= m.hint.room, `${where}: the go-to hint needs ${m.hint.needs} px, the field has ${m.hint.room}`);
  const paneRight = m.pane.left + m.paneScroll.clientWidth;
  for (const [i, lane] of m.lanes.entries()) {
    const side = i === 0 ? 'A' : 'B';
    assert.equal(lane.columns, bytesPerRow, `${where}: ${side}'s header columns`);
    assert.ok(lane.rows.length > 5, `${where}: ${side} has rows`);
    for (const row of lane.rows) {
      assert.equal(row.bytes, bytesPerRow, `${where}: ${side} row ${row.offset} bytes`);
      assert.equal(row.ascii.length, bytesPerRow, `${where}: ${side} row ${row.offset} ASCII`);
    }
    for (const cell of lane.cells)
      assert.ok(
        cell.left >= m.pane.left - 0.5 && cell.right <= paneRight + 0.5,
        `${where}: ${cell.label} (${cell.left}..${cell.right}) inside 0..${paneRight}`,
      );
  }
  // A's lane ends before B's starts (no cell of one under the other).
  const rightOfA = Math.max(...m.lanes[0]!.cells.map((c) => c.right));
  const leftOfB = Math.min(...m.lanes[1]!.cells.map((c) => c.left));
  assert.ok(rightOfA < leftOfB, `${where}: A's lane (to ${rightOfA}) before B's (from ${leftOfB})`);
  // Each lane's name sits over its own lane (as wide as it, never wider) and A's ends before B's begins.
  for (const [i, name] of m.names.entries()) {
    const side = i === 0 ? 'A' : 'B';
    assert.ok(name.box.left >= name.lane.left - 0.5 && name.box.right <= name.lane.right + 0.5, `${where}: ${side}'s name over its lane`);
    assert.ok(name.box.width >= name.lane.width - 0.5, `${where}: ${side}'s name has the lane's whole width`);
    assert.ok(name.box.bottom <= name.lane.top + 0.5, `${where}: ${side}'s name above its column headings`);
    assert.equal(name.ellipsis, 'ellipsis', `${where}: ${side}'s name ends in an ellipsis when cut`);
    assert.ok(name.box.right <= paneRight + 0.5, `${where}: ${side}'s name inside the pane`);
  }
  assert.ok(!overlap(m.names[0]!.box, m.names[1]!.box) && m.names[0]!.box.right <= m.names[1]!.box.left + 0.5, `${where}: A's name before B's`);
  for (const [i, x] of m.sections.entries())
    for (const y of m.sections.slice(i + 1))
      if (!contains(x, y) && !contains(y, x)) assert.ok(!overlap(x, y), `${where}: "${x.label}" and "${y.label}" overlap`);
  const [mapA, mapB] = m.mapBars as [Box, Box];
  assert.ok(Math.abs(mapA.left - mapB.left) < 0.5 && Math.abs(mapA.right - mapB.right) < 0.5, `${where}: A's and B's maps are aligned`);
  assert.ok(mapA.top < mapB.top && mapA.right <= m.page.innerWidth, `${where}: A's map over B's, inside the page`);
  for (const [i, x] of m.chips.entries()) for (const y of m.chips.slice(i + 1)) assert.ok(!overlap(x, y), `${where}: chips ${x.label} and ${y.label} overlap`);
}

async function measure(page: Page): Promise<Measure> {
  // Two frames: the resize observers fit the panes, then the rows are drawn.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return (await page.evaluate(MEASURE)) as Measure;
}

describe('the comparison view at any width', { skip }, () => {
  const suite = compareSuite('diskx-compare-layout-');
  let a: string;
  let b: string;

  before(() => {
    a = writeEsxi5Image(path.join(suite.dir, 'compacted.img'), { compacted: true });
    b = writeEsxi5Image(path.join(suite.dir, 'original.img'));
  });

  for (const [width, bytesPerRow, shared] of [
    [640, 8, true],
    [800, 8, false],
    [1920, 16, false],
  ] as const) {
    test(`${width} px, bytesPerRow auto: ${bytesPerRow} bytes a row${shared ? ", B's offsets left to A's" : ''}; light, dark, high contrast`, async () => {
      const o = await suite.open(a, b, { viewport: { width, height: 800 }, settings: { bytesPerRow: 'auto' } });
      const { page } = o;
      await waitReady(page);
      await page.waitForSelector('#map-links .map-link');
      for (const theme of Object.keys(THEMES)) {
        await applyTheme(page, theme);
        await page.evaluate(`document.querySelector('#structure-pane').scrollTop = 0`);
        const m = await measure(page);
        checkFits(m, bytesPerRow, `${width} px ${theme}`);
        assert.equal(m.sharedOffsets, shared);
        assert.equal(m.lanes[1]!.offsetShown, !shared, "B's offset column");
        // Short names show whole (before, at 8 bytes a row they were cut to the ASCII column: "A: com…").
        for (const [i, expected] of ['A: compacted.img', 'B: original.img'].entries()) {
          const name = m.names[i]!;
          assert.equal(name.text, expected);
          assert.equal(name.title, expected);
          assert.ok(!name.elided && name.visibleChars === expected.length, `${width} px ${theme}: "${expected}" shows whole`);
        }
        if (width === 800) await page.screenshot({ path: screenshotPath(`compare-800-${theme}.png`) });
        // The fix preview open: its table is one more section that must fit and not run into the headers.
        await page.locator('#fix-preview summary').click();
        checkFits(await measure(page), bytesPerRow, `${width} px ${theme}, preview open`);
        await page.locator('#fix-preview summary').click();
      }
      assert.deepEqual(o.problems, []);
    });
  }

  test('long image names at 640 and 800 px: each lane shows at least 24 characters of its name, cut with an ellipsis, the full name on hover', async () => {
    const longA = writeEsxi5Image(path.join(suite.dir, 'esxi-6.7-host07-boot-disk-before-the-upgrade-compacted.img'), { compacted: true });
    const longB = writeEsxi5Image(path.join(suite.dir, 'esxi-6.7-host07-boot-disk-after-the-installer-original.img'));
    for (const width of [640, 800]) {
      const o = await suite.open(longA, longB, { viewport: { width, height: 800 }, settings: { bytesPerRow: 'auto' } });
      await waitReady(o.page);
      const m = await measure(o.page);
      checkFits(m, 8, `${width} px, long names`);
      for (const [i, file] of [longA, longB].entries()) {
        const name = m.names[i]!;
        const full = `${i === 0 ? 'A' : 'B'}: ${path.basename(file)}`;
        assert.equal(name.title, full, `${width} px: the full name on hover`);
        assert.ok(name.elided, `${width} px: ${full} (${full.length} characters) does not fit a lane`);
        assert.ok(name.visibleChars >= 24, `${width} px: ${name.visibleChars} characters of "${full}" show`);
      }
      assert.deepEqual(o.problems, []);
      await o.close();
    }
  });

  test('resizing from 1920 to 640 px and back keeps the cursor byte in view; a fixed 16 keeps 16 and scrolls sideways', async () => {
    const o = await suite.open(a, b, { viewport: { width: 1920, height: 800 }, settings: { bytesPerRow: 'auto' } });
    const { page } = o;
    await waitReady(page);
    const cursorInView = async (): Promise<{ offset: string | null; inside: boolean }> =>
      (await page.evaluate(`(() => {
        const c = document.querySelector('#hex-b .hex-byte.cursor');
        const s = document.querySelector('#hex-scroller').getBoundingClientRect();
        if (!c) return { offset: null, inside: false };
        const r = c.getBoundingClientRect();
        return { offset: c.dataset.offset, inside: r.top >= s.top && r.bottom <= s.bottom && r.right <= window.innerWidth };
      })()`)) as { offset: string | null; inside: boolean };
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: 5000 }, '*')`);
    await page.waitForSelector('#hex-b .hex-byte.cursor[data-offset="5000"]');
    for (const width of [640, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await measure(page);
      await page.waitForSelector('#hex-b .hex-byte.cursor[data-offset="5000"]');
      assert.deepEqual(await cursorInView(), { offset: '5000', inside: true }, `${width} px`);
      const m = await measure(page);
      checkFits(m, width === 640 ? 8 : 16, `${width} px after a resize`);
    }
    await o.close();
    // A fixed row width is kept; the lanes still drop B's offsets before scrolling.
    const fixed = await suite.open(a, b, { viewport: { width: 800, height: 800 }, settings: { bytesPerRow: 16 } });
    await waitReady(fixed.page);
    const m = await measure(fixed.page);
    assert.equal(m.lanes[0]!.columns, 16);
    assert.equal(m.sharedOffsets, true);
    assert.ok(m.paneScroll.scrollWidth > m.paneScroll.clientWidth, 'scrolls sideways');
    assert.deepEqual(fixed.problems, []);
  });
});
