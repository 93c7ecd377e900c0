import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type Drive, graphError, send, startDrive } from './drive-helpers.ts';

describe('thumbnails and image facets', () => {
  let drive: Drive;
  let photoId: string;
  before(async () => {
    drive = await startDrive();
    const jpeg = await sharp({
      create: { width: 1000, height: 500, channels: 3, background: '#336699' },
    })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Acme', Model: 'Snap 1' },
        IFD2: {
          DateTimeOriginal: '2024:05:06 07:08:09',
          FNumber: '28/10',
          ExposureTime: '1/250',
          ISOSpeedRatings: '200',
          FocalLength: '50/1',
        },
      })
      .toBuffer();
    photoId = (await drive.put('/photo.jpg', jpeg)).id;
  });
  after(async () => {
    await drive?.close();
  });

  it('lists set 0 with small, medium and large fitted to the longest side', async () => {
    const reply = await drive.graph('GET', `/me/drive/items/${photoId}/thumbnails`);
    assert.equal(reply.status, 200);
    const [set] = reply.json.value;
    assert.equal(set.id, '0');
    assert.deepEqual([set.small.width, set.small.height], [96, 48]);
    assert.deepEqual([set.medium.width, set.medium.height], [176, 88]);
    assert.deepEqual([set.large.width, set.large.height], [800, 400]);
    assert.ok(set.small.url.startsWith(`${drive.emu.contentUrl}/thumbnails/`));
  });

  it('the thumbnail URL serves a real JPEG of that size without a token', async () => {
    const reply = await drive.graph('GET', `/me/drive/items/${photoId}/thumbnails/0/medium`);
    assert.equal(reply.status, 200);
    const bytes = await send(reply.json.url);
    assert.equal(bytes.headers['content-type'], 'image/jpeg');
    const meta = await sharp(bytes.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 176, 88]);
  });

  it('content answers 302 and custom sizes fit or crop', async () => {
    const content = await drive.graph(
      'GET',
      `/me/drive/items/${photoId}/thumbnails/0/small/content`,
    );
    assert.equal(content.status, 302);
    assert.ok((content.headers.location as string).startsWith(drive.emu.contentUrl));
    const fit = await drive.graph('GET', `/me/drive/items/${photoId}/thumbnails/0/c300x300`);
    assert.deepEqual([fit.json.width, fit.json.height], [300, 150]);
    const crop = await drive.graph('GET', `/me/drive/items/${photoId}/thumbnails/0/c300x300_Crop`);
    assert.deepEqual([crop.json.width, crop.json.height], [300, 300]);
    const selected = await drive.graph(
      'GET',
      `/me/drive/items/${photoId}/thumbnails?$select=c50x50_Crop`,
    );
    assert.deepEqual(Object.keys(selected.json.value[0]).sort(), ['c50x50_Crop', 'id']);
  });

  it('the item carries image and photo facets', async () => {
    const reply = await drive.graph('GET', `/me/drive/items/${photoId}`);
    assert.deepEqual(reply.json.image, { width: 1000, height: 500 });
    assert.equal(reply.json.photo.cameraMake, 'Acme');
    assert.equal(reply.json.photo.cameraModel, 'Snap 1');
    assert.equal(reply.json.photo.takenDateTime, '2024-05-06T07:08:09Z');
    assert.equal(reply.json.photo.fNumber, 2.8);
    assert.equal(reply.json.photo.exposureNumerator, 1);
    assert.equal(reply.json.photo.exposureDenominator, 250);
    assert.equal(reply.json.photo.iso, 200);
    assert.equal(reply.json.photo.focalLength, 50);
  });

  it('non-image has no thumbnails', async () => {
    const text = await drive.put('/plain.txt', 'not an image');
    const reply = await drive.graph('GET', `/me/drive/items/${text.id}/thumbnails`);
    assert.deepEqual(reply.json.value, []);
    const set = await drive.graph('GET', `/me/drive/items/${text.id}/thumbnails/0/small`);
    assert.equal(set.status, 404);
    assert.equal(graphError(set).code, 'itemNotFound');
  });

  it('a bad size is 400 and an unknown URL is 404', async () => {
    const bad = await drive.graph('GET', `/me/drive/items/${photoId}/thumbnails/0/huge`);
    assert.equal(bad.status, 400);
    assert.equal(graphError(bad).code, 'invalidRequest');
    assert.equal((await send(`${drive.emu.contentUrl}/thumbnails/forged`)).status, 404);
  });
});
