// What every image's user specs share in the extension host: one Kaitai compiler
// process (with the diskx.specPaths imports folders), the diagnostics on .ksy files,
// and the Restricted Mode rule (specs compile to code that runs here: only in a
// trusted workspace).
import * as vscode from 'vscode';
import path from 'node:path';
import { SpecCompiler, type CompiledSpec } from '../core/specs/specCompiler';
import { SpecCompileError } from '../core/specs/specTypes';
import type { AppliedSpecsHost } from '../app/appliedSpecs';

/** Why specs do not run in an untrusted workspace (shown on the spec's tree node and in messages). */
export const SPECS_RESTRICTED = vscode.l10n.t(
  'Restricted Mode: structure specs are compiled to code that runs in the extension host, so they run only in a trusted workspace (Manage Workspace Trust)',
);

export class SpecRuntime implements AppliedSpecsHost, vscode.Disposable {
  private compiler: SpecCompiler | null = null;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('diskx-specs');
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('diskx.specPaths') || event.affectsConfiguration('diskx.kaitaiCompilerPath')) this.restartCompiler();
    });
  }

  blocked(): string | null {
    return vscode.workspace.isTrusted ? null : SPECS_RESTRICTED;
  }

  /** Compiles `specPath`; its problems (or none) become the diagnostics of the .ksy files involved. */
  async compile(specPath: string): Promise<CompiledSpec> {
    const blocked = this.blocked();
    if (blocked) throw new Error(blocked);
    this.compiler ??= new SpecCompiler(compilerOptions());
    try {
      const compiled = await this.compiler.compile(specPath);
      for (const source of compiled.sources) this.diagnostics.delete(vscode.Uri.file(source));
      return compiled;
    } catch (error) {
      if (error instanceof SpecCompileError) {
        const file = error.location?.file ?? specPath;
        const line = Math.max(0, (error.location?.line ?? 1) - 1);
        const column = Math.max(0, (error.location?.column ?? 1) - 1);
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER), error.problem, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'kaitai';
        this.diagnostics.set(vscode.Uri.file(file), [diagnostic]);
        if (path.resolve(file) !== path.resolve(specPath)) this.diagnostics.delete(vscode.Uri.file(specPath));
      }
      throw error;
    }
  }

  restartCompiler(): void {
    this.compiler?.dispose();
    this.compiler = null;
  }

  dispose(): void {
    this.restartCompiler();
    this.diagnostics.dispose();
    this.subscription.dispose();
  }
}

/** diskx.specPaths (relative ones against the first workspace folder) and diskx.kaitaiCompilerPath. */
function compilerOptions(): { specPaths: string[]; compilerPath?: string } {
  const config = vscode.workspace.getConfiguration('diskx');
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const specPaths = (config.get<unknown[]>('specPaths', []) ?? [])
    .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    .map((entry) => path.resolve(base, entry));
  const compilerPath = config.get<string>('kaitaiCompilerPath', '').trim();
  return { specPaths, ...(compilerPath ? { compilerPath: path.resolve(base, compilerPath) } : {}) };
}
