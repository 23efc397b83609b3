// Runs the Kaitai Struct compiler as a separate program: node on our small driver
// (dist/ksc-driver.js), which loads the unmodified kaitai-struct-compiler package and
// speaks newline-delimited JSON over stdin/stdout. The compiler is GPL-3.0; it is
// never bundled into our code, and the child process bounds its time and memory.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { MAX_SPEC_IMPORTS, SPEC_COMPILE_TIME_LIMIT_MS, SPEC_COMPILER_HEAP_MB } from '../limits';
import { loadSpecFile, locatePath, parseSpecText, resolveImport, specId, typeTable, type SpecFile } from './specSource';
import { upperCamel } from './kaitaiNames';
import { SpecCompileError, type SpecTypeTable } from './specTypes';

/** A spec compiled to JavaScript (debug mode), with what the parse worker needs. */
export interface CompiledSpec {
  /** The main spec's file. */
  specPath: string;
  /** Its `meta.id` and the generated class (`foo_bar` -> `FooBar`). */
  id: string;
  mainClass: string;
  /** Generated file name (`FooBar.js`) -> code, for the main spec and every import. */
  files: Record<string, string>;
  types: SpecTypeTable;
  /** Every .ksy this result depends on (the main spec first): saving any of them invalidates it. */
  sources: string[];
}

export interface SpecCompilerOptions {
  /** Folders searched for imports (`diskx.specPaths`, `--spec-path`). */
  specPaths?: readonly string[];
  /** kaitai-struct-compiler.js to run; default: the copy beside our bundle, else node_modules. */
  compilerPath?: string;
  /** The driver script; default: dist/ksc-driver.js. */
  driverPath?: string;
  timeLimitMs?: number;
}

