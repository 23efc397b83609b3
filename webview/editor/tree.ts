// The structure tree (`#structure`, a vscode-tree). Only the items a user can see
// are built: a closed branch holds one placeholder item (so it shows its twistie)
// until it is opened. A tree item is a web component with its own shadow DOM, and
// an image has hundreds of fields.
import type { TreeNode } from '../../src/shared/protocol/editor';
import { el } from '../dom';
import type { EditorState } from './state';
import { t } from '../l10n';

type TreeItemElement = HTMLElement & { selected: boolean; open: boolean; updateComplete?: Promise<unknown> };

export class StructureTree {
  readonly element = document.createElement('vscode-tree');
  private readonly nodesById = new Map<string, TreeNode>();
  private readonly itemsById = new Map<string, HTMLElement>();
  /** Child node id to parent node id, for every node (built or not). */
  private readonly parentById = new Map<string, string>();

  /** Lazy nodes already asked for (the host answers with an update that holds their children). */
  private readonly requested = new Set<string>();

  /** `onSelect`: the user picked a node in the tree; `onExpandLazy`: a lazy node (a spec's instance) was opened. */
  constructor(
    private readonly state: EditorState,
    onSelect: (node: TreeNode) => void,
    private readonly onExpandLazy: (nodeId: string) => void = () => undefined,
  ) {
    this.element.id = 'structure';
    this.element.setAttribute('indent-guides', 'onHover');
    // A branch opened by click, keyboard or selectNode gets its children built before the next paint.
    new MutationObserver((records) => {
      for (const record of records) {
        const target = record.target as HTMLElement;
        if (target.tagName === 'VSCODE-TREE-ITEM' && target.hasAttribute('open')) this.materialize(target);
      }
    }).observe(this.element, { subtree: true, attributes: true, attributeFilter: ['open'] });
    this.element.addEventListener('vsc-tree-select', (event: Event) => {
      const detail = (event as CustomEvent<unknown>).detail;
      const items = (Array.isArray(detail) ? detail : ((detail as { selectedItems?: unknown[] } | null)?.selectedItems ?? [])) as HTMLElement[];
      const node = this.node(items[0]?.dataset.nodeId);
      if (node) onSelect(node);
    });
  }

  node(id: string | undefined): TreeNode | undefined {
    return id ? this.nodesById.get(id) : undefined;
  }

  /** Rebuilds the tree from the state (a new model). */
  render(): void {
    this.requested.clear();
    this.nodesById.clear();
    this.itemsById.clear();
    this.parentById.clear();
    const index = (node: TreeNode, parent: string | null): void => {
      this.nodesById.set(node.id, node);
      if (parent !== null) this.parentById.set(node.id, parent);
      for (const child of node.children ?? []) index(child, node.id);
    };
    const tree = this.state.tree;
    for (const node of tree) index(node, null);
    this.element.replaceChildren(...tree.map((node) => this.item(node)));
    if (tree.length === 0) this.element.append(infoItem(t('No structures: the bytes are shown as plain hex.')));
  }

  /** Marks the item of `nodeId` selected and scrolls it into view (opening its ancestors); none: no item selected. */
  selectNode(nodeId: string | undefined): void {
    for (const item of this.element.querySelectorAll('vscode-tree-item')) {
      const treeItem = item as TreeItemElement;
      if (treeItem.selected && treeItem.dataset.nodeId !== nodeId) treeItem.selected = false;
    }
    if (!nodeId) return;
    // Build the items down to the node first: its ancestors may never have been opened.
    const ancestors: string[] = [];
    for (let id = this.parentById.get(nodeId); id !== undefined; id = this.parentById.get(id)) ancestors.unshift(id);
    for (const id of ancestors) {
      const ancestor = this.itemsById.get(id);
      if (ancestor) this.materialize(ancestor);
    }
    const item = this.itemsById.get(nodeId) as TreeItemElement | undefined;
    if (!item) return;
    for (let parent = item.parentElement; parent && parent !== this.element; parent = parent.parentElement) {
      if (parent.tagName === 'VSCODE-TREE-ITEM') (parent as TreeItemElement).open = true;
    }
    item.selected = true;
    // An item built just now has no height until its component renders.
    const rendered = item.updateComplete;
    if (rendered) void rendered.then(() => item.scrollIntoView({ block: 'nearest' }));
    else item.scrollIntoView({ block: 'nearest' });
  }

