// Inputs that are not raw disks must never be read (or written) as one: container
// files made by qemu-img are recognised by signature and named; VMDK descriptors
// padded with NULs (as qemu-img writes them) are descriptors; a descriptor over
// 64 KiB is named; extents outside the descriptor's folder are refused unless
// --allow-outside-extents.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir, testGuid, writeGptImage } from '../builders/images';
import { runCli } from '../builders/cli';
import { CONTAINER_KINDS, convertRaw, haveQemuImg } from '../builders/containers';
import { openImage } from '../../src/core/io/openImage';
import { READABLE_CONTAINERS } from '../../src/core/io/containerOpen';
import { NotADiskImageError } from '../../src/core/errors';
import { TYPE_EFI_SYSTEM, TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';

const dir = tempDir('diskx-inputs-');
const skipQemu = !haveQemuImg() && 'qemu-img not installed (Debian qemu-utils)';
const SECTORS = 8192n; // 4 MiB

function rawDisk(file: string): string {
  return writeGptImage(file, {
    sectorSize: 512,
    totalSectors: SECTORS,
    diskGuid: testGuid(0x11),
    slots: [
      { typeGuid: TYPE_EFI_SYSTEM, uniqueGuid: testGuid(1), firstLba: 2048n, lastLba: 4095n, name: 'EFI' },
      { typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(2), firstLba: 4096n, lastLba: 8100n, name: 'data' },
    ],
  });
}

const RAW = rawDisk(path.join(dir, 'disk.img'));
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('VMDK descriptors as qemu-img writes them', { skip: skipQemu }, () => {
  test('a monolithicFlat descriptor padded with NULs to 512 bytes opens as a VMDK, the same partitions as the raw disk', async () => {
    const vmdk = path.join(dir, 'padded.vmdk');
    convertRaw(RAW, { format: 'vmdk-flat', suffix: '.vmdk', qemuFormat: 'vmdk', options: 'subformat=monolithicFlat' }, vmdk);
    const bytes = fs.readFileSync(vmdk);
    assert.equal(bytes.length, 512, 'qemu-img pads the descriptor to one sector');
    assert.equal(bytes[bytes.length - 1], 0, 'NUL padding at the end');
    const opened = await openImage(vmdk);
    assert.equal(opened.kind, 'vmdk');
    assert.equal(opened.source.size, Number(SECTORS) * 512);
    await opened.source.close();
    const [ours, raw] = await Promise.all([runCli(['inspect', '--json', vmdk]), runCli(['inspect', '--json', RAW])]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.deepEqual(JSON.parse(ours.stdout).partitions, JSON.parse(raw.stdout).partitions);
    const check = await runCli(['check', vmdk]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
});

describe('VMDK descriptors: size and extents', () => {
  const flat = path.join(dir, 'extents', 'inner', 'disk-flat.vmdk');
  fs.mkdirSync(path.dirname(flat), { recursive: true });
  fs.copyFileSync(RAW, flat);
  const outside = path.join(dir, 'outside-flat.vmdk');
  fs.copyFileSync(RAW, outside);
  fs.symlinkSync(outside, path.join(dir, 'extents', 'link-flat.vmdk'));
  const descriptor = (name: string, extentFile: string, padding = ''): string => {
    const file = path.join(dir, 'extents', name);
    fs.writeFileSync(
      file,
      `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW ${SECTORS} FLAT "${extentFile}" 0\n${padding}`,
    );
    return file;
  };

  test('a descriptor over 64 KiB is named as one, not read as a raw disk of text', async () => {
    const big = descriptor('big.vmdk', 'inner/disk-flat.vmdk', `# ${'x'.repeat(100)}\n`.repeat(700));
    assert.ok(fs.statSync(big).size > 64 * 1024);
    await assert.rejects(
      openImage(big),
      (e: unknown) => e instanceof NotADiskImageError && /is a VMDK descriptor of \d+ bytes, larger than the 65536 bytes/.test(e.message),
    );
    const run = await runCli(['check', big]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, new RegExp(`^diskx: ${escape(big)}: is a VMDK descriptor of \\d+ bytes`));
  });

  test('an extent in a subfolder is read', async () => {
    const opened = await openImage(descriptor('inner.vmdk', 'inner/disk-flat.vmdk'));
    assert.deepEqual(opened.dataFiles, [flat]);
    await opened.source.close();
  });

  for (const [label, extentFile] of [
    ['climbing out with ..', '../outside-flat.vmdk'],
    ['an absolute path', outside],
    ['a symlink in the folder pointing out', 'link-flat.vmdk'],
    ['inside, then out and back in under another name', `inner/../../../${path.basename(dir)}/outside-flat.vmdk`],
  ] as const) {
    test(`an extent outside the descriptor's folder (${label}) is refused, read only with --allow-outside-extents`, async () => {
      const vmdk = descriptor(`out-${label.replace(/\W+/g, '-')}.vmdk`, extentFile);
      await assert.rejects(
        openImage(vmdk),
        (e: unknown) => e instanceof NotADiskImageError && /lies outside the descriptor's folder/.test(e.message) && /--allow-outside-extents/.test(e.message),
      );
      const opened = await openImage(vmdk, { allowOutsideExtents: true });
      assert.deepEqual(opened.dataFiles, [path.resolve(path.dirname(vmdk), extentFile)]);
      await opened.source.close();
    });
  }

  test('through the CLI: check and fix --write exit 2 and the outside file is untouched; the flag lets inspect read it', async () => {
    const vmdk = descriptor('out-cli.vmdk', '../outside-flat.vmdk');
    // Grow the outside file so relocate-backup would apply and write its end.
    fs.truncateSync(outside, Number(SECTORS) * 512 + 1024 * 1024);
    fs.writeFileSync(vmdk, fs.readFileSync(vmdk, 'utf8').replace(`RW ${SECTORS} `, `RW ${Number(SECTORS) + 2048} `));
    const before = fs.readFileSync(outside);
    const check = await runCli(['check', vmdk]);
    assert.equal(check.status, 2);
    assert.match(check.stderr, /lies outside the descriptor's folder/);
    const fix = await runCli(['fix', vmdk, '--fix', 'relocate-backup', '--write']);
    assert.equal(fix.status, 2, fix.stdout + fix.stderr);
    assert.ok(before.equals(fs.readFileSync(outside)), 'the outside file is unchanged');
    const inspect = await runCli(['inspect', '--allow-outside-extents', '--json', vmdk]);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).partitions.length, 2);
  });
});

describe('container files are never taken for raw disks', { skip: skipQemu }, () => {
  for (const kind of CONTAINER_KINDS) {
    test(`${kind.format} (qemu-img -O ${kind.qemuFormat}${kind.options ? ` -o ${kind.options}` : ''}): read as its virtual disk, or named and refused with the conversion; never a damaged raw disk`, async () => {
      const file = convertRaw(RAW, kind, path.join(dir, `${kind.format}${kind.suffix}`));
      const before = fs.readFileSync(file);
      const check = await runCli(['check', '--json', file]);
      const fix = await runCli(['fix', file, '--fix', 'relocate-backup', '--write']);
      if (READABLE_CONTAINERS.has(kind.format)) {
        assert.equal(check.status, 0, check.stdout + check.stderr);
        assert.deepEqual(
          JSON.parse(check.stdout).findings.filter((f: { severity: string }) => f.severity !== 'info'),
          [],
          'the virtual disk is a healthy GPT disk',
        );
        assert.equal(fix.status, 1, 'relocate-backup does not apply to the healthy virtual disk');
        const inspect = await runCli(['inspect', '--json', file]);
        assert.equal(JSON.parse(inspect.stdout).container.format, kind.format);
      } else {
        for (const run of [check, fix]) {
          assert.equal(run.status, 2, run.stdout + run.stderr);
          assert.equal(run.stdout, '');
          assert.match(run.stderr, /VMDK|VHD|qcow2|VDI/);
          assert.match(run.stderr, /qemu-img convert (-f \w+ )?-O raw/);
        }
      }
      assert.ok(before.equals(fs.readFileSync(file)), 'not a byte written');
    });
  }

  test('a fixed VHD whose virtual disk is larger than the raw one (CHS rounding): relocate-backup writes inside the virtual disk, never the footer', async () => {
    const file = convertRaw(RAW, { format: 'vhd-fixed', suffix: '.vhd', qemuFormat: 'vpc', options: 'subformat=fixed' }, path.join(dir, 'footer.vhd'));
    const size = fs.statSync(file).size;
    const footer = fs.readFileSync(file).subarray(size - 512);
    assert.equal(footer.subarray(0, 8).toString('latin1'), 'conectix');
    const fix = await runCli(['fix', file, '--fix', 'relocate-backup', '--write']);
    assert.equal(fix.status, 0, fix.stdout + fix.stderr);
    assert.equal(fs.statSync(file).size, size);
    assert.ok(
      fs
        .readFileSync(file)
        .subarray(size - 512)
        .equals(footer),
      'the footer is unchanged',
    );
    const info = JSON.parse(execQemuInfo(file, 'vpc')) as { format: string; 'virtual-size': number };
    assert.equal(info.format, 'vpc');
    assert.equal(info['virtual-size'], size - 512);
    const check = await runCli(['check', file]);
    assert.equal(check.status, 0, check.stdout);
  });
});

// qemu-img probes a VHD by the footer copy at offset 0, which a fixed VHD lacks: name the format.
function execQemuInfo(file: string, format: string): string {
  return execFileSync('qemu-img', ['info', '-f', format, '--output=json', file], { encoding: 'utf8' });
}
