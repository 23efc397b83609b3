// Build: compile the Kaitai Struct specs in formats/ (debug mode, so every parsed
// field records its byte range), then bundle the extension host, the CLI and the
// webview with esbuild. Generated parsers land in src/core/generated/ (gitignored).
// With --watch (npm run watch) it keeps running: a changed .ksy is compiled again,
// and every bundle is rebuilt when a file it includes changes.
import { build, context } from 'esbuild';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import yaml from 'js-yaml';
import KaitaiStructCompiler from 'kaitai-struct-compiler';

const root = path.dirname(new URL(import.meta.url).pathname);
const formatsDir = path.join(root, 'formats');
const generatedDir = path.join(root, 'src', 'core', 'generated');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

async function compileFormats() {
  fs.mkdirSync(generatedDir, { recursive: true });
  const compiler = typeof KaitaiStructCompiler.compile === 'function' ? KaitaiStructCompiler : new KaitaiStructCompiler();
  const specs = fs
    .readdirSync(formatsDir)
    .filter((f) => f.endsWith('.ksy'))
    .sort();
  for (const spec of specs) {
    const source = fs.readFileSync(path.join(formatsDir, spec), 'utf8');
    const ksy = yaml.load(source);
    const files = await compiler.compile('javascript', ksy, null, true);
    for (const [fileName, code] of Object.entries(files)) {
      const className = path.basename(fileName, '.js');
      writeIfChanged(path.join(generatedDir, fileName), `// Generated from formats/${spec} by esbuild.mjs. Do not edit.\n${code}`);
      writeIfChanged(
        path.join(generatedDir, `${className}.d.ts`),
        `// Generated from formats/${spec} by esbuild.mjs. Do not edit.\n` +
          `import type { KaitaiConstructor } from '../kaitaiTypes';\n` +
          `export declare const ${className}: KaitaiConstructor;\n`,
      );
    }
  }
}

function writeIfChanged(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  fs.writeFileSync(file, text);
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // kaitai-struct requires iconv-lite only for legacy string encodings, which our specs never use.
  external: ['iconv-lite'],
};

// The Kaitai Struct compiler (GPL-3.0) is shipped as its own unmodified package beside
// our bundles, never bundled into them: dist/ksc-driver.js (ours) runs it in a child process.
function copyCompilerPackage() {
  const from = path.join(root, 'node_modules', 'kaitai-struct-compiler');
  const to = path.join(root, 'dist', 'kaitai-struct-compiler');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['package.json', 'LICENSE', 'README.md', 'kaitai-struct-compiler.js']) {
    const source = path.join(from, file);
    const target = path.join(to, file);
    if (!fs.existsSync(target) || fs.statSync(target).size !== fs.statSync(source).size || fs.statSync(target).mtimeMs < fs.statSync(source).mtimeMs)
      fs.copyFileSync(source, target);
  }
}

