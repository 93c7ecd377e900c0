// Runs inside a loopback-only network namespace (`unshare -n`), started by
// rclone.test.ts: starts the emulator with its CONNECT proxy, points rclone's
// OneDrive backend at it through HTTPS_PROXY, runs a fixed list of rclone
// commands and writes what each returned to WORKDIR/report.json.
// Usage: node --import tsx rclone-session.ts WORKDIR
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { startEmulator } from '../../src/server.ts';

/** Outcome of one rclone invocation. */
export interface RcloneRun {
  args: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** What the session writes to report.json. */
export interface RcloneReport {
  runs: RcloneRun[];
  /** Set when the session itself failed before or between the rclone runs. */
  error?: string;
}

/** rclone's chunk size, a multiple of 320 KiB as OneDrive requires, small enough to split the large file. */
export const CHUNK_SIZE = '1280k';
const RUN_TIMEOUT_MS = 60_000;

const workDir = process.argv[2];
if (workDir === undefined) {
  process.stderr.write('usage: rclone-session.ts WORKDIR\n');
  process.exit(2);
}

const report: RcloneReport = { runs: [] };
// Debug level gives one access-log line per request, which the test reads to see which routes rclone used.
const logger = pino(
  { level: 'debug' },
  pino.destination({ dest: path.join(workDir, 'emulator.log'), sync: true }),
);
const emu = await startEmulator({ port: 0, connectProxy: true, logger });
try {
  const remote = await prepareRemote(workDir);
  const env = {
    ...process.env,
    HTTPS_PROXY: emu.proxyUrl ?? '',
    https_proxy: emu.proxyUrl ?? '',
    SSL_CERT_FILE: remote.caFile,
    RCLONE_CONFIG: remote.configFile,
  };
  const local = path.join(workDir, 'local');
  const down = path.join(workDir, 'down');
  const common = ['--retries', '1', '--low-level-retries', '2', '-v'];

  const steps: string[][] = [
    ['version'],
    ['mkdir', 'emu:rc'],
    ['copy', local, 'emu:rc/up', '--onedrive-chunk-size', CHUNK_SIZE],
    // A listing chunk of 2 makes rclone follow @odata.nextLink.
    ['lsjson', '-R', '--hash', '--onedrive-list-chunk', '2', 'emu:rc'],
    ['check', local, 'emu:rc/up'],
    // rclone 1.60 compares SHA-1 on personal drives and QuickXorHash on business ones.
    ['check', local, 'emu-business:rc/up'],
    ['copy', 'emu:rc/up', down],
    ['moveto', 'emu:rc/up/small.txt', 'emu:rc/moved/renamed.txt'],
    ['lsjson', 'emu:rc/moved'],
    ['deletefile', 'emu:rc/moved/renamed.txt'],
    ['lsjson', 'emu:rc/moved'],
    // An expired access token makes rclone refresh it at login.microsoftonline.com.
    ['lsjson', 'emu-expired:rc'],
    ['purge', 'emu:rc'],
    ['lsjson', 'emu:'],
  ];
  for (const step of steps) {
    report.runs.push(await runRclone([...step, ...common], env));
  }
} catch (error) {
  report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
} finally {
  await writeFile(path.join(workDir, 'report.json'), JSON.stringify(report, null, 2));
  await emu.close();
}

/** Signs in with the password grant and writes the CA file and an rclone config for the `emu` remote. */
async function prepareRemote(dir: string): Promise<{ caFile: string; configFile: string }> {
  const tokenReply = await fetch(`${emu.url}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=password&client_id=rclone-test&username=demo&password=demo&scope=Files.ReadWrite.All%20offline_access',
  });
  const tokens = (await tokenReply.json()) as { access_token: string; refresh_token: string };
  const driveReply = await fetch(`${emu.graphUrl}/me/drive`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  const drive = (await driveReply.json()) as { id: string };

  const caFile = path.join(dir, 'proxy-ca.pem');
  await writeFile(caFile, emu.proxyCaCertificate ?? '');
  // rclone refreshes a token only when it is about to expire, so an expiry one hour ahead keeps the issued one.
  const token = {
    access_token: tokens.access_token,
    token_type: 'Bearer',
    refresh_token: tokens.refresh_token,
    expiry: new Date(Date.now() + 3600_000).toISOString(),
  };
  const config = [
    '[emu]',
    'type = onedrive',
    'client_id = rclone-test',
    'client_secret = unused',
    'drive_type = personal',
    `drive_id = ${drive.id}`,
    `token = ${JSON.stringify(token)}`,
    '',
    '[emu-expired]',
    'type = onedrive',
    'client_id = rclone-test',
    'client_secret = unused',
    'drive_type = personal',
    `drive_id = ${drive.id}`,
    `token = ${JSON.stringify({ ...token, access_token: 'expired', expiry: new Date(Date.now() - 3600_000).toISOString() })}`,
    '',
    '[emu-business]',
    'type = onedrive',
    'client_id = rclone-test',
    'client_secret = unused',
    'drive_type = business',
    `drive_id = ${drive.id}`,
    `token = ${JSON.stringify(token)}`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'rclone.conf');
  await writeFile(configFile, config);
  return { caFile, configFile };
}

function runRclone(args: string[], env: NodeJS.ProcessEnv): Promise<RcloneRun> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn('rclone', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${RUN_TIMEOUT_MS} ms]`;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      stderr += `\n[spawn failed: ${error.message}]`;
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ args, exitCode, stdout, stderr, durationMs: Date.now() - startedAt });
    });
  });
}
