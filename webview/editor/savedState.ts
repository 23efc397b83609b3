// What the editor remembers across a hidden/restored webview (VS Code's
// getState/setState): the inspector's byte order and the panes' sizes. Values
// read back are checked like any other input: an old or odd state is ignored.

export interface StateApi {
  getState?(): unknown;
  setState?(state: unknown): void;
}

export interface EditorViewState {
  /** The data inspector reads numbers big-endian. */
  bigEndian?: boolean;
  /** Pane sizes in px and collapsed panes, by pane name. */
  panes?: Record<string, { size?: number; collapsed?: boolean }>;
}

export class SavedState {
  private state: EditorViewState;

  constructor(private readonly api: StateApi) {
    const raw = api.getState?.();
    this.state = raw && typeof raw === 'object' && !Array.isArray(raw) ? sanitize(raw as Record<string, unknown>) : {};
  }

  get(): Readonly<EditorViewState> {
    return this.state;
  }

  update(change: Partial<EditorViewState>): void {
    this.state = { ...this.state, ...change };
    this.api.setState?.(this.state);
  }
}

function sanitize(raw: Record<string, unknown>): EditorViewState {
  const out: EditorViewState = {};
  if (typeof raw.bigEndian === 'boolean') out.bigEndian = raw.bigEndian;
  if (raw.panes && typeof raw.panes === 'object') {
    const panes: NonNullable<EditorViewState['panes']> = {};
    for (const [name, value] of Object.entries(raw.panes as Record<string, unknown>)) {
      if (!value || typeof value !== 'object') continue;
      const { size, collapsed } = value as { size?: unknown; collapsed?: unknown };
      panes[name] = {
        ...(typeof size === 'number' && Number.isFinite(size) && size >= 0 && size < 100000 ? { size } : {}),
        ...(typeof collapsed === 'boolean' ? { collapsed } : {}),
      };
    }
    out.panes = panes;
  }
  return out;
}
