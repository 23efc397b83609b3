// Where a sparse file holds data: lseek(SEEK_DATA / SEEK_HOLE) tells, but Node's
// fs offers no lseek. So the question goes to a small helper process, python3's
// os.lseek, over a line protocol (one offset in, "DATA HOLE" or "none" out), so
// only the extents a scan reaches are ever asked for and memory stays bounded
// whatever the file's fragmentation. Where python3 or SEEK_DATA is missing (or
// the filesystem does not report holes), every byte counts as data: the scan is
// then slower on sparse images, never wrong.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';

/** A data extent [start, end) of a file. */
export interface DataExtent {
  start: number;
  end: number;
}

/** Answers "where is the next data at or after `offset`?" for one file. */
export interface DataMap {
  /** How holes are found: "seek-data", or "none" (every byte is data). */
  readonly method: 'seek-data' | 'none';
  /** The first data extent that ends after `offset` (clipped to start at `offset` or later), or null when only holes follow. */
  nextData(offset: number): Promise<DataExtent | null>;
  close(): Promise<void>;
}

/** Every byte of [0, size) is data. */
export class WholeDataMap implements DataMap {
  readonly method = 'none' as const;
  constructor(private readonly size: number) {}
  async nextData(offset: number): Promise<DataExtent | null> {
    return offset < this.size ? { start: offset, end: this.size } : null;
  }
  async close(): Promise<void> {}
}

// Reads offsets from stdin, answers with the data extent at or after each.
const HELPER = `
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
out = sys.stdout
out.write("ready\\n"); out.flush()
for line in sys.stdin:
    off = int(line)
    try:
        d = os.lseek(fd, off, os.SEEK_DATA)
        h = os.lseek(fd, d, os.SEEK_HOLE)
        out.write("%d %d\\n" % (d, h))
    except OSError as e:
        out.write("none\\n" if e.errno == errno.ENXIO else "error %d\\n" % e.errno)
    out.flush()
`;

/** Holes of a regular file by SEEK_DATA through python3. */
class SeekDataMap implements DataMap {
  readonly method = 'seek-data' as const;
  private queue: ((line: string) => void)[] = [];
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    private readonly size: number,
  ) {
    lines.on('line', (line) => this.queue.shift()?.(line));
  }

  static async open(file: string, size: number): Promise<DataMap | null> {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn('python3', ['-c', HELPER, file], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch {
      return null;
    }
    const lines = createInterface({ input: child.stdout });
    const ready = await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false));
      child.once('exit', () => resolve(false));
      lines.once('line', (line) => resolve(line === 'ready'));
    });
    if (!ready) {
      child.kill();
      return null;
    }
    child.on('error', () => undefined);
    const map = new SeekDataMap(child, lines, size);
    map.hold(false);
    return map;
  }

  // The helper keeps the process alive only while a question is open: a map
  // someone forgot to close must not hang a command or the tests.
  hold(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }

  nextData(offset: number): Promise<DataExtent | null> {
    if (offset >= this.size) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error('the SEEK_DATA helper stopped'));
      this.child.once('exit', onExit);
      if (this.queue.length === 0) this.hold(true);
      this.queue.push((line) => {
        this.child.off('exit', onExit);
        if (this.queue.length === 0) this.hold(false);
        if (line === 'none') return resolve(null);
        const match = /^(\d+) (\d+)$/.exec(line);
        // An error from lseek (EINVAL: no SEEK_DATA here): the rest is data.
        if (!match) return resolve({ start: offset, end: this.size });
        const start = Math.max(offset, Number(match[1]));
        const end = Math.min(this.size, Number(match[2]));
        resolve(start < end ? { start, end } : null);
      });
      this.child.stdin.write(`${offset}\n`);
    });
  }

  async close(): Promise<void> {
    this.lines.close();
    this.child.stdin.end();
    this.child.kill();
  }
}

/** The best DataMap for a regular file of `size` bytes: SEEK_DATA where we can ask, else every byte is data. */
export async function dataMapFor(file: string | null, size: number): Promise<DataMap> {
  if (file && process.platform !== 'win32') {
    const map = await SeekDataMap.open(file, size);
    if (map) return map;
  }
  return new WholeDataMap(size);
}
