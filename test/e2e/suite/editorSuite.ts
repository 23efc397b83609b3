// The extension-host half of the end-to-end suite: runs inside VS Code's extension
// host with the real `vscode` API (through @vscode/test-electron, or inside
// code-server through the runner extension in codeServerRunner.ts). It opens the
// compacted ESXi sample with the custom editor and checks the diagnostics.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';

import { SAMPLE } from './sample';

export { SAMPLE };
const EXTENSION_ID = 'diskx.disk-structure-explorer';
const VIEW_TYPE = 'diskx.diskImage';

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function sampleUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs the folder holding the sample open as the workspace');
  return vscode.Uri.joinPath(folder.uri, SAMPLE);
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code ?? '');
}

const cases: { name: string; run(): Promise<void> }[] = [
  {
    name: 'the extension activates',
    async run() {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is not installed`);
      await extension.activate();
      assert.ok(extension.isActive);
    },
  },
  {
    name: `vscode.openWith ${VIEW_TYPE} opens the custom editor and reports esxi-slot-compacted`,
    async run() {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      const editors: { viewType?: string }[] = extension?.packageJSON?.contributes?.customEditors ?? [];
      const uri = sampleUri();
      if (editors.some((editor) => editor.viewType === VIEW_TYPE)) {
        await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
        const tab = await until('the custom editor tab', () => {
          const active = vscode.window.tabGroups.activeTabGroup.activeTab;
          return active?.input instanceof vscode.TabInputCustom && active.input.viewType === VIEW_TYPE ? active : undefined;
        });
        assert.equal((tab.input as vscode.TabInputCustom).uri.toString(), uri.toString());
      } else {
        // Before the custom editor existed, the check command was the way in.
        await vscode.commands.executeCommand('diskx.checkImage', uri);
      }
      const diagnostics = await until('diagnostics on the sample', () => {
        const found = vscode.languages.getDiagnostics(uri);
        return found.some((d) => codeOf(d) === 'esxi-slot-compacted') ? found : undefined;
      });
      const compacted = diagnostics.find((d) => codeOf(d) === 'esxi-slot-compacted');
      assert.ok(compacted);
      assert.equal(compacted.source, 'diskx');
      assert.match(compacted.message, /bootbank is in slot 3 \(partition 4\) but belongs in slot 4 \(partition 5\)/);
    },
  },
];

/** Runs every case; never throws (the caller decides how to report). */
export async function runSuite(log: (line: string) => void = console.log): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const started = Date.now();
    try {
      await testCase.run();
      results.push({ name: testCase.name, ok: true, ms: Date.now() - started });
      log(`ok - ${testCase.name}`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name: testCase.name, ok: false, error: message, ms: Date.now() - started });
      log(`not ok - ${testCase.name}\n${message}`);
    }
  }
  return results;
}
