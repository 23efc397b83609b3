// `diskx inspect` and `diskx check` as a user runs them (`node dist/cli.js`):
// exit codes, usage, --help/--version, the JSON shapes, integers beyond 2^53 as
// strings, --sector-size, and one-line errors (a stack only with DISKX_DEBUG=1).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, testGuid, writeEsxi5Image } from '../builders/images';
import { editEntryBoth, smallGptBytes } from '../builders/oracles';
import { runCli } from '../builders/cli';
import type { CliRun } from '../builders/cli';
import { SparseMemorySource } from '../builders/countingSource';
import { readDisk } from '../../src/core/diskModel';
import { LimitError } from '../../src/core/errors';
import { jsonInteger } from '../../src/core/report';
import { MAX_IMAGE_BYTES } from '../../src/core/limits';

const dir = tempDir('diskx-cli-');
const packageJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

const write = (name: string, bytes: Uint8Array): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};

// smallGptBytes: 2 MiB, partitions 1, 2 and 4 in slots 0, 1, 3 (a gap: info only).
const clean = write('clean.img', smallGptBytes());
const clean4k = write('clean-4k.img', smallGptBytes({ sectorSize: 4096 }));
const compacted = writeEsxi5Image(path.join(dir, 'esxi-compacted.img'), { compacted: true });
const huge = (() => {
  const bytes = smallGptBytes();
  // Partition 4 runs to LBA 2^60 + 5 with attribute bits 0 and 63: values a JS number cannot hold.
  editEntryBoth(bytes, 512, 3, (v) => (v.setBigUint64(40, 2n ** 60n + 5n, true), v.setBigUint64(48, (1n << 63n) | 1n, true)));
  return write('huge-values.img', bytes);
})();
const empty = write('empty.img', new Uint8Array(0));
const tiny = write('tiny.img', new Uint8Array(100));

/** The one stderr line of a failed run, checked to be exactly one line without a stack. */
function oneLine(run: CliRun): string {
  assert.ok(!run.stderr.includes('    at '), `stack trace in ${run.stderr}`);
  assert.match(run.stderr, /^diskx: [^\n]+\n$/, `not one "diskx: " line: ${JSON.stringify(run.stderr)}`);
  return run.stderr.trimEnd();
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('exit codes', () => {
  test('check: 0 on a clean disk (info findings only), with the summary line', async () => {
    const run = await runCli(['check', clean]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, new RegExp(`^${escape(clean)}: 0 errors, 0 warnings, 1 info \\(512-byte sectors\\)\\n`));
    assert.match(run.stdout, /info\s+slot-gap/);
  });

  test("check: 1 on the seed's compacted ESXi disk, naming the fix", async () => {
    const run = await runCli(['check', compacted]);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /error\s+esxi-slot-compacted/);
    assert.match(run.stdout, /bootbank is in slot 3 \(partition 4\) but belongs in slot 4 \(partition 5\)/);
    assert.match(run.stdout, /--fix restore-esxi-slots/);
  });

  test('inspect: 0 even when the disk has problems (it reports, check judges)', async () => {
    const run = await runCli(['inspect', compacted]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ENTRIES NOT IN THEIR SLOTS/);
  });

  for (const [name, args, message] of [
    ['a missing file', ['check', path.join(dir, 'nope.img')], /no such file or directory/],
    ['a directory', ['check', dir], /is a directory, not a disk image/],
    ['an empty file', ['check', empty], /is empty \(0 bytes\)/],
    ['a 100-byte file', ['inspect', tiny], /too small to be a disk image \(100 bytes/],
  ] as const) {
    test(`2 with one line for ${name}`, async () => {
      const run = await runCli([...args]);
      assert.equal(run.status, 2);
      assert.equal(run.stdout, '');
      const line = oneLine(run);
      assert.match(line, new RegExp(`^diskx: ${escape(args[1])}: `));
      assert.match(line, message);
    });
  }

  for (const [name, args, message] of [
    ['no command', [], null],
    ['no image', ['check'], /missing IMAGE/],
    ['two images', ['inspect', clean, clean], /expected one IMAGE, got 2/],
    ['an unknown flag', ['check', '--frobnicate', clean], /unknown option --frobnicate/],
    ['an unknown short flag', ['inspect', '-q', clean], /unknown option -q/],
    ['an unknown command', ['frob', clean], /unknown command "frob"/],
    ['--sector-size 1024', ['check', '--sector-size', '1024', clean], /--sector-size must be 512 or 4096, not 1024/],
    ['--sector-size without a value', ['check', clean, '--sector-size'], /--sector-size needs a value/],
    ['--json=yes', ['check', '--json=yes', clean], /--json takes no value/],
  ] as const) {
    test(`2 with usage for bad usage: ${name}`, async () => {
      const run = await runCli([...args]);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /Usage: diskx <command> IMAGE \[options\]/);
      assert.match(run.stderr, /inspect IMAGE/);
      if (message) assert.match(run.stderr.split('\n')[0]!, new RegExp(`^diskx: ${message.source}`));
    });
  }
});

