import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GraphError } from '../../src/errors.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';

async function namesIn(fx: EmulatorFixture, folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of fx.drive.list(folder)) {
    names.push(entry.name ?? '');
  }
  return names.sort();
}

describe('Drive transfers against the emulator', () => {
  let fx: EmulatorFixture;

  before(async () => {
    fx = await startFixture();
  });
  after(() => fx?.close());

  async function localFile(name: string, content: string | Buffer): Promise<string> {
    const dir = path.join(fx.local, 'files', String(Math.random()).slice(2));
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await writeFile(file, content);
    return file;
  }

  it('uploads into a folder, verifies the hash and reports progress', async () => {
    await fx.drive.mkdir('/up');
    const file = await localFile('hello.txt', 'hello world');
    const progress: number[] = [];
    const item = await fx.drive.upload(file, '/up', { onProgress: (sent) => progress.push(sent) });
    assert.equal(item.name, 'hello.txt');
    assert.equal(item.size, 11);
    assert.equal(item.file?.hashes?.quickXorHash, 'aCgDG9jwBhDc4Q1yawMZAAAAAAA=');
    assert.equal(progress.at(-1), 11);
  });

  it('uploads to a full remote path when no folder exists there', async () => {
    const file = await localFile('local-name.txt', 'x');
    const item = await fx.drive.upload(file, '/up/remote-name.txt');
    assert.equal(item.name, 'remote-name.txt');
  });

  it('keeps names with #, + and spaces exactly', async () => {
    await fx.drive.mkdir('/names');
    const names = [
      'Test#1.txt',
      '#1.txt',
      'a+b.txt',
      '01 - 2 + 2 = 5.txt',
      'résumé 日本.txt',
      'estimate%25s.docx',
    ];
    for (const name of names) {
      const file = await localFile(name, `content of ${name}`);
      const item = await fx.drive.upload(file, '/names/');
      assert.equal(item.name, name);
    }
    assert.deepEqual(await namesIn(fx, '/names'), [...names].sort());
    for (const name of names) {
      const item = await fx.drive.info(`/names/${name}`);
      assert.equal(item.name, name);
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (chunk: Buffer) => chunks.push(chunk));
      const result = await fx.drive.download(`/names/${name}`, sink);
      assert.equal(Buffer.concat(chunks).toString(), `content of ${name}`);
      assert.equal(result.verified, true);
    }
  });

  it('keeps # and + in folder names', async () => {
    const file = await localFile('file.txt', 'in dir#x');
    await fx.drive.mkdir('/dir#x');
    await fx.drive.upload(file, '/dir#x/');
    assert.equal((await fx.drive.info('/dir#x/file.txt')).size, 8);
    const pdf = await localFile('x.pdf', '%PDF');
    await fx.drive.mkdir('/proton+/', { parents: true });
    await fx.drive.upload(pdf, '/proton+/');
    assert.deepEqual(await namesIn(fx, '/proton+'), ['x.pdf']);
    assert.equal((await fx.drive.info('/proton+')).name, 'proton+');
  });

  it('rejects names OneDrive refuses without making a request', async () => {
    const bad = [
      ' a.txt',
      'a.txt ',
      'folder.',
      'a:b.txt',
      'a|b.txt',
      'CON',
      'desktop.ini',
      'x_vti_y.txt',
      '~$tmp.docx',
    ];
    for (const name of bad) {
      const file = await localFile('ok.txt', 'x');
      const before = fx.events.length;
      await assert.rejects(fx.drive.upload(file, '/up/', { name }), { code: 'INVALID_NAME' }, name);
      await assert.rejects(fx.drive.upload(file, `/up/${name}/`), { code: 'INVALID_NAME' }, name);
      assert.equal(fx.events.length, before, `a request was made for ${JSON.stringify(name)}`);
    }
    const ideographic = await localFile('\u3000a.txt', 'x');
    assert.equal((await fx.drive.upload(ideographic, '/up/')).name, '\u3000a.txt');
  });

  it('matches names case-insensitively: fail conflicts, replace updates the existing item', async () => {
    await fx.drive.mkdir('/case');
    const first = await fx.drive.upload(await localFile('File.txt', 'abc'), '/case/');
    const lower = await localFile('file.txt', 'hello');
    await assert.rejects(
      fx.drive.upload(lower, '/case/', { conflict: 'fail' }),
      (error: unknown) =>
        error instanceof GraphError &&
        error.status === 409 &&
        error.graphCode === 'nameAlreadyExists',
    );
    const replaced = await fx.drive.upload(lower, '/case/', { conflict: 'replace' });
    assert.equal(replaced.id, first.id);
    assert.equal(replaced.size, 5);
    assert.equal((await namesIn(fx, '/case')).length, 1);
    const renamed = await fx.drive.upload(lower, '/case/', { conflict: 'rename' });
    assert.notEqual(renamed.name?.toLowerCase(), 'file.txt');
  });

  it('reports a missing local file, a local folder and a bad conflict value', async () => {
    await assert.rejects(fx.drive.upload(path.join(fx.local, 'nope.txt'), '/up/'), {
      code: 'LOCAL_FILE_NOT_FOUND',
    });
    await mkdir(path.join(fx.local, 'a-folder', 'inside'), { recursive: true });
    await assert.rejects(fx.drive.download('/up/hello.txt', path.join(fx.local, 'a-folder')), {
      code: 'NOT_A_FILE',
    });
    await assert.rejects(fx.drive.upload(fx.local, '/up/'), { code: 'NOT_A_FILE' });
    const file = await localFile('c.txt', 'x');
    await assert.rejects(fx.drive.upload(file, '/up/', { conflict: 'merge' as 'fail' }), {
      code: 'INVALID_ARGUMENT',
    });
  });

  it('uploads an empty file', async () => {
    const item = await fx.drive.upload(await localFile('empty.txt', ''), '/up/');
    assert.equal(item.size, 0);
    const target = path.join(fx.local, 'empty-back.txt');
    const result = await fx.drive.download('/up/empty.txt', target);
    assert.deepEqual(
      { bytes: result.bytes, verified: result.verified },
      { bytes: 0, verified: true },
    );
  });

  it('downloads to a file through .partial and leaves only the file', async () => {
    // Above 4 MiB, the old single-request limit, and many body chunks long.
    const content = Buffer.alloc(5 * 1024 * 1024 + 17, 7);
    content.write('start');
    content.write('end', content.length - 3);
    await fx.drive.upload(await localFile('big.bin', content), '/up/');
    const outDir = path.join(fx.local, 'out');
    await mkdir(outDir);
    const result = await fx.drive.download('/up/big.bin', path.join(outDir, 'big.bin'));
    assert.equal(result.bytes, content.length);
    assert.equal(result.verified, true);
    assert.deepEqual(await readFile(path.join(outDir, 'big.bin')), content);
    assert.deepEqual(await readdir(outDir), ['big.bin']);
  });

  it('downloads a byte range', async () => {
    await fx.drive.upload(await localFile('digits.txt', '0123456789'), '/up/');
    const target = path.join(fx.local, 'range.txt');
    const result = await fx.drive.download('/up/digits.txt', target, {
      range: { start: 3, end: 6 },
    });
    assert.equal(await readFile(target, 'utf8'), '3456');
    assert.deepEqual(
      { bytes: result.bytes, verified: result.verified },
      { bytes: 4, verified: false },
    );
    await fx.drive.download('/up/digits.txt', target, { range: { start: 8 } });
    assert.equal(await readFile(target, 'utf8'), '89');
  });

  it('refuses to download a folder, a bad range or into a missing folder', async () => {
    await assert.rejects(fx.drive.download('/up', path.join(fx.local, 'x')), {
      code: 'NOT_A_FILE',
    });
    await assert.rejects(
      fx.drive.download('/up/digits.txt', path.join(fx.local, 'x'), {
        range: { start: 5, end: 2 },
      }),
      {
        code: 'INVALID_ARGUMENT',
      },
    );
    await assert.rejects(
      fx.drive.download('/up/digits.txt', path.join(fx.local, 'no', 'dir', 'x')),
      {
        code: 'LOCAL_FILE_NOT_FOUND',
      },
    );
    await assert.rejects(
      fx.drive.download('/up/none.txt', path.join(fx.local, 'x')),
      (error: unknown) => error instanceof GraphError && error.status === 404,
    );
  });

  it('uploads and downloads a folder tree, failing only the files OneDrive would refuse', async () => {
    const source = path.join(fx.local, 'project');
    await mkdir(path.join(source, 'src', 'deep#1'), { recursive: true });
    await mkdir(path.join(source, 'empty'), { recursive: true });
    const files: Record<string, string> = {
      'README.md': 'readme',
      'src/a+b.ts': 'export {}',
      'src/deep#1/Test#1.txt': 'deep',
      'bad:name.txt': 'refused',
      'Notes.txt': 'upper',
      'notes.txt': 'lower',
    };
    for (const [relative, content] of Object.entries(files)) {
      await writeFile(path.join(source, relative), content);
    }
    await fx.drive.mkdir('/backup');
    const seen: string[] = [];
    const up = await fx.drive.uploadFolder(source, '/backup', {
      onFile: (file) => seen.push(file.remotePath),
    });
    assert.equal(up.failed, 2);
    assert.equal(up.folders, 4);
    assert.equal(seen.length, 6);
    const failed = up.files
      .filter((file) => !file.ok)
      .map((file) => [path.basename(file.localPath), file.error?.code]);
    assert.deepEqual(failed.sort(), [
      ['bad:name.txt', 'INVALID_NAME'],
      ['notes.txt', 'INVALID_NAME'],
    ]);
    assert.equal(up.bytes, 'readme'.length + 'export {}'.length + 'deep'.length + 'upper'.length);

    const target = path.join(fx.local, 'restored');
    const down = await fx.drive.downloadFolder('/backup/project', target);
    assert.equal(down.failed, 0);
    assert.equal(down.files.length, 4);
    assert.equal(down.bytes, up.bytes);
    for (const relative of ['README.md', 'src/a+b.ts', 'src/deep#1/Test#1.txt', 'Notes.txt']) {
      assert.equal(await readFile(path.join(target, relative), 'utf8'), files[relative]);
    }
    assert.deepEqual(await readdir(path.join(target, 'empty')), []);
  });

  it('refuses a missing local folder for uploadFolder and a file for downloadFolder', async () => {
    await assert.rejects(fx.drive.uploadFolder(path.join(fx.local, 'missing'), '/'), {
      code: 'LOCAL_FILE_NOT_FOUND',
    });
    await assert.rejects(fx.drive.downloadFolder('/up/digits.txt', path.join(fx.local, 'd')), {
      code: 'NOT_A_FOLDER',
    });
  });
});
