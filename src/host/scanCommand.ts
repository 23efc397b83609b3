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
import { localError, localMessage } from './localText';

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
    void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: open a disk image first (the scan works on the active image editor).'));
    return;
  }
  const name = path.basename(document.uri.fsPath);
  const session = document.session;
  let scan;
  try {
    scan = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Scanning {0} for lost partitions', name), cancellable: true },
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
    void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer: the scan of {0} failed: {1}', name, localError(error)));
    return;
  }
  const proposal = proposeTable(scan, session.model?.totalSectors ?? 0n);
  const items: (vscode.QuickPickItem & { preview?: boolean })[] = scan.volumes.map((v) => ({
    label: volumeLine(v),
    description:
      v.conflictsWith !== undefined
        ? vscode.l10n.t('confidence {0}, conflicts with the volume(s) at LBA {1}', v.confidence, v.conflictsWith.map((at) => at / scan.sectorSize).join(', '))
        : v.nestedIn !== undefined
          ? vscode.l10n.t('confidence {0}, inside another volume', v.confidence)
          : vscode.l10n.t('confidence {0}', v.confidence),
    detail: v.evidence.join('; '),
  }));
  for (const t of scan.tables)
    items.push({
      label:
        t.kind === 'gpt'
          ? vscode.l10n.t('GPT header at LBA {0} (MyLBA {1})', String(t.lba), String(t.myLba))
          : vscode.l10n.t('MBR/EBR records at LBA {0}', String(t.lba)),
      description: vscode.l10n.t('stray table'),
      detail:
        t.kind === 'gpt'
          ? t.headerCrcOk
            ? vscode.l10n.t('header CRC ok, {0} entries', t.entries.length)
            : vscode.l10n.t('header CRC bad, {0} entries', t.entries.length)
          : vscode.l10n.t('{0} records', t.records.length),
    });
  if (proposal.ok) {
    const p = proposal.proposal;
    items.unshift({
      label: `$(wrench) ${vscode.l10n.t('Preview the proposed {0}: {1} partitions', `${p.scheme.toUpperCase()}${p.layout ? ` (${p.layout})` : ''}`, p.partitions.length)}`,
      detail: p.reasons.map((r) => localMessage(r)).join(' '),
      preview: true,
    });
  }
  const title = proposal.ok
    ? vscode.l10n.t('{0} volume(s) found in {1}', scan.volumes.length, name)
    : vscode.l10n.t('{0} volume(s) found in {1}: no table proposed ({2})', scan.volumes.length, name, localMessage(proposal.reasonText));
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: proposal.ok
      ? vscode.l10n.t('Preview the proposed table in the editor (Apply there makes it an unsaved edit)')
      : vscode.l10n.t('Nothing to rebuild from'),
    matchOnDetail: true,
  });
  if (choice?.preview) await vscode.commands.executeCommand(APPLY_FIX_COMMAND, document.uri, 'rebuild-from-scan');
}
