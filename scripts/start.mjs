// `npm start`: after the build (package.json runs esbuild.mjs first), make the
// seed's broken ESXi 5.0 boot disk as a sparse sample in .scratch/ and show what
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
console.log('Its seven GPT entries were moved from ESXi\'s slots 0,1,2,_,4,5,6,7 down to slots 0..6,');
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