  private item(node: TreeNode): HTMLElement {
    const item = document.createElement('vscode-tree-item');
    item.dataset.nodeId = node.id;
    this.itemsById.set(node.id, item);
    // Name and value are elided separately (tree.css): a narrow tree still shows the value; the title has both in full.
    const line = el('span', { className: 'tree-line' }, el('span', { className: 'label', text: node.label }));
    // The space is an element of its own: the item's text (and what a screen reader says) keeps it.
    if (node.value !== undefined)
      line.append(el('span', { className: 'sep', text: ' ' }), el('span', { className: `value${node.kind ? ` k-${node.kind}` : ''}`, text: node.value }));
    item.append(line);
    if (node.description) {
      const description = el('span', { className: 'description', text: node.description });
      description.slot = 'description';
      item.append(description);
    }
    item.title = [
      node.label,
      node.value,
      node.description,
      node.doc,
      node.length > 0 ? t('bytes 0x{0}..0x{1} ({2})', node.offset.toString(16), (node.offset + node.length - 1).toString(16), node.length) : '',
    ]
      .filter(Boolean)
      .join('\n');
    // VS Code's context menu for the node (package.json webview/context): "Parse Here with Structure Spec...".
    const menu = node.context ?? (node.length > 0 ? { webviewSection: 'node', nodeOffset: node.offset } : null);
    if (menu) item.dataset.vscodeContext = JSON.stringify({ ...menu, preventDefaultContextMenuItems: true });
    if (node.findings?.length) {
      const badge = document.createElement('vscode-badge');
      badge.setAttribute('variant', 'counter');
      badge.className = `finding-badge sev-${this.worstSeverity(node.findings)}`;
      badge.slot = 'decoration';
      badge.textContent = String(node.findings.length);
      badge.title = node.findings.join(', ');
      item.append(badge);
      item.classList.add('has-finding');
    }
    if (node.lazy && !node.children?.length) {
      item.append(placeholderItem());
    } else if (node.children?.length) {
      if (node.open) {
        item.setAttribute('open', '');
        for (const child of node.children) item.append(this.item(child));
      } else {
        item.append(placeholderItem());
      }
    }
    return item;
  }

  /** Builds the child items of a branch that still holds its placeholder. */
  private materialize(item: HTMLElement): void {
    const placeholder = item.querySelector(':scope > vscode-tree-item[data-placeholder]');
    const node = this.node(item.dataset.nodeId);
    if (placeholder && node?.lazy && !node.children?.length) {
      // Read by the host when first opened; its update replaces this tree.
      if (!this.requested.has(node.id)) {
        this.requested.add(node.id);
        placeholder.querySelector('.label')!.textContent = t('reading…');
        this.onExpandLazy(node.id);
      }
      return;
    }
    if (!placeholder || !node?.children) return;
    placeholder.replaceWith(...node.children.map((child) => this.item(child)));
  }

  private worstSeverity(codes: string[]): string {
    const severities = new Set(this.state.findings.filter((f) => codes.includes(f.code)).map((f) => f.severity));
    return severities.has('error') ? 'error' : severities.has('warning') ? 'warning' : 'info';
  }
}

/** The one child of a closed branch: gives it a twistie until its children are built. */
function placeholderItem(): HTMLElement {
  const placeholder = document.createElement('vscode-tree-item');
  placeholder.dataset.placeholder = 'true';
  placeholder.append(el('span', { className: 'label', text: '…' }));
  return placeholder;
}

function infoItem(text: string): HTMLElement {
  const item = document.createElement('vscode-tree-item');
  item.dataset.nodeId = 'none';
  item.append(el('span', { className: 'label', text }));
  return item;
}
