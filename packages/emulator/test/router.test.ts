import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphError } from '../src/errors.ts';
import { parseRange } from '../src/handlers/preauth.ts';
import { renameCandidates, validateName } from '../src/model/names.ts';
import { parseRoute } from '../src/router.ts';

describe('Graph URL grammar', () => {
  const cases: Array<[string, unknown]> = [
    ['/v1.0/me', { kind: 'me' }],
    ['/v1.0/me/drive', { kind: 'drive', drive: { kind: 'me' } }],
    ['/v1.0/drives/abc', { kind: 'drive', drive: { kind: 'id', driveId: 'abc' } }],
    ['/v1.0/users/alice/drive', { kind: 'drive', drive: { kind: 'user', userId: 'alice' } }],
    [
      '/v1.0/me/drive/root',
      { kind: 'item', drive: { kind: 'me' }, base: { kind: 'root' }, path: [], action: [] },
    ],
    [
      '/v1.0/me/drive/items/root/children',
      {
        kind: 'item',
        drive: { kind: 'me' },
        base: { kind: 'root' },
        path: [],
        action: ['children'],
      },
    ],
    [
      '/v1.0/me/drive/root:/a/b',
      { kind: 'item', drive: { kind: 'me' }, base: { kind: 'root' }, path: ['a', 'b'], action: [] },
    ],
    [
      '/v1.0/me/drive/root:/a/b:',
      { kind: 'item', drive: { kind: 'me' }, base: { kind: 'root' }, path: ['a', 'b'], action: [] },
    ],
    [
      '/v1.0/drives/d1/items/X!5:/rel/f.txt:/content',
      {
        kind: 'item',
        drive: { kind: 'id', driveId: 'd1' },
        base: { kind: 'id', itemId: 'X!5' },
        path: ['rel', 'f.txt'],
        action: ['content'],
      },
    ],
    [
      '/v1.0/me/drive/items/X%215/children',
      {
        kind: 'item',
        drive: { kind: 'me' },
        base: { kind: 'id', itemId: 'X!5' },
        path: [],
        action: ['children'],
      },
    ],
  ];
  for (const [path, expected] of cases) {
    it(`parses ${path}`, () => {
      assert.deepEqual(parseRoute(path), expected);
    });
  }

  it('decodes %23 to # and keeps + as +', () => {
    const route = parseRoute('/v1.0/me/drive/root:/dir%23x/a+b%2Bc%20d.txt:/content');
    assert.ok(route.kind === 'item');
    assert.deepEqual(route.path, ['dir#x', 'a+b+c d.txt']);
  });

  it('decodes each segment exactly once', () => {
    const route = parseRoute('/v1.0/me/drive/root:/100%2525.txt');
    assert.ok(route.kind === 'item');
    assert.deepEqual(route.path, ['100%25.txt']);
  });

  it('rejects malformed percent-encoding with 400', () => {
    assert.throws(
      () => parseRoute('/v1.0/me/drive/root:/bad%zz.txt'),
      (error: unknown) => error instanceof GraphError && error.status === 400,
    );
  });

  it('names unsupported features', () => {
    assert.deepEqual(parseRoute('/v1.0/me/drive/sharedWithMe'), {
      kind: 'unsupported',
      feature: 'sharedWithMe',
      auth: true,
    });
    assert.deepEqual(parseRoute('/v1.0/me/drive/bundles'), {
      kind: 'unsupported',
      feature: 'bundles',
      auth: true,
    });
  });

  it('routes the token endpoint for any tenant', () => {
    assert.deepEqual(parseRoute('/consumers/oauth2/v2.0/token'), {
      kind: 'token',
      tenant: 'consumers',
    });
  });

  it('treats other paths as unknown', () => {
    assert.equal(parseRoute('/beta/me').kind, 'unknown');
    assert.equal(parseRoute('/v1.0/me/drive/root/children:/x').kind, 'unknown');
    assert.equal(parseRoute('/v1.0/sites/x').kind, 'unknown');
  });
});

describe('Range header', () => {
  const cases: Array<[string | undefined, number, ReturnType<typeof parseRange>]> = [
    [undefined, 10, undefined],
    ['bytes=0-3', 10, { start: 0, end: 3 }],
    ['bytes=5-', 10, { start: 5, end: 9 }],
    ['bytes=-4', 10, { start: 6, end: 9 }],
    ['bytes=-40', 10, { start: 0, end: 9 }],
    ['bytes=8-100', 10, { start: 8, end: 9 }],
    ['bytes=10-', 10, 'unsatisfiable'],
    ['bytes=-0', 10, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=5-2', 10, undefined],
    ['bytes=0-1,4-5', 10, undefined],
    ['items=0-1', 10, undefined],
  ];
  for (const [header, size, expected] of cases) {
    it(`${header ?? 'no header'} on ${size} bytes`, () => {
      assert.deepEqual(parseRange(header, size), expected);
    });
  }
});

describe('name rules', () => {
  const rejected = [
    ' a.txt',
    'a.txt ',
    'a:b.txt',
    'a|b.txt',
    'CON',
    'lpt1',
    'desktop.ini',
    'x_vti_y',
    '~$tmp.docx',
    'a\tb',
  ];
  for (const name of rejected) {
    it(`rejects ${JSON.stringify(name)}`, () => {
      assert.throws(() => validateName(name, 'file'), GraphError);
    });
  }

  it('rejects a folder ending in a dot but not a file', () => {
    assert.throws(() => validateName('folder.', 'folder'), GraphError);
    assert.doesNotThrow(() => validateName('file.', 'file'));
  });

  it('accepts a leading ideographic space', () => {
    assert.doesNotThrow(() => validateName('\u3000a.txt', 'file'));
  });

  it('rename suffix goes before the extension', () => {
    const files = renameCandidates('report.final.txt', false);
    assert.equal(files.next().value, 'report.final 1.txt');
    assert.equal(files.next().value, 'report.final 2.txt');
    assert.equal(renameCandidates('My.Folder', true).next().value, 'My.Folder 1');
    assert.equal(renameCandidates('.hidden', false).next().value, '.hidden 1');
  });
});
