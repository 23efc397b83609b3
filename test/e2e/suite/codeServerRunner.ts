// A test extension for code-server, which rejects --extensionTestsPath: on start-up
// it runs the extension-host suite and writes the results as JSON next to itself
// (result.json), where test/e2e/extensionHost.e2e.ts reads them.
import fs from 'node:fs';
import path from 'node:path';
import { runSuite } from './editorSuite';

export function activate(context: { extensionPath: string }): void {
  const out = path.join(context.extensionPath, 'result.json');
  const lines: string[] = [];
  void runSuite((line) => lines.push(line)).then(
    (results) => fs.writeFileSync(out, JSON.stringify({ results, log: lines }, null, 2)),
    (error: unknown) => fs.writeFileSync(out, JSON.stringify({ results: [], log: lines, error: String(error) }, null, 2)),
  );
}

export function deactivate(): void {}
