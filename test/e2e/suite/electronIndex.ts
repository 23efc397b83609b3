// Entry point for @vscode/test-electron's extensionTestsPath: run() rejects when a case fails.
import { runSuite } from './editorSuite';

export async function run(): Promise<void> {
  const results = await runSuite();
  const failed = results.filter((result) => !result.ok);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length) throw new Error(`${failed.length} end-to-end case(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}