describe('--help and --version', () => {
  for (const args of [['--help'], ['-h'], ['help'], ['check', '--help'], ['inspect', '-h']]) {
    test(`diskx ${args.join(' ')}: usage on stdout, exit 0`, async () => {
      const run = await runCli(args);
      assert.equal(run.status, 0);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, /^Usage: diskx <command> IMAGE \[options\]/);
      assert.match(run.stdout, /check\s+IMAGE \[--json\] \[--sector-size 512\|4096\]/);
      assert.match(run.stdout, /DISKX_DEBUG=1/);
    });
  }

  test('--version prints the version from package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      assert.equal(run.status, 0);
      assert.equal(run.stdout, `diskx ${packageJson.version}\n`);
    }
  });
});

interface InspectJson {
  image: string;
  sizeBytes: number | string;
  sectorSize: number;
  sectorSizeSource: string;
  scheme: string;
  profile: string | null;
  partitions: Record<string, unknown>[];
  primary: Record<string, unknown> | null;
  backup: Record<string, unknown> | null;
}

describe('inspect --json', () => {
  test('shape and values on a clean 512-byte disk', async () => {
    const run = await runCli(['inspect', clean, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as InspectJson;
    for (const key of ['image', 'sizeBytes', 'sectorSize', 'scheme', 'profile', 'partitions', 'primary', 'backup']) assert.ok(key in doc, `missing ${key}`);
    assert.equal(doc.image, clean);
    assert.equal(doc.sizeBytes, 2 * 1024 * 1024);
    assert.equal(doc.sectorSize, 512);
    assert.equal(doc.sectorSizeSource, 'detected');
    assert.equal(doc.scheme, 'gpt');
    assert.equal(doc.profile, null);
    assert.deepEqual(doc.partitions[0], {
      scheme: 'gpt',
      slot: 0,
      number: 1,
      firstLba: 34,
      lastLba: 133,
      sizeBytes: 100 * 512,
      typeGuid: LINUX,
      typeName: 'Linux filesystem',
      uuid: testGuid(1),
      name: 'part1',
      attributes: '0x0000000000000000',
      content: null,
    });
    assert.deepEqual(
      doc.partitions.map((p) => [p.slot, p.number]),
      [
        [0, 1],
        [1, 2],
        [3, 4],
      ],
    );
    const primary = doc.primary!;
    const backup = doc.backup!;
    assert.deepEqual(
      [primary.lba, primary.myLba, primary.alternateLba, primary.partitionEntryLba, primary.headerCrcOk, primary.arrayCrcOk],
      [1, 1, 4095, 2, true, true],
    );
    assert.deepEqual(
      [backup.lba, backup.myLba, backup.alternateLba, backup.partitionEntryLba, backup.headerCrcOk, backup.arrayCrcOk],
      [4095, 4095, 1, 4063, true, true],
    );
    assert.deepEqual(
      [primary.firstUsableLba, primary.lastUsableLba, primary.numPartitionEntries, primary.partitionEntrySize, primary.diskGuid],
      [34, 4062, 128, 128, testGuid(0xd15c)],
    );
  });

  test('the ESXi profile and a broken CRC show up', async () => {
    const run = await runCli(['inspect', '--json', compacted]);
    const doc = JSON.parse(run.stdout) as InspectJson;
    assert.equal(doc.profile, 'esxi-5');
    assert.equal(doc.partitions.length, 7);
    assert.deepEqual(
      doc.partitions.map((p) => p.slot),
      [0, 1, 2, 3, 4, 5, 6],
    );
    const bytes = smallGptBytes();
    bytes[1024 + 56] ^= 1; // a name byte in the primary array: array CRC wrong
    const broken = write('array-crc.img', bytes);
    const brokenDoc = JSON.parse((await runCli(['inspect', '--json', broken])).stdout) as InspectJson;
    assert.deepEqual([brokenDoc.primary!.headerCrcOk, brokenDoc.primary!.arrayCrcOk, brokenDoc.backup!.arrayCrcOk], [true, false, true]);
  });

  test('integers above 2^53 are decimal strings; no bare JSON number is inexact', async () => {
    const run = await runCli(['inspect', '--json', huge]);
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as InspectJson;
    const p4 = doc.partitions.find((p) => p.number === 4)!;
    const first = 34n + 200n;
    assert.equal(p4.firstLba, 234);
    assert.equal(p4.lastLba, (2n ** 60n + 5n).toString());
    assert.equal(p4.sizeBytes, ((2n ** 60n + 5n - first + 1n) * 512n).toString());
    assert.equal(p4.attributes, '0x8000000000000001');
    for (const match of run.stdout.matchAll(/:\s*(-?\d+)\s*[,\n}]/g)) {
      assert.ok(Number.isSafeInteger(Number(match[1])), `bare number ${match[1]} in inspect --json`);
    }
    const check = await runCli(['check', '--json', huge]);
    assert.equal(check.status, 1);
    const findings = (JSON.parse(check.stdout) as { findings: { code: string; message: string }[] }).findings;
    assert.ok(findings.some((f) => f.code === 'gpt-partition-out-of-range' && f.message.includes('1152921504606846981')));
  });

  test('jsonInteger: numbers up to 2^53 - 1, strings beyond', () => {
    assert.equal(jsonInteger(MAX_IMAGE_BYTES), Number.MAX_SAFE_INTEGER);
    assert.equal(jsonInteger(2 ** 53), '9007199254740992');
    assert.equal(jsonInteger(2n ** 64n - 1n), '18446744073709551615');
    assert.equal(jsonInteger(-(2n ** 60n)), '-1152921504606846976');
  });
});

describe('images beyond 2^53 bytes', () => {
  test('readDisk refuses a 16 PiB source with LimitError (offsets there are inexact)', async () => {
    const source = new SparseMemorySource(2 ** 54, [{ offset: 0, bytes: smallGptBytes().subarray(0, 512) }], 'sixteen-pib.img');
    await assert.rejects(readDisk(source), (e: unknown) => e instanceof LimitError && e.limitName.startsWith('MAX_IMAGE_BYTES') && e.value === 2 ** 54);
  });

  const shm = '/dev/shm';
  const canMakeHuge = (() => {
    if (!fs.existsSync(shm)) return false;
    const probe = path.join(shm, `diskx-probe-${process.pid}`);
    // Node's ftruncate takes only safe integers: let truncate(1) make it.
    const made = spawnSync('truncate', ['-s', '16P', probe]).status === 0 && fs.statSync(probe).size === 2 ** 54;
    fs.rmSync(probe, { force: true });
    return made;
  })();

  test(
    'diskx check on a 16 PiB sparse file (tmpfs): exit 2, one line naming the limit',
    { skip: !canMakeHuge && 'no file system here holds a 16 PiB sparse file' },
    async () => {
      const file = path.join(shm, `diskx-16pib-${process.pid}.img`);
      assert.equal(spawnSync('truncate', ['-s', '16P', file]).status, 0);
      try {
        const run = await runCli(['check', file]);
        assert.equal(run.status, 2, run.stdout);
        assert.match(oneLine(run), /MAX_IMAGE_BYTES.*18014398509481984/);
      } finally {
        fs.rmSync(file, { force: true });
      }
    },
  );
});

describe('check --json', () => {
  test('shape: image, sectorSize, findings with code, severity, message, offset, length, fixes', async () => {
    const run = await runCli(['check', '--json', compacted]);
    assert.equal(run.status, 1);
    const doc = JSON.parse(run.stdout) as { image: string; sectorSize: number; findings: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(doc).sort(), ['findings', 'image', 'sectorSize']);
    assert.equal(doc.image, compacted);
    assert.equal(doc.sectorSize, 512);
    for (const f of doc.findings) assert.deepEqual(Object.keys(f).sort(), ['code', 'fixes', 'length', 'message', 'offset', 'severity']);
    const finding = doc.findings.find((f) => f.code === 'esxi-slot-compacted')!;
    assert.equal(finding.severity, 'error');
    assert.deepEqual(finding.fixes, ['restore-esxi-slots']);
    assert.equal(finding.offset, 1024);
    assert.equal(finding.length, 128 * 128);
    const cleanRun = await runCli(['check', clean, '--json']);
    assert.equal(cleanRun.status, 0);
    assert.deepEqual(
      (JSON.parse(cleanRun.stdout) as { findings: { code: string; severity: string }[] }).findings.map((f) => [f.code, f.severity]),
      [['slot-gap', 'info']],
    );
  });
});

describe('--sector-size', () => {
  test('a 4Kn image is detected as 4096; --sector-size 4096 agrees, marked as an override', async () => {
    const detected = JSON.parse((await runCli(['inspect', '--json', clean4k])).stdout) as InspectJson;
    assert.deepEqual([detected.sectorSize, detected.sectorSizeSource, detected.primary?.lba], [4096, 'detected', 1]);
    const run = await runCli(['inspect', '--json', '--sector-size', '4096', clean4k]);
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as InspectJson;
    assert.deepEqual([doc.sectorSize, doc.sectorSizeSource, doc.primary?.offset, doc.partitions.length], [4096, 'override', 4096, 3]);
    const check = await runCli(['check', '--sector-size=4096', clean4k]);
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /\(4096-byte sectors\)/);
  });

  test('forcing the wrong size: the GPT is not found where 512-byte sectors put it, exit 1', async () => {
    const run = await runCli(['check', clean4k, '--sector-size', '512']);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /gpt-primary-missing/);
    assert.match(run.stdout, /with the --sector-size 512 given; is that the disk's block size\?/);
    const other = await runCli(['check', '--sector-size', '4096', clean]);
    assert.equal(other.status, 1);
    assert.match(other.stdout, /gpt-primary-missing/);
  });
});

