// Runs every test/**/*.test.ts with node's test runner (Node 20 has no --test globs).
// With --e2e: every test/e2e/**/*.e2e.ts instead, one file at a time (each starts a
// code-server and a browser); `npm run test:e2e`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const e2e = process.argv.includes('--e2e');
const suffix = e2e ? '.e2e.ts' : '.test.ts';
const filter = process.argv.slice(2).filter((arg) => arg !== '--e2e');
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith(suffix)) files.push(path.relative(root, full));
  }
})(path.join(root, 'test', e2e ? 'e2e' : ''));
const selected = filter.length ? files.filter((f) => filter.some((word) => f.includes(word))) : files;
if (selected.length === 0) {
  console.error(`runTests: no test files match ${filter.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...(e2e ? ['--test-concurrency=1'] : []), ...selected], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
