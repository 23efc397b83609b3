// Ctrl+C during `diskx fix IMAGE --fix rebuild-from-scan --write`: the command
// stops during its scan, says nothing was written and exits 130; the image's
// table areas stay as they were and no journal is left. The child is frozen
// (SIGSTOP) as soon as it has the image open, so the SIGINT lands while it reads,
// whatever the machine's load; /proc tells when that is (Linux only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { tempDir } from '../builders/images';
import { readAt } from '../builders/oracles';
import { CLI } from '../builders/cli';
import { esxi6UsbDisk, have, wipeTables } from '../builders/recovery';

const dir = tempDir('diskx-interrupt-');
const skip = process.platform !== 'linux' ? '/proc is Linux only' : ['mkfs.vfat'].every(have) ? false : 'needs dosfstools';

/** True when process `pid` has `file` open. */
function hasOpen(pid: number, file: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

test('Ctrl+C while rebuild-from-scan scans: "nothing was written", exit 130, the table areas untouched, no journal', { skip }, async () => {
  const image = esxi6UsbDisk(path.join(dir, 'esxi6-usb.img'));
  wipeTables(image);
  const journals = path.join(dir, 'journals');
  const child = spawn(process.execPath, [CLI, 'fix', image, '--fix', 'rebuild-from-scan', '--write'], {
    env: { ...process.env, DISKX_JOURNAL_DIR: journals },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const pid = child.pid!;
  // Freeze it the moment it has the image open (its Ctrl+C handler is in place by then), then press Ctrl+C.
  while (running && !hasOpen(pid, image)) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(running, `the command finished before it could be interrupted: ${stderr}`);
  process.kill(pid, 'SIGSTOP');
  process.kill(pid, 'SIGINT');
  process.kill(pid, 'SIGCONT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /^diskx: .*esxi6-usb\.img: interrupted \(Ctrl\+C\) during the scan: nothing was written\n$/);
  assert.equal(
    readAt(image, 0, 34 * 512).some((b) => b !== 0),
    false,
    'LBA 0..33 still zero',
  );
  assert.equal(
    readAt(image, fs.statSync(image).size - 33 * 512, 33 * 512).some((b) => b !== 0),
    false,
    'the backup GPT area still zero',
  );
  assert.deepEqual(fs.existsSync(journals) ? fs.readdirSync(journals) : [], [], 'no journal');
});
