// CLI input checks that must fail before any request: each test points the CLI
// at a recording server and asserts that it received nothing.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createSandbox,
  type RecordingServer,
  type Sandbox,
  startRecordingServer,
} from './harness.ts';

describe('skydrive usage errors', () => {
  let server: RecordingServer;
  let sandbox: Sandbox;

  before(async () => {
    server = await startRecordingServer();
    sandbox = await createSandbox({ SKYDRIVE_ENDPOINT: server.url, SKYDRIVE_TOKEN: 'test-token' });
  });

  after(async () => {
    assert.equal(server.requests.length, 0, 'no command in this file may send a request');
    await server.close();
    await sandbox.cleanup();
  });

  it('unknown command suggests the closest one', async () => {
    const result = await sandbox.run(['lss']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      "skydrive: unknown command 'lss'; did you mean ls?\nsee: skydrive --help\n",
    );
  });

  it('unknown flag suggests the closest one', async () => {
    const result = await sandbox.run(['ls', '--lnog']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      "skydrive: unknown option '--lnog'; did you mean --long?\nsee: skydrive ls --help\n",
    );
  });

  it('unknown global flag before the command', async () => {
    const result = await sandbox.run(['--jsn', 'ls']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: unknown option '--jsn'; did you mean --json?\nsee: skydrive --help\n",
    );
  });

  it('missing argument', async () => {
    const result = await sandbox.run(['info']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: missing required argument 'item'\nsee: skydrive info --help\n",
    );
  });

  it('too many arguments', async () => {
    const result = await sandbox.run(['info', '/a', '/b']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: too many arguments for 'info': expected 1 argument but got 2\nsee: skydrive info --help\n",
    );
  });

  it('no command prints help on stderr', async () => {
    const result = await sandbox.run([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Usage: skydrive \[global options\] <command> \[arguments\]\n/);
  });

  it('--help prints help on stdout', async () => {
    const result = await sandbox.run(['put', '--help']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(
      result.stdout,
      /^Usage: skydrive put \[options\] <local\.\.\.> \[remote-folder\]\n/,
    );
    assert.match(result.stdout, /--conflict <mode>/);
  });

  it('help exit-codes prints the table', async () => {
    const result = await sandbox.run(['help', 'exit-codes']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      [
        'exit codes of skydrive:',
        '  0  success',
        '  1  failure: the operation or one of its files failed',
        '  2  usage error (unknown command or option, bad value) or cancelled',
        '  4  not signed in, or the service rejected the token (HTTP 401)',
        '',
      ].join('\n'),
    );
  });

  it('unknown help topic', async () => {
    const result = await sandbox.run(['help', 'nothing']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "skydrive: unknown help topic 'nothing'; run: skydrive help\n");
  });

  it('-p and -i together', async () => {
    const result = await sandbox.run(['-p', '-i', 'info', '/a']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'skydrive: -p/--path and -i/--id cannot be used together; choose one\n',
    );
  });

  it('bad --range value', async () => {
    const result = await sandbox.run(['get', '--range', '9-3', '/a.txt']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: option '--range <A-B>' argument '9-3' is invalid: the end 3 is before the start 9\nsee: skydrive get --help\n",
    );
  });

  it('bad --top value', async () => {
    const result = await sandbox.run(['ls', '--top', 'ten']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: option '--top <n>' argument 'ten' is invalid: --top must be a whole number from 1 to 1000000\nsee: skydrive ls --help\n",
    );
  });

  it('bad --conflict value', async () => {
    const result = await sandbox.run(['put', '--conflict', 'merge', 'a.txt']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "skydrive: option '--conflict <mode>' argument 'merge' is invalid: allowed choices are fail, replace, rename\nsee: skydrive put --help\n",
    );
  });

  it('-n with another --conflict', async () => {
    await writeFile(path.join(sandbox.cwd, 'n.txt'), 'n');
    const result = await sandbox.run(['put', '-n', '--conflict', 'rename', 'n.txt']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'skydrive: -n cannot be combined with --conflict rename; choose one\n',
    );
  });

  it('put of a missing local file', async () => {
    const result = await sandbox.run(['put', 'missing.txt', '/docs']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: missing.txt: no such local file or folder; check the path\nskydrive: nothing was uploaded; fix the problem above and try again\n',
    );
  });

  it('put of a folder without -r', async () => {
    await mkdir(path.join(sandbox.cwd, 'folder'), { recursive: true });
    const result = await sandbox.run(['put', 'folder']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'skydrive: folder: is a folder; use put -r to upload folders\nskydrive: nothing was uploaded; fix the problem above and try again\n',
    );
  });

  it('put -r lists every bad name', async () => {
    const tree = path.join(sandbox.cwd, 'bad');
    await mkdir(path.join(tree, 'sub.'), { recursive: true });
    await writeFile(path.join(tree, 'ok.txt'), 'ok');
    await writeFile(path.join(tree, 'a:b.txt'), 'x');
    await writeFile(path.join(tree, ' lead.txt'), 'x');
    await writeFile(path.join(tree, 'README'), 'upper');
    await writeFile(path.join(tree, 'readme'), 'lower');
    await writeFile(path.join(tree, 'sub.', 'CON'), 'x');
    const result = await sandbox.run(['put', '-r', 'bad', '/']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        'skydrive: bad: "README" and "readme" differ only in case; OneDrive would keep one item, so rename one of them',
        'skydrive: bad/ lead.txt: invalid name " lead.txt": a name cannot begin or end with whitespace; rename it and try again',
        'skydrive: bad/a:b.txt: invalid name "a:b.txt": a name cannot contain ":" (reserved: " * : < > ? / \\ |); rename it and try again',
        'skydrive: bad/sub.: invalid name "sub.": a name cannot end with "."; rename it and try again',
        'skydrive: bad/sub./CON: invalid name "CON": "CON" is a reserved name; rename it and try again',
        'skydrive: nothing was uploaded; fix the 5 problems above and try again',
        '',
      ].join('\n'),
    );
  });

  it('put of two sources with the same name', async () => {
    await mkdir(path.join(sandbox.cwd, 'one'), { recursive: true });
    await mkdir(path.join(sandbox.cwd, 'two'), { recursive: true });
    await writeFile(path.join(sandbox.cwd, 'one', 'Notes.txt'), '1');
    await writeFile(path.join(sandbox.cwd, 'two', 'notes.txt'), '2');
    const result = await sandbox.run(['put', 'one/Notes.txt', 'two/notes.txt', '/']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      [
        'skydrive: "Notes.txt" and "notes.txt" differ only in case and would go to the same remote folder; OneDrive would keep one item, so upload them separately or rename one',
        'skydrive: nothing was uploaded; fix the problem above and try again',
        '',
      ].join('\n'),
    );
  });

  it('mkdir with an invalid name', async () => {
    const result = await sandbox.run(['mkdir', '-p', '/projects/a|b/c']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'skydrive: /projects/a|b/c: invalid name "a|b": a name cannot contain "|" (reserved: " * : < > ? / \\ |); rename it and try again\n',
    );
  });

  it('old comment commands explain why they are gone', async () => {
    const result = await sandbox.run(['comment-add', '/a.txt', 'hello']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'skydrive: comment-add: not available, because Microsoft Graph v1.0 has no API for comments on drive items; use the comments in Office documents, or share the item with a link\n',
    );
  });

  it('invalid endpoint', async () => {
    const result = await sandbox.run(['--endpoint', 'graph.example', 'ls']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'skydrive: invalid --endpoint "graph.example": expected the Graph base URL with its version, e.g. http://127.0.0.1:8080/v1.0\n',
    );
  });

  it('endpoint without a Graph version', async () => {
    const result = await sandbox.run(['--endpoint', 'http://127.0.0.1:9/', 'ls']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: invalid --endpoint "http://127.0.0.1:9/": the URL must end with the Graph version, e.g. http://127.0.0.1:9/v1.0\n',
    );
  });

  it('not signed in without a token', async () => {
    const result = await sandbox.run(['ls'], { env: { SKYDRIVE_TOKEN: undefined } });
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: not signed in; run: skydrive auth login, or set SKYDRIVE_TOKEN\n',
    );
  });
});
