// `diskx inspect IMAGE --spec FILE.ksy --at ...` as a user runs it: the example specs on
// an image with GRUB's real boot.img and a core.img made by grub-mkimage (checked
// against grub's files and sfdisk), the Linux boot header in a partition of a 2 TiB
// sparse disk (only the window is read), and compile / parse errors as one line, exit 2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { run, tempDir, testGuid, writeGptImage, writeSparseImage } from '../builders/images';
import { runCli } from '../builders/cli';
import { CountingSource } from '../builders/countingSource';
import { FileSource } from '../../src/core/io/fileSource';
import { readDisk } from '../../src/core/diskModel';
import { parseArgs } from '../../src/cli/args';
import { applySpecFlags } from '../../src/cli/specCommand';
import { SPEC_WINDOW_BYTES } from '../../src/core/limits';
import type { SpecField } from '../../src/core/specs/specTypes';

const root = path.resolve(__dirname, '..', '..');
const examples = path.join(root, 'examples', 'specs');
const dir = tempDir('diskx-cli-spec-');
const GRUB = '/usr/lib/grub/i386-pc';
const haveGrub =
  fs.existsSync(path.join(GRUB, 'boot.img')) &&
  (() => {
    try {
      execFileSync('grub-mkimage', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

interface SpecsJson {
  specs: { spec: string; at: number; placement: string; id: string; length: number; fields: SpecField[] }[];
}

function value(fields: SpecField[], fieldPath: string): SpecField['value'] | undefined {
  return lookup(fields, fieldPath)?.value;
}

function lookup(fields: SpecField[], fieldPath: string): SpecField | undefined {
  for (const field of fields) {
    if (field.path === fieldPath) return field;
    if (field.children && fieldPath.startsWith(field.path + '.')) return lookup(field.children, fieldPath);
  }
  return undefined;
}

describe('GRUB in LBA 0 and the MBR gap', { skip: haveGrub ? false : 'grub-pc-bin is not installed (.ci/run installs it)' }, () => {
  const image = path.join(dir, 'grub.img');
  const core = path.join(dir, 'core.img');
  if (haveGrub) {
    writeSparseImage(image, 64 * 1024 * 1024, []);
    run('sfdisk', ['-q', image], 'label: dos\nstart=2048, size=65536, type=83, bootable\nstart=67584, type=82\n');
    run('grub-mkimage', ['-O', 'i386-pc', '-p', '(hd0,msdos1)/boot/grub', '-o', core, 'biosdisk', 'part_msdos', 'ext2']);
    // As grub-bios-setup does: boot.img's code over the first 440 bytes (the table stays), core.img at LBA 1.
    const fd = fs.openSync(image, 'r+');
    fs.writeSync(fd, fs.readFileSync(path.join(GRUB, 'boot.img')).subarray(0, 440), 0, 440, 0);
    fs.writeSync(fd, fs.readFileSync(core), 0, fs.statSync(core).size, 512);
    fs.closeSync(fd);
  }

  test("boot.img and core.img fields match grub-mkimage, GRUB's files and sfdisk", async () => {
    const result = await runCli([
      'inspect',
      image,
      '--spec',
      path.join(examples, 'grub_boot_img.ksy'),
      '--at',
      'lba:0',
      '--spec',
      path.join(examples, 'grub_core_img.ksy'),
      '--at',
      'lba:1',
      '--json',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const { specs } = JSON.parse(result.stdout) as SpecsJson;
    assert.deepEqual(
      specs.map((spec) => [spec.id, spec.at, spec.placement]),
      [
        ['grub_boot_img', 0, 'lba:0'],
        ['grub_core_img', 512, 'lba:1'],
      ],
    );
    const boot = specs[0]!.fields;
    assert.equal(lookup(boot, 'jump')?.bytes, 'eb6390');
    assert.deepEqual([value(boot, 'kernel_address'), value(boot, 'kernel_sector'), value(boot, 'boot_drive')], [0x8000, 1, 0xff]);
    assert.deepEqual([lookup(boot, 'kernel_sector')?.offset, lookup(boot, 'kernel_sector')?.length], [0x5c, 8]);
    const table = (
      JSON.parse(run('sfdisk', ['--json', image])) as { partitiontable: { partitions: { start: number; size: number; type: string; bootable?: boolean }[] } }
    ).partitiontable.partitions;
    for (const [index, partition] of table.entries()) {
      assert.equal(value(boot, `partitions.${index}.first_lba`), partition.start);
      assert.equal(value(boot, `partitions.${index}.num_sectors`), partition.size);
      assert.equal(value(boot, `partitions.${index}.partition_type`), parseInt(partition.type, 16));
      assert.equal(value(boot, `partitions.${index}.status`), partition.bootable ? 0x80 : 0);
    }
    assert.deepEqual(
      [lookup(boot, 'partitions.0.partition_type')?.enum, lookup(boot, 'partitions.1.partition_type')?.enum, lookup(boot, 'partitions.2.partition_type')?.enum],
      ['linux', 'linux_swap', 'empty'],
    );
    assert.equal(lookup(boot, 'boot_signature')?.bytes, '55aa');
    assert.equal(value(boot, 'core_img_offset'), 512);

    const coreSize = fs.statSync(core).size;
    const coreFields = specs[1]!.fields;
    assert.deepEqual([value(coreFields, 'first_blocklist.start_lba'), value(coreFields, 'first_blocklist.load_segment')], [2, 0x820]);
    assert.equal(value(coreFields, 'first_blocklist.num_sectors'), Math.ceil((coreSize - 512) / 512), 'grub-mkimage fills in the sectors after diskboot.img');
    assert.equal(lookup(coreFields, 'first_blocklist.num_sectors')?.offset, 512 + 0x1fc);
    const decompressor = fs.statSync(path.join(GRUB, 'lzma_decompress.img')).size;
    assert.equal(value(coreFields, 'decompressor.compressed_size'), coreSize - 512 - decompressor, 'diskboot + decompressor + compressed payload = core.img');
    assert.equal(lookup(coreFields, 'decompressor.jump')?.bytes?.slice(0, 2), 'ea');
    assert.equal(value(coreFields, 'core_img_sectors'), Math.ceil(coreSize / 512));
  });

  test('the text output lists the fields with offsets, values and enum names', async () => {
    const result = await runCli(['inspect', image, '--spec', path.join(examples, 'grub_boot_img.ksy')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Spec grub_boot_img \(.*grub_boot_img\.ksy\) at 0x0 = byte 0: 512 bytes/);
    assert.match(result.stdout, /0x0000005a +2 +kernel_address = 32768 \(0x8000\)/);
    assert.match(result.stdout, /0x000001c2 +1 +partition_type = 131 \(0x83\) \[linux\]/);
  });
});

describe('the Linux boot header in a partition of a 2 TiB sparse disk', () => {
  const sectors = (2n * 1024n ** 4n) / 512n;
  const image = path.join(dir, 'kernel-2tib.img');
  const partitionStart = 2048 * 512;
  const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
  writeGptImage(image, {
    sectorSize: 512,
    totalSectors: sectors,
    diskGuid: testGuid(1),
    slots: [{ typeGuid: LINUX, uniqueGuid: testGuid(2), firstLba: 2048n, lastLba: 526335n, attributes: 0n, name: 'kernel' }],
  });
  // A bzImage's header as Documentation/arch/x86/boot.rst lays it out.
  const header = new Uint8Array(0x600);
  const view = new DataView(header.buffer);
  view.setUint8(0x1f1, 27); // setup_sects
  view.setUint32(0x1f4, 0x8a3c1, true); // syssize
  view.setUint16(0x1fe, 0xaa55, true);
  header.set([0xeb, 0x6a], 0x200);
  header.set(new TextEncoder().encode('HdrS'), 0x202);
  view.setUint16(0x206, 0x020f, true); // protocol 2.15
  view.setUint16(0x20e, 0x3a0, true); // kernel_version: string at 0x3a0 + 0x200
  view.setUint8(0x211, 0x81); // LOADED_HIGH | CAN_USE_HEAP
  view.setUint32(0x214, 0x100000, true);
  view.setUint32(0x230, 0x200000, true); // kernel_alignment
  view.setUint32(0x23c, 0, true); // hardware_subarch: pc
  view.setBigUint64(0x250, 0xffff888812345678n, true); // setup_data: above 2^53
  view.setBigUint64(0x258, 0x1000000n, true); // pref_address
  view.setUint32(0x260, 0x2c3d000, true); // init_size
  header.set(new TextEncoder().encode('6.1.0-diskx (test@builder) #1 SMP\0'), 0x5a0);
  const fd = fs.openSync(image, 'r+');
  fs.writeSync(fd, header, 0, header.length, partitionStart);
  fs.closeSync(fd);
  const spec = path.join(examples, 'linux_boot_header.ksy');

  test('--at partition:1 --json: the values written, 64-bit ones exact, the pos instance read', async () => {
    const result = await runCli(['inspect', image, '--spec', spec, '--at', 'partition:1', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const [applied] = (JSON.parse(result.stdout) as SpecsJson).specs;
    assert.deepEqual([applied!.at, applied!.placement], [partitionStart, 'partition:1']);
    const fields = applied!.fields;
    assert.deepEqual(
      [
        'setup_sects',
        'syssize',
        'boot_flag',
        'version',
        'kernel_version',
        'loadflags',
        'code32_start',
        'kernel_alignment',
        'pref_address',
        'init_size',
        'protocol_major',
        'protocol_minor',
      ].map((name) => value(fields, name)),
      [27, 0x8a3c1, 0xaa55, 0x020f, 0x3a0, 0x81, 0x100000, 0x200000, 0x1000000, 0x2c3d000, 2, 15],
    );
    assert.equal(value(fields, 'setup_data'), 0xffff888812345678n.toString(), 'above 2^53: a decimal string');
    assert.equal(lookup(fields, 'hardware_subarch')?.enum, 'pc');
    const version = lookup(fields, 'version_string');
    assert.deepEqual([version?.value, version?.offset, version?.instance], ['6.1.0-diskx (test@builder) #1 SMP', partitionStart + 0x5a0, true]);
    assert.deepEqual([lookup(fields, 'header')?.offset, lookup(fields, 'header')?.bytes], [partitionStart + 0x202, Buffer.from('HdrS').toString('hex')]);
  });

  test('only the window is read from the 2 TiB image', async () => {
    const source = new CountingSource(await FileSource.open(image));
    try {
      const disk = await readDisk(source);
      const before = { reads: source.reads, bytes: source.bytesRead };
      const reads: [number, number][] = [];
      const read = source.read.bind(source);
      source.read = (offset, length) => (reads.push([offset, length]), read(offset, length));
      const { placed } = await applySpecFlags(
        parseArgs(['--spec', spec, '--at', 'lba:2048'], { spec: { value: true, repeat: true }, at: { value: true, repeat: true } }),
        disk,
        source,
      );
      assert.equal(value(placed[0]!.result.fields, 'setup_sects'), 27);
      assert.equal(source.bytesRead - before.bytes, SPEC_WINDOW_BYTES);
      assert.ok(reads.length > 0 && reads.every(([offset, length]) => offset >= partitionStart && offset + length <= partitionStart + SPEC_WINDOW_BYTES));
    } finally {
      await source.close();
    }
  });
});

describe('errors: one line, exit 2', () => {
  const image = path.join(dir, 'small.img');
  writeSparseImage(image, 1024 * 1024, [{ offset: 510, bytes: new Uint8Array([0x55, 0xaa]) }]);

  const cases: [string, string, RegExp][] = [
    [
      'a compile error, with line and column',
      'meta:\n  id: broken\nseq:\n  - id: a\n    type: nosuch\n',
      /^diskx: .*broken\.ksy:5:11: \/seq\/0\/type: unable to find type 'nosuch', searching from broken\n$/,
    ],
    ['a YAML error', 'meta:\n  id: yaml\nseq:\n  - id: a\n   type: u1\n', /^diskx: .*yaml\.ksy:5:1: YAML: /],
    [
      'a read past the image',
      'meta:\n  id: toolong\nseq:\n  - id: a\n    size: 0x200000\n',
      /^diskx: .*toolong\.ksy: a at 0x0 reads past the window: requested 2097152 bytes, but only 1048576 bytes available; the image ends at 0x100000\n$/,
    ],
    ['a failed validation', 'meta:\n  id: magic\nseq:\n  - id: a\n    contents: [1, 2]\n', /^diskx: .*magic\.ksy: a at 0x0: validation failed: /],
  ];
  for (const [name, text, expected] of cases) {
    test(name, async () => {
      const spec = path.join(dir, `${name.split(' ').slice(-1)[0]!.replace(/\W/g, '')}-${text.length}.ksy`);
      fs.writeFileSync(
        spec,
        text.replace(/id: (broken|yaml|toolong|magic)/, (_, id: string) => `id: ${id}`),
      );
      const renamed = path.join(dir, `${/id: (\w+)/.exec(text)![1]}.ksy`);
      fs.renameSync(spec, renamed);
      const result = await runCli(['inspect', image, '--spec', renamed, '--json']);
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    });
  }

  test('--at a partition the disk does not have', async () => {
    const result = await runCli(['inspect', image, '--spec', path.join(examples, 'grub_boot_img.ksy'), '--at', 'partition:7']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^diskx: .*small\.img: --at partition:7: there is no partition 7 \(the disk has no partitions\)\n$/);
  });
});
