// openImage: raw images, VMDK descriptors resolved to their flat extents (one
// file, split 2 GB-style extents, relative paths, quoted names with spaces,
// offsets), sparse VMDK kinds refused with the conversion to run, and things
// that are no disk image at all. Then `diskx inspect x.vmdk` through the CLI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir, testGuid } from '../builders/images';
import { gptImageBytes, smallGptBytes } from '../builders/oracles';
import { runCli } from '../builders/cli';
import { openImage } from '../../src/core/io/openImage';
import { FileSource } from '../../src/core/io/fileSource';
import { ConcatSource } from '../../src/core/io/concatSource';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { analyzeImage } from '../../src/core/index';
import { NotADiskImageError, UnsupportedImageError } from '../../src/core/errors';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';

const dir = tempDir('diskx-open-');
const MiB = 1024 * 1024;

// A 3 MiB GPT disk with two partitions; its last MiB holds the backup GPT.
const DISK = gptImageBytes({
  sectorSize: 512,
  totalSectors: 6144n,
  diskGuid: testGuid(0xabc),
  slots: [
    { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'EFI' },
    null,
    { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(3), firstLba: 4096n, lastLba: 6000n, name: 'data' },
  ],
});
const SECTORS = DISK.length / 512;

function descriptor(file: string, createType: string, extents: string[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    'CID=12345678',
    'parentCID=ffffffff',
    `createType="${createType}"`,
    '',
    '# Extent description',
    ...extents,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.adapterType = "lsilogic"',
    'ddb.geometry.cylinders = "3"',
    'ddb.virtualHWVersion = "8"',
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

async function partitionsOf(imagePath: string): Promise<{ kind: string; size: number; dataFiles: string[]; partitions: string[]; problems: string[] }> {
  const opened = await openImage(imagePath);
  try {
    const disk = await readDisk(opened.source);
    return {
      kind: opened.kind,
      size: opened.source.size,
      dataFiles: opened.dataFiles,
      partitions: disk.partitions.map((p) => `${p.number}:${p.firstLba}-${p.lastLba}:${p.name}`),
      problems: checkDisk(disk)
        .filter((f) => f.severity !== 'info')
        .map((f) => f.code),
    };
  } finally {
    await opened.source.close();
  }
}

const EXPECTED_PARTITIONS = ['1:2048-4095:EFI', '3:4096-6000:data'];

describe('openImage: raw images and flat VMDK descriptors', () => {
  test('a raw image opens as a FileSource of its size', async () => {
    const file = path.join(dir, 'raw.img');
    fs.writeFileSync(file, DISK);
    const opened = await openImage(file);
    assert.equal(opened.kind, 'raw');
    assert.ok(opened.source instanceof FileSource);
    assert.deepEqual(opened.dataFiles, [file]);
    await opened.source.close();
    assert.deepEqual(await partitionsOf(file), { kind: 'raw', size: DISK.length, dataFiles: [file], partitions: EXPECTED_PARTITIONS, problems: [] });
  });

  test('monolithicFlat: the descriptor resolves to its -flat extent (relative path)', async () => {
    const flat = path.join(dir, 'mono', 'disk-flat.vmdk');
    fs.mkdirSync(path.dirname(flat), { recursive: true });
    fs.writeFileSync(flat, DISK);
    const vmdk = descriptor(path.join(dir, 'mono', 'disk.vmdk'), 'monolithicFlat', [`RW ${SECTORS} FLAT "disk-flat.vmdk" 0`]);
    assert.deepEqual(await partitionsOf(vmdk), { kind: 'vmdk', size: DISK.length, dataFiles: [flat], partitions: EXPECTED_PARTITIONS, problems: [] });
  });

  test('an ESXi-style vmfs descriptor with a VMFS extent and a quoted name with spaces, in a sub folder', async () => {
    const flat = path.join(dir, 'esx', 'data store', 'my boot disk-flat.vmdk');
    fs.mkdirSync(path.dirname(flat), { recursive: true });
    fs.writeFileSync(flat, DISK);
    const vmdk = descriptor(path.join(dir, 'esx', 'my boot disk.vmdk'), 'vmfs', [`RW ${SECTORS} VMFS "data store/my boot disk-flat.vmdk"`]);
    assert.deepEqual(await partitionsOf(vmdk), { kind: 'vmdk', size: DISK.length, dataFiles: [flat], partitions: EXPECTED_PARTITIONS, problems: [] });
  });

  test('twoGbMaxExtentFlat: three extents read as one disk, sizes summed, the backup GPT in the last extent', async () => {
    const cuts = [0, 1000 * 512, 4500 * 512, DISK.length]; // cut inside a partition and inside the primary... not: after the primary array
    const names = ['split-f001.vmdk', 'split-f002.vmdk', 'split-f003.vmdk'];
    fs.mkdirSync(path.join(dir, 'split'), { recursive: true });
    names.forEach((name, i) => fs.writeFileSync(path.join(dir, 'split', name), DISK.subarray(cuts[i], cuts[i + 1]), { flag: 'w' }));
    const vmdk = descriptor(
      path.join(dir, 'split', 'split.vmdk'),
      'twoGbMaxExtentFlat',
      names.map((name, i) => `RW ${(cuts[i + 1]! - cuts[i]!) / 512} FLAT "${name}" 0`),
    );
    const opened = await openImage(vmdk);
    assert.ok(opened.source instanceof ConcatSource);
    await opened.source.close();
    assert.deepEqual(await partitionsOf(vmdk), {
      kind: 'vmdk',
      size: DISK.length,
      dataFiles: names.map((n) => path.join(dir, 'split', n)),
      partitions: EXPECTED_PARTITIONS,
      problems: [],
    });
  });

  test('an extent at an offset inside a bigger file (FLAT "file" 2048) reads from that offset', async () => {
    const file = path.join(dir, 'offset', 'container.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(2048 * 512, 0x5a), DISK]));
    const vmdk = descriptor(path.join(dir, 'offset', 'at-offset.vmdk'), 'monolithicFlat', [`RW ${SECTORS} FLAT "container.bin" 2048`]);
    const result = await partitionsOf(vmdk);
    assert.equal(result.size, DISK.length);
    assert.deepEqual(result.partitions, EXPECTED_PARTITIONS);
    assert.deepEqual(result.problems, []);
  });

  test('an extent smaller than the descriptor says: NotADiskImageError with both sizes', async () => {
    fs.mkdirSync(path.join(dir, 'short'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'short', 'short-flat.vmdk'), DISK.subarray(0, MiB));
    const vmdk = descriptor(path.join(dir, 'short', 'short.vmdk'), 'monolithicFlat', [`RW ${SECTORS} FLAT "short-flat.vmdk" 0`]);
    await assert.rejects(
      openImage(vmdk),
      (e: unknown) => e instanceof NotADiskImageError && e.message.includes(`holds ${MiB} bytes, the descriptor says ${DISK.length}`),
    );
  });

  test('a descriptor without extents: NotADiskImageError', async () => {
    const vmdk = descriptor(path.join(dir, 'none.vmdk'), 'monolithicFlat', []);
    await assert.rejects(openImage(vmdk), (e: unknown) => e instanceof NotADiskImageError && /no extents/.test(e.message));
  });

  test('a raw image that happens to start with text is still raw when larger than a descriptor can be', async () => {
    const file = path.join(dir, 'texty.img');
    const bytes = smallGptBytes();
    bytes.set(Buffer.from('# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 8 FLAT "nothing-flat.vmdk" 0\n', 'latin1'), 0);
    fs.writeFileSync(file, bytes);
    const opened = await openImage(file);
    assert.equal(opened.kind, 'raw');
    assert.equal(opened.source.size, bytes.length);
    await opened.source.close();
  });
});

describe('openImage: ESXi sparse kinds are refused with the conversion; hosted sparse ones are read (test/io/containers.test.ts)', () => {
  for (const createType of ['vmfsSparse', 'seSparse']) {
    test(`a ${createType} descriptor`, async () => {
      const vmdk = descriptor(path.join(dir, `${createType}.vmdk`), createType, [`RW ${SECTORS} VMFSSPARSE "${createType}-delta.vmdk"`]);
      await assert.rejects(openImage(vmdk), (e: unknown) => {
        assert.ok(e instanceof UnsupportedImageError, String(e));
        assert.equal(e.kind, createType);
        assert.match(e.message, new RegExp(`is a ${createType} VMDK`));
        assert.match(e.message, /qemu-img convert -O raw/);
        return true;
      });
    });
  }

  for (const createType of ['monolithicSparse', 'streamOptimized', 'twoGbMaxExtentSparse', 'custom']) {
    test(`a ${createType} descriptor whose SPARSE extent is missing: a clear error naming it`, async () => {
      const vmdk = descriptor(path.join(dir, `${createType}.vmdk`), createType, [`RW ${SECTORS} SPARSE "${createType}-s001.vmdk"`]);
      await assert.rejects(
        openImage(vmdk),
        (e: unknown) => e instanceof NotADiskImageError && e.message.includes(`"${createType}-s001.vmdk", which does not exist`),
      );
    });
  }

  test('a binary KDMV header of zeros (no capacity) and a COWD header: clear errors, never a raw disk', async () => {
    const kdmv = path.join(dir, 'bare.vmdk');
    fs.writeFileSync(kdmv, Buffer.concat([Buffer.from('KDMV', 'latin1'), Buffer.alloc(2044)]));
    await assert.rejects(openImage(kdmv), (e: unknown) => e instanceof NotADiskImageError && /capacity of 0 sectors/.test(e.message));
    const cowd = path.join(dir, 'esx2.vmdk');
    fs.writeFileSync(cowd, Buffer.concat([Buffer.from('COWD', 'latin1'), Buffer.alloc(2044)]));
    await assert.rejects(openImage(cowd), (e: unknown) => e instanceof UnsupportedImageError && /COWD/.test(e.kind));
  });
});

describe('openImage: not a disk image', () => {
  test('a directory', async () => {
    await assert.rejects(openImage(dir), (e: unknown) => e instanceof NotADiskImageError && /directory/.test(e.message));
  });

  test('an empty file', async () => {
    const file = path.join(dir, 'empty.img');
    fs.writeFileSync(file, '');
    await assert.rejects(openImage(file), (e: unknown) => e instanceof NotADiskImageError && /empty/.test(e.message));
  });

  test('a file shorter than an MBR opens, and readDisk says it is too small', async () => {
    const file = path.join(dir, 'tiny.img');
    fs.writeFileSync(file, Buffer.alloc(100));
    await assert.rejects(analyzeImage(file), (e: unknown) => e instanceof NotADiskImageError && /too small/.test(e.message));
  });

  test('a character device (/dev/null): NotADiskImageError', { skip: !fs.existsSync('/dev/null') && 'no /dev/null' }, async () => {
    await assert.rejects(openImage('/dev/null'), (e: unknown) => e instanceof NotADiskImageError && /not a regular file or block device/.test(e.message));
  });
});

describe('diskx inspect on a .vmdk descriptor', () => {
  test('reads the partitions of the flat extent, readable and --json', async () => {
    const vmdk = path.join(dir, 'mono', 'disk.vmdk');
    assert.ok(fs.existsSync(vmdk), 'made by the monolithicFlat test');
    const text = await runCli(['inspect', vmdk]);
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stderr, '');
    assert.match(text.stdout, /Partition table: GPT/);
    assert.match(text.stdout, /^\s+0\s+1\s+2048\s+4095\s+1\.0 MiB\s+EFI system partition/im);
    assert.match(text.stdout, /^\s+2\s+3\s+4096\s+6000\s/m);
    const json = await runCli(['inspect', '--json', vmdk]);
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { image: string; sizeBytes: number; scheme: string; partitions: { number: number; firstLba: number }[] };
    assert.equal(parsed.sizeBytes, DISK.length);
    assert.equal(parsed.scheme, 'gpt');
    assert.deepEqual(
      parsed.partitions.map((p) => [p.number, p.firstLba]),
      [
        [1, 2048],
        [3, 4096],
      ],
    );
    const check = await runCli(['check', vmdk]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  test('an ESXi delta VMDK through the CLI: exit 2, one line naming the kind and the conversion', async () => {
    const vmdk = path.join(dir, 'seSparse.vmdk');
    const run = await runCli(['inspect', vmdk]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^diskx: .*seSparse\.vmdk: is a seSparse VMDK.*qemu-img convert -O raw .*\n$/);
    assert.equal(run.stderr.split('\n').length, 2);
  });
});
