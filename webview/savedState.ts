// What a webview remembers across a hidden/restored panel (VS Code's
// getState/setState): the editor's inspector byte order, pane sizes and collapsed
// panes; the comparison's collapsed maps and its two image paths (which the host's
// panel serializer reopens). Values read back are checked like any other input:
// an old or odd state is ignored.

export interface StateApi {
  getState?(): unknown;
  setState?(state: unknown): void;
}

export interface ViewState {
  /** The data inspector reads numbers big-endian. */
  bigEndian?: boolean;
  /** Pane sizes in px and collapsed panes, by pane name. */
  panes?: Record<string, { size?: number; collapsed?: boolean }>;
  /** The comparison's images A and B (absolute paths). */
  a?: string;
  b?: string;
}

export class SavedState {
  private state: ViewState;

  constructor(private readonly api: StateApi) {
    const raw = api.getState?.();
    this.state = raw && typeof raw === 'object' && !Array.isArray(raw) ? sanitize(raw as Record<string, unknown>) : {};
  }

  get(): Readonly<ViewState> {
    return this.state;
  }

  update(change: Partial<ViewState>): void {
    this.state = { ...this.state, ...change };
    this.api.setState?.(this.state);
  }

  /** What is kept of pane `name` (none: {}). */
  pane(name: string): { size?: number; collapsed?: boolean } {
    return this.state.panes?.[name] ?? {};
  }

  /** Keeps `change` for pane `name`, beside what is kept of it and of the other panes. */
  updatePane(name: string, change: { size?: number; collapsed?: boolean }): void {
    this.update({ panes: { ...this.state.panes, [name]: { ...this.state.panes?.[name], ...change } } });
  }
}

function sanitize(raw: Record<string, unknown>): ViewState {
  const out: ViewState = {};
  if (typeof raw.bigEndian === 'boolean') out.bigEndian = raw.bigEndian;
  if (typeof raw.a === 'string') out.a = raw.a;
  if (typeof raw.b === 'string') out.b = raw.b;
  if (raw.panes && typeof raw.panes === 'object') {
    const panes: NonNullable<ViewState['panes']> = {};
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
