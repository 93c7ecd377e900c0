// Every CLI command against the emulator: exact stdout, stderr and exit code,
// in text and --json, for success and for bad input. Values that change per
// run (times, ids, eTags, the port) are masked by `normalise` in harness.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { startTestEmulator, type TestEmulator } from './emulator.ts';
import { createSandbox, normalise, type Sandbox } from './harness.ts';

/** Content hashes of the 3-byte file 'pdf', from the quickxorhash package and `sha1sum`. */
const PDF_HASH = quickXorHash(Buffer.from('pdf'));
const PDF_SHA1 = createHash('sha1').update('pdf').digest('hex').toUpperCase();

/** Folder transfers finish files in any order; compare their lines sorted. */
function sortedLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

describe('skydrive commands', () => {
  let emulator: TestEmulator;
  let sandbox: Sandbox;
  const run = (...args: string[]) => sandbox.run(args);

  before(async () => {
    emulator = await startTestEmulator();
    sandbox = await createSandbox({
      SKYDRIVE_ENDPOINT: emulator.graphUrl,
      SKYDRIVE_TOKEN: emulator.token,
    });
    await writeFile(path.join(sandbox.cwd, 'hello.txt'), 'hello\n');
    const names = path.join(sandbox.cwd, 'names');
    await mkdir(path.join(names, 'proton+'), { recursive: true });
    await writeFile(path.join(names, 'a+b.txt'), 'plus');
    await writeFile(path.join(names, 'Test#1.txt'), 'hash');
    await writeFile(path.join(names, '01 - 2 + 2 = 5.txt'), 'five');
    await writeFile(path.join(names, '50% off.txt'), 'percent');
    await writeFile(path.join(names, 'ünïcødé ✓.txt'), 'unicode');
    await writeFile(path.join(names, 'proton+', 'x.pdf'), 'pdf');
  });

  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('user', async () => {
    const text = await run('user');
    assert.equal(text.stderr, '');
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^name: {10}demo\nsign-in name: {2}demo\nid: {12}[0-9a-f]+\n$/);
    const json = await run('--json', 'user');
    assert.equal(json.code, 0);
    assert.equal(
      normalise(json.stdout),
      '{"id":"<id>","displayName":"demo","userPrincipalName":"demo","mail":null}\n',
    );
  });

  it('quota on an empty drive', async () => {
    const text = await run('quota');
    assert.equal(text.code, 0);
    assert.equal(text.stderr, '');
    assert.equal(
      text.stdout,
      [
        'total:      5.0 GiB',
        'used:       0 B (0.0%)',
        'remaining:  5.0 GiB (100.0%)',
        'deleted:    0 B (0.0%)',
        'state:      normal',
        '',
      ].join('\n'),
    );
    const json = await run('quota', '--json');
    assert.equal(
      json.stdout,
      '{"total":5368709120,"used":0,"remaining":5368709120,"deleted":0,"state":"normal","fileCount":null}\n',
    );
  });

  it('mkdir creates a folder', async () => {
    const text = await run('mkdir', '/docs');
    assert.deepEqual(text, { code: 0, stdout: 'created folder /docs\n', stderr: '' });
    const json = await run('--json', 'mkdir', '-p', '/docs/deep/er');
    assert.equal(json.code, 0);
    assert.equal(
      normalise(json.stdout),
      '{"id":"<id>","name":"er","path":"/docs/deep/er","type":"folder","size":0,"created":"<time>","modified":"<time>","eTag":"<etag>","mimeType":null,"quickXorHash":null,"sha1Hash":null,"childCount":0,"parentId":"<id>","webUrl":"<url>"}\n',
    );
    const quiet = await run('-q', 'mkdir', '-p', '/docs/deep');
    assert.deepEqual(quiet, { code: 0, stdout: '', stderr: '' });
  });

  it('mkdir of an existing folder without -p', async () => {
    const result = await run('mkdir', '/docs');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: /docs: already exists (409 nameAlreadyExists); use mkdir -p to accept an existing folder\n',
    );
  });

  it('mkdir without its parent', async () => {
    const result = await run('mkdir', '/nope/x');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'skydrive: /nope/x: parent folder /nope not found; create the missing folders with: skydrive mkdir -p /nope/x\n',
    );
  });

  it('put uploads one file', async () => {
    const text = await run('put', 'hello.txt', '/docs');
    assert.deepEqual(text, {
      code: 0,
      stdout: 'uploaded hello.txt -> /docs/hello.txt (6 B)\n',
      stderr: '',
    });
    const json = await run('--json', 'put', 'hello.txt', '/docs/hello-copy.txt');
    assert.equal(json.code, 0);
    assert.equal(
      json.stdout,
      '{"path":"/docs/hello-copy.txt","localPath":"hello.txt","size":6,"bytesSent":6,"resumedFrom":null,"quickXorHash":"aCgDG9jwBgUAAAAABgAAAAAAAAA=","verified":true}\n',
    );
  });

  it('put -n keeps an existing file', async () => {
    await mkdir(path.join(sandbox.cwd, 'v2'), { recursive: true });
    await writeFile(path.join(sandbox.cwd, 'v2', 'hello.txt'), 'second version\n');
    const result = await run('put', '-n', 'v2/hello.txt', '/docs');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: /docs/hello.txt: already exists (409 nameAlreadyExists); use --conflict replace to overwrite it or --conflict rename to keep both\n',
    );
    const info = await run('--json', 'info', '/docs/hello.txt');
    assert.equal(JSON.parse(info.stdout).size, 6);
  });

  it('put --conflict rename keeps both', async () => {
    const result = await run('put', '--conflict', 'rename', 'v2/hello.txt', '/docs');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'uploaded v2/hello.txt -> /docs/hello 1.txt (15 B)\n');
  });

  it('put -r keeps special names exact', async () => {
    const result = await run('put', '-r', 'names', '/docs');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.deepEqual(sortedLines(result.stdout), [
      'uploaded 6 files, 29 B',
      'uploaded names/01 - 2 + 2 = 5.txt -> /docs/names/01 - 2 + 2 = 5.txt (4 B)',
      'uploaded names/50% off.txt -> /docs/names/50% off.txt (7 B)',
      'uploaded names/Test#1.txt -> /docs/names/Test#1.txt (4 B)',
      'uploaded names/a+b.txt -> /docs/names/a+b.txt (4 B)',
      'uploaded names/proton+/x.pdf -> /docs/names/proton+/x.pdf (3 B)',
      'uploaded names/ünïcødé ✓.txt -> /docs/names/ünïcødé ✓.txt (7 B)',
    ]);
    assert.equal(result.stdout.split('\n').at(-2), 'uploaded 6 files, 29 B');
  });

  it('put -r --json prints one line per file', async () => {
    const result = await run('--json', 'put', '-r', 'names', '/docs');
    assert.equal(result.code, 0);
    const lines = sortedLines(result.stdout).map((line) => JSON.parse(line));
    assert.equal(lines.length, 6);
    assert.deepEqual(
      lines.find((line) => line.path === '/docs/names/a+b.txt'),
      {
        path: '/docs/names/a+b.txt',
        localPath: 'names/a+b.txt',
        size: 4,
        bytesSent: 4,
        resumedFrom: null,
        quickXorHash: quickXorHash(Buffer.from('plus')),
        verified: true,
      },
    );
  });

  it('put to a missing remote folder', async () => {
    const result = await run('put', '-r', 'names', '/missing');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: /missing: remote folder not found; create it with: skydrive mkdir -p /missing\n',
    );
  });

  it('put updates a case-only match', async () => {
    await mkdir(path.join(sandbox.cwd, 'case'), { recursive: true });
    await writeFile(path.join(sandbox.cwd, 'case', 'File.txt'), 'old');
    await writeFile(path.join(sandbox.cwd, 'file.txt'), 'newer');
    assert.equal((await run('put', 'case/File.txt', '/docs')).code, 0);
    const result = await run('put', 'file.txt', '/docs');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'uploaded file.txt -> /docs/File.txt (5 B)\n');
    const listing = await run('ls', '/docs');
    assert.equal(
      listing.stdout.split('\n').filter((name) => name.toLowerCase() === 'file.txt').length,
      1,
    );
  });

  it('ls lists names, folders with a slash', async () => {
    const result = await run('ls', '/docs/names');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.deepEqual(sortedLines(result.stdout), [
      '01 - 2 + 2 = 5.txt',
      '50% off.txt',
      'Test#1.txt',
      'a+b.txt',
      'proton+/',
      'ünïcødé ✓.txt',
    ]);
  });

  it('ls -l prints aligned columns', async () => {
    const result = await run('ls', '-l', '/docs/names/proton+');
    assert.equal(result.code, 0);
    assert.equal(normalise(result.stdout), 'file           3 B  <time>  x.pdf\n');
    const folder = await run('ls', '-l', '/docs/deep');
    assert.equal(normalise(folder.stdout), 'folder         0 B  <time>  er/\n');
  });

  it('ls -r prints paths below the folder', async () => {
    const result = await run('ls', '-r', '/docs/names');
    assert.equal(result.code, 0);
    assert.deepEqual(sortedLines(result.stdout), [
      '01 - 2 + 2 = 5.txt',
      '50% off.txt',
      'Test#1.txt',
      'a+b.txt',
      'proton+/',
      'proton+/x.pdf',
      'ünïcødé ✓.txt',
    ]);
  });

  it('ls --json prints NDJSON', async () => {
    const result = await run('--json', 'ls', '/docs/names/proton+');
    assert.equal(result.code, 0);
    assert.equal(
      normalise(result.stdout),
      `{"id":"<id>","name":"x.pdf","path":"/docs/names/proton+/x.pdf","type":"file","size":3,"created":"<time>","modified":"<time>","eTag":"<etag>","mimeType":"application/pdf","quickXorHash":"${PDF_HASH}","sha1Hash":"${PDF_SHA1}","childCount":null,"parentId":"<id>","webUrl":"<url>"}\n`,
    );
  });

  it('ls --top limits the entries', async () => {
    const result = await run('ls', '--top', '2', '/docs/names');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.split('\n').filter((line) => line !== '').length, 2);
  });

  it('ls of a file prints the file', async () => {
    const result = await run('ls', '/docs/hello.txt');
    assert.deepEqual(result, { code: 0, stdout: 'hello.txt\n', stderr: '' });
  });

  it('ls of a missing folder', async () => {
    const result = await run('ls', '/docs/nothing');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr: 'skydrive: /docs/nothing: not found; check the path with: skydrive ls /docs\n',
    });
  });

  it('tree draws the folder sorted by name', async () => {
    const result = await run('tree', '/docs/names');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      [
        '/docs/names/',
        '├── 01 - 2 + 2 = 5.txt',
        '├── 50% off.txt',
        '├── a+b.txt',
        '├── proton+/',
        '│   └── x.pdf',
        '├── Test#1.txt',
        '└── ünïcødé ✓.txt',
        '',
        '1 folder, 6 files, 29 B',
        '',
      ].join('\n'),
    );
    const json = await run('--json', 'tree', '/docs/names');
    assert.equal(json.code, 0);
    const paths = sortedLines(json.stdout).map((line) => JSON.parse(line).path);
    assert.deepEqual(paths.sort(), [
      '/docs/names/01 - 2 + 2 = 5.txt',
      '/docs/names/50% off.txt',
      '/docs/names/Test#1.txt',
      '/docs/names/a+b.txt',
      '/docs/names/proton+',
      '/docs/names/proton+/x.pdf',
      '/docs/names/ünïcødé ✓.txt',
    ]);
  });

  it('info prints metadata', async () => {
    const result = await run('info', '/docs/hello.txt');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(
      normalise(result.stdout),
      [
        'name:          hello.txt',
        'path:          /docs/hello.txt',
        'type:          file',
        'size:          6 B (6 bytes)',
        'modified:      <time>',
        'created:       <time>',
        'mime type:     text/plain',
        'quickXorHash:  aCgDG9jwBgUAAAAABgAAAAAAAAA=',
        `sha1Hash:      ${createHash('sha1').update('hello\n').digest('hex').toUpperCase()}`,
        'id:            <id>',
        'eTag:          <etag>',
        'web URL:       <url>',
        '',
      ].join('\n'),
    );
    const json = await run('--json', 'info', 'docs/hello.txt');
    const item = JSON.parse(json.stdout);
    assert.equal(item.path, '/docs/hello.txt');
    assert.equal(item.size, 6);
    assert.equal(item.quickXorHash, 'aCgDG9jwBgUAAAAABgAAAAAAAAA=');
  });

  it('info by id, prefixed or -i', async () => {
    const id = JSON.parse((await run('--json', 'info', '/docs/hello.txt')).stdout).id as string;
    const prefixed = await run('--json', 'info', `id:${id}`);
    assert.equal(JSON.parse(prefixed.stdout).path, '/docs/hello.txt');
    const forced = await run('-i', '--json', 'info', id);
    assert.equal(JSON.parse(forced.stdout).path, '/docs/hello.txt');
    const asPath = await run('-p', 'info', id);
    assert.equal(asPath.code, 1);
    assert.equal(asPath.stderr, `skydrive: ${id}: not found; check the path with: skydrive ls /\n`);
  });

  it('get downloads a file', async () => {
    const result = await run('get', '/docs/hello.txt');
    assert.deepEqual(result, {
      code: 0,
      stdout: 'downloaded /docs/hello.txt -> hello.txt (6 B)\n',
      stderr: '',
    });
    assert.equal(await readFile(path.join(sandbox.cwd, 'hello.txt'), 'utf8'), 'hello\n');
    const json = await run('--json', 'get', '/docs/hello.txt', 'v2');
    assert.equal(
      json.stdout,
      '{"path":"/docs/hello.txt","localPath":"v2/hello.txt","size":6,"bytesReceived":6,"resumedFrom":null,"quickXorHash":"aCgDG9jwBgUAAAAABgAAAAAAAAA=","verified":true}\n',
    );
    assert.equal(await readFile(path.join(sandbox.cwd, 'v2', 'hello.txt'), 'utf8'), 'hello\n');
  });

  it('get --range writes those bytes to stdout', async () => {
    const result = await run('get', '--range', '1-3', '/docs/hello.txt', '-');
    assert.deepEqual(result, { code: 0, stdout: 'ell', stderr: '' });
    const open = await run('get', '--range', '4-', '/docs/hello.txt', '-');
    assert.deepEqual(open, { code: 0, stdout: 'o\n', stderr: '' });
  });

  it('get --range beyond the end', async () => {
    const result = await run('get', '--range', '6-9', '/docs/hello.txt', 'part.txt');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: /docs/hello.txt: --range starts at byte 6 but the file has 6 bytes; the last byte is 5\n',
    });
  });

  it('get of a folder without -r', async () => {
    const result = await run('get', '/docs/names');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr: 'skydrive: /docs/names: is a folder; use get -r to download folders\n',
    });
  });

  it('get of a missing file creates nothing', async () => {
    const result = await run('get', '/docs/absent.txt');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr: 'skydrive: /docs/absent.txt: not found; check the path with: skydrive ls /docs\n',
    });
    await assert.rejects(readFile(path.join(sandbox.cwd, 'absent.txt')), { code: 'ENOENT' });
  });

  it('get -r downloads a folder', async () => {
    const result = await run('get', '-r', '/docs/names', 'copy');
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.deepEqual(sortedLines(result.stdout), [
      'downloaded /docs/names/01 - 2 + 2 = 5.txt -> copy/01 - 2 + 2 = 5.txt (4 B)',
      'downloaded /docs/names/50% off.txt -> copy/50% off.txt (7 B)',
      'downloaded /docs/names/Test#1.txt -> copy/Test#1.txt (4 B)',
      'downloaded /docs/names/a+b.txt -> copy/a+b.txt (4 B)',
      'downloaded /docs/names/proton+/x.pdf -> copy/proton+/x.pdf (3 B)',
      'downloaded /docs/names/ünïcødé ✓.txt -> copy/ünïcødé ✓.txt (7 B)',
      'downloaded 6 files, 29 B',
    ]);
    assert.equal(await readFile(path.join(sandbox.cwd, 'copy', 'proton+', 'x.pdf'), 'utf8'), 'pdf');
    assert.equal(
      await readFile(path.join(sandbox.cwd, 'copy', 'ünïcødé ✓.txt'), 'utf8'),
      'unicode',
    );
  });

  it('cp into folder and to new name', async () => {
    await run('mkdir', '/archive');
    const into = await run('cp', '/docs/hello.txt', '/archive');
    assert.deepEqual(into, {
      code: 0,
      stdout: 'copied /docs/hello.txt -> /archive/hello.txt\n',
      stderr: '',
    });
    const json = await run('--json', 'cp', '/docs/hello.txt', '/archive/hello-2.txt');
    assert.equal(json.code, 0);
    assert.equal(
      normalise(json.stdout),
      '{"id":"<id>","name":"hello-2.txt","path":"/archive/hello-2.txt","type":"file","size":6,"created":"<time>","modified":"<time>","eTag":"<etag>","mimeType":"text/plain","quickXorHash":"aCgDG9jwBgUAAAAABgAAAAAAAAA=","sha1Hash":"' +
        createHash('sha1').update('hello\n').digest('hex').toUpperCase() +
        '","childCount":null,"parentId":"<id>","webUrl":"<url>"}\n',
    );
    const renamed = await run('cp', '/docs/hello.txt', '/archive/greeting.txt');
    assert.deepEqual(renamed, {
      code: 0,
      stdout: 'copied /docs/hello.txt -> /archive/greeting.txt\n',
      stderr: '',
    });
  });

  it('cp onto an existing file', async () => {
    const result = await run('cp', '/docs/hello.txt', '/archive/greeting.txt');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: /archive/greeting.txt: already exists; remove it first or choose another name\n',
    });
  });

  it('cp into a folder that has the name', async () => {
    const result = await run('cp', '/docs/hello.txt', '/archive');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^skydrive: \/archive\/hello\.txt: already exists/);
  });

  it('cp of a missing item', async () => {
    const result = await run('cp', '/docs/absent.txt', '/archive');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'skydrive: /docs/absent.txt: not found; check the path with: skydrive ls /docs\n',
    );
  });

  it('mv renames and moves', async () => {
    const renamed = await run('mv', '/archive/greeting.txt', '/archive/welcome.txt');
    assert.deepEqual(renamed, {
      code: 0,
      stdout: 'moved /archive/greeting.txt -> /archive/welcome.txt\n',
      stderr: '',
    });
    const moved = await run('--json', 'mv', '/archive/welcome.txt', '/docs');
    assert.equal(moved.code, 0);
    assert.equal(JSON.parse(moved.stdout).path, '/docs/welcome.txt');
  });

  it('mv with an invalid new name changes nothing', async () => {
    const result = await run('mv', '/docs/welcome.txt', '/docs/wel?come.txt');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: /docs/wel?come.txt: invalid name "wel?come.txt": a name cannot contain "?" (reserved: " * : < > ? / \\ |); rename it and try again\n',
    });
    assert.equal((await run('info', '/docs/welcome.txt')).code, 0);
  });

  it('rm of a non-empty folder needs -r', async () => {
    const result = await run('rm', '/archive');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: /archive: folder is not empty; use rm -r to delete it with everything in it\nskydrive: nothing was deleted\n',
    });
    assert.equal((await run('info', '/archive/hello.txt')).code, 0);
  });

  it('rm with one missing item deletes nothing', async () => {
    const result = await run('rm', '/docs/welcome.txt', '/docs/absent.txt');
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: /docs/absent.txt: not found; check the path with: skydrive ls /docs\nskydrive: nothing was deleted\n',
    });
    assert.equal((await run('info', '/docs/welcome.txt')).code, 0);
  });

  it('rm deletes files and, with -r, folders', async () => {
    const file = await run('rm', '/docs/welcome.txt');
    assert.deepEqual(file, { code: 0, stdout: 'removed /docs/welcome.txt\n', stderr: '' });
    const folder = await run('--json', 'rm', '-r', '/archive');
    assert.equal(folder.code, 0);
    assert.equal(normalise(folder.stdout), '{"path":"/archive","id":"<id>","removed":true}\n');
    assert.equal((await run('info', '/archive')).code, 1);
  });

  it('ls pages through a folder of 205 items', async () => {
    const many = path.join(sandbox.cwd, 'many');
    await mkdir(many);
    for (let index = 0; index < 205; index += 1) {
      await writeFile(path.join(many, `f${String(index).padStart(3, '0')}.txt`), '');
    }
    const upload = await run('-q', 'put', '-r', 'many', '/');
    assert.deepEqual(upload, { code: 0, stdout: '', stderr: '' });
    const listing = await run('ls', '/many');
    assert.equal(listing.code, 0);
    const names = sortedLines(listing.stdout);
    assert.equal(names.length, 205);
    assert.equal(new Set(names).size, 205);
  });

  it('--debug prints each request without the token', async () => {
    const result = await run('--debug', 'info', '/docs/hello.txt');
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^debug: GET http:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/drive\/root:\/docs\/hello\.txt -> 200 request-id \S+ \d+ ms\n$/,
    );
    assert.equal(result.stderr.includes(emulator.token), false);
  });

  it('--debug hides pre-authenticated download paths', async () => {
    const result = await run('--debug', 'get', '/docs/hello.txt', 'debug-copy.txt');
    assert.equal(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    const download = lines.filter((line) => !line.includes('/v1.0/'));
    assert.equal(download.length, 1);
    assert.match(
      download[0] ?? '',
      /^debug: GET http:\/\/127\.0\.0\.1:\d+\/[^/ ]+\/<redacted> -> 200 /,
    );
    assert.equal(result.stderr.includes(emulator.token), false);
  });

  it('a rejected token exits 4', async () => {
    const result = await sandbox.run(['ls'], { env: { SKYDRIVE_TOKEN: 'not-a-token' } });
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: the service rejected the access token (401 InvalidAuthenticationToken); the token comes from SKYDRIVE_TOKEN: set a valid one, or unset it to use the saved sign-in (skydrive auth login)\n',
    );
  });
});
