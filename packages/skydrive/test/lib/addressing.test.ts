import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  joinRemotePath,
  parseItemRef,
  validateName,
  validatePath,
} from '../../src/drive/addressing.ts';
import { SkydriveError } from '../../src/errors.ts';

function errorCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof SkydriveError ? error.code : 'not a SkydriveError';
  }
  return undefined;
}

describe('item references', () => {
  it('reads plain strings as normalised paths', () => {
    assert.deepEqual(parseItemRef('a/b'), { kind: 'path', path: '/a/b' });
    assert.deepEqual(parseItemRef('/a//b/'), { kind: 'path', path: '/a/b' });
    assert.deepEqual(parseItemRef(''), { kind: 'path', path: '/' });
    assert.deepEqual(parseItemRef('/'), { kind: 'path', path: '/' });
    assert.deepEqual(parseItemRef({ path: 'x' }), { kind: 'path', path: '/x' });
  });

  it('reads id: strings and { id } as ids', () => {
    assert.deepEqual(parseItemRef('id:XYZ'), { kind: 'id', id: 'XYZ' });
    assert.deepEqual(parseItemRef('id:XYZ', 'path'), { kind: 'id', id: 'XYZ' });
    assert.deepEqual(parseItemRef({ id: 'abc' }), { kind: 'id', id: 'abc' });
  });

  it('reads id-shaped strings as ids only in auto mode', () => {
    const personal = '0123456789abc!123';
    const business = '01NKDM7HMOJTVYMDOSXFDK2QJDXCDI3WUK';
    assert.deepEqual(parseItemRef(personal), { kind: 'id', id: personal });
    assert.deepEqual(parseItemRef(business), { kind: 'id', id: business });
    assert.deepEqual(parseItemRef(personal, 'path'), { kind: 'path', path: `/${personal}` });
    assert.deepEqual(parseItemRef('docs', 'id'), { kind: 'id', id: 'docs' });
  });

  it('keeps lookalikes that break the id rules as paths', () => {
    assert.equal(parseItemRef('0123456789abcdef0!1').kind, 'path');
    assert.equal(parseItemRef('xyz!1').kind, 'path');
    assert.equal(parseItemRef('01nkdm7hmojtvymdosxfdk2qjdxcdi3wuk').kind, 'path');
    assert.equal(parseItemRef('/0123456789abc!123').kind, 'path');
  });

  it('refuses empty ids, dot segments and other values', () => {
    assert.equal(
      errorCode(() => parseItemRef('id:')),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(() => parseItemRef('', 'id')),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(() => parseItemRef('/a/../b')),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(() => parseItemRef(42 as unknown as string)),
      'INVALID_ARGUMENT',
    );
  });

  it('joins remote paths', () => {
    assert.equal(joinRemotePath('/a/', '/b', 'c.txt'), '/a/b/c.txt');
    assert.equal(joinRemotePath('', ''), '/');
  });
});

describe('name validation', () => {
  const rejected = [
    ' a.txt',
    'a.txt ',
    '\ta.txt',
    'folder.',
    'a:b.txt',
    'a|b.txt',
    'a"b',
    'a*b',
    'a<b',
    'a>b',
    'a?b',
    'a\\b',
    'a/b',
    'CON',
    'con',
    'PRN',
    'AUX',
    'NUL',
    'COM0',
    'com9',
    'LPT1',
    '.lock',
    'desktop.ini',
    'Desktop.INI',
    'x_vti_y.txt',
    '~$tmp.docx',
    '',
    '.',
    '..',
    'a\u0001b',
  ];
  for (const name of rejected) {
    it(`rejects ${JSON.stringify(name)}`, () => {
      assert.equal(
        errorCode(() => validateName(name)),
        'INVALID_NAME',
      );
    });
  }

  const accepted = [
    '\u3000a.txt',
    'Test#1.txt',
    '#1.txt',
    'a+b.txt',
    '01 - 2 + 2 = 5.txt',
    'proton+',
    'estimate%s.docx',
    'CON.txt',
    'COM10',
    '~tmp',
    'a.b',
    '.hidden',
  ];
  for (const name of accepted) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.doesNotThrow(() => validateName(name));
    });
  }

  it('names the rejected name and the rule in the message', () => {
    assert.throws(() => validateName(' a.txt'), {
      message: 'invalid name " a.txt": a name cannot begin or end with whitespace',
    });
    assert.throws(
      () => validateName('a:b.txt'),
      /invalid name "a:b.txt": a name cannot contain ":"/,
    );
  });

  it('rejects paths of 400 characters or more', () => {
    const long = `/${'a'.repeat(200)}/${'b'.repeat(198)}`;
    assert.equal(long.length, 400);
    assert.equal(
      errorCode(() => validatePath(long)),
      'INVALID_NAME',
    );
    assert.equal(
      errorCode(() => validatePath(long.slice(0, 399))),
      undefined,
    );
  });
});
