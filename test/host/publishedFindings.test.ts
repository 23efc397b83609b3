// After a save the session keeps its model, so its findings are the ones the
// Problems panel already shows: the host skips publishing them again. Checked
// with a real session: a saved data byte leaves the findings as they were
// (nothing to publish), a saved header byte changes them (published).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PublishedFindings } from '../../src/host/publishedFindings';
import { DiskImageSession } from '../../src/app/diskImageSession';
import type { Finding } from '../../src/core/findings';
import { haveOracles, tempDir } from '../builders/images';
import { sgdisk, sparseFile } from '../builders/oracles';

const MiB = 1024 * 1024;
const settings = { bytesPerRow: 16 as const };

const finding = (offset: number): Finding => ({ code: 'slot-gap', severity: 'info', message: 'gap', offset, length: 128, fixes: [] });

test('PublishedFindings: the same findings again are not a change; other ones, another image or a forgotten one are', () => {
  const published = new PublishedFindings();
  assert.equal(published.changed('file:///a.img', [finding(1024)]), true, 'first publish');
  assert.equal(published.changed('file:///a.img', [finding(1024)]), false, 'equal findings, another array');
  assert.equal(published.changed('file:///b.img', [finding(1024)]), true, 'another image');
  assert.equal(published.changed('file:///a.img', [finding(1152)]), true, 'an offset changed');
  assert.equal(published.changed('file:///a.img', []), true, 'all gone');
  assert.equal(published.changed('file:///a.img', []), false);
  published.forget('file:///a.img');
  assert.equal(published.changed('file:///a.img', []), true, 'forgotten (its entries were deleted): shown again');
});

test('a saved data byte leaves the findings as published; a saved header byte does not', { skip: !haveOracles() && 'needs gdisk' }, async () => {
  const file = sparseFile(path.join(tempDir(), 'disk.img'), 64 * MiB);
  // A gap between slots 1 and 3 gives the image a finding to publish.
  await sgdisk(file, '-n', '1:2048:+10M', '-n', '3:0:+5M');
  const session = await DiskImageSession.open(file);
  const published = new PublishedFindings();
  try {
    assert.ok(session.findings.some((f) => f.code === 'slot-gap'));
    assert.equal(published.changed(file, session.findings), true);
    await session.handle({ type: 'editBytes', offset: 3 * MiB, hex: '77', dependents: true, action: 'type' }, settings);
    await session.save();
    assert.equal(published.changed(file, session.findings), false, 'the save changed no finding');
    // The primary header's revision byte, without fixing its CRC: a new finding.
    await session.handle({ type: 'editBytes', offset: 512 + 8, hex: '02', dependents: false, action: 'type' }, settings);
    await session.save();
    assert.ok(session.findings.some((f) => f.code === 'gpt-primary-header-crc'));
    assert.equal(published.changed(file, session.findings), true);
  } finally {
    await session.close();
  }
});
