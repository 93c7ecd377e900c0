// The drive feature commands against the emulator: set, link, share, search,
// recent, changes, thumbnails, versions, restore, rm --permanent, special
// folders and OneNote packages. Exact stdout, stderr and exit codes, with
// per-run values masked by `mask`.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gradientPng } from '../lib/helpers/png.ts';
import { startTestEmulator, type TestEmulator } from './emulator.ts';
import { createSandbox, normalise, type Sandbox } from './harness.ts';

/**
 * `normalise` plus the random parts of this file's output: sharing-link and
 * thumbnail URL tokens, permission ids, change tokens and item ids in text.
 */
function mask(text: string): string {
  return normalise(text)
    .replace(/\/s\/[A-Za-z0-9_-]+/g, '/s/<token>')
    .replace(/\/thumbnails\/[A-Za-z0-9_-]+/g, '/thumbnails/<token>')
    .replace(/^(id: +).*$/gm, '$1<id>')
    .replace(/^[A-Za-z0-9_-]{16}(?= )/gm, '<perm>')
    .replace(/permission [A-Za-z0-9_-]{16}/g, 'permission <perm>')
    .replace(/"(nextToken)":"[^"]*"/g, '"$1":"<token>"')
    .replace(/^next token: .+$/gm, 'next token: <token>')
    .replace(/id:[0-9A-F]+![0-9]+/g, 'id:<id>')
    .replace(/"(created|modified)":"[^"]*"/g, '"$1":"<time>"')
    .replace(/"(quickXorHash|sha1Hash)":"[^"]*"/g, '"$1":"<hash>"');
}

