import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RcloneReport, RcloneRun } from './rclone-session.ts';

// rclone's OneDrive backend (Debian's rclone 1.60) against the emulator through its
// CONNECT proxy. rclone contacts graph.microsoft.com and login.microsoftonline.com on
// its own, so it runs only inside `unshare -n`, a network namespace with nothing but
// loopback, together with the emulator (rclone-session.ts starts both there).

const testFolder = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(testFolder, '../../../..');
const sessionScript = path.join(testFolder, 'rclone-session.ts');
/** Above rclone's chunk size (1280 KiB in the session) several times over, so the upload takes several fragments. */
const LARGE_FILE_BYTES = 5 * 1024 * 1024 + 4321;
const SESSION_TIMEOUT_MS = 240_000;

const skipReason = findSkipReason();

describe('rclone onedrive backend through the CONNECT proxy', { skip: skipReason }, () => {
  let workDir: string;
  let report: RcloneReport;
  let emulatorLog: string;
  const files = new Map<string, Buffer>();

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'skydrive-rclone-'));
    files.set('small.txt', Buffer.from('small file\n'));
    files.set('empty.txt', Buffer.alloc(0));
    files.set('large.bin', randomBytes(LARGE_FILE_BYTES));
    files.set('nested/deep.txt', Buffer.from('deep file\n'));
    for (const [name, bytes] of files) {
      const file = path.join(workDir, 'local', name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }

    await runSessionInNamespace(workDir);
    report = JSON.parse(await readFile(path.join(workDir, 'report.json'), 'utf8')) as RcloneReport;
    emulatorLog = await readFile(path.join(workDir, 'emulator.log'), 'utf8');
    assert.equal(report.error, undefined, `session failed: ${report.error}`);
  });
  after(async () => {
    if (workDir !== undefined) {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  /** Returns the run whose arguments start with `prefix`, or fails with the list of runs. */
  function runOf(...prefix: string[]): RcloneRun {
    const run = report.runs.find((candidate) =>
      prefix.every((arg, index) => candidate.args[index] === arg),
    );
    assert.ok(run, `no rclone run ${prefix.join(' ')}`);
    return run;
  }

  function assertSucceeded(run: RcloneRun): void {
    assert.equal(run.exitCode, 0, `rclone ${run.args.join(' ')} failed:\n${run.stderr}`);
  }

  it('runs rclone 1.60 or later', () => {
    const run = runOf('version');
    assertSucceeded(run);
    assert.match(run.stdout, /^rclone v1\.(6\d|[7-9]\d)/);
  });

  it('mkdir creates the folder', () => {
    assertSucceeded(runOf('mkdir', 'emu:rc'));
    assert.match(emulatorLog, /"msg":"POST \/v1\.0\/drives\/[^"]+\/children 201"/);
  });

  it('copy up uses an upload session in fragments', () => {
    assertSucceeded(runOf('copy', path.join(workDir, 'local'), 'emu:rc/up'));
    assert.match(emulatorLog, /:\/large\.bin:\/createUploadSession 200"/);
    const partialFragments = emulatorLog.match(/"msg":"PUT \/upload\/<redacted> 202"/g) ?? [];
    // 5 MiB in 1280 KiB fragments: four accepted with 202, the last one commits with 201.
    assert.ok(
      partialFragments.length >= 4,
      `expected at least 4 fragments accepted with 202, saw ${partialFragments.length}`,
    );
  });

  it('lsjson lists every file with size and hash', () => {
    const run = runOf('lsjson', '-R');
    assertSucceeded(run);
    const entries = JSON.parse(run.stdout) as Array<{
      Path: string;
      Size: number;
      IsDir: boolean;
      Hashes?: Record<string, string>;
    }>;
    for (const [name, bytes] of files) {
      const entry = entries.find((candidate) => candidate.Path === `up/${name}`);
      assert.ok(entry, `up/${name} missing from lsjson`);
      assert.equal(entry.Size, bytes.length, name);
      assert.equal(entry.IsDir, false, name);
      assert.match(entry.Hashes?.sha1 ?? '', /^[0-9a-f]{40}$/, name);
    }
  });

  it('check matches SHA-1 on a personal drive', () => {
    const run = runOf('check', path.join(workDir, 'local'), 'emu:rc/up');
    assertSucceeded(run);
    assert.match(run.stderr, /Using sha1 for hash comparisons/);
    assert.match(run.stderr, /0 differences found/);
  });

  it('check matches QuickXorHash on a business drive', () => {
    const run = runOf('check', path.join(workDir, 'local'), 'emu-business:rc/up');
    assertSucceeded(run);
    assert.match(run.stderr, /Using quickxor for hash comparisons/);
    assert.match(run.stderr, /0 differences found/);
  });

  it('copy down returns the same bytes', async () => {
    assertSucceeded(runOf('copy', 'emu:rc/up'));
    for (const [name, bytes] of files) {
      const downloaded = await readFile(path.join(workDir, 'down', name));
      assert.ok(downloaded.equals(bytes), `${name} differs after the round trip`);
    }
  });

  it('moveto renames on the server', () => {
    assertSucceeded(runOf('moveto'));
    const listing = report.runs.filter(
      (run) => run.args[0] === 'lsjson' && run.args[1] === 'emu:rc/moved',
    );
    assert.equal(listing.length, 2);
    const [afterMove, afterDelete] = listing;
    assertSucceeded(afterMove as RcloneRun);
    const names = (
      JSON.parse(afterMove?.stdout ?? '[]') as Array<{ Name: string; Size: number }>
    ).map((entry) => `${entry.Name} ${entry.Size}`);
    assert.deepEqual(names, [`renamed.txt ${files.get('small.txt')?.length}`]);
    assert.match(emulatorLog, /"msg":"PATCH \/v1\.0\/drives\/[^"]+ 200"/);

    assertSucceeded(runOf('deletefile'));
    assert.deepEqual(JSON.parse(afterDelete?.stdout ?? 'null'), []);
  });

  it('expired token is refreshed', () => {
    assertSucceeded(runOf('lsjson', 'emu-expired:rc'));
    // One grant is the session's own password sign-in, the other is rclone's refresh.
    const grants = emulatorLog.match(/"msg":"POST \/common\/oauth2\/v2\.0\/token 200"/g) ?? [];
    assert.equal(grants.length, 2);
    assert.doesNotMatch(emulatorLog, /"msg":"POST \/common\/oauth2\/v2\.0\/token 4\d\d"/);
  });

  it('purge removes the tree', () => {
    assertSucceeded(runOf('purge', 'emu:rc'));
    const rootListing = runOf('lsjson', 'emu:');
    assertSucceeded(rootListing);
    assert.deepEqual(JSON.parse(rootListing.stdout), []);
  });

  it('proxy only tunnels Microsoft hosts', () => {
    assert.match(emulatorLog, /"msg":"CONNECT accepted"/);
    assert.doesNotMatch(emulatorLog, /CONNECT rejected/);
  });
});

/** Returns why the rclone test cannot run here, or undefined when it can. */
function findSkipReason(): string | undefined {
  if (!onPath('rclone')) {
    return 'rclone is not on PATH (Debian: apt-get install rclone)';
  }
  if (!onPath('unshare') || !onPath('ip')) {
    return 'unshare (util-linux) or ip (iproute2) is not on PATH';
  }
  // Only the probe runs here: it checks that a loopback-only namespace can be created.
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  if (probe.status !== 0) {
    return 'unshare -n is not permitted for this user (a loopback-only network namespace is required to run rclone)';
  }
  return undefined;
}

function onPath(command: string): boolean {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(folder, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Starts rclone-session.ts (emulator plus rclone) under one `unshare -n`, with loopback up. */
function runSessionInNamespace(workDir: string): Promise<void> {
  const script = 'ip link set lo up && exec "$0" "$@"';
  const args = [
    '-n',
    'sh',
    '-c',
    script,
    process.execPath,
    '--import',
    'tsx',
    sessionScript,
    workDir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', args, {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SESSION_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve();
        return;
      }
      reject(new Error(`rclone session exited with ${code ?? signal}:\n${output}`));
    });
  });
}
