// Run every test file under packages/*/test with node's test runner and tsx.
// Usage: node scripts/run-tests.mjs [PATH...]   (files or folders; default: all packages)
// Environment: TEST_CONCURRENCY sets how many test files run at once (default 2).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
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

// Tests get their own config, state and cache folders, so a run never writes tokens,
// resume records or profiles into the user's real ones.
const sandbox = mkdtempSync(path.join(os.tmpdir(), 'skydrive-tests-'));
const env = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(sandbox, 'config'),
  XDG_STATE_HOME: path.join(sandbox, 'state'),
  XDG_CACHE_HOME: path.join(sandbox, 'cache'),
};
for (const name of ['SKYDRIVE_TOKEN', 'SKYDRIVE_ENDPOINT', 'SKYDRIVE_PROFILE', 'SKYDRIVE_CONFIG']) {
  delete env[name];
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
  { stdio: 'inherit', cwd: root, env },
);
child.on('exit', (code, signal) => {
  rmSync(sandbox, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
