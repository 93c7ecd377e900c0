#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parseCommandLine, USAGE, UsageError } from './cli-args.js';
import { startEmulator } from './server.js';

function readVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version?: string };
  return manifest.version ?? 'unknown';
}

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCommandLine>;
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`skydrive-emulator: ${error.message}\nTry: skydrive-emulator --help\n`);
      process.exit(2);
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${readVersion()}\n`);
    return;
  }

  // JSON log lines go to stderr so that stdout carries only the start line.
  const logger = pino({ level: command.debug ? 'debug' : 'info' }, pino.destination(2));
  const emulator = await startEmulator({ ...command.options, logger });
  process.stdout.write(
    `skydrive-emulator listening on ${emulator.url} (Graph: ${emulator.graphUrl}, content: ${emulator.contentUrl})\n`,
  );
  if (emulator.certificate !== undefined) {
    const certFile = await writeCertificate(emulator.certificate, command.options.location);
    process.stdout.write(`TLS certificate (PEM) to trust: ${certFile}\n`);
  }
  if (emulator.proxyUrl !== undefined && emulator.proxyCaCertificate !== undefined) {
    const caFile = await writeCertificate(
      emulator.proxyCaCertificate,
      command.options.location,
      'emulator-proxy-ca.pem',
    );
    process.stdout.write(
      `CONNECT proxy: ${emulator.proxyUrl} (CA certificate to trust: ${caFile})\n`,
    );
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Writes the served certificate where clients can load it: the data folder, or the temp folder. */
async function writeCertificate(
  pem: string,
  location: string | undefined,
  fileName = 'emulator-cert.pem',
): Promise<string> {
  const folder = location ?? (await mkdtemp(path.join(tmpdir(), 'skydrive-emulator-tls-')));
  const file = path.join(folder, fileName);
  await writeFile(file, pem);
  return file;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`skydrive-emulator: ${message}\n`);
  process.exit(1);
});
