// Differencing VHDs (built from the VHD specification: qemu-img cannot make them)
// read through their parents: present sectors from the child, the rest from the
// parent chain; the parent found by its relative locator, then the absolute one,
// then its name, beside the child; a missing parent, a loop, a chain deeper than
// MAX_PARENT_CHAIN or a parent of another unique id is one clear line. Repairs go
// into sectors the child holds, never into the parent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { convertRaw, haveQemuImg, qemuToRaw } from '../builders/containers';
import { CONTAINER_DISK_BYTES, containerTestDisk, readAll } from '../builders/containerDisks';
import { overlay, writeDifferencingVhd } from '../builders/vhdDifferencing';
import { prng } from '../builders/oracles';
import { openImage } from '../../src/core/io/openImage';
import { NotADiskImageError } from '../../src/core/errors';
import { MAX_PARENT_CHAIN } from '../../src/core/limits';

const dir = tempDir('diskx-vhd-diff-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const DYNAMIC = { format: 'vhd-dynamic', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=dynamic,force_size=on' };
const LAST = CONTAINER_DISK_BYTES / 512 - 1;
const random = prng(0xd1ff);

function sectorsOf(list: number[]): Map<number, Uint8Array> {
  return new Map(list.map((s) => [s, Uint8Array.from({ length: 512 }, () => Math.floor(random() * 256))]));
}

/** A dynamic VHD made by qemu-img from our raw disk (damaged when asked), and its virtual bytes by qemu. */
function base(name: string, damage = false): { file: string; bytes: Buffer } {
  const raw = containerTestDisk(path.join(dir, `${name}.img`), { damage });
  const file = convertRaw(raw, DYNAMIC, path.join(dir, `${name}.vhd`));
  return { file, bytes: qemuToRaw(file, path.join(dir, `${name}.oracle`), 'vpc') };
}

async function virtualBytes(file: string): Promise<Buffer> {
  const opened = await openImage(file);
  try {
    return Buffer.from(await readAll(opened.source));
  } finally {
    await opened.source.close();
  }
}

