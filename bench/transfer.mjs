// Large-file transfer benchmark against the emulator, on loopback only.
//
// 1. 1 GiB upload and download with the skydrive CLI, and with curl sending
//    the same requests (createUploadSession, fragment PUTs of the same size,
//    one GET of the downloadUrl) to the same emulator in the same run.
// 2. Peak RSS of the skydrive CLI for put and get of 1 GiB and 4 GiB.
// 3. 50 MiB upload over HTTPS: the skydrive CLI vs the Graph JS SDK's
//    LargeFileUploadTask with the same fragment size.
//
// Usage: node bench/transfer.mjs [--skip-4g] [--fragment-mib N]
// Needs the built packages (npm run build), curl and /usr/bin/time.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuickXorHash } from '@skydrive/quickxorhash';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliBin = path.join(root, 'packages/skydrive/dist/cli/bin.js');
const emulatorBin = path.join(root, 'packages/emulator/dist/bin.js');
const sdkScript = path.join(root, 'bench/graph-sdk-upload.mjs');

const args = process.argv.slice(2);
const skip4g = args.includes('--skip-4g');
const fragmentIndex = args.indexOf('--fragment-mib');
const fragmentMiB = fragmentIndex === -1 ? 10 : Number(args[fragmentIndex + 1]);
if (
  !Number.isInteger(fragmentMiB) ||
  fragmentMiB < 1 ||
  fragmentMiB > 59 ||
  (fragmentMiB * MIB) % (320 * 1024) !== 0
) {
  console.error(
    'usage: node bench/transfer.mjs [--skip-4g] [--fragment-mib N]; N MiB must be a multiple of 320 KiB below 60 MiB (5, 10, 15, …)',
  );
  process.exit(2);
}
const fragmentBytes = fragmentMiB * MIB;
/** Upper bound of any one child process, so a stuck transfer cannot hang the run. */
const CHILD_TIMEOUT_MS = 5 * 60_000;

/** Run a command under /usr/bin/time; returns exit code, output, wall seconds and peak RSS in MiB. */
function measure(command, commandArgs, env = {}) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(work, `rss-${Math.random().toString(36).slice(2)}`);
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...commandArgs], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', async (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rssKiB = Number(
        (await readFile(rssFile, 'utf8').catch(() => '0')).trim().split('\n').at(-1),
      );
      await rm(rssFile, { force: true });
      if (code !== 0) {
        reject(
          new Error(`${command} ${commandArgs.join(' ')} exited ${code}: ${stderr.slice(0, 2000)}`),
        );
        return;
      }
      resolve({ stdout, stderr, seconds, rssMiB: rssKiB / 1024 });
    });
  });
}

/** Start the built emulator CLI as a child; returns its URLs and, over HTTPS, the certificate file. */
function startEmulator(extraArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [emulatorBin, '--port', '0', '--in-memory', '--quota', String(64 * GIB), ...extraArgs],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator did not start: ${output}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      const url = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const https = extraArgs.includes('--https');
      const cert = /TLS certificate \(PEM\) to trust: (\S+)/.exec(output)?.[1];
      if (url !== undefined && (!https || cert !== undefined)) {
        clearTimeout(timer);
        resolve({ child, url, cert });
      }
    });
    child.on('error', reject);
  });
}

async function tokenFor(url, ca) {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: 'skydrive-bench',
    username: 'demo',
    password: 'demo',
    scope: 'Files.ReadWrite.All',
  }).toString();
  const result = await measure('curl', [
    '-sS',
    '--fail',
    ...(ca ? ['--cacert', ca] : []),
    '-X',
    'POST',
    '-H',
    'content-type: application/x-www-form-urlencoded',
    '--data',
    body,
    `${url}/common/oauth2/v2.0/token`,
  ]);
  return JSON.parse(result.stdout).access_token;
}

/** Write `size` bytes: a 64 MiB random block repeated, so a 4 GiB file is quick to make. */
async function makeFile(file, size) {
  const block = randomFillSync(Buffer.allocUnsafe(64 * MIB));
  const handle = await open(file, 'w');
  for (let written = 0; written < size; written += block.length) {
    await handle.write(block, 0, Math.min(block.length, size - written));
  }
  await handle.close();
}

