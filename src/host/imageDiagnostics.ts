// The Problems panel entries of disk images: one owner of the diagnostic
// collection, which also remembers, per image and finding code, the fixes the
// finding offered (diagnostics travel through VS Code as plain markers, so the
// quick fixes look their fix ids up here).
import * as vscode from 'vscode';
import type { Finding, FixId } from '../core/findings';
import { findingText } from './localText';
import { PublishedFindings } from './publishedFindings';

export class ImageDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('diskx');
  /** Image URI -> finding code -> the fixes its findings offered when last published. */
  private readonly fixes = new Map<string, Map<string, FixId[]>>();
  private readonly published = new PublishedFindings();

  /** Shows `findings` as the diagnostics of image `uri` (replacing earlier ones; nothing to do when they are the ones shown). */
  set(uri: vscode.Uri, findings: readonly Finding[]): void {
    if (!this.published.changed(uri.toString(), findings)) return;
    const byCode = new Map<string, FixId[]>();
    for (const finding of findings)
      if (finding.fixes.length > 0) byCode.set(finding.code, [...new Set([...(byCode.get(finding.code) ?? []), ...finding.fixes])]);
    this.fixes.set(uri.toString(), byCode);
    this.collection.set(uri, findings.map(toDiagnostic));
  }

  delete(uri: vscode.Uri): void {
    this.published.forget(uri.toString());
    this.fixes.delete(uri.toString());
    this.collection.delete(uri);
  }

  /** The fixes offered by the finding behind `diagnostic` of image `uri` (none for other sources). */
  fixesOf(uri: vscode.Uri, diagnostic: vscode.Diagnostic): FixId[] {
    if (diagnostic.source !== 'diskx') return [];
    const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
    return this.fixes.get(uri.toString())?.get(code) ?? [];
  }

  dispose(): void {
    this.published.clear();
    this.fixes.clear();
    this.collection.dispose();
  }
}

/** A finding as a Problems-panel entry: code = finding code, source "diskx". */
function toDiagnostic(finding: Finding): vscode.Diagnostic {
  const severity =
    finding.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : finding.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(0, 0, 0, 0),
    vscode.l10n.t('{0} (byte 0x{1}, {2} bytes)', findingText(finding), finding.offset.toString(16), finding.length),
    severity,
  );
  diagnostic.code = finding.code;
  diagnostic.source = 'diskx';
  return diagnostic;
}
