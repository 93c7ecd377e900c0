// The main job: run skydrive on real files against the embedded emulator.
//
// Usage: node scripts/main-job.mjs [--in-memory] [PATH...]
//   PATH          files or folders to upload (default: docs/ and every packages/*/src)
//   --in-memory   keep the emulator's data in memory instead of <repo>/.skydrive-data
// Environment: SKYDRIVE_MAIN_JOB_LOCATION sets the emulator's data folder.
//
// The script starts the emulator on 127.0.0.1 and signs in with
// `skydrive auth login --device-code`, approving the code through the
// emulator's control route. The profile and tokens live in temporary XDG
// folders. Then it runs the built CLI (packages/skydrive/dist/cli/bin.js) as
// child processes and prints each command first: put -r, tree, info, get -r
// into a temporary folder, a byte-for-byte check of every file, quota and rm -r.
// It exits 1 when a command fails or a file differs.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliBin = path.join(root, 'packages', 'skydrive', 'dist', 'cli', 'bin.js');
const COMPARE_CHUNK_BYTES = 1024 * 1024;

/** Files and bytes the job checked, and what went wrong. */
const totals = { files: 0, bytes: 0, mismatches: 0, failedCommand: undefined };

function parseArguments(argv) {
  const paths = [];
  let inMemory = false;
  for (const argument of argv) {
    if (argument === '--in-memory') {
      inMemory = true;
    } else if (argument === '--help' || argument === '-h') {
      console.log('usage: npm start -- [--in-memory] [PATH...]');
      process.exit(0);
    } else if (argument.startsWith('--')) {
      console.error(
        `main job: unknown option ${argument}; usage: npm start -- [--in-memory] [PATH...]`,
      );
      process.exit(2);
    } else {
      paths.push(argument);
    }
  }
  return { paths, inMemory };
}

/** docs/ and every packages/*\/src that exists, relative to the repository. */
function defaultSources() {
  const sources = [];
  if (existsSync(path.join(root, 'docs'))) {
    sources.push(path.join(root, 'docs'));
  }
  for (const name of readdirSync(path.join(root, 'packages')).sort()) {
    const source = path.join(root, 'packages', name, 'src');
    if (existsSync(source) && statSync(source).isDirectory()) {
      sources.push(source);
    }
  }
  return sources;
}

/**
 * Map each local source to the remote folder it is uploaded into. Sources
 * inside the working directory keep their relative folder (packages/emulator/src
 * goes to <remote>/packages/emulator/src), so sources that share a name such
 * as 'src' do not collide; others go to the remote root, with a numbered
 * folder when their names repeat.
 */
function planRemoteParents(sources, remoteRoot) {
  const used = new Set();
  return sources.map((absolute, index) => {
    const relative = path.relative(process.cwd(), absolute);
    const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    let relativeParent = inside ? path.dirname(relative).split(path.sep).join('/') : '.';
    let remoteRelative = inside ? relative.split(path.sep).join('/') : path.basename(absolute);
    if (used.has(remoteRelative.toLowerCase())) {
      relativeParent = `${index + 1}`;
      remoteRelative = `${relativeParent}/${path.basename(absolute)}`;
    }
    used.add(remoteRelative.toLowerCase());
    const parent = relativeParent === '.' ? remoteRoot : `${remoteRoot}/${relativeParent}`;
    return { absolute, displayPath: inside ? relative : absolute, parent, remoteRelative };
  });
}

/**
 * Sign in as a person on a machine without a browser would: `auth login
 * --device-code`. The code is approved through the emulator's control route
 * instead of its web page. Output carries no token: the CLI never prints one.
 */
