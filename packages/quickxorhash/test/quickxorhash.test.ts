import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { QuickXorHash, quickXorHash } from '../src/index.ts';

/**
 * Known-answer vectors. Binary inputs (base64) and their hashes are the published
 * vectors from rclone's backend/onedrive/quickxorhash tests; the ASCII ones were
 * computed offline with an independent model of the algorithm.
 */
const binaryVectors: Array<{ input: string; hash: string }> = [
  { input: '', hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
  { input: 'Sg==', hash: 'SgAAAAAAAAAAAAAAAQAAAAAAAAA=' },
  { input: 'tbQ=', hash: 'taAFAAAAAAAAAAAAAgAAAAAAAAA=' },
  { input: '2fuxhBJXtpWFe8dOfdGeHw==', hash: 'O9tHLAghgSvYohKFyMMxnNCHaHg=' },
  { input: 'T6LYJIfDh81JrAK309H2JMJTXis=', hash: 'zBTHrspn3mEcohlJdIUAbjGNaNg=' },
  {
    input:
      'Mb7EGva2rEE5fENDL85P+BsapHEEjv2/siVhKjvAQe02feExVOQSkfmuYzU/kTF1MaKjPmKF/w+cbvwfdWL8aQ==',
    hash: 'n1anP5NfvD4XDYWIeRPW3ZkPv1Y=',
  },
  {
    input:
      'jyibxJSzO6ZiZ0O1qe3tG/bvIAYssvukh9suIT5wEy1JBINVgPiqdsTW0cOpP0aUfP7mgqLfADkzI/m/GgCuVhr8oFLrOCoTx1/psBOWwhltCbhUx51Icm9aH8tY4Z3ccU+6BKpYQkLCy0B/A9Zc',
    hash: 'hZfLIilSITC6N3e3tQ/iSgEzkto=',
  },
  {
    input:
      'qwGf2ESubE5jOUHHyc94ORczFYYbc2OmEzo+hBIyzJiNwAzC8PvJqtTzwkWkSslgHFGWQZR2BV5+uYTrYT7HVwRM40vqfj0dBgeDENyTenIOL1LHkjtDKoXEnQ0mXAHoJ8PjbNC93zi5TovVRXTNzfGEs5dpWVqxUzb5lc7dwkyvOluBw482mQ4xrzYyIY1t+//OrNi1ObGXuUw2jBQOFfJVj2Y6BOyYmfB1y36eBxi3zxeG5d5NYjm2GSh6e08QMAwu3zrINcqIzLOuNIiGXBtl7DjKt7b5wqi4oFiRpZsCyx2smhSrdrtK/CkdU6nDN+34vSR/M8rZpWQdBE7a8g==',
    hash: 'WYT9JY3JIo/pEBp+tIM6Gt2nyTM=',
  },
  {
    input:
      'w0LGhqU1WXFbdavqDE4kAjEzWLGGzmTNikzqnsiXHx2KRReKVTxkv27u3UcEz9+lbMvYl4xFf2Z4aE1xRBBNd1Ke5C0zToSaYw5o4B/7X99nKK2/XaUX1byLow2aju2XJl2OpKpJg+tSJ2fmjIJTkfuYUz574dFX6/VXxSxwGH/xQEAKS5TCsBK3CwnuG1p5SAsQq3gGVozDWyjEBcWDMdy8/AIFrj/y03Lfc/RNRCQTAfZbnf2QwV7sluw4fH3XJr07UoD0YqN+7XZzidtrwqMY26fpLZnyZjnBEt1FAZWO7RnKG5asg8xRk9YaDdedXdQSJAOy6bWEWlABj+tVAigBxavaluUH8LOj+yfCFldJjNLdi90fVHkUD/m4Mr5OtmupNMXPwuG3EQlqWUVpQoYpUYKLsk7a5Mvg6UFkiH596y5IbJEVCI1Kb3D1',
    hash: 'e3+wo77iKcILiZegnzyUNcjCdoQ=',
  },
];

const textVectors: Array<{ input: string; hash: string }> = [
  { input: 'a', hash: 'YQAAAAAAAAAAAAAAAQAAAAAAAAA=' },
  { input: 'abc', hash: 'YRDDGAAAAAAAAAAAAwAAAAAAAAA=' },
  { input: 'hello world', hash: 'aCgDG9jwBhDc4Q1yawMZAAAAAAA=' },
  { input: 'The contents of the file goes here.', hash: 'ReSWVXEBRVw+tb7EXyMlJRtIB58=' },
  { input: '1\n', hash: 'MVAAAAAAAAAAAAAAAgAAAAAAAAA=' },
];

const allVectors = [
  ...binaryVectors.map((vector) => ({ ...vector, bytes: Buffer.from(vector.input, 'base64') })),
  ...textVectors.map((vector) => ({ ...vector, bytes: Buffer.from(vector.input, 'utf8') })),
];

function hashInChunks(bytes: Uint8Array, sizes: (index: number) => number): string {
  const hash = new QuickXorHash();
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + sizes(index));
    hash.update(bytes.subarray(offset, end));
    offset = end;
    index += 1;
  }
  return hash.digest();
}

