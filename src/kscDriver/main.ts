// The Kaitai Struct compiler bridge: a separate program (dist/ksc-driver.js) that the
// extension and the CLI run in a child process. It loads the unmodified
// kaitai-struct-compiler package from the path given as its first argument at run time
// (the compiler is GPL-3.0 and is never bundled into our code) and speaks
// newline-delimited JSON on stdin/stdout:
//   in:  { type: 'compile', id, ksy, debug }     the main spec, already parsed from YAML
//        { type: 'imported', requestId, ksy?, error? }   answer to an import request
//   out: { type: 'ready', version }
//        { type: 'import', requestId, name, mode }        the compiler asks for an import
//        { type: 'compiled', id, files } | { type: 'failed', id, message }
// The parent reads every file; this process touches no file but the compiler's.
import { createRequire } from 'node:module';
import readline from 'node:readline';

interface Importer {
  importYaml(name: string, mode: string): Promise<unknown>;
}
interface Compiler {
  compile(language: string, ksy: unknown, importer: Importer, debug: boolean): Promise<Record<string, string>>;
  version?: string;
}

type Incoming = { type: 'compile'; id: number; ksy: unknown; debug?: boolean } | { type: 'imported'; requestId: number; ksy?: unknown; error?: string };

const out = process.stdout;
// Nothing but our messages may reach stdout: whatever the compiler logs goes to stderr.
for (const method of ['log', 'info', 'warn', 'debug'] as const)
  console[method] = (...args: unknown[]) => process.stderr.write(args.map(String).join(' ') + '\n');
const send = (message: object): void => void out.write(JSON.stringify(message) + '\n');

const compilerPath = process.argv[2];
if (!compilerPath) {
  process.stderr.write('usage: ksc-driver PATH-TO-kaitai-struct-compiler.js\n');
  process.exit(2);
}
let loaded: unknown;
try {
  loaded = createRequire(__filename)(compilerPath);
} catch (error) {
  send({ type: 'fatal', message: `cannot load the Kaitai Struct compiler from ${compilerPath}: ${(error as Error).message}` });
  process.exit(3);
}
const compiler: Compiler = typeof (loaded as Compiler).compile === 'function' ? (loaded as Compiler) : new (loaded as new () => Compiler)();

const pendingImports = new Map<number, { resolve: (ksy: unknown) => void; reject: (error: Error) => void }>();
let nextRequestId = 1;
const importer: Importer = {
  importYaml(name, mode) {
    const requestId = nextRequestId++;
    return new Promise((resolve, reject) => {
      pendingImports.set(requestId, { resolve, reject });
      send({ type: 'import', requestId, name, mode });
    });
  },
};

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  // Scala.js exceptions carry their text in getMessage() or toString().
  const scala = error as { getMessage?: () => string; toString?: () => string } | null;
  if (scala && typeof scala.getMessage === 'function') return String(scala.getMessage());
  return String(error);
}

async function compile(id: number, ksy: unknown, debug: boolean): Promise<void> {
  try {
    const files = await compiler.compile('javascript', ksy, importer, debug);
    send({ type: 'compiled', id, files });
  } catch (error) {
    send({ type: 'failed', id, message: messageOf(error) });
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let message: Incoming;
  try {
    message = JSON.parse(line) as Incoming;
  } catch {
    return;
  }
  if (message.type === 'compile') void compile(message.id, message.ksy, message.debug !== false);
  else if (message.type === 'imported') {
    const pending = pendingImports.get(message.requestId);
    pendingImports.delete(message.requestId);
    if (!pending) return;
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.ksy);
  }
});
lines.on('close', () => process.exit(0));
send({ type: 'ready', version: String((loaded as { version?: string }).version ?? 'unknown') });