// dist/native/diskx-cmp: the byte diff's optional native helper (native/diskx-cmp.c, Linux only),
// built with the C compiler when there is one. Without it the byte diff runs its JavaScript path.
function buildNativeHelper() {
  const source = path.join(root, 'native', 'diskx-cmp.c');
  const target = path.join(root, 'dist', 'native', 'diskx-cmp');
  const skip = (why) => {
    fs.rmSync(target, { force: true });
    console.log(`esbuild: no native diff helper (${why}); diskx diff --bytes uses its JavaScript path`);
  };
  if (process.platform !== 'linux') return skip('Linux only');
  if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp`;
  const compiler = process.env.CC || 'cc';
  const result = spawnSync(compiler, ['-O2', '-pthread', '-Wall', '-Wextra', '-D_FILE_OFFSET_BITS=64', '-o', temporary, source], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error || result.status !== 0) {
    fs.rmSync(temporary, { force: true });
    const why = result.error
      ? `${compiler}: ${result.error.code ?? result.error.message}`
      : `${compiler} failed: ${(result.stderr.trim().split('\n')[0] ?? '').slice(0, 160)}`;
    return skip(why);
  }
  fs.chmodSync(temporary, 0o755);
  fs.renameSync(temporary, target);
}

await compileFormats();
copyCompilerPackage();
buildNativeHelper();
const builds = [
  // Our side of the compiler's child process; it loads the compiler by path at run time.
  { ...common, entryPoints: ['src/kscDriver/main.ts'], outfile: 'dist/ksc-driver.js', external: ['*'] },
  // The worker that runs generated parsers of user specs (with the Apache-2.0 Kaitai runtime).
  { ...common, entryPoints: ['src/core/specs/specWorker.ts'], outfile: 'dist/spec-worker.js' },
  { ...common, entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'iconv-lite'] },
  // The CLI: the program dist/cli.js is a small launcher that loads the bundle dist/cli-main.js
  // with V8's code cache (dist/cli-main.cache, made below once both are built).
  { ...common, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js' },
  // The comparison view's byte diff runs in a worker thread off the extension host's main thread.
  { ...common, entryPoints: ['src/core/diff/byteDiffWorker.ts'], outfile: 'dist/byteDiffWorker.js' },
];
// The webview UIs: one IIFE script each (our code plus the few @vscode-elements
// components it imports, with lit) and, from its CSS import, one stylesheet. No eval,
// no dynamic imports: the webview's CSP allows exactly these files.
const webview = (entry, outfile) => ({
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  entryPoints: [entry],
  outfile,
  external: [],
  conditions: ['production'],
  define: { 'process.env.NODE_ENV': '"production"' },
});
builds.push(webview('webview/main.ts', 'dist/webview.js'), webview('webview/compare/main.ts', 'dist/compare.js'));

// The CLI bundle is run as a program (`bin`): keep it executable after every build.
const cli = builds.find((options) => options.outfile === 'dist/cli.js');
cli.plugins = [
  { name: 'chmod', setup: (b) => b.onEnd(() => fs.existsSync(path.join(root, cli.outfile)) && fs.chmodSync(path.join(root, cli.outfile), 0o755)) },
];

if (watch) await watchAll();
else {
  await Promise.all(builds.map((options) => build(options)));
  writeCliCodeCache();
}

// dist/cli-main.cache: V8's compiled code for the CLI bundle, made by this Node in a child
// process that loads the bundle and runs a few commands (their functions are then compiled
// too). Only a speed-up: when it cannot be made, the CLI compiles its bundle at every start.
function writeCliCodeCache() {
  const cache = path.join(root, 'dist', 'cli-main.cache');
  fs.rmSync(cache, { force: true });
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'cliCodeCache.mjs'), cache], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0)
    console.warn(
      `esbuild: no CLI code cache (${
        (result.stderr || result.error?.message || 'failed')
          .trim()
          .split('\n')
          .find((line) => /error/i.test(line)) ?? 'failed'
      })`,
    );
}

async function watchAll() {
  // logLevel info: esbuild prints "[watch] build started/finished" around each rebuild;
  // the line once every bundle is first built is what .vscode/tasks.json's matcher waits for.
  let building = builds.length;
  const ready = {
    name: 'ready',
    setup: (b) => {
      let first = true;
      b.onEnd(() => {
        if (first && --building === 0) console.log('esbuild: built; watching formats/, src/ and webview/ (Ctrl+C to stop)');
        first = false;
      });
    },
  };
  const contexts = await Promise.all(builds.map((options) => context({ ...options, logLevel: 'info', plugins: [...(options.plugins ?? []), ready] })));
  await Promise.all(contexts.map((c) => c.watch()));
  // A changed spec regenerates its parser in src/core/generated/, which the bundle watchers then pick up.
  let pending = null;
  fs.watch(formatsDir, () => {
    clearTimeout(pending);
    pending = setTimeout(
      () =>
        compileFormats().then(
          () => console.log('[watch] formats compiled'),
          (error) => console.error(`[watch] formats: ${error.message ?? error}`),
        ),
      100,
    );
  });
}
