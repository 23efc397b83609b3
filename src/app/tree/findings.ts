// Attaches each finding to the deepest tree node whose bytes hold it, and puts
// the hex view's spans in order.
import type { Finding } from '../../core/findings';
import type { FieldSpan, FindingView, TreeNode } from '../../shared/protocol/editor';

/** The deepest node whose bytes contain the finding's range (and the top-level node above it). */
export function attachFindings(tree: TreeNode[], findings: Finding[]): FindingView[] {
  return findings.map((finding) => {
    const start = finding.offset;
    const end = finding.offset + Math.max(1, finding.length);
    let best: { node: TreeNode; root: TreeNode; depth: number } | null = null;
    const search = (nodes: TreeNode[], depth: number, root: TreeNode | null): void => {
      for (const node of nodes) {
        const contains = node.length > 0 && start >= node.offset && end <= node.offset + node.length;
        if (contains && (!best || depth > best.depth)) best = { node, root: root ?? node, depth };
        // Groups without bytes (free space) and partitions (whose volume lies elsewhere than their entry) are searched too.
        if (node.children && (contains || node.length === 0 || node.id.startsWith('partition-'))) search(node.children, depth + 1, root ?? node);
      }
    };
    // A finding about the container file's bytes belongs to the container node, never to a virtual offset.
    if (finding.file) {
      const container = tree.find((n) => n.id === 'container');
      if (container) best = { node: container, root: container, depth: 0 };
    } else search(tree, 0, null);
    const view: FindingView = {
      code: finding.code,
      severity: finding.severity,
      message: finding.message,
      ...(finding.text ? { text: finding.text } : {}),
      offset: finding.offset,
      length: finding.length,
      fixes: [...finding.fixes],
      actions: [],
      ...(finding.file ? { file: { ...finding.file } } : {}),
    };
    const hit = best as { node: TreeNode; root: TreeNode } | null;
    if (hit) {
      view.nodeId = hit.node.id;
      for (const node of new Set([hit.node, hit.root])) node.findings = [...(node.findings ?? []), finding.code];
    }
    return view;
  });
}

/** Sorted by offset, without overlaps (a hostile image can point two structures at the same bytes). */
export function normalizeSpans(spans: FieldSpan[]): FieldSpan[] {
  const sorted = spans.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
  const out: FieldSpan[] = [];
  let end = -1;
  for (const span of sorted) {
    if (span.offset < end) continue;
    out.push(span);
    end = span.offset + span.length;
  }
  return out;
}

function walkTree(nodes: TreeNode[], visit: (node: TreeNode, root: TreeNode) => void, root?: TreeNode): void {
  for (const node of nodes) {
    visit(node, root ?? node);
    if (node.children) walkTree(node.children, visit, root ?? node);
  }
}

/** Every node id in the tree, depth first (for tests and go-to). */
export function allNodeIds(tree: TreeNode[]): string[] {
  const ids: string[] = [];
  walkTree(tree, (node) => ids.push(node.id));
  return ids;
}