async function signIn(emulator, env) {
  const args = ['auth', 'login', '--device-code', '--json', '--endpoint', emulator.graphUrl];
  console.log(
    `\n# sign in: skydrive ${args.slice(0, 3).join(' ')}, approved with POST /_emulator/device/approve`,
  );
  const child = spawn(process.execPath, [cliBin, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the result line must be read before the exit code is used.
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  try {
    // The first line is the prompt: {"userCode","verificationUri","expiresIn","message"}.
    const promptLine = await new Promise((resolve, reject) => {
      const check = () => {
        const end = stdout.indexOf('\n');
        if (end >= 0) {
          resolve(stdout.slice(0, end));
        }
      };
      child.stdout.on('data', check);
      exited.then(() =>
        reject(new Error('skydrive auth login exited before printing the device code')),
      );
    });
    const prompt = JSON.parse(promptLine);
    console.log(prompt.message);
    const approval = await fetch(`${emulator.url}/_emulator/device/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userCode: prompt.userCode, username: 'demo' }),
    });
    if (approval.status !== 204) {
      throw new Error(`device code approval returned ${approval.status}, expected 204`);
    }
  } catch (error) {
    child.kill();
    throw error;
  }
  const code = await exited;
  if (code !== 0) {
    throw new Error(`skydrive auth login --device-code exited with ${code}`);
  }
  const result = JSON.parse(stdout.split('\n')[1] ?? '{}');
  console.log(
    `signed in as ${result.account} (profile ${result.profile}); token expires ${result.expiresAt}`,
  );
}

/** Run the built CLI with the given arguments, streaming its output; resolves to its exit code. */
function skydrive(args, env) {
  const displayPath = args.map((arg) => (/^[\w./:@%+=-]+$/.test(arg) ? arg : JSON.stringify(arg)));
  console.log(`\n$ skydrive ${displayPath.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function step(args, env) {
  const code = await skydrive(args, env);
  if (code !== 0) {
    totals.failedCommand = `skydrive ${args.join(' ')} exited with ${code}`;
    throw new Error(totals.failedCommand);
  }
}

/** List every regular file below a source (or the source itself), as paths relative to it. */
async function listFiles(absolute) {
  const stats = await stat(absolute);
  if (stats.isFile()) {
    return [''];
  }
  const files = [];
  for (const entry of await readdir(absolute, { withFileTypes: true })) {
    const child = path.join(absolute, entry.name);
    const childStats = await stat(child);
    if (childStats.isDirectory()) {
      for (const below of await listFiles(child)) {
        files.push(path.join(entry.name, below));
      }
    } else if (childStats.isFile()) {
      files.push(entry.name);
    }
  }
  return files;
}

/** Compare two files chunk by chunk; returns undefined when equal, else the reason. */
async function compareFiles(original, copy) {
  let copyHandle;
  try {
    copyHandle = await open(copy, 'r');
  } catch {
    return 'missing in the download';
  }
  const originalHandle = await open(original, 'r');
  try {
    const [originalSize, copySize] = [
      (await originalHandle.stat()).size,
      (await copyHandle.stat()).size,
    ];
    if (originalSize !== copySize) {
      return `the original has ${originalSize} bytes, the download ${copySize}`;
    }
    const [a, b] = [Buffer.alloc(COMPARE_CHUNK_BYTES), Buffer.alloc(COMPARE_CHUNK_BYTES)];
    let offset = 0;
    for (;;) {
      const readA = await originalHandle.read(a, 0, a.length, offset);
      const readB = await copyHandle.read(b, 0, b.length, offset);
      if (readA.bytesRead !== readB.bytesRead) {
        return `the files changed while being compared, at byte ${offset}`;
      }
      if (!a.subarray(0, readA.bytesRead).equals(b.subarray(0, readB.bytesRead))) {
        return `content differs in bytes ${offset}-${offset + readA.bytesRead - 1}`;
      }
      if (readA.bytesRead === 0) {
        return undefined;
      }
      offset += readA.bytesRead;
    }
  } finally {
    await originalHandle.close();
    await copyHandle.close();
  }
}

async function checkDownload(plan, downloadDir) {
  console.log(`\n# compare every file with its original`);
  for (const source of plan) {
    for (const relative of await listFiles(source.absolute)) {
      const original = relative === '' ? source.absolute : path.join(source.absolute, relative);
      const copy = path.join(downloadDir, ...source.remoteRelative.split('/'), relative);
      const problem = await compareFiles(original, copy);
      totals.files += 1;
      totals.bytes += (await stat(original)).size;
      if (problem !== undefined) {
        totals.mismatches += 1;
        console.log(`mismatch: ${path.relative(process.cwd(), original) || original}: ${problem}`);
      }
    }
  }
  console.log(
    totals.mismatches === 0
      ? `all ${totals.files} files match`
      : `${totals.mismatches} files differ`,
  );
}

function humanBytes(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

async function main() {
  const started = performance.now();
  const { paths, inMemory } = parseArguments(process.argv.slice(2));
  const sources = paths.length > 0 ? paths.map((p) => path.resolve(p)) : defaultSources();
  for (const source of sources) {
    if (!existsSync(source)) {
      console.error(`main job: ${source}: no such file or folder; give existing paths`);
      process.exit(2);
    }
  }
  if (sources.length === 0) {
    console.error('main job: nothing to upload; give a file or folder: npm start -- PATH');
    process.exit(2);
  }
  if (!existsSync(cliBin)) {
    console.error(`main job: ${cliBin} is missing; build first with: npm run build`);
    process.exit(1);
  }

  const { startEmulator } = await import('skydrive-emulator');
  const location = inMemory
    ? undefined
    : (process.env.SKYDRIVE_MAIN_JOB_LOCATION ?? path.join(root, '.skydrive-data'));
  // A 1 s device code polling interval instead of the platform's 5 s keeps the sign-in short.
  const emulatorOptions = { port: 0, deviceCodeIntervalSeconds: 1 };
  const emulator = await startEmulator(
    location === undefined ? emulatorOptions : { ...emulatorOptions, location },
  );
  console.log(`emulator: ${emulator.graphUrl} (data: ${location ?? 'in memory'})`);

  const downloadDir = await mkdtemp(path.join(os.tmpdir(), 'skydrive-main-job-'));
  // The profile and its tokens go here, so the user's own config and tokens stay untouched.
  const homeDir = await mkdtemp(path.join(os.tmpdir(), 'skydrive-main-job-home-'));
  const remoteRoot = `/main-job/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  let remoteCreated = false;
  let env = process.env;
  try {
    env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(homeDir, 'config'),
      XDG_STATE_HOME: path.join(homeDir, 'state'),
    };
    for (const name of [
      'SKYDRIVE_TOKEN',
      'SKYDRIVE_ENDPOINT',
      'SKYDRIVE_PROFILE',
      'SKYDRIVE_CONFIG',
    ]) {
      delete env[name];
    }
    await signIn(emulator, env);
    const plan = planRemoteParents(sources, remoteRoot);

    await step(['mkdir', '-p', remoteRoot], env);
    remoteCreated = true;
    const parents = [...new Set(plan.map((source) => source.parent))];
    for (const parent of parents) {
      if (parent !== remoteRoot) {
        await step(['mkdir', '-p', parent], env);
      }
      const group = plan.filter((source) => source.parent === parent);
      await step(['put', '-r', ...group.map((source) => source.displayPath), parent], env);
    }
    await step(['tree', remoteRoot], env);
    await step(['info', remoteRoot], env);
    await step(['get', '-r', remoteRoot, downloadDir], env);
    await checkDownload(plan, downloadDir);
    await step(['quota'], env);
    await step(['rm', '-r', remoteRoot], env);
    remoteCreated = false;
  } catch (error) {
    if (totals.failedCommand === undefined) {
      totals.failedCommand = error instanceof Error ? error.message : String(error);
    }
    if (remoteCreated) {
      // Leave no half-uploaded folder behind in the persistent data.
      await skydrive(['rm', '-r', remoteRoot], env).catch(() => undefined);
    }
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
    await rm(homeDir, { recursive: true, force: true });
    await emulator.close();
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const outcome =
    totals.failedCommand !== undefined
      ? `failed: ${totals.failedCommand}`
      : totals.mismatches === 0
        ? `all ${totals.files} files match`
        : `${totals.mismatches} of ${totals.files} files differ`;
  console.log(
    `\nmain job: ${totals.files} files, ${humanBytes(totals.bytes)}, ${seconds} s: ${outcome}`,
  );
  process.exitCode = totals.failedCommand === undefined && totals.mismatches === 0 ? 0 : 1;
}

await main();
