// Issue 6 section 6, the Windows telltale: a FAT partition of an ESXi boot disk
// whose root directory holds `System Volume Information` or `$RECYCLE.BIN` gives
// an info finding `windows-touched`. The FAT volumes are made by Debian's
// dosfstools (mkfs.vfat) and the folders by mtools (mmd), as Windows' own names
// land on disk: `System Volume Information` is a long name over the 8.3 alias
// SYSTEM~1, `$RECYCLE.BIN` a plain 8.3 name. fsck.vfat -n checks what we built.
// Hostile boot sectors and FAT chains must give no exception and bounded reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { esxi5Slots, tempDir, testGuid, writeEsxi5Image, writeGptImage } from '../builders/images';
import { analyzeFile, codes, prng } from '../builders/oracles';
import { CountingSource, SparseMemorySource } from '../builders/countingSource';
import { runCli } from '../builders/cli';
import { readDisk } from '../../src/core/diskModel';
import { checkDisk } from '../../src/core/checks';
import { encodeGptDisk } from '../../src/core/gptEncode';
import { TYPE_MS_BASIC_DATA } from '../../src/core/partitionTypes';
import { MAX_FAT_ROOT_CLUSTERS, MAX_FAT_ROOT_DIR_BYTES } from '../../src/core/limits';

const dir = tempDir('diskx-fat-');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const MTOOLS_ENV = { ...process.env, MTOOLS_SKIP_CHECK: '1' };

// ESXi 5 partitions (512-byte sectors), from esxi5Slots.
const BOOTBANK = { number: 5, firstLba: 8224, lastLba: 520191 };
const STORE = { number: 8, firstLba: 1257504, lastLba: 1843199 };

function haveFatTools(): boolean {
  return ['mkfs.vfat', 'mmd', 'fsck.vfat'].every((tool) => !spawnSync(tool, ['--help'], { stdio: 'ignore' }).error);
}
const skip = haveFatTools() ? false : 'dosfstools and mtools are not installed (apt-get install dosfstools mtools)';

/**
 * A FAT volume file formatted by mkfs.vfat, with `folders` made by mmd in its root: as large as
 * the partition, or `sizeBytes` (a volume may be smaller than its partition; smaller is faster).
 */
function fatVolume(
  name: string,
  part: { firstLba: number; lastLba: number },
  mkfsArgs: string[],
  folders: string[],
  sizeBytes = (part.lastLba - part.firstLba + 1) * 512,
): string {
  const file = path.join(dir, name);
  fs.rmSync(file, { force: true });
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, sizeBytes);
  execFileSync('mkfs.vfat', [...mkfsArgs, '-h', String(part.firstLba), file], { stdio: 'ignore' });
  for (const folder of folders) execFileSync('mmd', ['-i', file, `::/${folder}`], { env: MTOOLS_ENV });
  const fsck = spawnSync('fsck.vfat', ['-n', file], { encoding: 'utf8' });
  assert.equal(fsck.status, 0, `fsck.vfat -n ${name}: ${fsck.stdout}${fsck.stderr}`);
  return file;
}

/** Copies `volume` into `image` at the partition's byte offset, skipping all-zero blocks (both stay sparse). */
function placeVolume(image: string, volume: string, part: { firstLba: number }): void {
  const from = fs.openSync(volume, 'r');
  const to = fs.openSync(image, 'r+');
  try {
    const block = Buffer.alloc(1024 * 1024);
    const zero = Buffer.alloc(4096);
    for (let at = 0; ; at += block.length) {
      const n = fs.readSync(from, block, 0, block.length, at);
      if (n === 0) break;
      for (let i = 0; i < n; i += 4096) {
        const piece = block.subarray(i, Math.min(i + 4096, n));
        if (!piece.equals(zero.subarray(0, piece.length))) fs.writeSync(to, piece, 0, piece.length, part.firstLba * 512 + at + i);
      }
    }
  } finally {
    fs.closeSync(from);
    fs.closeSync(to);
  }
}

