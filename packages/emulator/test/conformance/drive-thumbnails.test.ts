import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FeatureItem } from './feature-helpers.ts';
import {
  assertGraphError,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireCollection,
} from './helpers.ts';

interface Thumbnail {
  width?: number;
  height?: number;
  url?: string;
}

type ThumbnailSet = { id?: string } & Record<string, Thumbnail | string | undefined>;

let session: Session;
let wide: FeatureItem;
let tiny: FeatureItem;
let text: FeatureItem;

function image(width: number, height: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const base = sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } },
  });
  return format === 'png' ? base.png().toBuffer() : base.jpeg().toBuffer();
}

before(async () => {
  session = await startSession();
  const folder = await scratchFolder(session.demo, 'thumbs');
  wide = await upload(session.demo, `/${folder.name}/wide.png`, await image(1000, 500, 'png'));
  tiny = await upload(session.demo, `/${folder.name}/tiny.jpg`, await image(50, 40, 'jpeg'));
  text = await upload(session.demo, `/${folder.name}/notes.txt`, 'not an image');
});
after(async () => {
  await session?.close();
});

/** Downloads a thumbnail URL without a token and returns its decoded format and size. */
async function decode(url: string): Promise<{ format?: string; width?: number; height?: number }> {
  const reply = await send(session.dispatcher, 'GET', url);
  assert.equal(reply.status, 200, `thumbnail URL answered ${reply.status}`);
  const metadata = await sharp(reply.body).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height };
}

async function thumbnail(itemId: string, size: string): Promise<Thumbnail> {
  const reply = await session.demo.get(`/me/drive/items/${itemId}/thumbnails/0/${size}`);
  assert.equal(reply.status, 200, `${size} answered ${reply.status}: ${reply.text()}`);
  return reply.json<Thumbnail>();
}

