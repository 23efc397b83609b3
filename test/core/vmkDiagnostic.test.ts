// ESXi vmkDiagnostic partitions: their format is not published (no blkid
// probe, no VMware document), so diskx reads no structure in them. A zeroed
// or unrecognised one says so (content null, a note that the type cannot be
// verified) and gets no type-mismatch finding; one holding a real file system
// (made by mkfs.vfat, seen by blkid) does get one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { analyzeFile, codes, prng, sparseFile, writeAt } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { TOOL_VOLUMES, blkidAt, haveTools, makeVolume } from '../builders/volumes';
import { buildStructureTree } from '../../src/app/structureTree';
import { findNode } from '../builders/tree';

const MiB = 1024 * 1024;
const DIAG_FIRST = 1032224; // partition 7 of the ESXi 5.0 layout
const DIAG_BYTES = (1257471 - DIAG_FIRST + 1) * 512;
const dir = tempDir('diskx-vmkdiag-');
const skip = haveTools('blkid', 'mkfs.vfat', 'sfdisk') ? false : 'needs util-linux, dosfstools';

const esxi = (name: string): string => writeEsxi5Image(path.join(dir, name), { sizeBytes: 8 * 1024 * MiB });

/** blkid's verdict at an offset: exit 2 when it finds nothing. */
function blkidFindsNothing(image: string, offset: number, size: number): boolean {
  try {
    execFileSync('blkid', ['-p', '-O', String(offset), '-S', String(size), '-o', 'export', image], { stdio: 'ignore' });
    return false;
  } catch (error) {
    return (error as { status?: number }).status === 2;
  }
}

describe('vmkDiagnostic partitions (format not public)', { skip }, () => {
  test('zeroed (a fresh ESXi install): content null, a note saying so and that the type cannot be verified, no finding', async () => {
    const image = esxi('zeroed.img');
    assert.ok(blkidFindsNothing(image, DIAG_FIRST * 512, DIAG_BYTES), 'blkid finds nothing either');
    const { disk, findings } = await analyzeFile(image);
    const diag = disk.partitions.find((p) => p.number === 7)!;
    assert.equal(diag.content, null);
    assert.match(diag.contentNote ?? '', /^The first 4096 bytes are all zero: no core dump has been written/);
    assert.match(diag.contentNote ?? '', /cannot be verified: the format of an ESXi vmkDiagnostic partition is not published/);
    assert.ok(!codes(findings).includes('partition-type-mismatch'));
    // Only the unverifiable type gets a note; the other empty partitions of the layout do not.
    assert.deepEqual(
      disk.partitions.filter((p) => p.contentNote !== undefined).map((p) => p.number),
      [7],
    );

    const json = JSON.parse((await runCli(['inspect', '--json', image])).stdout) as {
      partitions: { number: number; content: unknown; contentNote?: string }[];
    };
    const entry = json.partitions.find((p) => p.number === 7)!;
    assert.equal(entry.content, null);
    assert.equal(entry.contentNote, diag.contentNote);
    assert.equal(json.partitions.filter((p) => 'contentNote' in p).length, 1);
    const text = (await runCli(['inspect', image])).stdout;
    assert.match(text, /^Partition 7 \(VMware vmkDiagnostic\): The first 4096 bytes are all zero/m);

    const { tree } = buildStructureTree(disk, findings);
    const node = findNode(tree, 'partition-7.contents');
    assert.ok(node, 'a Contents node under partition 7');
    assert.equal(node.value, 'all zero · type not verifiable');
    assert.equal(node.offset, DIAG_FIRST * 512);
    assert.equal(node.length, 4096);
  });

  test('holding bytes nothing recognises (a dump in its own format): the note says so, still no finding', async () => {
    const image = esxi('data.img');
    const random = prng(7);
    writeAt(
      image,
      DIAG_FIRST * 512,
      Uint8Array.from({ length: 8192 }, () => Math.floor(random() * 256)),
    );
    assert.ok(blkidFindsNothing(image, DIAG_FIRST * 512, DIAG_BYTES));
    const { disk, findings } = await analyzeFile(image);
    const diag = disk.partitions.find((p) => p.number === 7)!;
    assert.equal(diag.content, null);
    assert.match(diag.contentNote ?? '', /^The first 4096 bytes hold data diskx does not recognise/);
    assert.ok(!codes(findings).includes('partition-type-mismatch'));
  });

  test('holding a FAT file system (mkfs.vfat): content vfat as blkid sees it, partition-type-mismatch, no note', async () => {
    const image = esxi('vfat.img');
    const volume = makeVolume(dir, 'diag-fat', 32 * MiB, (f) => TOOL_VOLUMES.fat16!.make(f, 32 * MiB));
    // The ESXi layout's partition 7 is not 1 MiB aligned: copied in 512-byte blocks.
    execFileSync('dd', [`if=${volume}`, `of=${image}`, 'bs=512', `seek=${DIAG_FIRST}`, 'conv=notrunc,sparse', 'status=none']);
    const oracle = blkidAt(image, DIAG_FIRST * 512, DIAG_BYTES);
    const { disk, findings } = await analyzeFile(image);
    const diag = disk.partitions.find((p) => p.number === 7)!;
    assert.equal(diag.content?.type, oracle.TYPE);
    assert.equal(diag.content?.label, oracle.LABEL);
    assert.equal(diag.contentNote, undefined);
    const mismatch = findings.find((f) => f.code === 'partition-type-mismatch');
    assert.match(mismatch?.message ?? '', /^Partition 7 is typed VMware vmkDiagnostic \(9D275380-40AD-11DB-BF97-000C2911D1B8\) but holds vfat/);
  });

  test('MBR type 0xFC (VMKCORE), zeroed: the same note', async () => {
    const image = sparseFile(path.join(dir, 'mbr-fc.img'), 64 * MiB);
    execFileSync('sfdisk', ['-q', image], { input: 'label: dos\nstart=2048, size=40960, type=fc\n', stdio: ['pipe', 'ignore', 'pipe'] });
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.partitions[0]!.content, null);
    assert.match(disk.partitions[0]!.contentNote ?? '', /all zero.*cannot be verified/);
    assert.deepEqual(codes(findings), []);
  });
});
