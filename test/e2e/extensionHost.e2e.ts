// The extension-host suite (test/e2e/suite/editorSuite.ts, the one test-electron
// runs) inside code-server. code-server rejects --extensionTestsPath, so a small
// runner extension starts the suite on activation and writes result.json into its
// own folder; the browser is there only because code-server starts the extension
// host when a window connects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeEsxi5Sample } from '../../scripts/sampleImages';
import { SAMPLE } from './suite/sample';
import { openWorkbench, repoRoot, tempWorkspace } from './workbench';

interface SuiteReport {
  results: { name: string; ok: boolean; error?: string; ms: number }[];
  log: string[];
  error?: string;
}

async function makeRunnerExtension(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-e2e-runner-'));
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'e2e', 'suite', 'codeServerRunner.ts')],
    outfile: path.join(dir, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const manifest = {
    name: 'disk-structure-explorer-e2e',
    publisher: 'diskx',
    version: '0.0.1',
    private: true,
    engines: { vscode: '^1.90.0' },
    main: './dist/index.js',
    activationEvents: ['onStartupFinished'],
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

test('the extension-host suite passes inside code-server', { timeout: 10 * 60_000 }, async () => {
  const folder = tempWorkspace();
  writeEsxi5Sample(path.join(folder, SAMPLE), { compacted: true });
  const runner = await makeRunnerExtension();
  const workbench = await openWorkbench(folder, { extraExtensions: [runner] });
  try {
    const resultFile = path.join(workbench.server.extensionsDir, 'diskx.disk-structure-explorer-e2e-0.0.1', 'result.json');
    const deadline = Date.now() + 120_000;
    while (!fs.existsSync(resultFile)) {
      assert.ok(Date.now() < deadline, `no ${resultFile} after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the write finish
    const report = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuiteReport;
    for (const line of report.log) console.log(`  [extension host] ${line.split('\n')[0]}`);
    assert.equal(report.error, undefined);
    assert.ok(report.results.length >= 2, JSON.stringify(report));
    const failed = report.results.filter((result) => !result.ok);
    assert.deepEqual(failed, [], failed.map((f) => `${f.name}: ${f.error}`).join('\n'));
  } finally {
    await workbench.close();
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(runner, { recursive: true, force: true });
  }
});