function esxiImage(name: string, volumes: { part: { firstLba: number }; file: string }[], options: { compacted?: boolean } = {}): string {
  const image = writeEsxi5Image(path.join(dir, name), { compacted: options.compacted });
  for (const v of volumes) placeVolume(image, v.file, v.part);
  return image;
}

describe('windows-touched on an ESXi 5 disk', { skip }, () => {
  // The seed's case: the whole bootbank formatted FAT16, then mounted by Windows.
  let windowsImage: string | undefined;
  const windows = (): string => {
    windowsImage ??= esxiImage('windows.img', [
      { part: BOOTBANK, file: fatVolume('bootbank-windows.fat', BOOTBANK, ['-F', '16', '-n', 'BOOTBANK'], ['System Volume Information', '$RECYCLE.BIN']) },
    ]);
    return windowsImage;
  };

  test('FAT16 bootbank with System Volume Information and $RECYCLE.BIN: one info finding naming partition 5 and both entries', async () => {
    const image = windows();
    const { disk, findings } = await analyzeFile(image);
    const fat = disk.fatVolumes!.find((v) => v.partitionNumber === 5)!;
    assert.equal(fat.fatType, 'FAT16');
    assert.equal(fat.label, 'BOOTBANK');
    assert.equal(fat.role, 'bootbank');
    assert.deepEqual(
      fat.windowsFolders.map((e) => [e.name, e.shortName]),
      [
        ['System Volume Information', 'SYSTEM~1'],
        ['$RECYCLE.BIN', '$RECYCLE.BIN'],
      ],
    );
    const touched = findings.filter((f) => f.code === 'windows-touched');
    assert.equal(touched.length, 1);
    const [finding] = touched;
    assert.equal(finding!.severity, 'info');
    assert.deepEqual(finding!.fixes, []);
    assert.match(finding!.message, /partition 5 \(bootbank, FAT16, label "BOOTBANK"\)/);
    assert.match(
      finding!.message,
      /"System Volume Information" \(directory entry at byte 0x[0-9A-F]+, 96 bytes\) and "\$RECYCLE\.BIN" \(directory entry at byte 0x[0-9A-F]+, 32 bytes\)/,
    );
    // The finding points at the long-name parts and the short entry of System Volume Information.
    const bytes = Buffer.alloc(finding!.length);
    const fd = fs.openSync(image, 'r');
    fs.readSync(fd, bytes, 0, bytes.length, finding!.offset);
    fs.closeSync(fd);
    assert.equal(bytes.length, 96);
    assert.equal(bytes[11], 0x0f, 'first long-name part');
    assert.equal(bytes.subarray(64, 75).toString('latin1'), 'SYSTEM~1   ');
    assert.equal(bytes[64 + 11]! & 0x10, 0x10, 'a directory');
    // The FAT partitions without a file system are listed, unreadable, with a reason; no finding from them.
    const empty = disk.fatVolumes!.find((v) => v.partitionNumber === 6)!;
    assert.equal(empty.fatType, null);
    assert.match(empty.problems[0]!, /no FAT file system: the first sector is all zero/);
    assert.deepEqual(disk.fatVolumes!.map((v) => v.partitionNumber).sort(), [1, 2, 5, 6, 8]);
  });

  test('only $RECYCLE.BIN, on a compacted disk: the finding names the partition by its current number', async () => {
    const volume = fatVolume('bootbank-recycle.fat', BOOTBANK, ['-F', '16', '-n', 'BOOTBANK'], ['$RECYCLE.BIN'], 32 * MiB);
    const image = esxiImage('recycle-compacted.img', [{ part: BOOTBANK, file: volume }], { compacted: true });
    const { findings } = await analyzeFile(image);
    assert.ok(codes(findings).includes('esxi-slot-compacted'));
    const touched = findings.filter((f) => f.code === 'windows-touched');
    assert.equal(touched.length, 1);
    // Compacted: the bootbank (ESXi's partition 5) now sits in slot 3, partition 4.
    assert.match(touched[0]!.message, /partition 4 \(bootbank, FAT16/);
    assert.match(touched[0]!.message, /holds "\$RECYCLE\.BIN" \(directory entry at byte 0x[0-9A-F]+, 32 bytes\) in its root/);
    assert.equal(touched[0]!.length, 32);
  });

  test('no telltale folders (other files and folders, a label): no finding, the volume still listed', async () => {
    const volume = fatVolume('bootbank-clean.fat', BOOTBANK, ['-F', '16', '-n', 'BOOTBANK'], ['System Volume', 'RECYCLE.BIN', 'Recycled'], 32 * MiB);
    const image = esxiImage('clean.img', [{ part: BOOTBANK, file: volume }]);
    const { disk, findings } = await analyzeFile(image);
    assert.ok(!codes(findings).includes('windows-touched'));
    const fat = disk.fatVolumes!.find((v) => v.partitionNumber === 5)!;
    assert.equal(fat.fatType, 'FAT16');
    assert.deepEqual(fat.windowsFolders, []);
    assert.deepEqual(
      fat.rootEntries.map((e) => e.name),
      ['System Volume', 'RECYCLE.BIN', 'Recycled'],
    );
  });

  test('a non-ESXi disk with the same FAT volume: not read, no finding', async () => {
    const volume = fatVolume('plain-windows.fat', BOOTBANK, ['-F', '16'], ['System Volume Information', '$RECYCLE.BIN'], 32 * MiB);
    const image = path.join(dir, 'plain.img');
    const totalSectors = BigInt((2 * GiB) / 512);
    writeGptImage(image, {
      sectorSize: 512,
      totalSectors,
      diskGuid: testGuid(7),
      slots: [{ typeGuid: TYPE_MS_BASIC_DATA, uniqueGuid: testGuid(1), firstLba: BigInt(BOOTBANK.firstLba), lastLba: BigInt(BOOTBANK.lastLba), name: 'data' }],
    });
    placeVolume(image, volume, BOOTBANK);
    const { disk, findings } = await analyzeFile(image);
    assert.equal(disk.esxi, null);
    assert.deepEqual(disk.fatVolumes, []);
    assert.ok(!codes(findings).includes('windows-touched'));
  });

  test('FAT32 store partition whose root spans a chain of clusters: the folders in a later cluster are found', async () => {
    // 512-byte clusters hold 16 entries: 20 folders first push the telltales into the root's second cluster,
    // and each folder's own cluster sits between the root's clusters, so the chain is not contiguous.
    const fillers = Array.from({ length: 20 }, (_, i) => `D${i}`);
    const volume = fatVolume(
      'store-fat32.fat',
      STORE,
      ['-F', '32', '-s', '1', '-n', 'LOCKER'],
      [...fillers, 'System Volume Information', '$RECYCLE.BIN'],
      40 * MiB,
    );
    const image = esxiImage('fat32.img', [{ part: STORE, file: volume }]);
    const counting = new CountingSource(await openSource(image));
    const disk = await readDisk(counting);
    await counting.close();
    const fat = disk.fatVolumes!.find((v) => v.partitionNumber === 8)!;
    assert.equal(fat.fatType, 'FAT32');
    assert.equal(fat.label, 'LOCKER');
    assert.deepEqual(fat.problems, []);
    assert.deepEqual(
      fat.rootEntries.slice(0, 20).map((e) => e.name),
      fillers,
    );
    assert.deepEqual(
      fat.windowsFolders.map((e) => e.name),
      ['System Volume Information', '$RECYCLE.BIN'],
    );
    const rootStart = fat.rootEntries[0]!.offset;
    assert.ok(fat.windowsFolders[0]!.offset > rootStart + 512, 'in a later cluster than the first');
    const touched = checkDisk(disk).filter((f) => f.code === 'windows-touched');
    assert.equal(touched.length, 1);
    assert.match(touched[0]!.message, /partition 8 \(store\/locker, FAT32, label "LOCKER"\)/);
    assert.ok(counting.largestRead <= 64 * 1024, `largest read ${counting.largestRead}`);
  });

  test('diskx inspect shows the FAT volumes and their telltales; --json has fatVolumes; check reports the finding', async () => {
    const image = windows();
    const inspect = await runCli(['inspect', image]);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.match(
      inspect.stdout,
      /Partition 5 \(bootbank\): FAT16, label "BOOTBANK", 2 root entries, Windows folders: System Volume Information, \$RECYCLE\.BIN/,
    );
    assert.match(inspect.stdout, /Partition 6 \(altbootbank\): no FAT file system: the first sector is all zero/);
    const doc = JSON.parse((await runCli(['inspect', '--json', image])).stdout) as {
      fatVolumes: {
        partition: number;
        role: string;
        fatType: string | null;
        label: string | null;
        windowsFolders: { name: string; shortName: string; offset: number; length: number }[];
      }[];
    };
    const bootbank = doc.fatVolumes.find((v) => v.partition === 5)!;
    assert.equal(bootbank.fatType, 'FAT16');
    assert.equal(bootbank.label, 'BOOTBANK');
    assert.deepEqual(
      bootbank.windowsFolders.map((f) => [f.name, f.shortName, f.length]),
      [
        ['System Volume Information', 'SYSTEM~1', 96],
        ['$RECYCLE.BIN', '$RECYCLE.BIN', 32],
      ],
    );
    const check = await runCli(['check', image]);
    assert.match(check.stdout, /info {4}windows-touched {2}at byte 0x/);
    const checkDoc = JSON.parse((await runCli(['check', '--json', image])).stdout) as { findings: { code: string; offset: number }[] };
    assert.equal(checkDoc.findings.find((f) => f.code === 'windows-touched')!.offset, bootbank.windowsFolders[0]!.offset);
  });
});

async function openSource(file: string) {
  const { openImage } = await import('../../src/core/io/openImage');
  return (await openImage(file)).source;
}

// Hostile FAT volumes in memory: an ESXi 5 disk (8 GiB, sparse) whose bootbank starts
// with a crafted boot sector, FAT and root clusters. Nothing may throw, loop or read much.
describe('hostile FAT volumes on an ESXi disk', () => {
  const totalSectors = BigInt((8 * GiB) / 512);
  const gpt = encodeGptDisk({ sectorSize: 512, totalSectors, diskGuid: testGuid(0xd15c), slots: esxi5Slots(totalSectors) });
  const base = BOOTBANK.firstLba * 512;

  /** A FAT32 boot sector: 512-byte sectors and clusters, 32 reserved sectors, 2 FATs of 1024 sectors, root at `rootCluster`. */
  function fat32BootSector(edit: (view: DataView) => void = () => {}): Uint8Array {
    const bytes = new Uint8Array(512);
    const view = new DataView(bytes.buffer);
    bytes.set([0xeb, 0x58, 0x90], 0);
    view.setUint16(11, 512, true);
    bytes[13] = 1;
    view.setUint16(14, 32, true);
    bytes[16] = 2;
    view.setUint32(32, BOOTBANK.lastLba - BOOTBANK.firstLba + 1, true);
    view.setUint32(36, 1024, true);
    view.setUint32(44, 2, true);
    bytes[66] = 0x29;
    bytes.set(Buffer.from('HOSTILE    ', 'latin1'), 71);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    edit(view);
    return bytes;
  }
  /** A FAT16 boot sector: 512-byte sectors, 16 a cluster, 1 reserved sector, 2 FATs of 250 sectors, `rootEntries` root entries. */
  function fat16BootSector(rootEntries: number): Uint8Array {
    const bytes = new Uint8Array(512);
    const view = new DataView(bytes.buffer);
    view.setUint16(11, 512, true);
    bytes[13] = 16;
    view.setUint16(14, 1, true);
    bytes[16] = 2;
    view.setUint16(17, rootEntries, true);
    view.setUint16(22, 250, true);
    view.setUint32(32, BOOTBANK.lastLba - BOOTBANK.firstLba + 1, true);
    return bytes;
  }
  const fatOffset = base + 32 * 512;
  const dataOffset = base + (32 + 2 * 1024) * 512;
  /** FAT32 entries (cluster -> next) as a region of the first FAT. */
  function fatEntries(links: [number, number][]): { offset: number; bytes: Uint8Array }[] {
    return links.map(([cluster, next]) => {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, next, true);
      return { offset: fatOffset + cluster * 4, bytes };
    });
  }
  /** A root cluster full of plain file entries (no end marker), so the reader must follow the chain. */
  function fullCluster(cluster: number): { offset: number; bytes: Uint8Array } {
    const bytes = new Uint8Array(512);
    for (let i = 0; i < 16; i++) {
      bytes.set(Buffer.from(`F${String(cluster).padStart(4, '0')}${String(i).padStart(2, '0')} TXT`, 'latin1'), i * 32);
      bytes[i * 32 + 11] = 0x20;
    }
    return { offset: dataOffset + (cluster - 2) * 512, bytes };
  }

  async function read(regions: { offset: number; bytes: Uint8Array }[]) {
    const source = new CountingSource(new SparseMemorySource(Number(totalSectors) * 512, [...gpt, ...regions]));
    const disk = await readDisk(source);
    const findings = checkDisk(disk);
    assert.ok(disk.esxi, 'still an ESXi disk');
    return { disk, findings, source, bootbank: disk.fatVolumes!.find((v) => v.partitionNumber === 5)! };
  }

  test('an all-zero and a random boot sector: no FAT file system, no finding', async () => {
    const zero = await read([]);
    assert.equal(zero.bootbank.fatType, null);
    assert.ok(!codes(zero.findings).includes('windows-touched'));
    const random = prng(6);
    for (let round = 0; round < 40; round++) {
      const sector = Uint8Array.from({ length: 512 }, () => Math.floor(random() * 256));
      const { bootbank, source } = await read([{ offset: base, bytes: sector }]);
      assert.ok(bootbank.fatType !== null || bootbank.problems.length === 1, `round ${round}: an unreadable volume says why`);
      assert.ok(bootbank.rootEntries.length <= MAX_FAT_ROOT_DIR_BYTES / 32);
      assert.ok(source.largestRead <= MAX_FAT_ROOT_DIR_BYTES, `round ${round}: a read of ${source.largestRead} bytes`);
    }
  });

  test('garbage BPB fields one at a time: each is refused with a reason', async () => {
    const cases: [string, (v: DataView) => void, RegExp][] = [
      ['bytes per sector 3', (v) => v.setUint16(11, 3, true), /bytes per sector is 3/],
      ['sectors per cluster 3', (v) => v.setUint8(13, 3), /sectors per cluster is 3/],
      ['zero reserved sectors', (v) => v.setUint16(14, 0, true), /no reserved sectors/],
      ['255 FATs', (v) => v.setUint8(16, 255), /255 FATs/],
      ['a volume larger than its partition', (v) => v.setUint32(32, 0xffffffff, true), /more than the partition/],
      ['FATs filling the volume', (v) => v.setUint32(36, 0x7fffffff, true), /fill the whole volume/],
      ['root cluster 0', (v) => v.setUint32(44, 0, true), /root cluster 0 is outside/],
      ['root cluster past the end', (v) => v.setUint32(44, 0xfffffff0, true), /root cluster 4294967280 is outside/],
      ['a FAT32 layout with a fixed root', (v) => v.setUint16(17, 512, true), /root entry count is 512/],
      ['total sectors 0', (v) => v.setUint32(32, 0, true), /total sectors is 0/],
    ];
    for (const [name, edit, reason] of cases) {
      const { bootbank, findings } = await read([{ offset: base, bytes: fat32BootSector(edit) }]);
      assert.equal(bootbank.fatType, null, name);
      assert.match(bootbank.problems.join('; '), reason, name);
      assert.ok(!codes(findings).includes('windows-touched'), name);
    }
  });

  test('a FAT32 root chain that loops: stopped at the loop, the folder before it still found', async () => {
    const windows = fullCluster(3);
    windows.bytes.set(Buffer.from('$RECYCLEBIN', 'latin1'), 5 * 32);
    windows.bytes[5 * 32 + 11] = 0x10;
    const { bootbank, findings, source } = await read([
      { offset: base, bytes: fat32BootSector() },
      ...fatEntries([
        [2, 3],
        [3, 4],
        [4, 2],
      ]),
      fullCluster(2),
      windows,
      fullCluster(4),
    ]);
    assert.equal(bootbank.fatType, 'FAT32');
    assert.match(bootbank.problems.join('; '), /loops back to cluster 2/);
    assert.equal(bootbank.rootEntries.length, 48);
    assert.deepEqual(
      bootbank.windowsFolders.map((e) => e.offset),
      [dataOffset + 512 + 5 * 32],
    );
    assert.ok(codes(findings).includes('windows-touched'));
    assert.ok(source.reads < 100, `${source.reads} reads`);
  });

  test('an endless FAT32 chain (each cluster links to the next) stops at MAX_FAT_ROOT_CLUSTERS', async () => {
    const links: [number, number][] = Array.from({ length: 200 }, (_, i) => [2 + i, 3 + i]);
    const clusters = Array.from({ length: 200 }, (_, i) => fullCluster(2 + i));
    const { bootbank, source } = await read([{ offset: base, bytes: fat32BootSector() }, ...fatEntries(links), ...clusters]);
    assert.match(bootbank.problems.join('; '), /root directory longer than 64 clusters/);
    assert.equal(bootbank.rootEntries.length, MAX_FAT_ROOT_CLUSTERS * 16);
    assert.ok(source.bytesRead < 2 * 1024 * 1024, `${source.bytesRead} bytes read`);
  });

  test('chains into free, bad or out-of-range clusters stop with a reason', async () => {
    for (const [next, reason] of [
      [0, /links to cluster 0/],
      [0x0ffffff7, /links to a bad-cluster mark/],
      [0x0ffffff0, /links to cluster 268435440/],
    ] as [number, RegExp][]) {
      const { bootbank } = await read([{ offset: base, bytes: fat32BootSector() }, ...fatEntries([[2, next]]), fullCluster(2)]);
      assert.match(bootbank.problems.join('; '), reason);
      assert.equal(bootbank.rootEntries.length, 16);
    }
  });

  test('a FAT16 root entry count of 65535 is read only up to MAX_FAT_ROOT_DIR_BYTES', async () => {
    const sector = fat16BootSector(0xffff);
    const root = new Uint8Array(MAX_FAT_ROOT_DIR_BYTES + 4096).fill(0x41); // never an end marker
    for (let i = 0; i < root.length; i += 32) root[i + 11] = 0x20;
    const { bootbank, source } = await read([
      { offset: base, bytes: sector },
      { offset: base + (1 + 500) * 512, bytes: root },
    ]);
    assert.equal(bootbank.fatType, 'FAT16');
    assert.match(bootbank.problems.join('; '), /read the first 8192/);
    assert.equal(bootbank.rootEntries.length, MAX_FAT_ROOT_DIR_BYTES / 32);
    assert.ok(source.largestRead <= MAX_FAT_ROOT_DIR_BYTES);
  });

  test('long-name parts with a wrong checksum do not make a long name', async () => {
    const sector = fat16BootSector(512);
    // A real `System Volume Information` from mkfs.vfat + mmd, with the checksum of its last part broken.
    const entries = Buffer.from(
      '42200049006e0066006f000f007272006d006100740069006f0000006e000000' +
        '01530079007300740065000f00ff6d00200056006f006c00750000006d006500' +
        '53595354454d7e312020201000001c54795d795d00001c54795d020000000000',
      'hex',
    );
    const { bootbank, findings } = await read([
      { offset: base, bytes: sector },
      { offset: base + 501 * 512, bytes: entries },
    ]);
    assert.deepEqual(
      bootbank.rootEntries.map((e) => [e.name, e.offset, e.length]),
      [['SYSTEM~1', base + 501 * 512 + 64, 32]],
    );
    assert.ok(!codes(findings).includes('windows-touched'));
    entries[32 + 13] = 0x72; // the right checksum
    const fixed = await read([
      { offset: base, bytes: sector },
      { offset: base + 501 * 512, bytes: entries },
    ]);
    assert.deepEqual(
      fixed.bootbank.rootEntries.map((e) => [e.name, e.offset, e.length]),
      [['System Volume Information', base + 501 * 512, 96]],
    );
    assert.ok(codes(fixed.findings).includes('windows-touched'));
  });
});
