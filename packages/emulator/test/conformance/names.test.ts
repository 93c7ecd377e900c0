import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  createFolder,
  listAll,
  type Session,
  scratchFolder,
  sendRawPath,
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

describe('names with # and +', () => {
  for (const name of ['Test#1.txt', '#1.txt', 'a#']) {
    it(`"${name}" sent as %23 keeps its #`, async () => {
      const folder = await scratchFolder(session.demo, 'hash');
      const encoded = name.replaceAll('#', '%23');
      const reply = await session.demo.put(
        `/me/drive/root:/${folder.name}/${encoded}:/content`,
        'abc',
      );
      assert.equal(reply.status, 201, reply.text());
      const item = reply.json<WireItem>();
      assert.equal(item.name, name);
      assert.ok(!item.id.includes('#'));
      assert.deepEqual(await childNames(session, folder.id), [name]);

      const fetched = await session.demo.get(`/me/drive/root:/${folder.name}/${encoded}`);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.json<WireItem>().id, item.id);
    });
  }

  it('folder "dir#x" is addressable in a path', async () => {
    const folder = await scratchFolder(session.demo, 'hash-dir');
    const dir = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'dir#x');
    assert.equal(dir.name, 'dir#x');
    const reply = await session.demo.put(
      `/me/drive/root:/${folder.name}/dir%23x/file.txt:/content`,
      'inside',
    );
    assert.equal(reply.status, 201, reply.text());
    const file = reply.json<WireItem>();
    assert.equal(file.name, 'file.txt');
    assert.equal(file.parentReference?.id, dir.id);
    assert.deepEqual(await childNames(session, dir.id), ['file.txt']);
  });

  it('"a+b.txt" sent raw keeps its +', async () => {
    const folder = await scratchFolder(session.demo, 'plus-raw');
    const reply = await session.demo.put(`/me/drive/root:/${folder.name}/a+b.txt:/content`, 'plus');
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().name, 'a+b.txt');
    assert.deepEqual(await childNames(session, folder.id), ['a+b.txt']);

    const viaEncoded = await session.demo.get(`/me/drive/root:/${folder.name}/a%2Bb.txt`);
    assert.equal(viaEncoded.status, 200);
    assert.equal(viaEncoded.json<WireItem>().name, 'a+b.txt');
    const viaSpace = await session.demo.get(`/me/drive/root:/${folder.name}/a%20b.txt`);
    assertGraphError(viaSpace, 404, 'itemNotFound');
  });

  it('"01 - 2 + 2 = 5.txt" sent as %2B keeps its +', async () => {
    const folder = await scratchFolder(session.demo, 'plus-encoded');
    const name = '01 - 2 + 2 = 5.txt';
    const reply = await session.demo.put(`${byPath(`/${folder.name}/${name}`)}/content`, 'math');
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().name, name);
    assert.deepEqual(await childNames(session, folder.id), [name]);

    const raw = await session.demo.get(
      `/me/drive/root:/${folder.name}/01%20-%202%20+%202%20=%205.txt`,
    );
    assert.equal(raw.status, 200);
    assert.equal(raw.json<WireItem>().name, name);
  });

  it('folder "proton+" keeps its trailing +', async () => {
    const folder = await scratchFolder(session.demo, 'plus-folder');
    const proton = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'proton+');
    assert.equal(proton.name, 'proton+');
    const reply = await session.demo.put(
      `/me/drive/root:/${folder.name}/proton+/x.pdf:/content`,
      '%PDF',
    );
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().parentReference?.id, proton.id);
    const viaEncoded = await session.demo.get(`/me/drive/root:/${folder.name}/proton%2B/x.pdf`);
    assert.equal(viaEncoded.status, 200);
    assert.deepEqual(await childNames(session, folder.id), ['proton+']);
  });

  it('folder create keeps a trailing +', async () => {
    const folder = await scratchFolder(session.demo, 'plus-create');
    const created = await session.demo.postJson(`/me/drive/items/${folder.id}/children`, {
      name: 'a+',
      folder: {},
    });
    assert.equal(created.status, 201, created.text());
    assert.equal(created.json<WireItem>().name, 'a+');
  });

  it('percent signs are decoded exactly once', async () => {
    const folder = await scratchFolder(session.demo, 'percent');
    const once = await session.demo.put(`/me/drive/root:/${folder.name}/100%25.txt:/content`, 'p');
    assert.equal(once.status, 201, once.text());
    assert.equal(once.json<WireItem>().name, '100%.txt');

    const literal = await session.demo.put(
      `/me/drive/root:/${folder.name}/a%2523.txt:/content`,
      'q',
    );
    assert.equal(literal.status, 201, literal.text());
    assert.equal(literal.json<WireItem>().name, 'a%23.txt');

    assert.deepEqual(await childNames(session, folder.id), ['100%.txt', 'a%23.txt']);
  });

  it('spaces and punctuation round-trip', async () => {
    const folder = await scratchFolder(session.demo, 'punct');
    const name = "Ryan's Files (1) [draft]; a=b, c&d @home $5 ~!.txt";
    const item = await upload(session.demo, `/${folder.name}/${name}`, 'x');
    assert.equal(item.name, name);
    const fetched = await session.demo.get(byPath(`/${folder.name}/${name}`));
    assert.equal(fetched.json<WireItem>().id, item.id);
  });
});

