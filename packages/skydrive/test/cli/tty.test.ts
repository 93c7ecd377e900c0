// A terminal and a pipe get the same stdout; only progress bars differ, and
// they go to stderr on a terminal only. Runs `main` in-process with fake streams.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliDeps } from '../../src/cli/deps.ts';
import { main } from '../../src/cli/main.ts';
import { Drive } from '../../src/index.ts';
import { startTestEmulator, type TestEmulator } from './emulator.ts';
import { normalise } from './harness.ts';

class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 80;

  constructor(isTTY: boolean) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }

  // cli-progress moves the cursor on a terminal; a capture only records the text.
  cursorTo(_x: number, _y?: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }

  clearLine(_direction: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }

  moveCursor(_dx: number, _dy: number, callback?: () => void): boolean {
    callback?.();
    return true;
  }
}

describe('terminal and pipe output', () => {
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
    work = await mkdtemp(path.join(os.tmpdir(), 'skydrive-tty-test-'));
    await writeFile(path.join(work, 'data.bin'), Buffer.alloc(200_000, 7));
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
    await emulator?.close();
  });

  it('put stdout same on terminal', async () => {
    const terminal = await invoke(['put', 'data.bin', '/'], true);
    const pipe = await invoke(['put', 'data.bin', '/'], false);
    assert.equal(terminal.code, 0);
    assert.equal(pipe.code, 0);
    assert.equal(terminal.stdout, 'uploaded data.bin -> /data.bin (195.3 KiB)\n');
    assert.equal(pipe.stdout, terminal.stdout);
    assert.equal(pipe.stderr, '');
    // The bar is drawn on stderr and cleared when the upload ends.
    assert.match(terminal.stderr, /data\.bin \[█+\] 100% 195\.3 KiB of 195\.3 KiB/);
    assert.ok(terminal.stderr.endsWith('\u001b[2K'), 'the bar line is erased at the end');
  });

  it('ls -l stdout same on terminal', async () => {
    const terminal = await invoke(['ls', '-l', '/'], true);
    const pipe = await invoke(['ls', '-l', '/'], false);
    assert.equal(normalise(terminal.stdout), 'file     195.3 KiB  <time>  data.bin\n');
    assert.equal(pipe.stdout, terminal.stdout);
    assert.equal(terminal.stderr, '');
  });

  it('-q and --no-progress hide bars', async () => {
    const quiet = await invoke(['-q', 'get', '/data.bin', 'copy.bin'], true);
    assert.deepEqual(quiet, { code: 0, stdout: '', stderr: '' });
    const plain = await invoke(['--no-progress', 'get', '/data.bin', 'copy.bin'], true);
    assert.deepEqual(plain, {
      code: 0,
      stdout: 'downloaded /data.bin -> copy.bin (195.3 KiB)\n',
      stderr: '',
    });
  });

  it('errors same on terminal', async () => {
    const terminal = await invoke(['info', '/absent'], true);
    const pipe = await invoke(['info', '/absent'], false);
    assert.deepEqual(terminal, {
      code: 1,
      stdout: '',
      stderr: 'skydrive: /absent: not found; check the path with: skydrive ls /\n',
    });
    assert.deepEqual(pipe, terminal);
  });
});
