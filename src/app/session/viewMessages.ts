// The messages that give a view the whole document: `init` (first draw) and
// `update` (after every edit, undo, save or revert). Both carry the image's
// facts, our tree with one root per applied user spec after it, the spans with
// the specs' fields laid over ours, the findings, the banner, the first bytes
// and the edit state.
import type { ByteSource } from '../../core/io/byteSource';
import type { DiskModel } from '../../core/diskModel';
import type { EditState, ImageInfo, InitMessage, TreeNode, FieldSpan, UpdateMessage, ViewSettings } from '../../shared/protocol/editor';
import { INIT_HEAD_BYTES } from '../../shared/protocol/editor';
import type { StructureTree } from '../structureTree';
import { profileLabel } from '../structureTree';
import { ENGLISH } from '../../shared/l10n';
import type { Localizer } from '../../shared/l10n';
import { overlaySpans } from '../appliedSpecs';
import type { DiskMapView } from '../../shared/protocol/diskMap';

/** What init and update both say about the document. */
export interface ViewContent {
  image: ImageInfo;
  view: StructureTree;
  banner: string | null;
  edits: EditState;
  /** The applied user specs' roots and spans. */
  specs: { nodes(): TreeNode[]; spans(): FieldSpan[] };
  /** The disk map (null for plain bytes). */
  map: DiskMapView | null;
}

/** The image's facts for the info bar and the status bar. */
export function imageInfo(path: string, sizeBytes: number, model: DiskModel | null, readOnly: boolean, l10n: Localizer = ENGLISH): ImageInfo {
  return {
    name: path.split(/[\\/]/).pop() ?? path,
    sizeBytes,
    sectorSize: model?.sectorSize ?? 512,
    scheme: model ? model.scheme : 'plain',
    profile: profileLabel(model, l10n),
    readOnly,
  };
}

export async function initMessageOf(source: ByteSource, content: ViewContent, settings: ViewSettings, generation: number): Promise<InitMessage> {
  const head = await readHead(source);
  const { tree, spans } = treeAndSpans(content);
  return {
    type: 'init',
    image: content.image,
    tree,
    spans,
    findings: content.view.findings,
    banner: content.banner,
    settings,
    head,
    edits: content.edits,
    map: content.map,
    generation,
  };
}

export async function updateMessageOf(source: ByteSource, content: ViewContent, notice: string | null): Promise<UpdateMessage> {
  const head = await readHead(source);
  const { tree, spans } = treeAndSpans(content);
  return {
    type: 'update',
    image: content.image,
    tree,
    spans,
    findings: content.view.findings,
    banner: content.banner,
    head,
    edits: content.edits,
    map: content.map,
    notice,
  };
}

function readHead(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, Math.min(source.size, INIT_HEAD_BYTES));
}

/** Our structures, then one root per applied user spec; our spans with the specs' fields laid over them. */
function treeAndSpans(content: ViewContent): { tree: TreeNode[]; spans: FieldSpan[] } {
  const specNodes = content.specs.nodes();
  return {
    tree: specNodes.length ? [...content.view.tree, ...specNodes] : content.view.tree,
    spans: overlaySpans(content.view.spans, content.specs.spans()),
  };
}
