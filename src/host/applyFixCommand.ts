// "Disk Structure Explorer: Apply Fix...": on an image (the quick fixes pass its
// URI and the fix id; from the palette, the active image editor and a quick pick
// of the findings' fixes) it shows the fix's preview in the editor, where Apply
// makes it an unsaved edit. Also the auto save confirmation an Apply needs.
import * as vscode from 'vscode';
import path from 'node:path';
import type { FixId } from '../core/findings';
import { isFixId, isScanFixId } from '../core/fixes/registry';
import { findingText, localFixLabel, localMessage } from './localText';
import type { EditorPanels } from './editorPanels';
import type { DiskImageDocument } from './diskImageDocument';
import { autoSaveMode } from './settings';

export const APPLY_FIX_COMMAND = 'diskx.applyFix';

/** Registers the command; `viewType` is the editor it opens an image in when none shows it. */
export function registerApplyFixCommand(panels: EditorPanels, viewType: string): vscode.Disposable {
  return vscode.commands.registerCommand(APPLY_FIX_COMMAND, (target?: vscode.Uri | string, fixId?: string) => applyFix(panels, viewType, target, fixId));
}

async function applyFix(panels: EditorPanels, viewType: string, target?: vscode.Uri | string, fixId?: string): Promise<void> {
  const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target instanceof vscode.Uri ? target : undefined;
  let panel = uri ? panels.panelFor(uri) : panels.activeOrRecent();
  if (!panel && uri) {
    await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
    panel = panels.panelFor(uri);
  }
  const document = panel ? panels.documentOf(panel) : undefined;
  if (!panel || !document) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: open a disk image first (Apply Fix acts on the active image editor).'));
    return;
  }
  // rebuild-from-scan comes from Scan for Lost Partitions... (the session keeps its scan).
  const id = isFixId(fixId) || isScanFixId(fixId) ? fixId : await pickFix(document);
  if (!id) return;
  panel.reveal(panel.viewColumn, false);
  await panels.whenReady(panel);
  await panels.post(panel, { type: 'fixPreview', preview: document.session.preview(id) });
}

/** A quick pick of the fixes the findings offer, with what each would change. */
async function pickFix(document: DiskImageDocument): Promise<FixId | undefined> {
  const { session } = document;
  const name = path.basename(document.uri.fsPath);
  const offered = [...new Set(session.findings.flatMap((f) => f.fixes))];
  if (offered.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: {0} has no findings with a fix.', name));
    return undefined;
  }
  const items = offered.map((fix) => {
    const preview = session.preview(fix);
    const finding = session.findings.find((f) => f.fixes.includes(fix));
    return {
      label: localFixLabel(fix),
      description: preview.ok
        ? vscode.l10n.t('{0} bytes in {1} sectors', preview.bytesChanged, preview.sectorsTouched)
        : vscode.l10n.t('does not apply: {0}', preview.reason),
      detail: finding ? `${finding.code}: ${findingText(finding)}` : undefined,
      fix,
    };
  });
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Apply Fix to {0}', name),
    placeHolder: vscode.l10n.t('The fix is previewed in the editor first; Apply there makes it an unsaved edit'),
  });
  return choice?.fix;
}

/**
 * With VS Code's auto save on (the default in browser VS Code and code-server), an
 * applied fix is written to the image moments later without Ctrl+S. A repair must
 * never reach the disk without the user knowing, so Apply asks first in that case.
 */
export async function confirmAutoSave(document: DiskImageDocument, fixId: string): Promise<boolean> {
  const mode = autoSaveMode(document.uri);
  if (mode === 'off' || document.session.blockedReason() !== null) return true;
  // A fix that cannot apply is refused by the session with its reason: nothing to confirm.
  if (!(isFixId(fixId) || isScanFixId(fixId)) || !document.session.plan(fixId).ok) return true;
  const file = path.basename(document.uri.fsPath);
  const label = localFixLabel(fixId);
  const write = vscode.l10n.t('Apply and Write');
  const answer = await vscode.window.showWarningMessage(
    mode === 'afterDelay'
      ? vscode.l10n.t('Auto save is on (files.autoSave: {0}): "{1}" will be written to {2} moments after you apply it, without Ctrl+S.', mode, label, file)
      : vscode.l10n.t(
          'Auto save is on (files.autoSave: {0}): "{1}" will be written to {2} as soon as the editor loses focus, without Ctrl+S.',
          mode,
          label,
          file,
        ),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Only the changed sectors are written, backup GPT first, after an undo journal (Ctrl+Z and save, or diskx undo, reverts it). To apply repairs and review them before writing, set files.autoSave to "off".',
      ),
    },
    write,
  );
  return answer === write;
}

/**
 * A fix whose plan overwrites a volume's own structures (rebuild-from-scan over a
 * file system made on the whole disk by mistake; the preview names it) is applied
 * only after the user confirms that this volume may go: the CLI's
 * --allow-overwrite-volume.
 */
export async function confirmOverwrite(document: DiskImageDocument, fixId: string): Promise<boolean> {
  if (!(isFixId(fixId) || isScanFixId(fixId))) return true;
  const result = document.session.plan(fixId);
  if (!result.ok || !result.plan.destroys) return true;
  const overwrite = vscode.l10n.t('Overwrite and Apply');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" overwrites {1}.', localFixLabel(fixId), result.plan.destroysText ? localMessage(result.plan.destroysText) : result.plan.destroys),
    {
      modal: true,
      detail: vscode.l10n.t(
        "The new table is written over that file system's first and last sectors, so it is no longer recognised; the volumes found inside it are kept. Apply it only if that file system was made on the whole disk by mistake. Save writes it with an undo journal (Ctrl+Z and save, or diskx undo, reverts it).",
      ),
    },
    overwrite,
  );
  return answer === overwrite;
}
