// `npm run test:electron`: the extension-host half of the end-to-end suite
// (test/e2e/suite/editorSuite.ts) in desktop VS Code through @vscode/test-electron.
// It downloads VS Code into .vscode-test/ unless DISKX_VSCODE_EXECUTABLE names an
// installed one; on a machine that cannot download it (like the project's, which
// reaches only npm and Debian) it stops with a clear message. There, use
// `npm run test:e2e` (code-server), which runs the same suite too.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { writeEsxi5Sample } from '../../../scripts/sampleImages';
import { SAMPLE } from '../suite/sample';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const outDir = path.join(root, '.vscode-test', 'e2e-suite');

async function main(): Promise<number> {
  await build({
    entryPoints: [path.join(root, 'test', 'e2e', 'suite', 'electronIndex.ts')],
    outfile: path.join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-electron-'));
  writeEsxi5Sample(path.join(workspace, SAMPLE), { compacted: true });
  const executable = process.env.DISKX_VSCODE_EXECUTABLE;
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(outDir, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      ...(executable ? { vscodeExecutablePath: executable } : { version: process.env.DISKX_VSCODE_VERSION ?? 'stable', timeout: 30_000 }),
    });
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!executable && /download|fetch|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket|network|timeout|version/i.test(message)) {
      console.error(
        [
          '',
          'test:electron: could not download VS Code for @vscode/test-electron:',
          `  ${message.split('\n')[0]}`,
          "This machine reaches only the npm registry and Debian, not VS Code's download servers.",
          'Either set DISKX_VSCODE_EXECUTABLE=/path/to/code (an installed VS Code) and run this again,',
          'or run `npm run test:e2e`, which runs the same suite in code-server (installed from npm).',
        ].join('\n'),
      );
      return 1;
    }
    console.error(`test:electron: the suite failed: ${message}`);
    return 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
