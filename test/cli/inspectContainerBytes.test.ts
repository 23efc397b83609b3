// `diskx inspect IMAGE --container-bytes`: the container file's own headers,
// footers and tables, at file offsets, read-only. Every field's offset and raw
// bytes are checked against the file itself, the dump against the file's bytes,
// and the qcow2 header's figures against qemu-img info.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../builders/images';
import { runCli } from '../builders/cli';
import { haveQemuImg } from '../builders/containers';
import { containerTestDisk } from '../builders/containerDisks';

const dir = tempDir('diskx-container-bytes-');
const skip = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';

interface Struct {
  name: string;
  file: string;
  offset: number;
  length: number;
  hex: string;
  fields: { path: string; offset: number; length: number; value: number | string | null; raw: string }[];
  fieldsLeft: number;
}

async function structsOf(file: string): Promise<Struct[]> {
  const run = await runCli(['inspect', file, '--container-bytes', '--json']);
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as { containerBytes: Struct[] }).containerBytes;
}

/** Every dumped byte and every field's raw bytes are the file's own bytes at those file offsets. */
function assertFromFile(structs: Struct[]): void {
  assert.ok(structs.length > 0);
  for (const s of structs) {
    const bytes = fs.readFileSync(s.file);
    assert.equal(s.hex, bytes.subarray(s.offset, s.offset + s.hex.length / 2).toString('hex'), `${s.name}: the dump is the file's bytes`);
    assert.ok(s.hex.length / 2 <= Math.min(s.length, 4096));
    for (const f of s.fields)
      assert.equal(f.raw, bytes.subarray(f.offset, f.offset + f.length).toString('hex'), `${s.name}.${f.path} at file offset ${f.offset}`);
  }
}

describe('inspect --container-bytes', { skip }, () => {
  const raw = containerTestDisk(path.join(dir, 'disk.img'));

  test("qcow2: the header's fields at file offsets, equal to the file and to qemu-img info; text with a hex dump", async () => {
    const file = path.join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
    const before = fs.readFileSync(file);
    const structs = await structsOf(file);
    assertFromFile(structs);
    const header = structs.find((s) => s.name === 'qcow2Header')!;
    const value = (p: string) => header.fields.find((f) => f.path === p)?.value;
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' })) as {
      'virtual-size': number;
      'cluster-size': number;
    };
    assert.equal(value('size'), info['virtual-size']);
    assert.equal(2 ** Number(value('clusterBits')), info['cluster-size']);
    assert.equal(header.hex.slice(0, 8), '514649fb', 'QFI\\xfb');

    const text = await runCli(['inspect', file, '--container-bytes']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Container file bytes \(read-only; offsets are file offsets, not virtual-disk ones\):/);
    assert.match(text.stdout, /qcow2Header {2}\S+disk\.qcow2 {2}file bytes 0x0-0x/);
    assert.match(text.stdout, new RegExp(`0x18 +\\+8 +size +${info['virtual-size']} \\(0x`));
    assert.match(text.stdout, /\n {2}0000000000 {2}51 46 49 fb 00 00 00 0[23] /);
    assert.ok(fs.readFileSync(file).equals(before), 'read-only: the file is unchanged');
  });

  test('VHDX: both header slots and the tables; a 64 KiB table is cut at 4096 bytes and says so', async () => {
    const file = path.join(dir, 'disk.vhdx');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vhdx', raw, file]);
    const structs = await structsOf(file);
    assertFromFile(structs);
    assert.deepEqual(
      structs.filter((s) => s.name.startsWith('vhdxHeader')).map((s) => [s.offset, s.length]),
      [
        [65536, 4096],
        [131072, 4096],
      ],
    );
    const region = structs.find((s) => s.name.startsWith('vhdxRegionTable'))!;
    assert.equal(region.length, 65536);
    assert.equal(region.hex.length / 2, 4096);
    const text = (await runCli(['inspect', file, '--container-bytes'])).stdout;
    assert.match(text, /signature +68 65 61 64 "head"/);
    assert.match(text, /\.\.\. 61440 more bytes not shown \(at most 4096 per structure, MAX_CONTAINER_DUMP_BYTES\)/);
  });

  test('split sparse VMDK: each extent header is dumped from its own file', async () => {
    const file = path.join(dir, 'split.vmdk');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', raw, file]);
    const structs = await structsOf(file);
    assertFromFile(structs);
    assert.ok(
      structs.every((s) => s.file !== file && /split-s\d+\.vmdk$/.test(s.file)),
      structs.map((s) => s.file).join(' '),
    );
  });

  test('a raw image has no container bytes: an empty list, and the text says so', async () => {
    assert.deepEqual(await structsOf(raw), []);
    const text = await runCli(['inspect', raw, '--container-bytes']);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /Container file bytes: none \(\S+disk\.img is not stored in a container\)\./);
  });
});
