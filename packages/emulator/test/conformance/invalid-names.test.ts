import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  createFolder,
  listAll,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireItem,
} from './helpers.ts';

async function childNames(session: Session, folderId: string): Promise<string[]> {
  const { items } = await listAll(session.demo, `/me/drive/items/${folderId}/children`);
  return items.map((item) => item.name).sort();
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('invalid names', () => {
  const invalidFileNames = [
    ' a.txt',
    'a.txt ',
    'a:b.txt',
    'a|b.txt',
    'a*b.txt',
    'a<b.txt',
    'a>b.txt',
    'a?b.txt',
    'a"b.txt',
    'a\\b.txt',
    'CON',
    'PRN',
    'AUX',
    'NUL',
    'COM0',
    'COM9',
    'LPT0',
    'LPT9',
    '.lock',
    'desktop.ini',
    'x_vti_y.txt',
    '~$tmp.docx',
  ];

  for (const name of invalidFileNames) {
    it(`upload of ${JSON.stringify(name)} is 400 and creates nothing`, async () => {
      const folder = await scratchFolder(session.demo, 'invalid');
      const reply = await session.demo.put(`${byPath(`/${folder.name}/${name}`)}/content`, 'x');
      assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
      assert.deepEqual(await childNames(session, folder.id), []);
    });

    it(`folder ${JSON.stringify(name)} is 400 and creates nothing`, async () => {
      const folder = await scratchFolder(session.demo, 'invalid-dir');
      const reply = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
        name,
        folder: {},
      });
      assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
      assert.deepEqual(await childNames(session, folder.id), []);
    });
  }

  it('folder name ending in a dot is 400', async () => {
    const folder = await scratchFolder(session.demo, 'dot');
    for (const name of ['folder.', 'Imahen..']) {
      const reply = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
        name,
        folder: {},
      });
      assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    }
    assert.deepEqual(await childNames(session, folder.id), []);
  });

  it('slash in a body name is 400', async () => {
    const folder = await scratchFolder(session.demo, 'slash');
    const reply = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
      name: 'a/b',
      folder: {},
    });
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    assert.deepEqual(await childNames(session, folder.id), []);
  });

  it('empty name is 400', async () => {
    const folder = await scratchFolder(session.demo, 'empty-name');
    const reply = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
      name: '',
      folder: {},
    });
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
  });

  it('rename to an invalid name is 400', async () => {
    const folder = await scratchFolder(session.demo, 'rename-invalid');
    const file = await upload(session.demo, `/${folder.name}/ok.txt`, 'ok');
    for (const name of ['bad|name.txt', ' lead.txt', 'CON', 'x/y.txt']) {
      const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, { name });
      assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    }
    assert.deepEqual(await childNames(session, folder.id), ['ok.txt']);
  });

  it('path of 400 characters or more is 400', async () => {
    const folder = await scratchFolder(session.demo, 'long');
    const name = `${'n'.repeat(400)}.txt`;
    const reply = await session.demo.put(`${byPath(`/${folder.name}/${name}`)}/content`, 'x');
    assertGraphError(reply, 400, [
      'invalidRequest',
      'pathIsTooLong',
      'nameContainsInvalidCharacters',
    ]);
    assert.deepEqual(await childNames(session, folder.id), []);
  });

  it('nested folders cannot pass 400 characters of path', async () => {
    const folder = await scratchFolder(session.demo, 'deep');
    const segment = 'd'.repeat(150);
    const first = await createFolder(session.demo, `/me/drive/items/${folder.id}`, segment);
    const second = await createFolder(session.demo, `/me/drive/items/${first.id}`, segment);
    const reply = await session.demo.postJson(`/me/drive/items/${second.id}/children`, {
      name: segment,
      folder: {},
    });
    assertGraphError(reply, 400, ['invalidRequest', 'pathIsTooLong']);
    const list = await listAll(session.demo, `/me/drive/items/${second.id}/children`);
    assert.deepEqual(list.items, []);
  });

  it('leading ideographic space is accepted', async () => {
    const folder = await scratchFolder(session.demo, 'ideographic');
    const name = '\u3000a.txt';
    const reply = await session.demo.put(`${byPath(`/${folder.name}/${name}`)}/content`, 'x');
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().name, name);
  });

  it('reserved words inside longer names are accepted', async () => {
    const folder = await scratchFolder(session.demo, 'reserved-inside');
    for (const name of ['CONSOLE.txt', 'my.lock.txt', 'desktop.ini.bak', 'a~$b.txt']) {
      const item = await upload(session.demo, `/${folder.name}/${name}`, 'x');
      assert.equal(item.name, name);
    }
  });
});

