import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, send, startDrive } from './drive-helpers.ts';

function names(reply: { json: { value: Array<{ name: string }> } }): string[] {
  return reply.json.value.map((item) => item.name).sort();
}

describe('search', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
    await drive.mkdir('docs');
    await drive.put('/docs/Report.txt', 'quarterly numbers');
    await drive.put('/docs/notes.md', 'The Budget is due on Friday');
    await drive.put('/docs/budget.bin', Buffer.from([0, 1, 2]));
    await drive.put('/other.txt', "Ryan's budget draft");
    await drive.put('/image.png', 'budget but not a text file');
  });
  after(async () => {
    await drive?.close();
  });

  it('matches names and text content, ignoring case', async () => {
    const reply = await drive.graph('GET', "/me/drive/root/search(q='BUDGET')");
    assert.equal(reply.status, 200);
    assert.deepEqual(names(reply), ['budget.bin', 'notes.md', 'other.txt']);
    for (const item of reply.json.value) {
      assert.deepEqual(item.searchResult, {});
    }
  });

  it('folder-scoped search stays inside the folder', async () => {
    const reply = await drive.graph('GET', "/me/drive/root:/docs:/search(q='budget')");
    assert.deepEqual(names(reply), ['budget.bin', 'notes.md']);
  });

  it('drive-level search and a doubled quote in q', async () => {
    const reply = await drive.graph('GET', "/me/drive/search(q='Ryan''s')");
    assert.equal(reply.status, 200);
    assert.deepEqual(names(reply), ['other.txt']);
  });

  it('no match gives an empty value', async () => {
    const reply = await drive.graph('GET', "/me/drive/root/search(q='zebra')");
    assert.deepEqual(reply.json.value, []);
  });

  it('pages with $top and an absolute nextLink', async () => {
    const first = await drive.graph('GET', "/me/drive/root/search(q='budget')?$top=2");
    assert.equal(first.json.value.length, 2);
    const next = first.json['@odata.nextLink'] as string;
    assert.match(next, /^http:\/\/127\.0\.0\.1:\d+\/v1\.0\//);
    const second = await send(next, 'GET', undefined, { authorization: `Bearer ${drive.token}` });
    assert.equal(second.json.value.length, 1);
    assert.equal(second.json['@odata.nextLink'], undefined);
  });

  it('search without q or with an empty text is 400', async () => {
    const missing = await drive.graph('GET', '/me/drive/root/search');
    assert.equal(missing.status, 400);
    assert.equal(graphError(missing).code, 'invalidRequest');
    const empty = await drive.graph('GET', "/me/drive/root/search(q='')");
    assert.equal(empty.status, 400);
  });
});

describe('recent', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('lists files newest first with lastAccessedDateTime', async () => {
    await drive.mkdir('folder');
    await drive.put('/old.txt', 'o');
    await drive.put('/folder/new.txt', 'n');
    await drive.put('/old.txt', 'touched again');
    const reply = await drive.graph('GET', '/me/drive/recent');
    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.json.value.map((item: { name: string }) => item.name),
      ['old.txt', 'new.txt'],
    );
    const first = reply.json.value[0];
    assert.equal(first.fileSystemInfo.lastAccessedDateTime, first.lastModifiedDateTime);
  });

  it('recent is read-only', async () => {
    const reply = await drive.graph('POST', '/me/drive/recent', {});
    assert.equal(reply.status, 405);
  });
});
