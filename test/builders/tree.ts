// Looking nodes up in the structure tree the editor is sent (shared/protocol TreeNode).
import type { TreeNode } from '../../src/shared/protocol/editor';

/** The first node, depth first, whose id is `match` (or that `match` accepts); undefined when none is. */
export function findNode(nodes: readonly TreeNode[], match: string | ((node: TreeNode) => boolean)): TreeNode | undefined {
  const accepts = typeof match === 'string' ? (node: TreeNode) => node.id === match : match;
  for (const node of nodes) {
    if (accepts(node)) return node;
    const inner = findNode(node.children ?? [], accepts);
    if (inner) return inner;
  }
  return undefined;
}
