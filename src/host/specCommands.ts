// "Apply Structure Spec...": a user's .ksy applied to the open image at an offset, an
// LBA, a partition's start or the selection (also "Parse Here with Spec..." from a
// tree node's context menu), "Remove Structure Spec" on a spec's root node; saving a
// .ksy parses the images using it again; which specs apply where is remembered per
// image in the workspace state and restored when the image is opened again.
import * as vscode from 'vscode';
import path from 'node:path';
import type { DiskImageDocument } from './diskImageDocument';
import type { DiskImageEditorProvider } from './diskImageEditorProvider';
import { SPECS_RESTRICTED, type SpecRuntime } from './specRuntime';
import type { SpecPlacementState } from '../app/appliedSpecs';
import { localError } from './localText';

/** Workspace-state key: image path -> the specs applied to it. */
const STATE_KEY = 'diskx.appliedSpecs';

/** The context VS Code passes a webview/context menu command (the node's `data-vscode-context`). */
interface NodeContext {
  webviewSection?: string;
  nodeOffset?: number;
  partitionNumber?: number;
  specKey?: number;
  nodeId?: string;
}

export function registerSpecCommands(context: vscode.ExtensionContext, provider: DiskImageEditorProvider, runtime: SpecRuntime): vscode.Disposable {
  const remembered = (): Record<string, SpecPlacementState[]> => context.workspaceState.get<Record<string, SpecPlacementState[]>>(STATE_KEY, {});
  const remember = async (document: DiskImageDocument): Promise<void> => {
    const all = { ...remembered() };
    const state = document.session.specs.state();
    if (state.length) all[document.uri.fsPath] = state;
    else delete all[document.uri.fsPath];
    await context.workspaceState.update(STATE_KEY, all);
  };

  const apply = async (document: DiskImageDocument, spec: string, at: string): Promise<void> => {
    const entry = await document.session.applySpec(spec, at);
    await remember(document);
    const name = path.basename(spec);
    document.changed(
      entry.result
        ? entry.result.error
          ? vscode.l10n.t('Applied {0} at {1}; parsing stopped: {2}.', name, at, entry.result.error)
          : vscode.l10n.t('Applied {0} at {1}.', name, at)
        : `${name}: ${entry.problem ?? vscode.l10n.t('not parsed')}`,
    );
    if (entry.problem) void vscode.window.showWarningMessage(vscode.l10n.t('Disk Structure Explorer: {0} at {1}: {2}', name, at, entry.problem));
  };

  const target = (uri?: unknown): DiskImageDocument | null => {
    const document = uri instanceof vscode.Uri ? provider.documentFor(uri) : provider.activeDocument();
    if (!document)
      void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: open a disk image first (specs apply to the active image editor).'));
    return document;
  };

  const trusted = (): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(`Disk Structure Explorer: ${SPECS_RESTRICTED}.`);
    return false;
  };

  const applyCommand = async (specArg?: unknown, atArg?: unknown, imageArg?: unknown): Promise<void> => {
    const document = target(imageArg);
    if (!document || !trusted()) return;
    const spec = specArg instanceof vscode.Uri ? specArg.fsPath : typeof specArg === 'string' ? specArg : await pickSpec();
    if (!spec) return;
    const at = typeof atArg === 'string' ? atArg : await pickPlacement(document, provider.selectionOf(document));
    if (!at) return;
    await apply(document, spec, at);
  };

  const hereCommand = async (node?: NodeContext): Promise<void> => {
    const document = target();
    if (!document || !trusted()) return;
    const at =
      typeof node?.partitionNumber === 'number'
        ? `partition:${node.partitionNumber}`
        : typeof node?.nodeOffset === 'number'
          ? `0x${node.nodeOffset.toString(16)}`
          : await pickPlacement(document, provider.selectionOf(document));
    if (!at) return;
    const spec = await pickSpec();
    if (spec) await apply(document, spec, at);
  };

  const removeCommand = async (node?: NodeContext | number): Promise<void> => {
    const document = target();
    if (!document) return;
    let key = typeof node === 'number' ? node : node?.specKey;
    if (key === undefined) {
      const items = document.session.specs.list.map((entry) => ({
        label: path.basename(entry.spec),
        description: vscode.l10n.t('at {0}', entry.at),
        key: entry.key,
      }));
      if (items.length === 0)
        return void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: no structure spec is applied to this image.'));
      key = (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Remove Structure Spec'), ignoreFocusOut: true }))?.key;
    }
    if (key === undefined || !(await document.session.removeSpec(key))) return;
    await remember(document);
    document.changed(vscode.l10n.t('Structure spec removed.'));
  };

  // "Set Field Value..." on a spec field: one edit through the same edit stack as fixes.
  const setFieldCommand = async (node?: NodeContext | string, valueArg?: unknown): Promise<void> => {
    const document = target();
    const nodeId = typeof node === 'string' ? node : node?.nodeId;
    if (!document || !nodeId) return;
    const current = await document.session.specFieldText(nodeId);
    if (current === null)
      return void vscode.window.showInformationMessage(
        vscode.l10n.t('Disk Structure Explorer: that node is no field of a structure spec that can be set by value.'),
      );
    const value =
      typeof valueArg === 'string'
        ? valueArg
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Set {0}', nodeId.replace(/^spec-\d+:/, '')),
            value: current,
            ignoreFocusOut: true,
            prompt: vscode.l10n.t('The new value (a number, text, or hex bytes). It becomes an unsaved edit: Ctrl+Z undoes it, Save writes it.'),
          });
    if (value === undefined) return;
    if (autoSaveOn(document.uri)) {
      const write = vscode.l10n.t('Set and Write');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('Auto save is on: the new value will be written to {0} without Ctrl+S.', path.basename(document.uri.fsPath)),
        { modal: true },
        write,
      );
      if (answer !== write) return;
    }
    const result = await document.session.setSpecField(nodeId, value);
    if (!result.ok) return void vscode.window.showWarningMessage(vscode.l10n.t('Disk Structure Explorer: not set: {0}', result.reason));
    document.recordEdit(result.edit);
  };

  // A saved .ksy: every open image using it (directly or through an import) parses again.
  const onSave = vscode.workspace.onDidSaveTextDocument(async (saved) => {
    if (saved.uri.scheme !== 'file' || path.extname(saved.uri.fsPath).toLowerCase() !== '.ksy') return;
    for (const document of provider.openDocuments()) {
      const touched = await document.session.recompileSpecs(saved.uri.fsPath);
      if (touched.length === 0) continue;
      const problems = touched.map((entry) => entry.problem).filter(Boolean);
      document.changed(
        problems.length ? `${path.basename(saved.uri.fsPath)}: ${problems[0]}` : vscode.l10n.t('Re-parsed with {0}.', path.basename(saved.uri.fsPath)),
      );
    }
  });

  // Reopened images get their specs back (shown with the reason when they cannot run).
  const onOpen = provider.onDidOpenDocument(async (document) => {
    const state = remembered()[document.uri.fsPath];
    if (!state?.length) return;
    for (const { spec, at } of state) await document.session.applySpec(spec, at);
    document.changed(null);
  });

  const onTrust = vscode.workspace.onDidGrantWorkspaceTrust(async () => {
    for (const document of provider.openDocuments()) {
      if (document.session.specs.list.length === 0) continue;
      await document.session.refreshSpecs();
      document.changed(null);
    }
  });

  const onPaths = vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (!event.affectsConfiguration('diskx.specPaths') && !event.affectsConfiguration('diskx.kaitaiCompilerPath')) return;
    runtime.restartCompiler();
    for (const document of provider.openDocuments()) {
      if (document.session.specs.list.length === 0) continue;
      await document.session.refreshSpecs();
      document.changed(null);
    }
  });

  return vscode.Disposable.from(
    vscode.commands.registerCommand('diskx.applySpec', (spec?: unknown, at?: unknown, image?: unknown) => applyCommand(spec, at, image).catch(report)),
    vscode.commands.registerCommand('diskx.applySpecHere', (node?: NodeContext) => hereCommand(node).catch(report)),
    vscode.commands.registerCommand('diskx.setSpecField', (node?: NodeContext | string, value?: unknown) => setFieldCommand(node, value).catch(report)),
    vscode.commands.registerCommand('diskx.removeSpec', (node?: NodeContext | number) => removeCommand(node).catch(report)),
    onSave,
    onOpen,
    onTrust,
    onPaths,
  );
}

