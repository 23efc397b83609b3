// The `diskx` program (dist/cli.js): loads the CLI bundle (dist/cli-main.js)
// with V8's code cache when the build made one for this very bundle and this
// Node (dist/cli-main.cache), so a run does not parse and compile about a
// megabyte of JavaScript again; a short command then starts in about half the
// CPU time. Without a usable cache (another Node, another V8, a changed bundle)
// it compiles the bundle as usual: the cache only ever saves time.
//
// The cache file is the SHA-256 of the bundle it was made from, then V8's data.
// V8 itself checks its version and flags, but of the source only the length,
// so the hash is what keeps a stale cache from running old code.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createHash } from 'node:crypto';

/** Bytes of the hash in front of V8's data in the cache file. */
export const CODE_CACHE_HASH_BYTES = 32;

/** The cache file for `bundle`: same folder, `.cache` instead of `.js`. */
export function codeCachePath(bundle: string): string {
  return bundle.replace(/\.js$/, '') + '.cache';
}

/** V8's cached data for `source` from `cacheFile`, or undefined when there is none made from this source. */
export function readCodeCache(cacheFile: string, source: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (cache.length <= CODE_CACHE_HASH_BYTES) return undefined;
  const hash = createHash('sha256').update(source).digest();
  return hash.equals(cache.subarray(0, CODE_CACHE_HASH_BYTES)) ? cache.subarray(CODE_CACHE_HASH_BYTES) : undefined;
}

/** Compiles a CommonJS bundle as Node's loader would, with `cachedData` when given. */
export function compileBundle(file: string, source: Buffer, cachedData: Buffer | undefined): vm.Script {
  // Node's own CommonJS wrapper (what require('node:module').wrap adds, without loading that module).
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.toString('utf8')}\n});`;
  return new vm.Script(wrapped, { filename: file, cachedData });
}

function launch(): void {
  const bundle = path.join(__dirname, 'cli-main.js');
  let source: Buffer;
  try {
    source = fs.readFileSync(bundle);
  } catch (error) {
    process.stderr.write(`diskx: cannot load ${bundle}: ${error instanceof Error ? error.message : String(error)} (run npm run build)\n`);
    process.exitCode = 2;
    return;
  }
  const script = compileBundle(bundle, source, readCodeCache(codeCachePath(bundle), source));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // The bundle runs as this very module (require.main === module holds, so it starts the CLI);
  // require resolves from dist/, where both files are.
  wrapper.call(module.exports, module.exports, require, module, bundle, __dirname);
}

if (require.main === module) launch();
