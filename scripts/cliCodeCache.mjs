// Makes dist/cli-main.cache for the CLI launcher (src/cli/launcher.ts): loads
// dist/cli-main.js the way the launcher does, runs a few commands on a small
// scratch image so their functions are compiled as well, then writes the
// bundle's SHA-256 followed by V8's code cache. Run by esbuild.mjs after a build,
// with the same Node the CLI will run on; usage: node scripts/cliCodeCache.mjs OUT
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';

const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/cliCodeCache.mjs OUT');
const dist = path.dirname(path.resolve(out));
const bundle = path.join(dist, 'cli-main.js');
const require = createRequire(import.meta.url);
const launcher = require(path.join(dist, 'cli.js'));
const source = fs.readFileSync(bundle);
const script = launcher.compileBundle(bundle, source, undefined);
const bundleModule = { exports: {} };
script.runInThisContext().call(bundleModule.exports, bundleModule.exports, createRequire(bundle), bundleModule, bundle, dist);

// Output goes nowhere: only the compiled code matters.
const sink = { write: () => true, isTTY: false };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-code-cache-'));
try {
  const image = path.join(scratch, 'blank.img');
  fs.writeFileSync(image, Buffer.alloc(1024 * 1024));
  for (const argv of [['--version'], ['--help'], ['inspect', image, '--json'], ['check', image, '--json'], ['diff', image, image, '--bytes', '--json']])
    await bundleModule.exports.main(argv, sink, sink);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
fs.writeFileSync(out, Buffer.concat([createHash('sha256').update(source).digest(), script.createCachedData()]));
