// The data inspector in a real browser (issue 18): every decoding of random
// bytes on the image equals Node's Buffer reads of the same bytes, the byte-order
// toggle switches them and is remembered (webview state) across a reload, and a
// value wraps only between its tokens, never inside a number.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, browserUnavailable, skipUnless, waitReady } from './harness';
import type { OpenedPage } from './harness';
import { dataDisk } from './images';
import { seededBytes } from '../builders/oracles';

const skip = skipUnless(browserUnavailable(), 'inspector browser tests');

const DATA = 2048 * 512; // the partition's first byte: random bytes are written there
const SAMPLES = 24;

async function rows(page: Page): Promise<Record<string, string>> {
  const pairs = await page.locator('#inspector-table tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const t = tr as unknown as { children: { textContent: string }[] };
      return [t.children[0]?.textContent ?? '', t.children[1]?.textContent ?? ''] as [string, string];
    }),
  );
  return Object.fromEntries(pairs);
}

async function inspectAt(page: Page, offset: number, expect: (v: Record<string, string>) => boolean): Promise<Record<string, string>> {
  await page.evaluate(`window.postMessage({ type: 'test:goto', offset: ${offset} }, '*')`);
  for (let i = 0; i < 200; i++) {
    const v = await rows(page);
    if (expect(v)) return v;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`the inspector never showed offset ${offset}`);
}

describe('data inspector in a real browser', { skip }, () => {
  const suite = browserSuite('diskx-inspector-');
  let opened: OpenedPage;
  let data: Buffer;

  before(async () => {
    const image = dataDisk(path.join(suite.dir, 'gpt.img'));
    data = seededBytes(0x1818, SAMPLES * 16);
    const fd = fs.openSync(image, 'r+');
    fs.writeSync(fd, data, 0, data.length, DATA);
    fs.closeSync(fd);
    opened = await suite.open(image, { bytesPerRow: 16 }, { width: 1920, height: 1000 });
    await waitReady(opened.page);
  });

  function check(v: Record<string, string>, b: Buffer, le: boolean, where: string): void {
    const first = (s: string | undefined): string => (s ?? '').split(' ')[0]!;
    const float = (s: string | undefined): number => (s === 'NaN' ? NaN : Number(s));
    assert.equal(first(v['u8']), String(b.readUInt8(0)), where);
    assert.equal(v['i8'], String(b.readInt8(0)), where);
    assert.equal(first(v['u16']), String(le ? b.readUInt16LE(0) : b.readUInt16BE(0)), where);
    assert.equal(v['i16'], String(le ? b.readInt16LE(0) : b.readInt16BE(0)), where);
    assert.equal(first(v['u32']), String(le ? b.readUInt32LE(0) : b.readUInt32BE(0)), where);
    assert.equal(v['i32'], String(le ? b.readInt32LE(0) : b.readInt32BE(0)), where);
    assert.equal(first(v['u64']), String(le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0)), where);
    assert.equal(v['i64'], String(le ? b.readBigInt64LE(0) : b.readBigInt64BE(0)), where);
    assert.ok(Object.is(Math.fround(float(v['f32'])), le ? b.readFloatLE(0) : b.readFloatBE(0)), `${where} f32 ${v['f32']}`);
    assert.ok(Object.is(float(v['f64']), le ? b.readDoubleLE(0) : b.readDoubleBE(0)), `${where} f64 ${v['f64']}`);
    assert.equal(v['binary'], Array.from(b.subarray(0, 4), (x) => x.toString(2).padStart(8, '0')).join(' '), where);
    const lba = (le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0)) * 512n;
    assert.equal(v['u64 LBA → byte'], `0x${lba.toString(16).toUpperCase()} (512-byte sectors)`, where);
  }

  test('each decoding of random bytes equals the Buffer read, little endian then big endian', async () => {
    const { page } = opened;
    for (const le of [true, false]) {
      if (!le) {
        await page.locator('#inspector-endian').click();
        assert.equal(await page.locator('#inspector-endian').getAttribute('aria-pressed'), 'true');
      }
      for (let i = 0; i < SAMPLES; i++) {
        const offset = DATA + i * 16 + (i % 3); // unaligned too
        const b = data.subarray(offset - DATA, offset - DATA + 16);
        const expected = String(le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0));
        const v = await inspectAt(page, offset, (r) => (r['u64'] ?? '').startsWith(`${expected} `));
        check(v, b, le, `offset ${offset} ${le ? 'LE' : 'BE'}`);
        assert.equal(v['offset → LBA'], `LBA ${Math.floor(offset / 512)}${offset % 512 ? ` + 0x${(offset % 512).toString(16).toUpperCase()}` : ''}`);
      }
    }
    assert.deepEqual(opened.problems, []);
  });

  test('the byte order is remembered across a reload of the webview (its saved state)', async () => {
    const { page } = opened;
    assert.equal(await page.locator('#inspector-endian').getAttribute('aria-pressed'), 'true', 'big endian from the test before');
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator('#inspector-endian').getAttribute('aria-pressed'), 'true');
    const b = data.subarray(0, 16);
    const v = await inspectAt(page, DATA, (r) => (r['u64'] ?? '').startsWith(`${b.readBigUInt64BE(0)} `));
    check(v, b, false, 'after reload');
    await page.locator('#inspector-endian').click();
    assert.equal(await page.locator('#inspector-endian').getAttribute('aria-pressed'), 'false');
  });

  test('values wrap only between tokens, at 1920 and at 640 px, and the inspector never scrolls sideways', async () => {
    const { page } = opened;
    for (const width of [1920, 800, 640]) {
      await page.setViewportSize({ width, height: 900 });
      // All-ones bytes: the longest integers (20 digits and 16 hex digits).
      await inspectAt(page, 512 * 3 - 8, (r) => /^\d+ \(0x[0-9A-F]{16}\)$/.test(r['u64'] ?? ''));
      const m = await page.locator('#inspector').evaluate((inspector) => {
        const i = inspector as unknown as {
          scrollWidth: number;
          clientWidth: number;
          querySelectorAll(s: string): ArrayLike<{ textContent: string; getClientRects(): ArrayLike<unknown> }>;
        };
        const split = Array.from(i.querySelectorAll('tr:not(.text) .tok'))
          .filter((t) => t.getClientRects().length !== 1)
          .map((t) => t.textContent);
        return { split, scrollWidth: i.scrollWidth, clientWidth: i.clientWidth };
      });
      assert.deepEqual(m.split, [], `no token broken across lines at ${width} px`);
      assert.ok(m.scrollWidth <= m.clientWidth + 1, `no sideways scroll in the inspector at ${width} px (${m.scrollWidth} > ${m.clientWidth})`);
    }
    assert.deepEqual(opened.problems, []);
  });
});
