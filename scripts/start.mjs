// `npm start`: after the build (package.json runs esbuild.mjs first), make the
// broken ESXi 5.0 boot disk (entries compacted) as a sparse sample in .scratch/ and show what
// `diskx inspect` and `diskx check` say about it. Needs no sgdisk and no root.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const scratch = path.join(root, '.scratch');
const sample = path.join(scratch, 'esxi5-compacted.img');
const shown = path.relative(root, sample);
const cli = path.join(root, 'dist', 'cli.js');

function run(command, args, { show = true } = {}) {
  if (show) console.log(`\n$ ${[command === process.execPath ? 'node' : command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (show) process.stdout.write(result.stdout + result.stderr);
  return result;
}

function step(title) {
  console.log(`\n=== ${title} ===`);
}

if (!fs.existsSync(cli)) {
  console.error('start: dist/cli.js is missing; run `npm run build` first (npm start does it for you)');
  process.exit(1);
}
fs.mkdirSync(scratch, { recursive: true });

step('1. A sample of the broken disk');
const made = run(process.execPath, ['--import', 'tsx', 'scripts/sampleImages.ts', 'esxi5-compacted', sample], { show: false });
if (made.status !== 0) {
  process.stderr.write(made.stdout + made.stderr);
  process.exit(1);
}
const allocated = fs.statSync(sample).blocks * 512;
console.log(`Wrote ${shown}: an 8 GiB ESXi 5.0 boot disk (sparse, ${Math.round(allocated / 1024)} KiB on disk).`);
console.log("Its seven GPT entries were moved from ESXi's slots 0,1,2,_,4,5,6,7 down to slots 0..6,");
console.log('with every header and CRC updated: ordinary partition tools call it healthy.');

const sgdisk = spawnSync('sgdisk', ['--version'], { encoding: 'utf8' });
if (!sgdisk.error && sgdisk.status === 0) {
  step('2. What sgdisk says (for comparison)');
  run('sgdisk', ['-v', shown]);
}

step(`${sgdisk.error ? 2 : 3}. diskx inspect`);
run(process.execPath, ['dist/cli.js', 'inspect', shown]);

step(`${sgdisk.error ? 3 : 4}. diskx check`);
const check = run(process.execPath, ['dist/cli.js', 'check', shown]);
console.log(`(exit code ${check.status}: diskx check exits 1 when it finds an error or a warning, 0 when the disk is clean, 2 when the image cannot be read)`);

const next = [
  [`inspect ${shown} --json`, 'the same as JSON (integers above 2^53 as decimal strings)'],
  [`fix ${shown} --fix restore-esxi-slots`, 'dry run: prints the plan, writes nothing'],
  [`fix ${shown} --fix restore-esxi-slots --write`, 'applies it, after saving an undo journal'],
  [`check ${shown}`, 'the error should be gone'],
  [`undo ${shown}`, 'puts the old bytes back'],
  ['codes', 'every finding code explained'],
];
const width = Math.max(...next.map(([command]) => command.length));
console.log('\n=== What to try next ===');
for (const [command, why] of next) console.log(`  node dist/cli.js ${command.padEnd(width)}  ${why}`);
console.log('The sample is a throw-away file in .scratch/ (gitignored); npm start makes it afresh each time.');

// Last: open the sample in VS Code with this extension loaded. Desktop VS Code when
// `code` is on PATH; otherwise code-server on 127.0.0.1 (installed on first use
// into .vscode-test/code-server/, see scripts/codeServer.mjs), running until Ctrl+C.
// In CI or without a terminal nothing waits: the CLI demo above is the whole run.
step('Open it in VS Code');
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const interactive = Boolean(process.stdin.isTTY) && !inCi && process.env.DISKX_NO_EDITOR === undefined;
if (!interactive) {
  const why = inCi ? 'CI is set' : process.env.DISKX_NO_EDITOR !== undefined ? 'DISKX_NO_EDITOR is set' : 'no terminal: stdin is not a TTY';
  console.log(`Not opening an editor (${why}). In a terminal, npm start opens ${shown} with the extension loaded:`);
  console.log(`  with VS Code:  code --extensionDevelopmentPath=${root} ${shown}`);
  console.log('  without it:    code-server on 127.0.0.1, installed on first use from npm (node scripts/codeServer.mjs serve .scratch)');
  process.exit(0);
}

const hasCode = spawnSync('code', ['--version'], { encoding: 'utf8' });
if (!hasCode.error && hasCode.status === 0) {
  console.log(`$ code --extensionDevelopmentPath=${root} ${shown}`);
  const opened = spawnSync('code', [`--extensionDevelopmentPath=${root}`, sample], { cwd: root, stdio: 'inherit' });
  if (opened.status === 0) {
    console.log('VS Code opened the sample in a new window (Extension Development Host) with the custom editor.');
    process.exit(0);
  }
  console.log(`code exited with ${opened.status}; falling back to code-server.`);
}

const { startCodeServer, isInstalled } = await import('./codeServer.mjs');
console.log('`code` is not on PATH: serving VS Code from code-server on 127.0.0.1 instead.');
if (!isInstalled()) console.log('First run: installing code-server from npm into .vscode-test/code-server/ (once; 2 to 5 minutes, about 650 MB)...');
let server;
try {
  server = await startCodeServer({ folder: scratch, timeoutMs: 120_000 });
} catch (error) {
  console.error(`start: could not start code-server: ${error instanceof Error ? error.message : error}`);
  console.error('The CLI demo above did not need it; `code --extensionDevelopmentPath=. .scratch/esxi5-compacted.img` works wherever VS Code is installed.');
  process.exit(1);
}
console.log(`\nOpen this in a browser on this machine:\n\n    ${server.url}\n`);
console.log(`Then double-click ${path.basename(sample)} in the Explorer: the structure tree, the annotated hex and the findings open`);
console.log('in the Disk Structure Explorer editor, and the Problems panel lists the same finding. Ctrl+C stops code-server.');
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping code-server...');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.child.on('exit', (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code}).`);
    process.exit(code ?? 1);
  }
});