describe('differencing VHDs read through their parents', { skip }, () => {
  // Sectors straddling the child's 512 KiB blocks and the parent's 2 MiB ones, a whole child block, a lone sector.
  const CHILD = sectorsOf([1, 2, 1023, 1024, 1025, 4096, ...Array.from({ length: 1024 }, (_, i) => 2048 + i), LAST]);

  test('present sectors from the child, the rest from the parent; inspect --json names the parent', async () => {
    const parent = base('p1');
    const child = writeDifferencingVhd({ parent: parent.file, child: path.join(dir, 'c1.vhd'), relative: '.\\p1.vhd', sectors: CHILD });
    const expected = overlay(parent.bytes, CHILD);
    assert.ok((await virtualBytes(child)).equals(expected), 'child sectors over the parent, byte for byte');
    // qemu's vpc driver reads a differencing disk as a dynamic one (no parent, bitmaps ignored):
    // a block the child holds whole is the one place its bytes must equal ours; elsewhere it
    // shows zeros for the parent's data and the filler of absent sectors (why we never advise it here).
    const qemu = qemuToRaw(child, path.join(dir, 'c1.qemu'), 'vpc');
    assert.ok(qemu.subarray(1024 * 1024, 1536 * 1024).equals(expected.subarray(1024 * 1024, 1536 * 1024)));
    assert.ok(!qemu.equals(expected));
    const run = await runCli(['inspect', child, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const container = (JSON.parse(run.stdout) as { container: { format: string; parent: { format: string; path: string }; files: string[] } }).container;
    assert.equal(container.format, 'vhd-differencing');
    assert.equal(container.parent.format, 'vhd-dynamic');
    assert.equal(container.parent.path, parent.file);
    assert.deepEqual(container.files, [child, parent.file]);
    // The child overwrote the primary GPT header: the findings are those of the same bytes as a raw image.
    const asRaw = path.join(dir, 'c1-expected.img');
    fs.writeFileSync(asRaw, expected);
    const [fromRaw, fromChild] = await Promise.all([runCli(['check', asRaw, '--json']), runCli(['check', child, '--json'])]);
    const codes = (text: string) => (JSON.parse(text) as { findings: { code: string; offset: number }[] }).findings.map((f) => `${f.code}@${f.offset}`);
    assert.ok(codes(fromChild.stdout).includes('gpt-primary-missing@512'));
    assert.deepEqual(codes(fromChild.stdout), codes(fromRaw.stdout));
  });

  test('a chain: grandchild over child over base', async () => {
    const parent = base('p2');
    const mid = writeDifferencingVhd({ parent: parent.file, child: path.join(dir, 'm2.vhd'), relative: '.\\p2.vhd', sectors: CHILD });
    const TOP = sectorsOf([2, 2049, 9000]);
    const top = writeDifferencingVhd({ parent: mid, child: path.join(dir, 't2.vhd'), relative: '.\\m2.vhd', sectors: TOP, uniqueIdByte: 0xd2 });
    assert.ok((await virtualBytes(top)).equals(overlay(overlay(parent.bytes, CHILD), TOP)));
  });

  test('the parent located by the absolute locator, then by its name beside the child', async () => {
    const parent = base('p3');
    const other = fs.mkdtempSync(path.join(dir, 'elsewhere-'));
    const moved = path.join(other, 'p3.vhd');
    fs.copyFileSync(parent.file, moved);
    const expected = overlay(parent.bytes, CHILD);
    const absolute = writeDifferencingVhd({ parent: moved, child: path.join(dir, 'c3a.vhd'), relative: '.\\gone\\p3.vhd', absolute: moved, sectors: CHILD });
    const opened = await openImage(absolute);
    assert.equal(opened.container.parent?.path, moved, 'the relative locator names nothing: the absolute one is used');
    await opened.source.close();
    assert.ok((await virtualBytes(absolute)).equals(expected));
    // A chain copied off Windows: C:\ paths mean nothing here, the parent's file name beside the child does.
    const windows = writeDifferencingVhd({ parent: parent.file, child: path.join(dir, 'c3w.vhd'), absolute: 'C:\\VMs\\Disks\\p3.vhd', sectors: CHILD });
    const fromWindows = await openImage(windows);
    assert.equal(fromWindows.container.parent?.path, parent.file);
    await fromWindows.source.close();
    assert.ok((await virtualBytes(windows)).equals(expected));
  });

  test('a missing parent, a parent of another unique id, a loop, a chain deeper than MAX_PARENT_CHAIN: one clear line, exit 2', async () => {
    const parent = base('p4');
    const orphan = writeDifferencingVhd({
      parent: parent.file,
      child: path.join(dir, 'orphan.vhd'),
      relative: '.\\nowhere.vhd',
      name: 'nowhere.vhd',
      sectors: CHILD,
    });
    const run = await runCli(['check', orphan]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^diskx: .*orphan\.vhd: is a differencing VHD whose parent cannot be found \(tried [^\n]*nowhere\.vhd[^\n]*\)\n$/);

    const stranger = writeDifferencingVhd({
      parent: parent.file,
      child: path.join(dir, 'stranger.vhd'),
      relative: '.\\p4.vhd',
      parentUniqueId: Buffer.alloc(16, 0x77),
      sectors: CHILD,
    });
    await assert.rejects(
      openImage(stranger),
      (e: unknown) => e instanceof NotADiskImageError && /has unique id .* the child expects 77777777-/.test(e.message),
    );

    // a -> b -> a: b is made first (over the base), a over b, then b again over a.
    const b = path.join(dir, 'loop-b.vhd');
    const a = path.join(dir, 'loop-a.vhd');
    writeDifferencingVhd({ parent: parent.file, child: b, relative: '.\\p4.vhd', sectors: CHILD, uniqueIdByte: 0xb0 });
    writeDifferencingVhd({ parent: b, child: a, relative: '.\\loop-b.vhd', sectors: CHILD, uniqueIdByte: 0xa0 });
    writeDifferencingVhd({ parent: a, child: b, relative: '.\\loop-a.vhd', sectors: CHILD, uniqueIdByte: 0xb0 });
    const loop = await runCli(['inspect', a]);
    assert.equal(loop.status, 2);
    assert.match(loop.stderr, /^diskx: .*loop-a\.vhd: the chain of parents loops: .*loop-a\.vhd -> .*loop-b\.vhd -> .*loop-a\.vhd\n$/);

    let below = parent.file;
    const chain: string[] = [];
    for (let i = 0; i < MAX_PARENT_CHAIN; i++) {
      below = writeDifferencingVhd({
        parent: below,
        child: path.join(dir, `deep-${i}.vhd`),
        relative: `.\\${path.basename(below)}`,
        sectors: new Map(),
        uniqueIdByte: i,
      });
      chain.push(below);
    }
    // The top has MAX_PARENT_CHAIN parents (15 children and the base): one too many; the one below it is fine.
    await assert.rejects(openImage(chain[chain.length - 1]!), (e: unknown) => e instanceof NotADiskImageError && /MAX_PARENT_CHAIN \(16\)/.test(e.message));
    assert.ok((await virtualBytes(chain[chain.length - 2]!)).equals(parent.bytes));
  });
});

describe('repairs through a differencing VHD', { skip }, () => {
  test('into sectors the child holds: written in the child, the parent untouched, the result equals our raw repair; undo restores', async () => {
    const parent = base('fixp', true);
    const headers = sectorsOf([]);
    for (const s of [1, LAST]) headers.set(s, parent.bytes.subarray(s * 512, s * 512 + 512));
    const child = writeDifferencingVhd({ parent: parent.file, child: path.join(dir, 'fixc.vhd'), relative: '.\\fixp.vhd', sectors: headers });
    const parentBefore = fs.readFileSync(parent.file);
    const raw = path.join(dir, 'fixp.img');
    assert.equal((await runCli(['fix', raw, '--fix', 'recompute-crcs', '--write'])).status, 0);
    const run = await runCli(['fix', child, '--fix', 'recompute-crcs', '--write']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok((await virtualBytes(child)).equals(fs.readFileSync(raw)), 'the child now reads as the raw image repaired by diskx');
    assert.ok(fs.readFileSync(parent.file).equals(parentBefore), 'the parent is byte for byte unchanged');
    assert.equal((await runCli(['undo', child])).status, 0);
    assert.ok((await virtualBytes(child)).equals(parent.bytes));
  });

  test("a patched sector the child does not hold (it is the parent's): refused with the reason and the conversion, nothing written", async () => {
    const parent = base('refp', true);
    const only = new Map([[1, parent.bytes.subarray(512, 1024)]]);
    const child = writeDifferencingVhd({ parent: parent.file, child: path.join(dir, 'refc.vhd'), relative: '.\\refp.vhd', sectors: only });
    const before = [fs.readFileSync(child), fs.readFileSync(parent.file)];
    const run = await runCli(['fix', child, '--fix', 'recompute-crcs', '--write']);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout + run.stderr, /not allocated in this vhd-differencing file but read from its parent|bitmap marks absent/);
    // qemu-img reads a differencing VHD without its parent: the advice is Hyper-V's merge, not a qemu-img conversion.
    assert.match(run.stdout + run.stderr, /Convert-VHD -Path \S*refc\.vhd -DestinationPath \S*refc-merged\.vhd -VHDType Fixed/);
    assert.doesNotMatch(run.stdout + run.stderr, /qemu-img convert/);
    assert.ok(fs.readFileSync(child).equals(before[0]!) && fs.readFileSync(parent.file).equals(before[1]!), 'nothing written');
  });
});
