// The built webview in a real browser (Debian chromium + playwright-core) with
// a stub host that answers from a real DiskImageSession: tree, hex, selection,
// hover, go-to on a 2 TiB sparse image, the non-disk banner, and no console
// noise or CSP violations. Skipped with a reason where chromium is missing,
// except in CI, where that is a failure.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';

const skip = skipUnless(browserUnavailable(), 'browser tests');
if (skip && !process.env.CI) console.log(`# webview browser tests ${skip}`);

const TiB = 1024 ** 4;
const GiB = 1024 ** 3;

/** Back to the first byte (pages are shared between tests). */
async function home(page: Page): Promise<void> {
  await page.locator('#hex').focus();
  await page.keyboard.press('Control+Home');
  await page.waitForSelector('.hex-row[data-offset="512"]:not(.loading)');
}

async function rowBytes(page: Page, offset: number): Promise<string> {
  const cells = page.locator(`.hex-row[data-offset="${offset}"] .hex-byte`);
  return (await cells.allTextContents()).join(' ');
}

/** Runs of the hex or ASCII column: first offset, length and text of each element matching `selector`. */
async function byteRuns(page: Page, selector = '.hex-byte'): Promise<{ offset: number; length: number; text: string }[]> {
  return page.locator(selector).evaluateAll((cells) =>
    cells.map((c) => {
      const { dataset, textContent } = c as unknown as { dataset: Record<string, string>; textContent: string };
      return { offset: Number(dataset.offset), length: Number(dataset.length), text: textContent };
    }),
  );
}

/** Every byte offset shown selected (runs expanded). */
async function selectedOffsets(page: Page): Promise<number[]> {
  return (await byteRuns(page, '.hex-byte.selected')).flatMap((r) => Array.from({ length: r.length }, (_, i) => r.offset + i));
}

/** The centre of byte `offset` in the hex view (inside whichever run holds it), for the mouse. */
async function pointAt(page: Page, offset: number): Promise<{ x: number; y: number }> {
  const run = (await byteRuns(page)).find((r) => offset >= r.offset && offset < r.offset + r.length);
  assert.ok(run, `byte ${offset} is not on screen`);
  const box = (await page.locator(`.hex-byte[data-offset="${run.offset}"]`).boundingBox())!;
  return { x: box.x + ((offset - run.offset + 0.5) * box.width) / run.length, y: box.y + box.height / 2 };
}

