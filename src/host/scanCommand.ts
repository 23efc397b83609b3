// "Disk Structure Explorer: Scan for Lost Partitions...": scans the active image
// for volumes and stray tables (a cancellable progress notification), lists what
// it found with the evidence, and previews the proposed table in the editor
// (the rebuild-from-scan fix: its fields and bytes), where Apply makes it an
// unsaved edit and Save writes it through the safe writer like any fix.
import * as vscode from 'vscode';
import path from 'node:path';
import type { DiskImageEditorProvider } from './diskImageEditorProvider';
import { APPLY_FIX_COMMAND } from './applyFixCommand';
import { proposeTable } from '../core/scan/index';
import type { FoundVolume } from '../core/scan/index';
import { describeError } from '../core/errors';

/** Registers the command; `provider` knows the open image editors. */
export function registerScanCommand(provider: DiskImageEditorProvider): vscode.Disposable {
  return vscode.commands.registerCommand('diskx.scanForLostPartitions', () => scanActiveImage(provider));
}

function volumeLine(v: FoundVolume): string {
  const c = v.content;
  return `LBA ${v.firstLba}${v.lastLba !== undefined ? `..${v.lastLba}` : ''}: ${c.type}${c.label ? ` "${c.label}"` : ''}`;
}

async function scanActiveImage(provider: DiskImageEditorProvider): Promise<void> {
  const document = provider.activeDocument();
  if (!document) {
    void vscode.window.showInformationMessage('Disk Structure Explorer: open a disk image first (the scan works on the active image editor).');
    return;
  }
  const name = path.basename(document.uri.fsPath);
  const session = document.session;
  let scan;
  try {
    scan = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Scanning ${name} for lost partitions`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        let reported = 0;
        return session.scanForLostPartitions(controller.signal, (done, total) => {
          const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
          if (percent > reported) {
            progress.report({ increment: percent - reported, message: `${percent}%` });
            reported = percent;
          }
        });
      },
    );
  } catch (error) {
    if (error instanceof Error && error.message === 'cancelled') return;
    void vscode.window.showErrorMessage(`Disk Structure Explorer: the scan of ${name} failed: ${describeError(error)}`);
    return;
  }
  const proposal = proposeTable(scan, session.model?.totalSectors ?? 0n);
  const items: (vscode.QuickPickItem & { preview?: boolean })[] = scan.volumes.map((v) => ({
    label: volumeLine(v),
    description: `confidence ${v.confidence}${v.nestedIn !== undefined ? ', inside another volume' : ''}`,
    detail: v.evidence.join('; '),
  }));
  for (const t of scan.tables)
    items.push({
      label: t.kind === 'gpt' ? `GPT header at LBA ${t.lba} (MyLBA ${t.myLba})` : `MBR/EBR records at LBA ${t.lba}`,
      description: 'stray table',
      detail: t.kind === 'gpt' ? `header CRC ${t.headerCrcOk ? 'ok' : 'bad'}, ${t.entries.length} entries` : `${t.records.length} records`,
    });
  if (proposal.ok) {
    const p = proposal.proposal;
    items.unshift({
      label: `$(wrench) Preview the proposed ${p.scheme.toUpperCase()}${p.layout ? ` (${p.layout})` : ''}: ${p.partitions.length} partitions`,
      detail: p.reasons.join(' '),
      preview: true,
    });
  }
  const title = proposal.ok
    ? `${scan.volumes.length} volume(s) found in ${name}`
    : `${scan.volumes.length} volume(s) found in ${name}: no table proposed (${proposal.reason})`;
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: proposal.ok ? 'Preview the proposed table in the editor (Apply there makes it an unsaved edit)' : 'Nothing to rebuild from',
    matchOnDetail: true,
  });
  if (choice?.preview) await vscode.commands.executeCommand(APPLY_FIX_COMMAND, document.uri, 'rebuild-from-scan');
}