describe('non-ASCII names', () => {
  const names = [
    'naïve café.txt',
    '日本語のファイル.txt',
    'Ελληνικά',
    'emoji 📁🎉.md',
    'Ünïcödé Ordner',
  ];

  for (const name of names) {
    it(`"${name}" round-trips through path and listing`, async () => {
      const folder = await scratchFolder(session.demo, 'unicode');
      const item = await upload(session.demo, `/${folder.name}/${name}`, 'unicode');
      assert.equal(item.name, name);
      assert.deepEqual(await childNames(session, folder.id), [name]);
      const fetched = await session.demo.get(byPath(`/${folder.name}/${name}`));
      assert.equal(fetched.status, 200);
      assert.equal(fetched.json<WireItem>().id, item.id);
    });
  }

  it('non-ASCII folder names appear in parentReference.path', async () => {
    const folder = await scratchFolder(session.demo, 'unicode-parent');
    await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'Dokumente é');
    const item = await upload(session.demo, `/${folder.name}/Dokumente é/x.txt`, 'x');
    assert.equal(
      decodeURIComponent(item.parentReference?.path ?? ''),
      `/drive/root:/${folder.name}/Dokumente é`,
    );
  });
});

describe('path traversal and encoded separators', () => {
  for (const segment of ['..', '%2E%2E', '%2e%2e']) {
    it(`segment "${segment}" cannot climb out of a folder`, async () => {
      const folder = await scratchFolder(session.demo, 'traversal');
      const name = `escape-${segment.length}-${folder.name}.txt`;
      const reply = await sendRawPath(
        session.emu.url,
        'PUT',
        `/v1.0/me/drive/root:/${folder.name}/${segment}/${name}:/content`,
        { authorization: `Bearer ${session.demo.token}`, 'content-type': 'text/plain' },
        'escape',
      );
      // Rejected as an invalid name, or read as a missing folder named "..": both keep the file inside.
      assert.ok([400, 404, 409].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
      assertGraphError(await session.demo.get(byPath(`/${name}`)), 404, 'itemNotFound');
      assert.deepEqual(await childNames(session, folder.id), []);
    });
  }

  for (const segment of ['.', '..', '%2E%2E']) {
    it(`file named "${segment}" is rejected`, async () => {
      const folder = await scratchFolder(session.demo, 'dot-names');
      const reply = await sendRawPath(
        session.emu.url,
        'PUT',
        `/v1.0/me/drive/items/${folder.id}:/${segment}:/content`,
        { authorization: `Bearer ${session.demo.token}`, 'content-type': 'text/plain' },
        'dots',
      );
      assert.equal(reply.status, 400, reply.text());
      assert.deepEqual(await childNames(session, folder.id), []);
    });
  }

  it('encoded slash stays inside one name', async () => {
    const folder = await scratchFolder(session.demo, 'encoded-slash');
    await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'a');
    const reply = await session.demo.put(`/me/drive/root:/${folder.name}/a%2Fb.txt:/content`, 'x');
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/a/b.txt`)),
      404,
      'itemNotFound',
    );
  });

  it('NUL character in a name is 400', async () => {
    const folder = await scratchFolder(session.demo, 'nul');
    const reply = await session.demo.put(`/me/drive/root:/${folder.name}/a%00b.txt:/content`, 'x');
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    assert.deepEqual(await childNames(session, folder.id), []);
  });

  it('malformed percent-encoding is 400', async () => {
    const folder = await scratchFolder(session.demo, 'bad-escape');
    const reply = await sendRawPath(
      session.emu.url,
      'PUT',
      `/v1.0/me/drive/root:/${folder.name}/bad%E0%A4.txt:/content`,
      { authorization: `Bearer ${session.demo.token}`, 'content-type': 'text/plain' },
      'x',
    );
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
    assert.deepEqual(await childNames(session, folder.id), []);
  });
});