describe('webview in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-webview-');
  let compacted: string;
  let huge: string;

  before(() => {
    compacted = writeEsxi5Image(path.join(suite.dir, 'esxi-compacted.img'), { compacted: true, sizeBytes: 8 * GiB });
    huge = writeEsxi5Image(path.join(suite.dir, 'esxi-2t.img'), { sizeBytes: 2 * TiB });
  });

  const pages = new Map<string, OpenedPage>();

  /** One page per image and row width, reused by the tests (the machine may be slow; each test sets its own selection). */
  async function open(image: string, bytesPerRow: 16 | 32 = 16): Promise<OpenedPage> {
    const key = `${image}:${bytesPerRow}`;
    const cached = pages.get(key);
    if (cached) return cached;
    const o = await suite.open(image, { bytesPerRow });
    pages.set(key, o);
    await waitReady(o.page);
    return o;
  }

  test('tree shows the protective MBR, the primary header fields, slots and partitions; findings are listed', async () => {
    const { page, problems } = await open(compacted);
    assert.match((await page.locator('#structure [data-node-id="mbr"] > .tree-line > .label').textContent()) ?? '', /Protective MBR/);
    assert.match((await page.locator('[data-node-id="primary-header"] > .tree-line > .label').textContent()) ?? '', /Primary GPT header/);
    const crc = (await page.locator('[data-node-id="primary-header.HeaderCRC32"]').textContent()) ?? '';
    assert.match(crc, /HeaderCRC32/);
    assert.match(crc, /0x[0-9A-F]{8}/);
    assert.match((await page.locator('[data-node-id="primary-header.NumberOfPartitionEntries"]').textContent()) ?? '', /128/);
    // The seed's case: bootbank compacted into slot 3.
    const slot3 = (await page.locator('[data-node-id="slot-3"]').textContent()) ?? '';
    assert.match(slot3, /Slot 3/);
    assert.match(slot3, /bootbank/);
    assert.match((await page.locator('[data-node-id="slots-7-127"]').textContent()) ?? '', /Slots 7-127[\s\S]*empty/);
    assert.match((await page.locator('[data-node-id="partition-4"]').textContent()) ?? '', /Partition 4[\s\S]*bootbank[\s\S]*250 MiB/);
    assert.ok(await page.locator('[data-node-id="backup-header"]').count());
    // Closed branches are built when opened: the backup array's slots appear on the first click.
    assert.equal(await page.locator('[data-node-id="backup-slot-3"]').count(), 0, 'closed branch not built yet');
    assert.equal(
      await page.locator('[data-node-id="backup-array"] > vscode-tree-item[data-placeholder]').count(),
      1,
      'closed branch keeps a placeholder (its twistie)',
    );
    await page.locator('[data-node-id="backup-array"] > .tree-line > .label').click();
    await page.locator('[data-node-id="backup-slot-3"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.match((await page.locator('[data-node-id="backup-slot-3"]').textContent()) ?? '', /Slot 3 \(partition 4\)[\s\S]*Microsoft basic data/);
    assert.equal(await page.locator('[data-node-id="backup-array"] > vscode-tree-item[data-placeholder]').count(), 0);
    // Back to the top (clicking the node scrolled the hex to the backup array) for the tests that share this page.
    await page.locator('[data-node-id="backup-array"] > .tree-line > .label').click();
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: 0 }, '*')`);
    await page.locator('.hex-row[data-offset="512"]:not(.loading)').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('#findings .finding[data-code="esxi-slot-compacted"]').count(), 1);
    // A node with a finding carries a badge.
    assert.ok(await page.locator('[data-node-id="primary-array"] > vscode-badge').count(), 'badge on the primary array');
    assert.equal(await page.locator('#banner').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('hex row at offset 512 shows "EFI PART", with offset and LBA columns and coloured fields', async () => {
    const { page } = await open(compacted);
    assert.equal((await rowBytes(page, 512)).slice(0, 23), '45 46 49 20 50 41 52 54');
    const row = page.locator('.hex-row[data-offset="512"]');
    assert.match((await row.locator('.off').textContent()) ?? '', /^0x0+200$/);
    assert.equal(await row.locator('.lba').textContent(), 'LBA 1');
    assert.match((await page.locator('.hex-byte[data-offset="512"]').getAttribute('class')) ?? '', /k-signature/);
    assert.match((await page.locator('.hex-byte[data-offset="528"]').getAttribute('class')) ?? '', /k-crc/);
    // Only the visible rows are in the DOM.
    const rows = await page.locator('.hex-row').count();
    assert.ok(rows > 10 && rows < 100, `${rows} rows rendered`);
  });

  test('clicking a tree node selects its bytes and scrolls to them', async () => {
    const { page } = await open(compacted);
    await home(page);
    await page.locator('[data-node-id="primary-header.PartitionEntryArrayCRC32"] > .tree-line > .label').click();
    await page.waitForSelector('.hex-byte.selected[data-offset="600"]');
    assert.deepEqual(await selectedOffsets(page), [600, 601, 602, 603]);
    // The backup header lives at the last LBA: far below, so the view must scroll there.
    const backupOffset = 8 * GiB - 512;
    await page.locator('[data-node-id="backup-header"] > .tree-line > .label').click();
    await page.waitForSelector(`.hex-row[data-offset="${backupOffset}"]`);
    assert.equal((await rowBytes(page, backupOffset)).slice(0, 23), '45 46 49 20 50 41 52 54');
    const selected = await selectedOffsets(page);
    assert.equal(selected[0], backupOffset);
    assert.ok(selected.every((o) => o >= backupOffset && o < backupOffset + 512));
  });

  test('hovering a byte names its field; double-clicking it selects the field and the tree node', async () => {
    const { page } = await open(compacted);
    await home(page);
    const at = await pointAt(page, 530);
    await page.mouse.move(at.x, at.y);
    await page.locator('.hex-byte.hover[data-offset="530"][data-length="1"]').waitFor({ timeout: 5000 });
    assert.match((await page.locator('#status').textContent()) ?? '', /Primary GPT header › HeaderCRC32/);
    assert.match((await page.locator('.hex-byte[data-offset="530"]').getAttribute('title')) ?? '', /HeaderCRC32/);
    await page.mouse.dblclick(at.x, at.y);
    assert.deepEqual(await selectedOffsets(page), [528, 529, 530, 531]);
    await page.waitForFunction(() => {
      const item = (globalThis as unknown as { document: { querySelector(s: string): { selected?: boolean } | null } }).document.querySelector(
        '[data-node-id="primary-header.HeaderCRC32"]',
      );
      return item?.selected === true;
    });
    // The data inspector decodes the selection; its CRC-32 is computed.
    assert.match((await page.locator('#inspector').textContent()) ?? '', /u32.*i32.*f32/);
    await page.waitForFunction(() =>
      /0x[0-9A-F]{8} \(4 bytes\)/.test(
        (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#crc')?.textContent ?? '',
      ),
    );
  });

  test('Ctrl+G to the last LBA of a 2 TiB sparse image renders that row at once', async (t) => {
    const { page, sent } = await open(huge);
    const lastLba = (2 * TiB) / 512 - 1;
    const lastOffset = lastLba * 512;
    await page.keyboard.press('Control+g');
    await page.keyboard.type(`lba:${lastLba}`);
    const started = Date.now();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.hex-row[data-offset="${lastOffset}"]:not(.loading)`);
    const elapsed = Date.now() - started;
    assert.equal((await rowBytes(page, lastOffset)).slice(0, 23), '45 46 49 20 50 41 52 54', 'the backup header is at the last LBA');
    // No wall-clock limit (CI machines are noisy): the time is reported, the bounded reads below are asserted.
    t.diagnostic(`go-to took ${elapsed} ms`);
    // Reads stay small and bounded: nothing near the image's size was requested.
    const reads = sent.filter((m): m is { type: string; length: number } => (m as { type?: string }).type === 'readRange');
    assert.ok(reads.every((m) => m.length <= 64 * 1024));
    assert.ok(reads.length < 64, `${reads.length} reads`);
    // Ctrl+Home goes back to the first byte; Ctrl+End to the last.
    await page.locator('#hex').focus();
    await page.keyboard.press('Control+Home');
    await page.waitForSelector('.hex-row[data-offset="0"]');
    await page.keyboard.press('Control+End');
    await page.waitForSelector(`.hex-row[data-offset="${2 * TiB - 16}"]`);
  });

  test('go-to accepts hex offsets and field names; the test hook scrolls like Ctrl+G', async () => {
    const { page } = await open(compacted);
    await page.evaluate(`window.postMessage({ type: 'test:goto', offset: ${0x4000} }, '*')`);
    await page.waitForSelector(`.hex-row[data-offset="${0x4000}"]`);
    await page.keyboard.press('Control+g');
    await page.keyboard.type('backup-header.MyLBA');
    await page.keyboard.press('Enter');
    const myLba = 8 * GiB - 512 + 0x18;
    await page.waitForSelector(`.hex-byte.selected[data-offset="${myLba}"]`);
    await page.keyboard.press('Control+g');
    await page.keyboard.type('0x1FE');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.hex-byte.cursor[data-offset="510"]');
    assert.equal(await page.locator('.hex-byte[data-offset="510"]').textContent(), '55');
  });

  test('keyboard: arrows, PageDown, shift-select and Ctrl+C copies the selection as hex', async () => {
    const o = await open(compacted);
    const { page } = o;
    await home(page);
    await page.locator('.hex-byte[data-offset="512"]').dblclick(); // selects the Signature field, the cursor on its last byte
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('.hex-byte.cursor[data-offset="520"]');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.hex-byte.cursor[data-offset="536"]');
    await page.keyboard.press('PageDown');
    // PageDown moves the cursor by a screenful of rows (at least ten here).
    await page.waitForSelector('.hex-byte.cursor');
    await page.waitForFunction(
      () =>
        Number(
          (globalThis as unknown as { document: { querySelector(s: string): { dataset: { offset: string } } | null } }).document.querySelector(
            '.hex-byte.cursor',
          )?.dataset.offset,
        ) >
        536 + 16 * 10,
    );
    await page.keyboard.press('Control+Home');
    const first = await pointAt(page, 512);
    const last = await pointAt(page, 519);
    await page.mouse.click(first.x, first.y);
    await page.keyboard.down('Shift');
    await page.mouse.click(last.x, last.y);
    await page.keyboard.up('Shift');
    await page.keyboard.press('Control+c');
    await page.waitForFunction(() => (globalThis as unknown as { __diskxCopied: string[] }).__diskxCopied.length > 0);
    assert.equal(await page.evaluate('window.__diskxCopied[0]'), '45 46 49 20 50 41 52 54');
  });

  test('a file that is not a disk image opens as plain hex with a banner', async () => {
    const file = path.join(suite.dir, 'notes.bin');
    fs.writeFileSync(file, 'This is not a disk image, just some text.\n'.repeat(100));
    const { page, problems } = await open(file);
    assert.match((await page.locator('#banner').textContent()) ?? '', /does not look like a disk image/);
    assert.equal((await rowBytes(page, 0)).slice(0, 11), '54 68 69 73');
    assert.deepEqual(problems, []);
    const tiny = path.join(suite.dir, 'tiny.dd');
    fs.writeFileSync(tiny, 'tiny');
    const t = await open(tiny);
    assert.match((await t.page.locator('#banner').textContent()) ?? '', /Not a disk image/);
    assert.equal(await rowBytes(t.page, 0), '74 69 6E 79');
  });

  test('the init embedded in the page paints before any host reply; "ready" says which generation is shown; hostile names stay text', async () => {
    // What the extension does: the first init rides in the HTML as a JSON data block. A partition
    // name that tries to close that element must stay text (encodeEmbeddedInit escapes < > &).
    const hostile = '</script><b id="pwned">x</b>';
    const file = writeGptImage(path.join(suite.dir, 'embedded.img'), {
      sectorSize: 512,
      totalSectors: 2048n * 64n,
      diskGuid: testGuid(0xe0),
      slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: hostile }],
    });
    const o = await suite.open(file, { bytesPerRow: 16 }, undefined, { embedInit: true });
    await waitReady(o.page);
    // The page painted from the embedded init: its one "ready" names the generation shown, and the host
    // (whose document did not change) answers it with no second init.
    const ready = o.sent.filter((m) => (m as { type: string }).type === 'ready');
    assert.deepEqual(ready, [{ type: 'ready', shown: 0 }]);
    assert.equal((await o.session.handle(ready[0], { bytesPerRow: 16 })).kind, 'none');
    assert.equal(await o.page.locator('#diskx-init').count(), 0, 'the data block is removed once read');
    assert.equal(await o.page.locator('#pwned').count(), 0, 'the name did not become markup');
    assert.match((await o.page.locator('[data-node-id="partition-1"]').textContent()) ?? '', /<\/script><b id="pwned">x<\/b>/);
    assert.equal(await rowBytes(o.page, 512).then((row) => row.slice(0, 23)), '45 46 49 20 50 41 52 54');
    // A stale embedded generation (the document changed before the page loaded) gets a fresh init.
    await o.session.updateMessage(null);
    const reply = await o.session.handle({ type: 'ready', shown: 0 }, { bytesPerRow: 16 });
    assert.equal(reply.kind === 'reply' && reply.message.type, 'init');
    assert.deepEqual(o.problems, []);
  });

  test('findings: severity, link to node and bytes, fix buttons; preview highlights the changed bytes; Apply makes the edit', async () => {
    // A page of its own: Apply changes the session's model.
    const file = writeEsxi5Image(path.join(suite.dir, 'esxi-fix.img'), { compacted: true, sizeBytes: 8 * GiB });
    const o = await suite.open(file);
    const { page, sent, edits } = o;
    await waitReady(page);
    const finding = page.locator('#findings .finding[data-code="esxi-slot-compacted"]');
    assert.match((await finding.locator('.severity').textContent()) ?? '', /error|warning/);
    // Clicking the finding selects its bytes and its tree node.
    await finding.locator('.message').click();
    const nodeId = await finding.getAttribute('data-node-id');
    assert.ok(nodeId, 'the finding names its tree node');
    await page.waitForFunction(
      (id) =>
        (globalThis as unknown as { document: { querySelector(s: string): { selected?: boolean } | null } }).document.querySelector(
          `vscode-tree-item[data-node-id="${id}"]`,
        )?.selected === true,
      nodeId,
    );
    assert.ok((await selectedOffsets(page)).length > 0, 'its bytes are selected');

    const button = finding.locator('button.fix[data-fix-id="restore-esxi-slots"]');
    assert.equal(await button.textContent(), 'Restore ESXi slot gap');
    await button.click();
    await page.locator('#fix-preview').waitFor({ state: 'visible' });
    assert.ok(sent.some((m) => JSON.stringify(m) === JSON.stringify({ type: 'previewFix', fixId: 'restore-esxi-slots' })));
    const text = await page.locator('#fix-preview').innerText();
    assert.match(text, /Preview: Restore ESXi slot gap/);
    assert.match(text, /Restore ESXi partition slots: \d+ bytes change in \d+ sectors/);
    assert.match(text, /entries/, 'fields are named');
    assert.ok((await page.locator('#fix-preview tr.preview-patch').count()) > 0);
    // The hex view scrolled to the first change and highlights it with the "preview" class.
    await page.locator('#hex .hex-byte.preview').first().waitFor({ state: 'attached' });
    assert.equal(edits.length, 0, 'the preview is not an edit');

    // Cancel closes it, the highlight goes.
    await page.locator('#fix-cancel').click();
    await page.locator('#fix-preview').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#hex .hex-byte.preview').count(), 0);

    // Preview again, Apply: only the fix id travels; the host re-plans and the view updates.
    await button.click();
    await page.locator('#fix-apply').click();
    await page.waitForSelector('body[data-dirty="true"]');
    const apply = sent.filter((m) => (m as { type?: string }).type === 'applyFix');
    assert.deepEqual(apply, [{ type: 'applyFix', fixId: 'restore-esxi-slots' }]);
    assert.equal(edits.length, 1);
    assert.equal(await page.locator('#findings .finding[data-code="esxi-slot-compacted"]').count(), 0, 'the model was re-read over the edit');
    assert.match((await page.locator('#edits').textContent()) ?? '', /Unsaved repairs \(1\)/);
    assert.match((await page.locator('[data-node-id="slot-4"]').textContent()) ?? '', /bootbank/, 'bootbank back in slot 4');
    assert.deepEqual(o.problems, []);
  });

  test('a fix that does not apply shows its reason and cannot be previewed into an edit', async () => {
    const file = writeEsxi5Image(path.join(suite.dir, 'esxi-fix-2.img'), { compacted: true, sizeBytes: 8 * GiB });
    const o = await suite.open(file);
    await waitReady(o.page);
    // Ask for a fix this disk does not need (its CRCs are fine): the webview shows the reason.
    await o.page.evaluate(() =>
      (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage(
        { type: 'fixPreview', preview: { ok: false, fixId: 'recompute-crcs', label: 'Recompute CRCs', reason: 'every CRC already matches' } },
        '*',
      ),
    );
    await o.page.locator('#fix-preview.refused').waitFor({ state: 'visible' });
    assert.match(await o.page.locator('#fix-preview').innerText(), /Recompute CRCs: does not apply[\s\S]*every CRC already matches/);
    assert.equal(await o.page.locator('#fix-apply').count(), 0);
    const session = o.session;
    const preview = session.preview('recompute-crcs');
    assert.equal(preview.ok, false);
  });

  test('ASCII column: printable bytes or ".", runs of like characters mirroring selection, cursor and hover', async () => {
    const { page } = await open(compacted);
    await home(page);
    const row = page.locator('.hex-row[data-offset="512"]');
    assert.equal(((await row.locator('.ascii').textContent()) ?? '').slice(0, 12), 'EFI PART\x00\x00\x01\x00'.replace(/[^\x20-\x7e]/g, '.'));
    // Runs, not one element per character: together they cover the row's 16 bytes in order.
    const runsOf = (selector: string) => byteRuns(page, selector);
    const runs = await runsOf('.hex-row[data-offset="512"] .hex-char');
    assert.ok(runs.length < 16, `${runs.length} runs`);
    assert.equal(runs[0]!.offset, 512);
    for (let i = 1; i < runs.length; i++) assert.equal(runs[i]!.offset, runs[i - 1]!.offset + runs[i - 1]!.length);
    assert.equal(
      runs.reduce((n, r) => n + r.length, 0),
      16,
    );
    assert.ok(runs.every((r) => r.text.length === r.length));
    // Selecting the HeaderCRC32 field (528..531) marks exactly its characters; the cursor's character is its own run.
    const crc = await pointAt(page, 530);
    await page.mouse.dblclick(crc.x, crc.y);
    const selected = (await runsOf('.hex-char.selected')).flatMap((r) => Array.from({ length: r.length }, (_, i) => r.offset + i));
    assert.deepEqual(selected, [528, 529, 530, 531]);
    assert.equal(await page.locator('.hex-char.cursor[data-offset="531"][data-length="1"]').count(), 1);
    // Hovering a character (x mapped to its byte) hovers its byte too and names the field.
    const at = async (offset: number) => {
      const run = (await runsOf('.hex-char')).find((r) => offset >= r.offset && offset < r.offset + r.length)!;
      const box = (await page.locator(`.hex-char[data-offset="${run.offset}"]`).boundingBox())!;
      return { x: box.x + ((offset - run.offset + 0.5) * box.width) / run.length, y: box.y + box.height / 2 };
    };
    let p = await at(520);
    await page.mouse.move(p.x, p.y);
    await page.locator('.hex-byte.hover[data-offset="520"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('.hex-char.hover[data-offset="520"][data-length="1"]').count(), 1);
    assert.match((await page.locator('#status').textContent()) ?? '', /Revision/);
    // Double-clicking a character selects like double-clicking its byte.
    p = await at(513);
    await page.mouse.dblclick(p.x, p.y);
    assert.deepEqual(await selectedOffsets(page), [512, 513, 514, 515, 516, 517, 518, 519]);
  });

  test('layout: the whole hex row (ASCII included) is visible beside the tree; narrow editors put the inspector under the hex', async () => {
    // 1250 px: the editor of a 1600x1000 VS Code window with the side bar open; 1000x800 a smaller one.
    const cases = [
      { width: 1250, height: 900, bytesPerRow: 16 as const, stacked: false },
      { width: 1000, height: 800, bytesPerRow: 16 as const, stacked: true },
      { width: 1600, height: 1000, bytesPerRow: 32 as const, stacked: false },
    ];
    for (const c of cases) {
      const o = await suite.open(compacted, { bytesPerRow: c.bytesPerRow }, { width: c.width, height: c.height });
      await waitReady(o.page);
      await o.page.waitForTimeout(100);
      const m = await o.page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              querySelector(s: string): {
                getBoundingClientRect(): { left: number; right: number; bottom: number; top: number };
                className: string;
                scrollWidth: number;
                clientWidth: number;
              };
            };
          }
        ).document;
        const hex = doc.querySelector('#hex');
        const ascii = doc.querySelector('.hex-row .ascii');
        const inspector = doc.querySelector('#inspector');
        return {
          hexRight: hex.getBoundingClientRect().right,
          asciiRight: ascii.getBoundingClientRect().right,
          hexScroll: hex.scrollWidth - hex.clientWidth,
          main: doc.querySelector('#main').className,
          inspectorTop: inspector.getBoundingClientRect().top,
          hexBottom: hex.getBoundingClientRect().bottom,
          inspectorWidth: inspector.getBoundingClientRect().right - inspector.getBoundingClientRect().left,
        };
      });
      const label = `${c.width}x${c.height}, ${c.bytesPerRow} bytes per row: ${JSON.stringify(m)}`;
      assert.ok(m.asciiRight <= m.hexRight, `ASCII column cut off at ${label}`);
      assert.equal(m.hexScroll, 0, `hex scrolls sideways at ${label}`);
      assert.equal(/\bstacked\b/.test(m.main), c.stacked, label);
      if (c.stacked) assert.ok(m.inspectorTop >= m.hexBottom - 1, `inspector under the hex at ${label}`);
      else assert.ok(m.inspectorWidth >= 170, `inspector beside the hex at ${label}`);
      assert.deepEqual(o.problems, [], label);
    }
  });

  test('scrolling recycles the rows still in view; every row sits at its place with its own bytes', async () => {
    const o = await suite.open(compacted);
    const { page } = o;
    await waitReady(page);
    type Doc = {
      document: {
        querySelector(s: string): { dataset: Record<string, string>; scrollTop: number } | null;
        querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string>; getBoundingClientRect(): { top: number } }>;
      };
    };
    // Tag the element of row 512 ("EFI PART"), then scroll three rows down.
    await page.evaluate(() => ((globalThis as unknown as Doc).document.querySelector('.hex-row[data-offset="512"]')!.dataset.tag = 'kept'));
    // (This image's scrollbar is scaled, so the wheel scrolls by rows: 60 px = 3 rows.)
    const box = (await page.locator('#hex-scroller').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 60);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('.hex-row[data-offset="0"]') === null);
    assert.equal(await page.locator('.hex-row[data-offset="512"]').getAttribute('data-tag'), 'kept', 'the row still in view is the same element');
    assert.equal((await rowBytes(page, 512)).slice(0, 23), '45 46 49 20 50 41 52 54');
    // Rows are in offset order, one row height apart, whatever their order in the DOM.
    const rows = await page.evaluate(() =>
      Array.from((globalThis as unknown as Doc).document.querySelectorAll('.hex-row'), (row) => ({
        offset: Number(row.dataset.offset),
        top: row.getBoundingClientRect().top,
      })).sort((a, b) => a.offset - b.offset),
    );
    assert.equal(rows[0]!.offset, 48);
    for (let i = 1; i < rows.length; i++) {
      assert.equal(rows[i]!.offset - rows[i - 1]!.offset, 16);
      assert.ok(Math.abs(rows[i]!.top - rows[i - 1]!.top - 20) < 0.5, `row ${rows[i]!.offset} is one row below ${rows[i - 1]!.offset}`);
    }
    // A selection change rebuilds the rows it touches: the tagged row gets a fresh element showing the selection.
    const inSignature = await pointAt(page, 515);
    await page.mouse.dblclick(inSignature.x, inSignature.y);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('.hex-row[data-offset="512"] .hex-byte.selected') !== null);
    assert.equal(await page.locator('.hex-row[data-offset="512"]').getAttribute('data-tag'), null);
    assert.deepEqual(
      (await selectedOffsets(page)).filter((at) => at < 528),
      [512, 513, 514, 515, 516, 517, 518, 519],
      'the Signature field is selected',
    );
    assert.deepEqual(o.problems, []);
  });

  test('32 bytes per row and no console errors or CSP violations anywhere', async () => {
    const { page } = await open(compacted, 32);
    assert.equal(
      (await byteRuns(page, '.hex-row[data-offset="512"] .hex-byte')).reduce((n, r) => n + r.length, 0),
      32,
    );
    assert.equal(await page.locator('.hex-row[data-offset="528"]').count(), 0);
    for (const o of suite.opened) assert.deepEqual(o.problems, [], 'console errors or CSP violations');
  });
});
