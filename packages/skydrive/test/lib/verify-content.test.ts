import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuickXorHash, quickXorHash } from '@skydrive/quickxorhash';
import { verifyContent } from '../../src/transfer/hash.ts';

const content = Buffer.from('1\n');
const local = () => ({ hash: new QuickXorHash().update(content), size: content.length });

describe('verifyContent', () => {
  it('accepts a matching base64 quickXorHash', () => {
    const item = { size: 2, file: { hashes: { quickXorHash: quickXorHash(content) } } };
    assert.deepEqual(verifyContent(item, local(), 'a'), { ok: true, method: 'quickXorHash' });
  });

  it('accepts the 40-character hex form', () => {
    const hex = Buffer.from(quickXorHash(content), 'base64').toString('hex');
    const item = { size: 2, file: { hashes: { quickXorHash: hex } } };
    assert.deepEqual(verifyContent(item, local(), 'a'), { ok: true, method: 'quickXorHash' });
  });

  it('rejects a different hash', () => {
    const item = { size: 2, file: { hashes: { quickXorHash: quickXorHash(Buffer.from('2\n')) } } };
    assert.equal(verifyContent(item, local(), 'a').ok, false);
  });

  it('falls back to the size without a hash', () => {
    assert.deepEqual(verifyContent({ size: 2, file: { hashes: {} } }, local(), 'a'), {
      ok: true,
      method: 'size',
    });
    assert.equal(verifyContent({ size: 3, file: {} }, local(), 'a').ok, false);
  });

  it('says nothing was checked without hash or size', () => {
    assert.deepEqual(verifyContent({ file: {} }, local(), 'a'), { ok: true, method: 'none' });
  });
});