describe('QuickXorHash', () => {
  it('matches every known answer in one call', () => {
    for (const vector of allVectors) {
      assert.equal(
        quickXorHash(vector.bytes),
        vector.hash,
        `input of ${vector.bytes.length} bytes`,
      );
    }
  });

  it('hashes zero bytes to the length-only value', () => {
    const hash = new QuickXorHash();
    assert.equal(hash.digest(), 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    assert.equal(hash.length, 0);
    assert.equal(hash.update(new Uint8Array(0)).digest(), 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  });

  it('gives the same result for every block size 1..512', () => {
    for (let blockSize = 1; blockSize <= 512; blockSize++) {
      for (const vector of allVectors) {
        assert.equal(
          hashInChunks(vector.bytes, () => blockSize),
          vector.hash,
          `block size ${blockSize}, input of ${vector.bytes.length} bytes`,
        );
      }
    }
  });

  it('gives the same result for random splits of a large input', () => {
    const bytes = randomBytes(3 * 65_536 + 1234);
    const expected = quickXorHash(bytes);
    for (let round = 0; round < 50; round++) {
      const result = hashInChunks(bytes, () => 1 + Math.floor(Math.random() * 70_000));
      assert.equal(result, expected, `random split round ${round}`);
    }
  });

  it('folds unaligned views the same as aligned ones', () => {
    const backing = randomBytes(10_000);
    for (let start = 0; start < 8; start++) {
      const view = backing.subarray(start, start + 9000);
      const copy = Buffer.from(view);
      assert.equal(quickXorHash(view), quickXorHash(copy), `view starting at ${start}`);
    }
  });

  it('hashes 1 MiB of zeros to the known value', () => {
    assert.equal(quickXorHash(new Uint8Array(1024 * 1024)), 'AAAAAAAAAAAAAAAAAAAQAAAAAAA=');
  });

  it('continues from a saved state', () => {
    const bytes = randomBytes(100_003);
    const first = new QuickXorHash().update(bytes.subarray(0, 40_001));
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = new QuickXorHash(saved).update(bytes.subarray(40_001));
    assert.equal(resumed.digest(), quickXorHash(bytes));
    assert.equal(resumed.length, bytes.length);
  });

  it('rejects a malformed saved state', () => {
    assert.throws(() => new QuickXorHash({ lanes: 'AAAA', length: 0 }), RangeError);
    assert.throws(
      () => new QuickXorHash({ lanes: Buffer.alloc(160).toString('base64'), length: -1 }),
      RangeError,
    );
  });

  it('keeps accepting input after a digest', () => {
    const hash = new QuickXorHash().update(Buffer.from('hello '));
    hash.digest();
    hash.update(Buffer.from('world'));
    assert.equal(hash.digest(), 'aCgDG9jwBhDc4Q1yawMZAAAAAAA=');
  });
});