async function hashFile(file) {
  const hash = new QuickXorHash();
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MIB })) {
    hash.update(chunk);
  }
  return hash.digest();
}

function cli(env, ...cliArgs) {
  return measure(process.execPath, [cliBin, '--no-progress', ...cliArgs], env);
}

/** Upload with curl: one createUploadSession, then every fragment PUT in one curl run over one connection. */
async function curlUpload(url, token, file, size, remoteName) {
  const pieces = [];
  const handle = await open(file, 'r');
  for (let start = 0; start < size; start += fragmentBytes) {
    const length = Math.min(fragmentBytes, size - start);
    const buffer = Buffer.allocUnsafe(length);
    await handle.read(buffer, 0, length, start);
    const piece = path.join(work, `fragment-${pieces.length}`);
    await writeFile(piece, buffer);
    pieces.push({ piece, start, end: start + length - 1 });
  }
  await handle.close();

  // Only the requests are timed; splitting the file into fragment files happened above.
  const session = await measure('curl', [
    '-sS',
    '--fail',
    '-X',
    'POST',
    '-H',
    `authorization: Bearer ${token}`,
    '-H',
    'content-type: application/json',
    '--data',
    '{"item":{"@microsoft.graph.conflictBehavior":"replace"}}',
    `${url}/v1.0/me/drive/root:/bench/${remoteName}:/createUploadSession`,
  ]);
  const { uploadUrl } = JSON.parse(session.stdout);
  const config = pieces
    .map(({ piece, start, end }, index) =>
      [
        index === 0 ? '' : 'next',
        `url = "${uploadUrl}"`,
        `upload-file = "${piece}"`,
        `header = "Content-Range: bytes ${start}-${end}/${size}"`,
        'header = "Expect:"',
        'silent',
        'show-error',
        'fail',
        'output = "/dev/null"',
      ].join('\n'),
    )
    .join('\n');
  const configFile = path.join(work, 'curl-fragments.conf');
  await writeFile(configFile, config);
  const fragments = await measure('curl', ['-K', configFile]);
  for (const { piece } of pieces) {
    await rm(piece, { force: true });
  }
  return { seconds: session.seconds + fragments.seconds };
}

async function curlDownload(url, token, remoteName, target) {
  const meta = await measure('curl', [
    '-sS',
    '--fail',
    '-H',
    `authorization: Bearer ${token}`,
    `${url}/v1.0/me/drive/root:/bench/${remoteName}`,
  ]);
  const downloadUrl = JSON.parse(meta.stdout)['@microsoft.graph.downloadUrl'];
  const body = await measure('curl', ['-sS', '--fail', '-o', target, downloadUrl]);
  return { seconds: meta.seconds + body.seconds };
}

const rate = (bytes, seconds) => bytes / MIB / seconds;
const results = { fragmentMiB, rows: [] };
const work = await mkdtemp(path.join(os.tmpdir(), 'skydrive-bench-'));
const emulators = [];