function autoSaveOn(uri: vscode.Uri): boolean {
  return vscode.workspace.getConfiguration('files', uri).get<string>('autoSave', 'off') !== 'off';
}

function report(error: unknown): void {
  void vscode.window.showErrorMessage(`Disk Structure Explorer: ${localError(error)}`);
}

/** A .ksy from the workspace, or one chosen in the file dialog. */
async function pickSpec(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.ksy', '**/node_modules/**', 500);
  const browse = { label: `$(folder-opened) ${vscode.l10n.t('Choose a .ksy file...')}`, file: undefined as string | undefined };
  const items = [
    ...files
      .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
      .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), file: uri.fsPath as string | undefined })),
    browse,
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Apply Structure Spec: which .ksy?'),
    ignoreFocusOut: true,
    placeHolder: files.length ? vscode.l10n.t('A Kaitai Struct spec from the workspace') : vscode.l10n.t('No .ksy in the workspace: choose a file'),
  });
  if (!choice) return undefined;
  if (choice.file) return choice.file;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: vscode.l10n.t('Apply Structure Spec'),
    filters: { [vscode.l10n.t('Kaitai Struct specs')]: ['ksy'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return picked?.[0]?.fsPath;
}

/** Where to apply it: an offset, an LBA, a partition's first sector or the selection. */
async function pickPlacement(document: DiskImageDocument, selection: { offset: number; length: number } | null): Promise<string | undefined> {
  const model = document.session.model;
  type Item = vscode.QuickPickItem & { at?: string; ask?: 'offset' | 'lba' };
  const items: Item[] = [];
  if (selection)
    items.push({
      label: `$(selection) ${vscode.l10n.t('At the selection')}`,
      description: vscode.l10n.t('byte 0x{0}', selection.offset.toString(16)),
      at: `0x${selection.offset.toString(16)}`,
    });
  items.push({ label: `$(symbol-number) ${vscode.l10n.t('At a byte offset...')}`, ask: 'offset' });
  if (model)
    items.push({ label: `$(list-ordered) ${vscode.l10n.t('At an LBA...')}`, description: vscode.l10n.t('{0}-byte sectors', model.sectorSize), ask: 'lba' });
  for (const partition of model?.partitions ?? []) {
    items.push({
      label: `$(symbol-module) ${vscode.l10n.t('Partition {0}', partition.number)}`,
      description: `LBA ${partition.firstLba}${partition.typeName ? ` · ${partition.typeName}` : ''}${partition.name ? ` · "${partition.name}"` : ''}`,
      at: `partition:${partition.number}`,
    });
  }
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Apply Structure Spec to {0}: where?', path.basename(document.uri.fsPath)),
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  if (choice.at) return choice.at;
  const lba = choice.ask === 'lba';
  const typed = await vscode.window.showInputBox({
    title: lba ? 'LBA' : vscode.l10n.t('Byte offset'),
    ignoreFocusOut: true,
    prompt: lba ? vscode.l10n.t('Sector number (decimal or 0x hex)') : vscode.l10n.t('Byte offset (decimal or 0x hex)'),
    validateInput: (value) => (/^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value) ? undefined : vscode.l10n.t('A decimal number or 0x hex')),
  });
  if (!typed) return undefined;
  return lba ? `lba:${typed.trim()}` : typed.trim();
}
