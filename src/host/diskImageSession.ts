// One open disk image as the editor sees it: the ByteSource, the parsed model,
// the findings and their serialized view, and the answers to the webview's
// requests. Pure (no `vscode`): the custom editor's document wraps it, and the
// browser test drives the very same object from a stub host.
import type { ByteSource } from '../core/io/byteSource';
import { openImage } from '../core/io/openImage';
import { FileSource } from '../core/io/fileSource';
import { readDisk } from '../core/diskModel';
import type { DiskModel } from '../core/diskModel';
import { checkDisk } from '../core/checks';
import type { Finding } from '../core/findings';
import { crc32 } from '../core/crc32';
import { NotADiskImageError, UnsupportedImageError, describeError } from '../core/errors';
import type { FromWebview, ImageInfo, InitMessage, ToWebview, ViewSettings } from '../shared/protocol';
import { INIT_HEAD_BYTES, assertNever } from '../shared/protocol';
import { buildStructureView, profileLabel } from './structureTree';
import type { StructureView } from './structureTree';
import { validateFromWebview } from './messageValidation';

export interface SessionOptions {
  /** Forced logical block size; undefined = detect. */
  sectorSize?: number;
}

/** What the host must do that only it can (clipboard, status bar). */
export type SessionEffect = { kind: 'reply'; message: ToWebview } | { kind: 'copy'; text: string } | { kind: 'selection'; offset: number; length: number } | { kind: 'none' };

export class DiskImageSession {
  private constructor(
    readonly path: string,
    readonly source: ByteSource,
    readonly kind: 'raw' | 'vmdk' | 'block-device' | 'plain',
    readonly model: DiskModel | null,
    readonly findings: Finding[],
    readonly view: StructureView,
    readonly banner: string | null,
  ) {}

  /**
   * Opens and parses `path`. Whatever cannot be parsed as a disk (too small,
   * a sparse VMDK, no partition table) still opens, as plain hex with a banner;
   * only an unreadable path throws.
   */
  static async open(path: string, options: SessionOptions = {}): Promise<DiskImageSession> {
    let source: ByteSource;
    let kind: DiskImageSession['kind'];
    try {
      const opened = await openImage(path);
      source = opened.source;
      kind = opened.kind;
    } catch (error) {
      if (!(error instanceof NotADiskImageError || error instanceof UnsupportedImageError)) throw error;
      // Still show the bytes, if there are any: an error dialog would tell the user less.
      const plain = await FileSource.open(path).catch(() => null);
      if (!plain) throw error;
      return new DiskImageSession(path, plain, 'plain', null, [], { tree: [], spans: [], findings: [] }, `Not opened as a disk image: this file ${describeError(error)}. Showing its bytes as plain hex.`);
    }
    try {
      const model = await readDisk(source, options.sectorSize ? { sectorSize: options.sectorSize } : {});
      const findings = checkDisk(model);
      const view = buildStructureView(model, findings);
      const banner = model.scheme === 'none' ? 'No MBR boot signature and no GPT header: this does not look like a disk image. Showing its bytes as plain hex.' : null;
      return new DiskImageSession(path, source, kind, model, findings, view, banner);
    } catch (error) {
      if (error instanceof NotADiskImageError) {
        return new DiskImageSession(path, source, 'plain', null, [], { tree: [], spans: [], findings: [] }, `Not a disk image: this file ${describeError(error)}. Showing its bytes as plain hex.`);
      }
      await source.close();
      throw error;
    }
  }

  get readOnly(): boolean {
    return true; // issue 6 makes images editable; devices and read-only files stay read-only
  }

  info(): ImageInfo {
    const name = this.path.split(/[\\/]/).pop() ?? this.path;
    return {
      name,
      sizeBytes: this.source.size,
      sectorSize: this.model?.sectorSize ?? 512,
      scheme: this.model ? this.model.scheme : 'plain',
      profile: profileLabel(this.model),
      readOnly: this.readOnly || this.kind === 'block-device' || !!this.source.readOnlyHint,
    };
  }

  async initMessage(settings: ViewSettings): Promise<InitMessage> {
    const head = await this.source.read(0, Math.min(this.source.size, INIT_HEAD_BYTES));
    return { type: 'init', image: this.info(), tree: this.view.tree, spans: this.view.spans, findings: this.view.findings, banner: this.banner, settings, head };
  }

  /** Validates and answers one message from the webview. Invalid messages get an error reply. */
  async handle(raw: unknown, settings: ViewSettings): Promise<SessionEffect> {
    const checked = validateFromWebview(raw, this.source.size);
    if (!checked.ok) {
      const requestId = typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { requestId?: unknown }).requestId) ? ((raw as { requestId: number }).requestId) : null;
      return { kind: 'reply', message: { type: 'error', requestId, message: `rejected message: ${checked.reason}` } };
    }
    const message: FromWebview = checked.message;
    switch (message.type) {
      case 'ready':
        return { kind: 'reply', message: await this.initMessage(settings) };
      case 'readRange': {
        try {
          const data = await this.source.read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'bytes', requestId: message.requestId, offset: message.offset, data } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: describeError(error) } };
        }
      }
      case 'crcRange': {
        try {
          const data = await this.source.read(message.offset, message.length);
          return { kind: 'reply', message: { type: 'crc', requestId: message.requestId, offset: message.offset, length: message.length, crc: crc32(data) } };
        } catch (error) {
          return { kind: 'reply', message: { type: 'error', requestId: message.requestId, message: describeError(error) } };
        }
      }
      case 'copyHex': {
        const data = await this.source.read(message.offset, message.length);
        return { kind: 'copy', text: Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ') };
      }
      case 'selection':
        return { kind: 'selection', offset: message.offset, length: message.length };
      default:
        return assertNever(message);
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
