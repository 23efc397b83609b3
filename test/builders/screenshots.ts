// Where tests save the README's screenshots. With DISKX_UPDATE_SCREENSHOTS=1
// (`npm run screenshots`) they go to docs/screenshots/, the files the README
// shows; otherwise to a folder under the system's temporary directory, so an
// ordinary test run still takes every screenshot (the same code runs) but
// leaves the work tree as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

/** True when this run is meant to refresh the README's screenshots. */
export function updatingScreenshots(): boolean {
  return process.env.DISKX_UPDATE_SCREENSHOTS === '1';
}

/** The folder screenshots go to in this run (created). */
export function screenshotDir(): string {
  const dir = updatingScreenshots() ? path.join(repoRoot, 'docs', 'screenshots') : path.join(os.tmpdir(), 'diskx-test-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where to save the screenshot called FILE (e.g. `compare-800-dark.png`). */
export function screenshotPath(file: string): string {
  return path.join(screenshotDir(), file);
}