describe('drive feature commands', () => {
  let emulator: TestEmulator;
  let sandbox: Sandbox;
  let controlUrl: string;
  const run = (...args: string[]) => sandbox.run(args);
  const control = async (route: string, body: unknown) => {
    const response = await fetch(`${controlUrl}/_emulator/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.status < 300, `${route}: ${response.status} ${await response.text()}`);
  };

  before(async () => {
    emulator = await startTestEmulator();
    controlUrl = emulator.graphUrl.replace(/\/v1\.0$/, '');
    sandbox = await createSandbox({
      SKYDRIVE_ENDPOINT: emulator.graphUrl,
      SKYDRIVE_TOKEN: emulator.token,
    });
    await writeFile(path.join(sandbox.cwd, 'a.txt'), 'apple pie\n');
    await writeFile(path.join(sandbox.cwd, 'pic.png'), gradientPng(400, 200));
    for (const args of [
      ['mkdir', '/Docs'],
      ['put', 'a.txt', '/Docs/'],
      ['put', 'pic.png', '/Docs/'],
    ]) {
      const result = await run(...args);
      assert.equal(result.code, 0, result.stderr);
    }
  });

  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('help lists every drive command', async () => {
    const result = await run('--help');
    assert.equal(result.code, 0);
    for (const name of [
      'set',
      'link',
      'share',
      'search',
      'recent',
      'changes',
      'thumbnails',
      'versions',
      'restore',
    ]) {
      assert.match(result.stdout, new RegExp(`^  ${name}[ |]`, 'm'), name);
    }
  });

  it('recent falls back to delta on an empty drive list', async () => {
    await control('faults', {
      method: 'GET',
      path: '/recent$',
      fault: { type: 'status', status: 404 },
    });
    const result = await run('--debug', 'recent');
    assert.equal(result.code, 0);
    assert.equal(
      mask(result.stdout),
      'file     107.2 KiB  <time>  /Docs/pic.png\nfile          10 B  <time>  /Docs/a.txt\n',
    );
    assert.match(
      result.stderr,
      /^debug: recent: GET \/me\/drive\/recent failed with 404 itemNotFound; listed by delta over the whole drive, sorted by lastModifiedDateTime$/m,
    );
  });

  it('recent lists by the recent API', async () => {
    const text = await run('--debug', 'recent', '--top', '1');
    assert.equal(text.code, 0);
    assert.equal(mask(text.stdout), 'file     107.2 KiB  <time>  /Docs/pic.png\n');
    assert.match(text.stderr, /^debug: recent: listed by GET \/me\/drive\/recent$/m);
    const json = await run('--json', 'recent', '--top', '1');
    assert.equal(json.code, 0);
    assert.equal(JSON.parse(json.stdout).path, '/Docs/pic.png');
  });

  it('set changes name, description and mtime', async () => {
    const text = await run(
      'set',
      '/Docs/a.txt',
      'name=b.txt',
      'description=for lunch',
      'mtime=2026-01-02T03:04:05Z',
    );
    assert.equal(text.stderr, '');
    assert.equal(text.code, 0);
    assert.equal(text.stdout, 'updated /Docs/b.txt: name, description, fileSystemInfo\n');
    const info = await run('info', '/Docs/b.txt');
    assert.match(info.stdout, /^description: +for lunch$/m);

    const json = await run('set', '/Docs/b.txt', '--json', '{"name":"a.txt"}');
    assert.equal(json.code, 0);
    const item = JSON.parse(json.stdout);
    assert.equal(item.path, '/Docs/a.txt');

    const alias = await run('info_set', '/Docs/a.txt', 'description=alias');
    assert.equal(alias.code, 0);
    assert.equal(alias.stdout, 'updated /Docs/a.txt: description\n');
  });

  it('set with a stale eTag explains the 412', async () => {
    const result = await run('set', '/Docs/a.txt', 'name=c.txt', '--if-match', '"{0},1"');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'skydrive: /Docs/a.txt: the item changed since --if-match "{0},1" was read (412 resourceModified); get the current eTag with: skydrive info /Docs/a.txt\n',
    );
  });

  it('set rejects bad input', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['set', '/Docs/a.txt'],
        `skydrive: nothing to set; give key=value pairs or a JSON object such as '{"description":"x"}'\n`,
      ],
      [
        ['set', '/Docs/a.txt', 'colour=red'],
        'skydrive: unknown key "colour"; keys: name, description, mtime, ctime\n',
      ],
      [
        ['set', '/Docs/a.txt', 'mtime=yesterday'],
        'skydrive: mtime "yesterday" must be an ISO 8601 time with a zone, e.g. 2026-12-04T20:10:00Z\n',
      ],
      [
        ['set', '/Docs/a.txt', '{oops'],
        `skydrive: invalid JSON object "{oops"; quote it for the shell, e.g. '{"description":"x"}'\n`,
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    const computed = await run('set', '/Docs/a.txt', '{"size":1}');
    assert.equal(computed.code, 1);
    assert.equal(
      computed.stderr,
      'skydrive: /Docs/a.txt: size is computed by the service and cannot be set; writable properties include name, description and fileSystemInfo\n',
    );
  });

  it('link creates, then returns the existing link', async () => {
    const first = await run('link', '/Docs/a.txt');
    assert.equal(first.stderr, '');
    assert.equal(first.code, 0);
    assert.equal(
      mask(first.stdout),
      [
        'url:       http://127.0.0.1:<port>/s/<token>',
        'type:      view',
        'scope:     anonymous',
        'roles:     read',
        'expires:   never',
        'password:  no',
        'id:        <id>',
        'existing:  no',
        '',
      ].join('\n'),
    );
    const again = await run('--json', 'link', '/Docs/a.txt');
    const link = JSON.parse(again.stdout);
    assert.equal(link.created, false);
    assert.equal(link.type, 'view');

    // Anyone with the URL can download, without any token.
    const download = await fetch(link.webUrl);
    assert.equal(download.status, 200);
    assert.equal(await download.text(), 'apple pie\n');
  });

  it('link embed and options', async () => {
    const embed = await run('--json', 'link', '-t', 'embed', '/Docs/pic.png');
    assert.equal(embed.code, 0);
    assert.match(JSON.parse(embed.stdout).webHtml, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/s\//);
    const guarded = await run(
      '--json',
      'link',
      '-t',
      'edit',
      '--password',
      'pw',
      '--expires',
      '7d',
      '/Docs',
    );
    assert.equal(guarded.code, 0);
    const permission = JSON.parse(guarded.stdout);
    assert.equal(permission.hasPassword, true);
    assert.deepEqual(permission.roles, ['write']);
    assert.notEqual(permission.expires, null);
  });

  it('link rejects bad input', async () => {
    const badType = await run('link', '-t', 'print', '/Docs/a.txt');
    assert.equal(badType.code, 2);
    assert.equal(
      badType.stderr,
      "skydrive: option '-t, --type <type>' argument 'print' is invalid: --type must be one of view, edit, embed\nsee: skydrive link --help\n",
    );

    const past = await run('link', '--expires', '2020-01-01', '/Docs/a.txt');
    assert.equal(past.code, 2);
    assert.equal(
      past.stderr,
      'skydrive: --expires "2020-01-01" is in the past; give a later time or a duration such as 7d\n',
    );

    const root = await run('link', '/');
    assert.equal(root.code, 1);
    assert.equal(
      root.stderr,
      'skydrive: /: a link cannot be added to the root folder of a personal drive; share a folder or file inside it\n',
    );

    const embedFolder = await run('link', '-t', 'embed', '/Docs');
    assert.equal(embedFolder.code, 1);
    assert.equal(
      embedFolder.stderr,
      'skydrive: /Docs: embed links are for files only; use -t view for a folder\n',
    );

    const missing = await run('link', '/Docs/none.txt');
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'skydrive: /Docs/none.txt: not found; check the path with: skydrive ls /Docs\n',
    );
  });

  it('share invite, list and revoke', async () => {
    await run('mkdir', '/Team');
    await writeFile(path.join(sandbox.cwd, 'plan.txt'), 'plan');
    await run('put', 'plan.txt', '/Team/');

    const invite = await run('share', 'invite', '/Team', 'ana@example.com', '--role', 'write');
    assert.equal(invite.stderr, '');
    assert.equal(invite.code, 0);
    assert.equal(
      mask(invite.stdout),
      'invited ana@example.com to /Team (write): permission <perm>\n',
    );
    const permissionId = /permission (\S+)/.exec(invite.stdout)?.[1] ?? '';

    const list = await run('share', 'list', '/Team/plan.txt');
    assert.equal(list.code, 0);
    assert.equal(
      mask(list.stdout),
      '<perm>  write  user ana@example.com  (inherited from id:<id>)\n',
    );
    const json = await run('--json', 'share', 'list', '/Team');
    assert.equal(
      mask(json.stdout),
      '{"id":"<id>","roles":["write"],"kind":"user","linkType":null,"scope":null,"webUrl":null,"email":"ana@example.com","expires":null,"hasPassword":false,"inheritedFrom":null}\n',
    );

    const inherited = await run('share', 'revoke', '/Team/plan.txt', permissionId);
    assert.equal(inherited.code, 1);
    assert.equal(
      mask(inherited.stderr),
      `skydrive: /Team/plan.txt: permission <perm> is inherited from id:<id>; revoke it there: skydrive share revoke id:<id> ${permissionId}\n`,
    );
    const revoke = await run('share', 'revoke', '/Team', permissionId);
    assert.equal(revoke.code, 0);
    assert.equal(revoke.stdout, `revoked permission ${permissionId} on /Team\n`);
    const empty = await run('share', 'list', '/Team');
    assert.equal(empty.stdout, '/Team: not shared\n');
    const unknown = await run('share', 'revoke', '/Team', permissionId);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      `skydrive: /Team: no permission with id ${permissionId}; list them with: skydrive share list /Team\n`,
    );
  });

  it('share rejects bad input', async () => {
    const email = await run('share', 'invite', '/Team', 'not-an-email');
    assert.equal(email.code, 2);
    assert.equal(
      email.stderr,
      'skydrive: invalid email address "not-an-email": expected name@domain\n',
    );
    const role = await run('share', 'invite', '/Team', 'ana@example.com', '--role', 'owner');
    assert.equal(role.code, 2);
    assert.match(
      role.stderr,
      /--role must be one of read, write\nsee: skydrive share invite --help\n$/,
    );
    const root = await run('share', 'invite', '/', 'ana@example.com');
    assert.equal(root.code, 1);
    assert.equal(
      root.stderr,
      'skydrive: /: permissions cannot be added to the root folder of a personal drive; share a folder or file inside it\n',
    );
  });

  it('search prints paths, long lines and JSON', async () => {
    const text = await run('search', 'apple');
    assert.equal(text.stderr, '');
    assert.equal(text.code, 0);
    assert.equal(text.stdout, '/Docs/a.txt\n');
    const long = await run('search', '-l', 'plan', '/Team');
    assert.equal(mask(long.stdout), 'file           4 B  <time>  /Team/plan.txt\n');
    const json = await run('--json', 'search', 'pic');
    assert.equal(JSON.parse(json.stdout).path, '/Docs/pic.png');
    const none = await run('search', 'no-such-word');
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    const empty = await run('search', ' ');
    assert.equal(empty.code, 2);
    assert.equal(
      empty.stderr,
      'skydrive: the search text is empty; give a word or phrase to look for\n',
    );
  });

  it('changes prints changes since a token', async () => {
    const latest = await run('changes', '--since', 'latest');
    assert.equal(latest.code, 0);
    assert.equal(mask(latest.stdout), 'next token: <token>\n');
    const token = latest.stdout.trim().replace('next token: ', '');

    await writeFile(path.join(sandbox.cwd, 'new.txt'), 'new');
    await run('put', 'new.txt', '/Team/');
    await run('rm', '/Team/plan.txt');
    const text = await run('changes', '--since', token);
    assert.equal(text.stderr, '');
    assert.equal(text.code, 0);
    const lines = mask(text.stdout).split('\n');
    assert.deepEqual(lines.slice(0, -2).sort(), [
      'changed  file     /Team/new.txt',
      'changed  folder   /',
      'changed  folder   /Team',
      'deleted  file     /Team/plan.txt',
    ]);
    assert.equal(lines.at(-2), 'next token: <token>');

    const json = await run('--json', 'changes', '--since', token);
    const objects = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const deleted = objects.find((entry) => entry.deleted === true);
    assert.equal(deleted.name, 'plan.txt');
    assert.equal(deleted.size, null);
    assert.deepEqual(Object.keys(objects.at(-1)), ['nextToken', 'resynced']);
  });

  it('changes restarts after an expired token', async () => {
    const latest = await run('changes', '--since', 'latest');
    const token = latest.stdout.trim().replace('next token: ', '');
    await control('delta/expire', {});
    const result = await run('changes', '--since', token);
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      'skydrive: the change token is no longer valid (410 resyncRequired); listing every item again, so compare them with your copy\n',
    );
    assert.match(result.stdout, /^changed {2}folder {3}\/\n/);
    assert.match(result.stdout, /^changed {2}file {5}\/Docs\/a\.txt$/m);
  });

  it('thumbnails list and save', async () => {
    const list = await run('thumbnails', '/Docs/pic.png');
    assert.equal(list.stderr, '');
    assert.equal(list.code, 0);
    assert.equal(
      mask(list.stdout),
      [
        'small    96x48     http://127.0.0.1:<port>/thumbnails/<token>',
        'medium   176x88    http://127.0.0.1:<port>/thumbnails/<token>',
        'large    400x200   http://127.0.0.1:<port>/thumbnails/<token>',
        '',
      ].join('\n'),
    );
    const save = await run('thumbnails', '/Docs/pic.png', '--size', 'medium', '--out', 'thumb.jpg');
    assert.equal(save.code, 0);
    assert.match(
      save.stdout,
      /^saved the medium thumbnail of \/Docs\/pic\.png to thumb\.jpg \(\d+ bytes\)\n$/,
    );
    const bytes = await readFile(path.join(sandbox.cwd, 'thumb.jpg'));
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);

    const badSize = await run('thumbnails', '/Docs/pic.png', '--size', 'huge');
    assert.equal(badSize.code, 2);
    const none = await run('thumbnails', '/Docs/a.txt');
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      'skydrive: /Docs/a.txt: no thumbnails; the service makes them for images, videos and some documents\n',
    );
  });

  it('versions list and restore', async () => {
    await writeFile(path.join(sandbox.cwd, 'v.txt'), 'one');
    await run('put', 'v.txt', '/');
    await writeFile(path.join(sandbox.cwd, 'v.txt'), 'two!');
    await run('put', 'v.txt', '/');

    const list = await run('versions', '/v.txt');
    assert.equal(list.code, 0);
    assert.equal(
      mask(list.stdout),
      '2.0           4 B  <time>  demo  (current)\n1.0           3 B  <time>  demo\n',
    );

    const restore = await run('versions', 'restore', '/v.txt', '1.0');
    assert.equal(restore.code, 0);
    assert.equal(restore.stdout, 'restored version 1.0 of /v.txt\n');
    const get = await run('get', '/v.txt', '-');
    assert.equal(get.stdout, 'one');

    const json = await run('--json', 'versions', '/v.txt');
    const first = JSON.parse(json.stdout.split('\n')[0] ?? '');
    assert.deepEqual(
      { ...first, modified: typeof first.modified },
      { id: '3.0', size: 3, modified: 'string', modifiedBy: 'demo', current: true },
    );

    const unknown = await run('versions', 'restore', '/v.txt', '7.0');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'skydrive: /v.txt: no version 7.0; list the versions with: skydrive versions /v.txt\n',
    );
    const folder = await run('versions', '/Docs');
    assert.equal(folder.code, 1);
    assert.equal(folder.stderr, 'skydrive: /Docs: not a file; only files have versions\n');
  });

  it('rm --permanent and restore', async () => {
    await writeFile(path.join(sandbox.cwd, 'tmp.txt'), 'temporary');
    await run('put', 'tmp.txt', '/');
    const removed = await run('--json', 'rm', '/tmp.txt');
    const { id } = JSON.parse(removed.stdout);
    const restored = await run('restore', `id:${id}`);
    assert.equal(restored.stderr, '');
    assert.equal(restored.code, 0);
    assert.equal(restored.stdout, 'restored /tmp.txt\n');

    const live = await run('restore', id);
    assert.equal(live.code, 1);
    assert.equal(
      mask(live.stderr),
      'skydrive: id:<id>: not restored (400 invalidRequest); the item is not in the recycle bin, or the folder it came from is gone (restore it with --to FOLDER)\n',
    );

    const permanent = await run('rm', '--permanent', '/tmp.txt');
    assert.equal(permanent.code, 0);
    assert.equal(permanent.stdout, 'permanently removed /tmp.txt\n');
    await run('put', 'tmp.txt', '/');
    const json = await run('--json', 'rm', '--permanent', '/tmp.txt');
    assert.equal(json.code, 0);
    assert.equal(
      normalise(json.stdout),
      '{"path":"/tmp.txt","id":"<id>","removed":true,"permanent":true}\n',
    );
    const gone = await run('restore', id);
    assert.equal(gone.code, 1);
    assert.equal(
      mask(gone.stderr),
      'skydrive: id:<id>: no item with this id, or it was deleted for good; check the id\n',
    );
  });

  it('special folders work as items', async () => {
    const put = await run('put', 'a.txt', 'special:documents');
    assert.equal(put.stderr, '');
    assert.equal(put.code, 0);
    const ls = await run('ls', 'special:documents');
    assert.equal(ls.stdout, 'a.txt\n');
    const info = await run('info', 'special:documents');
    assert.match(info.stdout, /^special folder: +documents$/m);
    const mkdir = await run('mkdir', '-p', 'special:music/Live/2026');
    assert.equal(mkdir.code, 0);
    assert.equal(mkdir.stdout, 'created folder /Music/Live/2026\n');
    const again = await run('mkdir', 'special:music/Live');
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      'skydrive: special:music/Live: already exists (409 nameAlreadyExists); use mkdir -p to accept an existing folder\n',
    );

    const bad = await run('ls', 'special:downloads');
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'skydrive: unknown special folder "special:downloads": use special:NAME with NAME one of documents, photos, cameraroll, approot, music\n',
    );
  });

  it('OneNote packages are listed, refused and skipped', async () => {
    await control('packages', {
      parentPath: '/Docs',
      name: 'Notebook',
      files: [{ name: 'Section.one', content: 'x' }],
    });
    const ls = await run('ls', '-l', '/Docs');
    assert.match(mask(ls.stdout), /^package {8}1 B {2}<time> {2}Notebook$/m);
    const info = await run('info', '/Docs/Notebook');
    assert.match(info.stdout, /^type: +package$/m);
    assert.match(info.stdout, /^package type: +oneNote$/m);

    const get = await run('get', '/Docs/Notebook');
    assert.equal(get.code, 1);
    assert.equal(
      get.stderr,
      "skydrive: /Docs/Notebook: is a OneNote notebook (package), which cannot be downloaded as a file or folder; open it in OneNote, or list its parts with: skydrive ls '/Docs/Notebook'\n",
    );
    const getFolder = await run('get', '-r', '/Docs', 'docs-copy');
    assert.equal(getFolder.code, 0);
    assert.equal(
      getFolder.stderr,
      'skydrive: skipped /Docs/Notebook: a OneNote notebook (package) has no content to download\n',
    );
    await assert.rejects(readFile(path.join(sandbox.cwd, 'docs-copy', 'Notebook', 'Section.one')));
    assert.equal(
      await readFile(path.join(sandbox.cwd, 'docs-copy', 'a.txt'), 'utf8'),
      'apple pie\n',
    );
  });

  it('comments explain that Graph has none', async () => {
    const result = await run('comments', '/Docs/a.txt');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^skydrive: comments: not available, because Microsoft Graph v1\.0 has no API for comments/,
    );
  });
});
