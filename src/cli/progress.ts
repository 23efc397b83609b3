// Progress of long commands (diff --bytes, scan, fix --fix rebuild-from-scan) on
// stderr: to a terminal only, never into a pipe or a log, at most about four
// times a second.
export interface TerminalProgress {
  update: (done: number, total: number) => void;
  /** Clears the line (idempotent). */
  done: () => void;
}

/**
 * A progress line "`label`: 42%" (then `detail(done, total)` when given), or
 * undefined when stderr is not a terminal.
 */
export function terminalProgress(label: string, detail?: (done: number, total: number) => string): TerminalProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 250 && done < total) return;
      last = now;
      shown = true;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      process.stderr.write(`\r${label}: ${String(percent).padStart(3)}%${detail ? ` ${detail(done, total)}` : ''}\x1b[K`);
    },
    done() {
      if (!shown) return;
      shown = false;
      process.stderr.write('\r\x1b[K');
    },
  };
}
