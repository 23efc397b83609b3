// What the editor knows, in one object: the host's model of the image (tree,
// spans, findings, edit state), the byte cache, the selection, the mouse and the
// marks over the hex. main.ts creates it and passes it to every pane.
import type { EditState, FieldSpan, FindingView, ImageInfo, TreeNode } from '../../src/shared/protocol/editor';
import type { ByteCache } from '../byteCache';
import { ByteMarks } from '../hex/marks';
import { Selection } from './selection';

export interface EditorState {
  image: ImageInfo | null;
  tree: TreeNode[];
  /** Leaf fields by byte range (sorted, disjoint): they colour and name the hex bytes. */
  spans: FieldSpan[];
  findings: FindingView[];
  edits: EditState | null;
  /** VS Code's auto save is on for this image: an applied fix is written at once (the host asks first). */
  autoSave: boolean;
  cache: ByteCache | null;
  selection: Selection;
  /** The byte under the mouse (hex or ASCII cell), or -1. */
  hover: number;
  /** The bytes a previewed fix changes. */
  preview: ByteMarks;
  /** Every mark drawn over the hex, in class order (the preview's among them; edited bytes or matches join here). */
  marks: ByteMarks[];
}

export function createEditorState(): EditorState {
  const preview = new ByteMarks('preview');
  return {
    image: null,
    tree: [],
    spans: [],
    findings: [],
    edits: null,
    autoSave: false,
    cache: null,
    selection: new Selection(),
    hover: -1,
    preview,
    marks: [preview],
  };
}