describe('thumbnails', () => {
  it('set contains small, medium and large', async () => {
    const reply = await session.demo.get(`/me/drive/items/${wide.id}/thumbnails`);
    assert.equal(reply.status, 200);
    const [set] = reply.json<WireCollection<ThumbnailSet>>().value;
    assert.ok(set, 'one thumbnail set expected');
    assert.equal(set.id, '0');
    for (const size of ['small', 'medium', 'large']) {
      const entry = set[size] as Thumbnail | undefined;
      assert.ok(entry, `${size} missing`);
      assert.equal(typeof entry.url, 'string');
    }
  });

  for (const [size, longest] of [
    ['small', 96],
    ['medium', 176],
    ['large', 800],
  ] as const) {
    it(`${size} has longest side ${longest}`, async () => {
      const entry = await thumbnail(wide.id, size);
      assert.equal(entry.width, longest);
      assert.equal(entry.height, longest / 2);
      const decoded = await decode(entry.url ?? '');
      assert.equal(decoded.format, 'jpeg');
      assert.equal(decoded.width, longest);
      assert.equal(decoded.height, longest / 2);
    });
  }

  it('square sizes are cropped squares', async () => {
    for (const [size, edge] of [
      ['smallSquare', 96],
      ['mediumSquare', 176],
    ] as const) {
      const entry = await thumbnail(wide.id, size);
      const decoded = await decode(entry.url ?? '');
      assert.deepEqual([decoded.width, decoded.height], [edge, edge], size);
    }
  });

  it('custom box fits and _Crop fills', async () => {
    const fit = await thumbnail(wide.id, 'c300x400');
    const fitDecoded = await decode(fit.url ?? '');
    assert.deepEqual([fitDecoded.width, fitDecoded.height], [300, 150]);
    assert.deepEqual([fit.width, fit.height], [300, 150]);

    const crop = await thumbnail(wide.id, 'c300x400_Crop');
    const cropDecoded = await decode(crop.url ?? '');
    assert.deepEqual([cropDecoded.width, cropDecoded.height], [300, 400]);
  });

  it('$select picks sizes', async () => {
    const reply = await session.demo.get(
      `/me/drive/items/${wide.id}/thumbnails?$select=medium,c300x400_Crop`,
    );
    assert.equal(reply.status, 200, reply.text());
    const [set] = reply.json<WireCollection<ThumbnailSet>>().value;
    assert.ok(set?.medium, 'medium selected');
    assert.ok(set?.c300x400_Crop, 'custom size selected');
    assert.equal(set?.large, undefined);
  });

  it('select without $ prefix works', async () => {
    const reply = await session.demo.get(`/me/drive/items/${wide.id}/thumbnails?select=small`);
    assert.equal(reply.status, 200, reply.text());
    const [set] = reply.json<WireCollection<ThumbnailSet>>().value;
    assert.ok(set?.small, 'small selected');
    assert.equal(set?.medium, undefined);
  });

  it('recycled file has no thumbnails', async () => {
    const folder = await scratchFolder(session.demo, 'thumbs-deleted');
    const file = await upload(session.demo, `/${folder.name}/gone.png`, await image(20, 20, 'png'));
    assert.equal((await session.demo.delete(`/me/drive/items/${file.id}`)).status, 204);
    assertGraphError(
      await session.demo.get(`/me/drive/items/${file.id}/thumbnails`),
      404,
      'itemNotFound',
    );
  });

  it('content is a 302 to the image', async () => {
    const reply = await session.demo.get(`/me/drive/items/${wide.id}/thumbnails/0/small/content`);
    assert.equal(reply.status, 302);
    const location = reply.header('location');
    assert.ok(location);
    const decoded = await decode(location);
    assert.equal(decoded.width, 96);
  });

  it('small images are not enlarged', async () => {
    const entry = await thumbnail(tiny.id, 'large');
    const decoded = await decode(entry.url ?? '');
    assert.deepEqual([decoded.width, decoded.height], [50, 40]);
  });

  it('image facet appears after a thumbnail request', async () => {
    await thumbnail(wide.id, 'small');
    const item = (await session.demo.get(`/me/drive/items/${wide.id}`)).json<FeatureItem>();
    assert.deepEqual(item.image, { width: 1000, height: 500 });
  });

  it('custom edge above 2048 is 400', async () => {
    assertGraphError(
      await session.demo.get(`/me/drive/items/${wide.id}/thumbnails/0/c3000x100`),
      400,
      'invalidRequest',
    );
    assertGraphError(
      await session.demo.get(`/me/drive/items/${wide.id}/thumbnails/0/c0x100`),
      400,
      'invalidRequest',
    );
  });

  it('folder has no thumbnails', async () => {
    const folder = await scratchFolder(session.demo, 'thumbs-folder');
    const reply = await session.demo.get(`/me/drive/items/${folder.id}/thumbnails`);
    assert.equal(reply.status, 200, reply.text());
    assert.deepEqual(reply.json<WireCollection>().value, []);
  });

  it('non-image file has no thumbnails', async () => {
    const reply = await session.demo.get(`/me/drive/items/${text.id}/thumbnails`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json<WireCollection>().value, []);
  });

  it('unknown size is 400, other set id 404', async () => {
    assertGraphError(
      await session.demo.get(`/me/drive/items/${wide.id}/thumbnails/0/huge`),
      400,
      'invalidRequest',
    );
    assertGraphError(
      await session.demo.get(`/me/drive/items/${wide.id}/thumbnails/3/small`),
      404,
      'itemNotFound',
    );
  });

  it('new content gives a new thumbnail', async () => {
    const folder = await scratchFolder(session.demo, 'thumbs-change');
    const path = `/${folder.name}/swap.png`;
    const first = await upload(session.demo, path, await image(400, 100, 'png'));
    const before = await thumbnail(first.id, 'small');
    await upload(session.demo, path, await image(100, 400, 'png'));
    const after = await thumbnail(first.id, 'small');
    assert.notEqual(after.url, before.url);
    const decoded = await decode(after.url ?? '');
    assert.deepEqual([decoded.width, decoded.height], [24, 96]);
  });
});