async function roundTrip(label, size, withCurl, env, url, token) {
  const file = path.join(work, `${label}.bin`);
  await makeFile(file, size);
  const expected = await hashFile(file);
  const put = await cli(
    env,
    'put',
    '--json',
    '--fragment-size',
    `${fragmentMiB}MiB`,
    file,
    '/bench/',
  );
  const putLine = JSON.parse(put.stdout);
  const target = path.join(work, `${label}.copy`);
  const get = await cli(env, 'get', '--json', `/bench/${label}.bin`, target);
  const getLine = JSON.parse(get.stdout);

  const copyHash = await hashFile(target);
  if (
    putLine.quickXorHash !== expected ||
    getLine.quickXorHash !== expected ||
    copyHash !== expected ||
    !putLine.verified ||
    !getLine.verified
  ) {
    throw new Error(
      `${label}: round trip is not byte-exact (${expected}, put ${putLine.quickXorHash}, get ${getLine.quickXorHash}, copy ${copyHash})`,
    );
  }
  await rm(target, { force: true });

  const row = {
    label,
    sizeMiB: size / MIB,
    put: { seconds: put.seconds, mibPerSecond: rate(size, put.seconds), peakRssMiB: put.rssMiB },
    get: { seconds: get.seconds, mibPerSecond: rate(size, get.seconds), peakRssMiB: get.rssMiB },
    byteExact: true,
  };

  if (withCurl) {
    const up = await curlUpload(url, token, file, size, `${label}-curl.bin`);
    const curlTarget = path.join(work, `${label}.curl`);
    const down = await curlDownload(url, token, `${label}-curl.bin`, curlTarget);
    if ((await stat(curlTarget)).size !== size) {
      throw new Error(`${label}: curl download has the wrong size`);
    }
    await rm(curlTarget, { force: true });
    row.curlPut = { seconds: up.seconds, mibPerSecond: rate(size, up.seconds) };
    row.curlGet = { seconds: down.seconds, mibPerSecond: rate(size, down.seconds) };
    row.putVsCurl = row.put.mibPerSecond / row.curlPut.mibPerSecond;
    row.getVsCurl = row.get.mibPerSecond / row.curlGet.mibPerSecond;
  }
  await rm(file, { force: true });
  results.rows.push(row);
  console.log(JSON.stringify(row));
}

try {
  console.log(
    `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / GIB).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}; fragment ${fragmentMiB} MiB`,
  );

  // HTTP emulator: curl comparison and RSS.
  const plain = await startEmulator([]);
  emulators.push(plain.child);
  const token = await tokenFor(plain.url);
  const env = {
    SKYDRIVE_ENDPOINT: `${plain.url}/v1.0`,
    SKYDRIVE_TOKEN: token,
    XDG_STATE_HOME: path.join(work, 'state'),
  };
  await cli(env, 'mkdir', '-p', '/bench');
  await roundTrip('1gib', GIB, true, env, plain.url, token);
  if (!skip4g) {
    await roundTrip('4gib', 4 * GIB, false, env, plain.url, token);
  }

  // HTTPS emulator: the Graph SDK needs TLS for its token to be attached.
  const secure = await startEmulator(['--https']);
  emulators.push(secure.child);
  const secureToken = await tokenFor(secure.url, secure.cert);
  const tlsEnv = {
    SKYDRIVE_ENDPOINT: `${secure.url}/v1.0`,
    SKYDRIVE_TOKEN: secureToken,
    NODE_EXTRA_CA_CERTS: secure.cert,
    XDG_STATE_HOME: path.join(work, 'state'),
  };
  await cli(tlsEnv, 'mkdir', '-p', '/bench');
  const sdkFile = path.join(work, 'sdk.bin');
  await makeFile(sdkFile, 50 * MIB);
  const ours = await cli(
    tlsEnv,
    'put',
    '--json',
    '--fragment-size',
    `${fragmentMiB}MiB`,
    sdkFile,
    '/bench/',
  );
  const sdk = await measure(
    process.execPath,
    [sdkScript, secure.url, secureToken, sdkFile, String(fragmentBytes)],
    { NODE_EXTRA_CA_CERTS: secure.cert },
  );
  const sdkResult = JSON.parse(sdk.stdout.trim().split('\n').at(-1));
  const sdkRow = {
    label: '50mib-https',
    skydrive: {
      seconds: ours.seconds,
      mibPerSecond: rate(50 * MIB, ours.seconds),
      peakRssMiB: ours.rssMiB,
    },
    graphSdk: {
      seconds: sdk.seconds,
      uploadSeconds: sdkResult.seconds,
      mibPerSecond: rate(50 * MIB, sdk.seconds),
      peakRssMiB: sdk.rssMiB,
    },
  };
  results.rows.push(sdkRow);
  console.log(JSON.stringify(sdkRow));
} finally {
  for (const child of emulators) {
    child.kill('SIGTERM');
  }
  await rm(work, { recursive: true, force: true });
}