describe('DISKX_DEBUG', () => {
  test('an error is one line normally, and a stack plus the line with DISKX_DEBUG=1', async () => {
    const missing = path.join(dir, 'missing.img');
    const normal = await runCli(['check', missing]);
    assert.equal(normal.status, 2);
    assert.equal(oneLine(normal), `diskx: ${missing}: no such file or directory`);
    const debug = await runCli(['check', missing], { DISKX_DEBUG: '1' });
    assert.equal(debug.status, 2);
    assert.match(debug.stderr, /ENOENT/);
    assert.match(debug.stderr, /\n {4}at /);
    assert.ok(debug.stderr.trimEnd().endsWith(`diskx: ${missing}: no such file or directory`), debug.stderr);
  });

  test('a typed core error (an ESXi seSparse VMDK) has a stack only with DISKX_DEBUG=1', async () => {
    const vmdk = path.join(dir, 'sparse.vmdk');
    fs.writeFileSync(vmdk, '# Disk DescriptorFile\nversion=1\ncreateType="seSparse"\nRW 2048 SESPARSE "sparse-sesparse.vmdk"\n');
    const normal = await runCli(['inspect', vmdk]);
    assert.match(oneLine(normal), /is a seSparse VMDK/);
    const debug = await runCli(['inspect', vmdk], { DISKX_DEBUG: '1' });
    assert.match(debug.stderr, /UnsupportedImageError/);
    assert.match(debug.stderr, /\n {4}at /);
  });
});

test('the bin entry runs: dist/cli.js is executable with a node shebang', () => {
  const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
  assert.ok(fs.statSync(cli).mode & 0o100, 'dist/cli.js is not executable');
  assert.match(fs.readFileSync(cli, 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node/);
  const run = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  assert.equal(run.stdout, `diskx ${packageJson.version}\n`);
});
