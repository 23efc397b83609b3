// How a comparison opens: "Compare Disk Images" on two files selected in the
// Explorer (or from the palette, picking the images), and "Compare with..." from
// the open disk image editor (editor title button), which picks the second image.
// The first image is A (a fix writes to it), the second B (the reference).
import * as vscode from 'vscode';
import { COMPARE_VIEW_TYPE, ComparePanel } from './comparePanel';

export const COMPARE_IMAGES_COMMAND = 'diskx.compareImages';
export const COMPARE_WITH_COMMAND = 'diskx.compareWith';

/** The view types of the disk image editor (src/host/diskImageEditorProvider.ts). */
const EDITOR_VIEW_TYPES = new Set(['diskx.diskImage', 'diskx.diskImageOption']);
const IMAGE_GLOB = '**/*.{img,raw,bin,vmdk,dd,iso}';
const MAX_PICK_FILES = 500;

/** Registers the comparison commands; the one call extension.ts makes. */
export function registerCompare(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMPARE_IMAGES_COMMAND, (clicked?: unknown, selected?: unknown) => compareImages(context, clicked, selected)),
    vscode.commands.registerCommand(COMPARE_WITH_COMMAND, (resource?: unknown) => compareWith(context, resource)),
    // Comparisons come back after a reload or restart (the webview keeps the two paths).
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => ComparePanel.revive(context, panel, state) }),
    { dispose: () => ComparePanel.disposeAll() },
  );
}

function asUri(value: unknown): vscode.Uri | undefined {
  return value instanceof vscode.Uri ? value : undefined;
}

/** Explorer: (clicked, all selected). Palette: no arguments. */
async function compareImages(context: vscode.ExtensionContext, clicked: unknown, selected: unknown): Promise<void> {
  const uris = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (uris.length > 2) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Disk Structure Explorer: select exactly two images to compare ({0} are selected).', uris.length));
    return;
  }
  if (uris.length === 2) return ComparePanel.show(context, uris[0]!, uris[1]!);
  const first = asUri(clicked) ?? activeImage() ?? (await pickImage(vscode.l10n.t('Compare Disk Images: image A (the one a fix would change)'), undefined));
  if (!first) return;
  const second = await pickImage(vscode.l10n.t('Compare {0} with image B (the reference)', baseName(first)), first);
  if (second) await ComparePanel.show(context, first, second);
}

/** Editor title / palette while a disk image editor is active: compares that image with one to pick. */
async function compareWith(context: vscode.ExtensionContext, resource: unknown): Promise<void> {
  const first = asUri(resource) ?? activeImage();
  if (!first) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: open a disk image first, or use "Compare Disk Images".'));
    return;
  }
  const second = await pickImage(vscode.l10n.t('Compare {0} with image B (the reference)', baseName(first)), first);
  if (second) await ComparePanel.show(context, first, second);
}

/** The image of the active disk image editor, if that is the active tab. */
function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && EDITOR_VIEW_TYPES.has(input.viewType) ? input.uri : undefined;
}

interface ImagePick extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/** The images in the workspace (except `exclude`) and "Browse...", as a quick pick. */
async function pickImage(title: string, exclude: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const found = vscode.workspace.workspaceFolders?.length ? await vscode.workspace.findFiles(IMAGE_GLOB, '**/node_modules/**', MAX_PICK_FILES) : [];
  const items: ImagePick[] = found
    .filter((uri) => uri.toString() !== exclude?.toString())
    .sort((x, y) => x.fsPath.localeCompare(y.fsPath))
    .map((uri) => ({ label: `$(file-binary) ${baseName(uri)}`, description: vscode.workspace.asRelativePath(uri, false), uri }));
  items.push({ label: `$(folder-opened) ${vscode.l10n.t('Browse...')}`, description: vscode.l10n.t('an image file anywhere') });
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Image file'), matchOnDescription: true });
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  const browsed = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title,
    filters: { [vscode.l10n.t('Disk images')]: ['img', 'vmdk', 'raw', 'bin', 'dd', 'iso'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return browsed?.[0];
}

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.fsPath;
}
