import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SkydriveError } from '../../src/errors.ts';
import {
  childUrlPath,
  encodePath,
  encodeSegment,
  itemUrlPath,
  queryString,
} from '../../src/graph/url.ts';

const byPath = (path: string) => ({ kind: 'path', path }) as const;

describe('graph URL building', () => {
  it('escapes # in names', () => {
    assert.equal(
      itemUrlPath(byPath('/Test#1.txt'), 'content'),
      '/me/drive/root:/Test%231.txt:/content',
    );
    assert.equal(itemUrlPath(byPath('/#1.txt'), 'content'), '/me/drive/root:/%231.txt:/content');
    assert.equal(itemUrlPath(byPath('/a#')), '/me/drive/root:/a%23');
  });

  it('escapes # in a folder segment and keeps the separators', () => {
    assert.equal(
      itemUrlPath(byPath('/dir#x/file.txt'), 'content'),
      '/me/drive/root:/dir%23x/file.txt:/content',
    );
  });

  it('sends + as %2B so no server reads it as a space', () => {
    assert.equal(encodeSegment('a+b.txt'), 'a%2Bb.txt');
    assert.equal(encodeSegment('01 - 2 + 2 = 5.txt'), '01%20-%202%20%2B%202%20%3D%205.txt');
    assert.equal(encodePath('/proton+/x.pdf'), '/proton%2B/x.pdf');
  });

  it('escapes %, space and a colon inside a name', () => {
    assert.equal(encodeSegment('estimate%s.docx'), 'estimate%25s.docx');
    assert.equal(encodeSegment("Ryan's Files"), "Ryan's%20Files");
    assert.equal(encodeSegment('a:b'), 'a%3Ab');
  });

  it('encodes non-ASCII names as UTF-8 and round-trips them', () => {
    for (const name of ['résumé.txt', '日本語.txt', '\u3000a.txt', '😀.png']) {
      const encoded = encodeSegment(name);
      assert.match(encoded, /^[A-Za-z0-9%._~!'()*-]+$/);
      assert.equal(decodeURIComponent(encoded), name);
    }
    assert.equal(encodeSegment('é'), '%C3%A9');
  });

  it('refuses a name with an unpaired surrogate', () => {
    assert.throws(
      () => encodeSegment('a\ud800b'),
      (error: unknown) => error instanceof SkydriveError && error.code === 'INVALID_NAME',
    );
  });

  it('addresses the root, ids and paths', () => {
    assert.equal(itemUrlPath(byPath('/')), '/me/drive/root');
    assert.equal(itemUrlPath(byPath('/'), 'children'), '/me/drive/root/children');
    assert.equal(
      itemUrlPath({ kind: 'id', id: 'ABC!12' }, 'children'),
      '/me/drive/items/ABC!12/children',
    );
    assert.equal(itemUrlPath(byPath('/a b/c')), '/me/drive/root:/a%20b/c');
  });

  it('addresses a new child under a parent id or path', () => {
    assert.equal(
      childUrlPath({ kind: 'id', id: 'P!1' }, 'a#b.txt', 'content'),
      '/me/drive/items/P!1:/a%23b.txt:/content',
    );
    assert.equal(
      childUrlPath(byPath('/'), 'a+b.txt', 'content'),
      '/me/drive/root:/a%2Bb.txt:/content',
    );
    assert.equal(childUrlPath(byPath('/d'), 'x', 'content'), '/me/drive/root:/d/x:/content');
  });

  it('builds query strings from defined values only', () => {
    assert.equal(
      queryString({ $top: 5, $orderby: 'name desc', skip: undefined }),
      '?$top=5&$orderby=name%20desc',
    );
    assert.equal(queryString({}), '');
    assert.equal(
      queryString({ '@microsoft.graph.conflictBehavior': 'fail' }),
      '?@microsoft.graph.conflictBehavior=fail',
    );
  });
});
