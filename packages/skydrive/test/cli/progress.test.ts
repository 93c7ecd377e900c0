// Progress output of put and get: bars on a terminal, JSON events with
// --progress-json, nothing in a pipe. Runs `main` in-process with fake streams.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliDeps } from '../../src/cli/deps.ts';
import { main } from '../../src/cli/main.ts';
import { Drive } from '../../src/index.ts';
import { startTestEmulator, type TestEmulator } from './emulator.ts';

const MIB = 1024 * 1024;

class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;

  constructor(isTTY: boolean) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }

  cursorTo(_x: number, _y?: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }

  clearLine(_direction: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }

  clearScreenDown(callback?: () => void): boolean {
    callback?.();
    return true;
  }

  moveCursor(_dx: number, _dy: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }
}

describe('transfer progress', () => {
  let emulator: TestEmulator;
  let work: string;

  async function invoke(args: string[], isTTY: boolean) {
    const stdout = new Capture(isTTY);
    const stderr = new Capture(isTTY);
    const deps: CliDeps = {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env: { SKYDRIVE_ENDPOINT: emulator.graphUrl, SKYDRIVE_TOKEN: emulator.token, HOME: work },
      cwd: work,
      openDrive: (options) => Drive.open(options),
      now: () => new Date('2026-01-02T03:04:05Z'),
    };
    const code = await main(['node', 'skydrive', ...args], deps);
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  before(async () => {
    emulator = await startTestEmulator();
    work = await mkdtemp(path.join(os.tmpdir(), 'skydrive-progress-test-'));
    await writeFile(path.join(work, 'big.bin'), randomBytes(5 * MIB));
    await mkdir(path.join(work, 'tree'));
    await writeFile(path.join(work, 'tree', 'a.bin'), randomBytes(5 * MIB + 3));
    await writeFile(path.join(work, 'tree', 'b.txt'), 'small');
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
    await emulator?.close();
  });

  it('put --progress-json emits events', async () => {
    const result = await invoke(['put', '--json', '--progress-json', 'big.bin', '/'], false);
    assert.equal(result.code, 0);
    const events = result.stderr
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { event: string; path: string; bytes: number; size: number },
      );
    assert.ok(events.length >= 2, `only ${events.length} events`);
    for (const event of events) {
      assert.equal(event.event, 'progress');
      assert.equal(event.path, '/big.bin');
      assert.equal(event.size, 5 * MIB);
    }
    assert.equal(events.at(-1)?.bytes, 5 * MIB);
    const line = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(line.bytesSent, 5 * MIB);
    assert.equal(line.resumedFrom, null);
    assert.equal(line.verified, true);
  });

  it('put in a pipe draws nothing', async () => {
    const result = await invoke(['put', 'big.bin', '/'], false);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'uploaded big.bin -> /big.bin (5.0 MiB)\n');
    assert.equal(result.stderr, '');
  });

  it('put on a terminal draws a bar', async () => {
    const result = await invoke(['put', 'big.bin', '/'], true);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'uploaded big.bin -> /big.bin (5.0 MiB)\n');
    assert.match(result.stderr, /big\.bin \[[█░]+\] \d+% [\d.]+ (B|KiB|MiB) of 5\.0 MiB/);
  });

  it('folder put on a terminal', async () => {
    const result = await invoke(['put', '-r', '--transfers', '2', 'tree', '/'], true);
    assert.equal(result.code, 0);
    // Files run two at a time, so their lines come in completion order; the summary is last.
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.pop(), 'uploaded 2 files, 5.0 MiB');
    assert.deepEqual(lines.sort(), [
      'uploaded tree/a.bin -> /tree/a.bin (5.0 MiB)',
      'uploaded tree/b.txt -> /tree/b.txt (5 B)',
    ]);
    assert.match(result.stderr, /total \[/);
  });

  it('get -r --json with progress events', async () => {
    const result = await invoke(['get', '-r', '--json', '--progress-json', '/tree', 'copy'], false);
    assert.equal(result.code, 0);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    const paths = result.stderr
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { path: string }).path);
    assert.ok(paths.includes('/tree/a.bin'));
  });

  it('rejects --transfers 0', async () => {
    const result = await invoke(['get', '-r', '--transfers', '0', '/tree', 'copy'], false);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--transfers must be a whole number from 1 to 64/);
  });
});
