// Run every test file under packages/*/test with node's test runner and tsx.
// Usage: node scripts/run-tests.mjs [PATH...]   (files or folders; default: all packages)
// Environment: TEST_CONCURRENCY sets how many test files run at once (default 2).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function collectTestFiles(target) {
  const stats = statSync(target);
  if (stats.isFile()) {
    return target.endsWith('.test.ts') ? [target] : [];
  }
  const files = [];
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) {
      continue;
    }
    files.push(...collectTestFiles(path.join(target, entry.name)));
  }
  return files;
}

const targets = process.argv.slice(2);
const roots =
  targets.length > 0
    ? targets.map((target) => path.resolve(target))
    : readdirSync(path.join(root, 'packages')).map((name) =>
        path.join(root, 'packages', name, 'test'),
      );

const files = roots
  .flatMap((target) => {
    try {
      return collectTestFiles(target);
    } catch (error) {
      if (error.code === 'ENOENT' && targets.length === 0) {
        return [];
      }
      throw error;
    }
  })
  .sort();

if (files.length === 0) {
  console.error(`no test files found under: ${roots.join(', ')}`);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
