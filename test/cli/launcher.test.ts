// dist/cli.js, the launcher: it loads dist/cli-main.js with the code cache the
// build made (accepted by this Node's V8), never with a cache made from other
// source, still runs when the cache is missing, corrupt or from another V8, and
// fails in one line when the bundle itself is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { CODE_CACHE_HASH_BYTES, codeCachePath, compileBundle, readCodeCache } from '../../src/cli/launcher';
import { tempDir } from '../builders/images';

const dist = path.resolve(__dirname, '..', '..', 'dist');
const bundle = path.join(dist, 'cli-main.js');
const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

test('the build makes a code cache for this bundle that this Node accepts', () => {
  const source = fs.readFileSync(bundle);
  const cacheFile = codeCachePath(bundle);
  assert.equal(cacheFile, path.join(dist, 'cli-main.cache'));
  const cache = fs.readFileSync(cacheFile);
  assert.deepEqual(cache.subarray(0, CODE_CACHE_HASH_BYTES), createHash('sha256').update(source).digest(), 'the cache names the bundle it was made from');
  const cachedData = readCodeCache(cacheFile, source);
  assert.ok(cachedData && cachedData.length > 10_000, 'V8 data follows the hash');
  assert.equal(compileBundle(bundle, source, cachedData).cachedDataRejected, false);
});

test('a cache made from other source is never used; a missing or short one neither', () => {
  const dir = tempDir('diskx-launcher-');
  const source = Buffer.from('module.exports = 1;\n');
  const stale = path.join(dir, 'stale.cache');
  fs.writeFileSync(stale, Buffer.concat([createHash('sha256').update('module.exports = 2;\n').digest(), Buffer.alloc(64, 1)]));
  assert.equal(readCodeCache(stale, source), undefined);
  assert.equal(readCodeCache(path.join(dir, 'missing.cache'), source), undefined);
  const short = path.join(dir, 'short.cache');
  fs.writeFileSync(short, createHash('sha256').update(source).digest());
  assert.equal(readCodeCache(short, source), undefined);
  const good = path.join(dir, 'good.cache');
  fs.writeFileSync(good, Buffer.concat([createHash('sha256').update(source).digest(), Buffer.from('v8 data')]));
  assert.deepEqual(readCodeCache(good, source), Buffer.from('v8 data'));
});

/** A copy of the launcher and the bundle in a folder of their own, with `cache` as the code cache (null: none). */
function installCopy(name: string, cache: Buffer | null, withBundle = true): string {
  const dir = path.join(tempDir('diskx-launcher-'), name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(dist, 'cli.js'), path.join(dir, 'cli.js'));
  if (withBundle) fs.copyFileSync(bundle, path.join(dir, 'cli-main.js'));
  if (cache) fs.writeFileSync(path.join(dir, 'cli-main.cache'), cache);
  return path.join(dir, 'cli.js');
}

test('the CLI runs the same with no cache, a corrupt cache and a cache V8 rejects', () => {
  const hash = createHash('sha256').update(fs.readFileSync(bundle)).digest();
  const cases: [string, Buffer | null][] = [
    ['none', null],
    ['garbage', Buffer.alloc(5000, 0xa5)],
    // The right hash but V8 data it cannot take (another version would look like this).
    ['rejected', Buffer.concat([hash, Buffer.alloc(5000, 0x5a)])],
  ];
  for (const [name, cache] of cases) {
    const cli = installCopy(name, cache);
    assert.equal(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }), `diskx ${version}\n`, name);
    const unknown = spawnSync(process.execPath, [cli, 'no-such-command'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2, name);
    assert.match(unknown.stderr, /^diskx: unknown command "no-such-command"\n/, name);
  }
});

test('without the bundle the launcher fails in one line, exit 2', () => {
  const cli = installCopy('no-bundle', null, false);
  const result = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^diskx: cannot load .*cli-main\.js: .*\n$/);
  assert.equal(result.stderr.split('\n').length, 2, 'one line');
});
