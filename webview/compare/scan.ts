// The whole-image byte scan (run by the host) and next / previous difference over
// its ranges; the first n / p starts the scan and goes on once it is done.
import type { FromCompareWebview, ScanSummary } from '../../src/shared/protocol/compare';
import { formatBytes as formatSize } from '../../src/shared/sizeText';
import { button, el } from '../dom';
import { describeScan, navigationStops, nextStop, previousStop, stopAt } from './diffRanges';
import type { CompareHexPane } from './hexPane';
import type { CompareState } from './state';
import { t } from '../l10n';

export class ScanControl {
  readonly scanButton = button('scan', t('Scan all bytes'), t('Compare both whole images byte for byte (progress and cancel in a notification)'), () =>
    this.start(),
  );
  readonly cancelButton = button('cancel-scan', t('Cancel'), t('Stop the byte scan'), () => this.post({ type: 'cancelScan' }));
  readonly prevButton = button('prev-diff', `◀ ${t('Previous')}`, t('Previous difference (p or Shift+F7)'), () => this.navigate('previous'));
  readonly nextButton = button('next-diff', `${t('Next')} ▶`, t('Next difference (n or F7)'), () => this.navigate('next'));
  readonly status = el('span', { id: 'scan-status', text: t('Bytes not scanned yet.') });

  constructor(
    private readonly state: CompareState,
    private readonly hex: CompareHexPane,
    private readonly post: (message: FromCompareWebview) => void,
  ) {
    this.cancelButton.hidden = true;
    this.status.setAttribute('role', 'status');
  }

  /** A new init: its last scan, or none yet. */
  reset(summary: ScanSummary | null): void {
    this.state.scan = null;
    this.state.stops = [];
    this.state.currentStop = -1;
    if (summary) this.setScan(summary);
    else {
      this.status.textContent = t('Bytes not scanned yet: Scan all bytes, or press n.');
      document.body.dataset.scan = 'idle';
    }
  }

  start(): void {
    if (this.state.scanRunning) return;
    this.state.scanRunning = true;
    this.scanButton.disabled = true;
    this.status.textContent = t('Scanning…');
    this.post({ type: 'startScan' });
  }

  progress(done: number, total: number): void {
    this.state.scanRunning = true;
    this.status.textContent = t('Scanning… {0}% ({1} of {2})', total > 0 ? Math.floor((done / total) * 100) : 100, formatSize(done), formatSize(total));
  }

  /** The host's scan state: running, done (with its summary), cancelled or failed. */
  stateChanged(state: string, summary: ScanSummary | null | undefined, message: string | null | undefined): void {
    const running = state === 'running';
    this.state.scanRunning = running;
    this.cancelButton.hidden = !running;
    this.scanButton.disabled = running;
    document.body.dataset.scan = state;
    if (running) this.status.textContent = t('Scanning…');
    else if (state === 'done' && summary) this.setScan(summary);
    else {
      this.status.textContent = message ?? state;
      this.state.pendingNavigation = null;
    }
  }

  private setScan(summary: ScanSummary): void {
    const state = this.state;
    state.scan = summary;
    state.stops = navigationStops(summary);
    state.currentStop = stopAt(state.stops, state.cursor);
    this.status.textContent = describeScan(summary);
    document.body.dataset.scan = 'done';
    document.body.dataset.differences = String(state.stops.length);
    const then = state.pendingNavigation;
    state.pendingNavigation = null;
    this.hex.viewport.invalidate(); // rows in a scanned range get their mark
    if (then) this.navigate(then);
    this.hex.viewport.schedule();
  }

  navigate(direction: 'next' | 'previous'): void {
    const state = this.state;
    const scan = state.scan;
    if (!scan) {
      state.pendingNavigation = direction;
      this.start();
      return;
    }
    const stops = state.stops;
    if (stops.length === 0) {
      this.hex.status.textContent = t('No differences.');
      return;
    }
    let index = direction === 'next' ? nextStop(stops, state.cursor) : previousStop(stops, state.cursor);
    let wrapped = false;
    if (index < 0) {
      index = direction === 'next' ? 0 : stops.length - 1;
      wrapped = true;
    }
    state.currentStop = index;
    const stop = stops[index]!;
    state.cursor = stop.offset;
    this.hex.viewport.jumpTo(state.cursor);
    const isTail = scan.tail !== null && index === stops.length - 1 && stop.offset === scan.tail.offset;
    const where = isTail ? t('Only in {0}', scan.tail!.in.toUpperCase()) : t('Difference {0} of {1}', index + 1, `${stops.length}${scan.truncated ? '+' : ''}`);
    const size = stop.length === 1 ? t('1 byte') : t('{0} bytes', stop.length.toLocaleString('en-US'));
    this.hex.status.textContent = `${t('{0} at 0x{1} ({2})', where, stop.offset.toString(16).toUpperCase(), size)}${wrapped ? ` · ${t('wrapped around')}` : ''}`;
    this.hex.viewport.schedule();
  }
}