describe('names that differ only by case', () => {
  it('replace keeps the stored casing', async () => {
    const folder = await scratchFolder(session.demo, 'case-replace');
    const original = await upload(session.demo, `/${folder.name}/File.txt`, 'abc');
    const reply = await session.demo.put(`${byPath(`/${folder.name}/file.txt`)}/content`, 'abcde');
    assert.equal(reply.status, 200, reply.text());
    const item = reply.json<WireItem>();
    assert.equal(item.id, original.id);
    assert.equal(item.name, 'File.txt');
    assert.equal(item.size, 5);
    assert.deepEqual(await childNames(session, folder.id), ['File.txt']);
  });

  it('fail answers 409 nameAlreadyExists', async () => {
    const folder = await scratchFolder(session.demo, 'case-fail');
    await upload(session.demo, `/${folder.name}/README`, 'upper');
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/readme`)}/content?@microsoft.graph.conflictBehavior=fail`,
      'lower',
    );
    assertGraphError(reply, 409, 'nameAlreadyExists');
    assert.deepEqual(await childNames(session, folder.id), ['README']);
  });

  it('rename picks a free number ignoring case', async () => {
    const folder = await scratchFolder(session.demo, 'case-rename');
    await upload(session.demo, `/${folder.name}/Photo.JPG`, '1');
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/photo.jpg`)}/content?@microsoft.graph.conflictBehavior=rename`,
      '2',
    );
    assert.equal(reply.status, 201, reply.text());
    const renamed = reply.json<WireItem>().name;
    assert.equal(renamed.toLowerCase(), 'photo 1.jpg');
  });

  it('non-ASCII letters collide ignoring case', async () => {
    const folder = await scratchFolder(session.demo, 'case-unicode');
    await upload(session.demo, `/${folder.name}/Ärger.txt`, 'upper');
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/ärger.txt`)}/content?@microsoft.graph.conflictBehavior=fail`,
      'lower',
    );
    assertGraphError(reply, 409, 'nameAlreadyExists');
    assert.deepEqual(await childNames(session, folder.id), ['Ärger.txt']);
  });

  it('folder create collides ignoring case', async () => {
    const folder = await scratchFolder(session.demo, 'case-folder');
    await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'Docs');
    const reply = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
      name: 'DOCS',
      folder: {},
    });
    assertGraphError(reply, 409, 'nameAlreadyExists');
  });

  it('path lookup of a folder ignores case', async () => {
    const folder = await scratchFolder(session.demo, 'case-path');
    const mixed = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'Folder-A');
    await upload(session.demo, `/${folder.name}/Folder-A/Foo.txt`, 'foo');
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/folder-a/bar.txt`)}/content`,
      'bar',
    );
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().parentReference?.id, mixed.id);
    assert.deepEqual(await childNames(session, folder.id), ['Folder-A']);
  });
});

describe('concurrent creates of one name', () => {
  it('parallel uploads with fail create one file', async () => {
    const folder = await scratchFolder(session.demo, 'race-upload');
    const url = `${byPath(`/${folder.name}/race.txt`)}/content?@microsoft.graph.conflictBehavior=fail`;
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => session.demo.put(url, `writer ${i}`)),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert.deepEqual(await childNames(session, folder.id), ['race.txt']);
  });

  it('parallel folder creates with fail create one folder', async () => {
    const folder = await scratchFolder(session.demo, 'race-mkdir');
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
          name: 'Only',
          folder: {},
          '@microsoft.graph.conflictBehavior': 'fail',
        }),
      ),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert.deepEqual(await childNames(session, folder.id), ['Only']);
  });

  it('parallel uploads with rename pick distinct names', async () => {
    const folder = await scratchFolder(session.demo, 'race-rename');
    const url = `${byPath(`/${folder.name}/doc.txt`)}/content?@microsoft.graph.conflictBehavior=rename`;
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) => session.demo.put(url, `copy ${i}`)),
    );
    for (const reply of replies) {
      assert.equal(reply.status, 201, reply.text());
    }
    assert.deepEqual(await childNames(session, folder.id), [
      'doc 1.txt',
      'doc 2.txt',
      'doc 3.txt',
      'doc 4.txt',
      'doc.txt',
    ]);
  });
});