/** Finds a file our build puts in dist/, from the bundle (dist/) or from the sources (src/core/specs). */
export function distFile(...parts: string[]): string | undefined {
  for (const base of [__dirname, path.join(__dirname, '..', '..', '..', 'dist')]) {
    const candidate = path.join(base, ...parts);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The compiler to run: an explicit path, DISKX_KAITAI_COMPILER, the shipped copy, or node_modules. */
export function findCompiler(explicit?: string): string {
  const candidates = [explicit, process.env.DISKX_KAITAI_COMPILER].filter((value): value is string => !!value);
  for (const candidate of candidates) {
    const file = fs.existsSync(candidate) && fs.statSync(candidate).isDirectory() ? path.join(candidate, 'kaitai-struct-compiler.js') : candidate;
    if (fs.existsSync(file)) return file;
    throw new SpecCompileError(`the Kaitai Struct compiler was not found at ${candidate}`);
  }
  const shipped = distFile('kaitai-struct-compiler', 'kaitai-struct-compiler.js');
  if (shipped) return shipped;
  const installed = path.join(__dirname, '..', '..', '..', 'node_modules', 'kaitai-struct-compiler', 'kaitai-struct-compiler.js');
  if (fs.existsSync(installed)) return installed;
  throw new SpecCompileError('the Kaitai Struct compiler was not found (set diskx.kaitaiCompilerPath or DISKX_KAITAI_COMPILER to kaitai-struct-compiler.js)');
}

type DriverMessage =
  | { type: 'ready'; version: string }
  | { type: 'fatal'; message: string }
  | { type: 'import'; requestId: number; name: string; mode: string }
  | { type: 'compiled'; id: number; files: Record<string, string> }
  | { type: 'failed'; id: number; message: string };

interface Job {
  id: number;
  child: ChildProcessWithoutNullStreams;
  main: SpecFile;
  imports: Map<string, SpecFile>;
  importError?: SpecCompileError;
  resolve: (files: Record<string, string>) => void;
  reject: (error: Error) => void;
}

/** One compiler process, started on first use and reused; compiles one spec at a time. */
export class SpecCompiler {
  private child: ChildProcessWithoutNullStreams | undefined;
  private job: Job | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private stderr = '';

  constructor(private readonly options: SpecCompilerOptions = {}) {}

  /** Compiles the .ksy at `specPath` (its `text` when given, e.g. an unsaved editor) with its imports. */
  compile(specPath: string, text?: string): Promise<CompiledSpec> {
    const run = this.queue.then(() => this.compileNow(path.resolve(specPath), text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the compiler process. */
  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }

  private async compileNow(specPath: string, text: string | undefined): Promise<CompiledSpec> {
    const main = text === undefined ? await loadSpecFile(specPath) : parseSpecText(specPath, text);
    const id = specId(main);
    const child = this.start();
    const imports = new Map<string, SpecFile>();
    const files = await new Promise<Record<string, string>>((resolve, reject) => {
      const job: Job = { id: this.nextId++, child, main, imports, resolve, reject };
      this.job = job;
      const timer = setTimeout(() => {
        this.dispose();
        reject(
          new SpecCompileError(
            `the Kaitai compiler did not finish within ${Math.round((this.options.timeLimitMs ?? SPEC_COMPILE_TIME_LIMIT_MS) / 1000)} s and was stopped`,
          ),
        );
      }, this.options.timeLimitMs ?? SPEC_COMPILE_TIME_LIMIT_MS);
      const done = (): void => {
        clearTimeout(timer);
        if (this.job === job) this.job = undefined;
      };
      job.resolve = (value) => (done(), resolve(value));
      job.reject = (error) => (done(), reject(error));
      child.stdin.write(JSON.stringify({ type: 'compile', id: job.id, ksy: main.ksy, debug: true }) + '\n');
    });
    const specs = [main, ...imports.values()];
    return { specPath, id, mainClass: upperCamel(id), files, types: typeTable(specs.map((spec) => spec.ksy)), sources: specs.map((spec) => spec.path) };
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const driver = this.options.driverPath ?? distFile('ksc-driver.js');
    if (!driver) throw new SpecCompileError('dist/ksc-driver.js is missing: run the build (npm run build)');
    const compiler = findCompiler(this.options.compilerPath);
    // In VS Code's extension host execPath is Electron; ELECTRON_RUN_AS_NODE makes it plain Node.
    const child = spawn(process.execPath, [`--max-old-space-size=${SPEC_COMPILER_HEAP_MB}`, driver, compiler], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    child.on('error', (error) => this.fail(child, `could not start the Kaitai compiler: ${error.message}`));
    child.on('exit', (code, signal) =>
      this.fail(child, `the Kaitai compiler stopped (${signal ?? `exit ${code}`})${this.stderr ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`),
    );
    child.stdin.on('error', () => undefined);
    return child;
  }

  private fail(child: ChildProcessWithoutNullStreams, message: string): void {
    if (this.child === child) this.child = undefined;
    if (this.job?.child === child) this.job.reject(new SpecCompileError(message));
  }

  private onLine(line: string): void {
    let message: DriverMessage;
    try {
      message = JSON.parse(line) as DriverMessage;
    } catch {
      return;
    }
    const job = this.job;
    if (message.type === 'fatal') this.job?.reject(new SpecCompileError(message.message));
    if (!job) return;
    if (message.type === 'import') void this.answerImport(job, message.requestId, message.name, message.mode);
    else if (message.type === 'compiled' && message.id === job.id) job.resolve(message.files);
    else if (message.type === 'failed' && message.id === job.id) job.reject(job.importError ?? this.locate(job, message.message));
  }

  private async answerImport(job: Job, requestId: number, name: string, mode: string): Promise<void> {
    const reply = (body: object): void => void this.child?.stdin.write(JSON.stringify({ type: 'imported', requestId, ...body }) + '\n');
    try {
      if (job.imports.size >= MAX_SPEC_IMPORTS) throw new SpecCompileError(`more than ${MAX_SPEC_IMPORTS} imported specs (MAX_SPEC_IMPORTS)`);
      const file = await resolveImport(name, mode, job.main.path, this.options.specPaths ?? []);
      const spec = file === job.main.path ? job.main : await loadSpecFile(file);
      job.imports.set(name, spec);
      reply({ ksy: spec.ksy });
    } catch (error) {
      const problem = error instanceof SpecCompileError ? error : new SpecCompileError((error as Error).message);
      // A YAML error inside the imported file is more useful than "import failed" on the main one.
      if (problem.location) job.importError ??= problem;
      reply({ error: problem.problem });
    }
  }

  /** Turns the compiler's "FILE: /yaml/path:\n\terror: text" into a problem at a line and column. */
  private locate(job: Job, message: string): SpecCompileError {
    const match = /^(.*?): (\/[^\s:]*):\s*(?:error:\s*)?([\s\S]*)$/.exec(message.trim());
    if (!match) return new SpecCompileError(message.trim().split('\n')[0] ?? 'the Kaitai compiler failed');
    const [, file, pointer, text] = match as unknown as [string, string, string, string];
    const problem = text
      .replace(/^\s*error:\s*/, '')
      .split('\n')[0]!
      .trim();
    let spec = job.main;
    if (file !== '(main)') {
      for (const [name, candidate] of job.imports) {
        if (name === file || name.replace(/^\/+/, '') === file || (candidate.ksy.meta && (candidate.ksy.meta as { id?: unknown }).id === file))
          spec = candidate;
      }
    }
    return new SpecCompileError(`${pointer}: ${problem}`, locatePath(spec, pointer));
  }
}
