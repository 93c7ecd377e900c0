// Ctrl-C (SIGINT) ends a command with exit code 2, even while a request hangs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cliBin, createSandbox, type Sandbox } from './harness.ts';

describe('cancelling with SIGINT', () => {
  const pendingResponses: ServerResponse[] = [];
  const server = createServer((_request, response) => {
    // Never respond, so the command is still waiting when SIGINT arrives.
    pendingResponses.push(response);
    server.emit('request-held');
  });
  let sandbox: Sandbox;

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    sandbox = await createSandbox({
      SKYDRIVE_ENDPOINT: `http://127.0.0.1:${port}/v1.0`,
      SKYDRIVE_TOKEN: 'test-token',
    });
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await sandbox?.cleanup();
  });

  it('SIGINT during a request exits 2', async () => {
    const child = spawn(process.execPath, [cliBin, 'ls', '/docs'], {
      cwd: sandbox.cwd,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = once(child, 'close');

    await once(server, 'request-held');
    child.kill('SIGINT');
    const [code] = await exited;

    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, 'skydrive: cancelled\n');
  });
});
