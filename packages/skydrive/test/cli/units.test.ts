// Pure helpers of the CLI: size and time formatting, paths, ranges, name
// collisions, error messages and the exit-code mapping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { parseRange } from '../../src/cli/commands/get.ts';
import { redactForeignUrl } from '../../src/cli/context.ts';
import { CliError, describeError } from '../../src/cli/errors.ts';
import { exitCodeFor } from '../../src/cli/exit-codes.ts';
import { findCaseCollisions } from '../../src/cli/local-plan.ts';
import { humanSize, itemPath, minuteTime } from '../../src/cli/output/format.ts';
import { GraphError, SkydriveError } from '../../src/index.ts';

function graphError(status: number, graphCode = '', requestId?: string): GraphError {
  return new GraphError(`${status} from the service`, {
    status,
    graphCode,
    method: 'GET',
    url: 'http://127.0.0.1:1/v1.0/me/drive/root',
    ...(requestId === undefined ? {} : { requestId }),
  });
}

describe('humanSize', () => {
  it('uses binary units with one decimal', () => {
    assert.equal(humanSize(0), '0 B');
    assert.equal(humanSize(1023), '1023 B');
    assert.equal(humanSize(1024), '1.0 KiB');
    assert.equal(humanSize(1536), '1.5 KiB');
    assert.equal(humanSize(5 * 1024 ** 3), '5.0 GiB');
  });

  it('rounds 1024 up a unit', () => {
    assert.equal(humanSize(1024 * 1024 - 1), '1.0 MiB');
  });

  it('prints a dash for an unknown size', () => {
    assert.equal(humanSize(undefined), '-');
  });
});

describe('minuteTime', () => {
  it('prints UTC to the minute', () => {
    assert.equal(minuteTime('2026-12-04T21:10:59.900+01:00'), '2026-12-04T20:10Z');
  });

  it('pads an unknown time to the column width', () => {
    assert.equal(minuteTime(undefined), '-'.padEnd(17));
  });
});

describe('itemPath', () => {
  it('decodes the parent path', () => {
    const item = {
      id: '1',
      name: 'a+b #1.txt',
      parentReference: { path: '/drive/root:/x%20y/%C3%BC' },
    };
    assert.equal(itemPath(item), '/x y/ü/a+b #1.txt');
  });

  it('root items and the root', () => {
    assert.equal(
      itemPath({ id: '1', name: 'a.txt', parentReference: { path: '/drive/root:' } }),
      '/a.txt',
    );
    assert.equal(itemPath({ id: '1', name: 'root', root: {} }), '/');
  });

  it('keeps a literal percent sign', () => {
    const item = { id: '1', name: 'f', parentReference: { path: '/drive/root:/100% done' } };
    assert.equal(itemPath(item), '/100% done/f');
  });
});

describe('parseRange', () => {
  it('reads closed and open ranges', () => {
    assert.deepEqual(parseRange('0-1023'), { start: 0, end: 1023 });
    assert.deepEqual(parseRange('512-'), { start: 512 });
  });

  it('rejects malformed ranges', () => {
    for (const value of ['', '-5', 'a-b', '5-2', '1-2-3', ' 1-2']) {
      assert.throws(() => parseRange(value), { code: 'commander.invalidArgument' }, value);
    }
  });
});

describe('findCaseCollisions', () => {
  it('pairs names equal under case folding', () => {
    assert.deepEqual(findCaseCollisions(['README', 'a', 'readme', 'ReadMe']), [
      ['README', 'readme'],
      ['README', 'ReadMe'],
    ]);
    assert.deepEqual(findCaseCollisions(['a', 'b']), []);
  });
});

describe('describeError', () => {
  it('missing item names path and next step', () => {
    assert.equal(
      describeError(graphError(404, 'itemNotFound'), { path: '/docs/a.txt' }),
      '/docs/a.txt: not found; check the path with: skydrive ls /docs',
    );
  });

  it('leaves the path out of a rejected token', () => {
    assert.equal(
      describeError(graphError(401, 'InvalidAuthenticationToken'), { path: '/docs' }),
      'the service rejected the access token (401 InvalidAuthenticationToken); run: skydrive auth login, or set SKYDRIVE_TOKEN',
    );
  });

  it('gives the request id of a service error', () => {
    assert.equal(
      describeError(graphError(503, 'serviceNotAvailable', 'req-1'), { path: '/a' }),
      '/a: the service is throttling requests (503 serviceNotAvailable, request-id req-1) and the retries ran out; try again later',
    );
    assert.equal(
      describeError(graphError(502, '', 'req-2')),
      'service error (502, request-id req-2); try again later',
    );
  });

  it('explains a full drive', () => {
    assert.equal(
      describeError(graphError(507, 'insufficientStorage'), { path: '/big.iso' }),
      '/big.iso: the drive is full (507 insufficientStorage); check the space with: skydrive quota',
    );
  });

  it('maps local file errors', () => {
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    assert.equal(
      describeError(missing, { path: 'a.txt' }),
      'a.txt: no such local file or folder; check the path',
    );
  });
});

describe('exitCodeFor', () => {
  it('maps errors to 0, 1, 2 and 4', () => {
    assert.equal(exitCodeFor(new SkydriveError('NOT_SIGNED_IN', 'no token')), 4);
    assert.equal(exitCodeFor(graphError(401)), 4);
    assert.equal(exitCodeFor(graphError(403)), 1);
    assert.equal(exitCodeFor(new SkydriveError('ABORTED', 'stopped')), 2);
    assert.equal(exitCodeFor(new SkydriveError('HASH_MISMATCH', 'differs')), 1);
    assert.equal(exitCodeFor(new CliError('usage', 2)), 2);
    assert.equal(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'x')), 2);
    assert.equal(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', 'x')), 0);
    assert.equal(exitCodeFor(new Error('anything else')), 1);
  });
});

describe('redactForeignUrl', () => {
  it('keeps Graph URLs', () => {
    const url = 'http://127.0.0.1:1/v1.0/me/drive/root:/a%20b:/content';
    assert.equal(redactForeignUrl(url, 'http://127.0.0.1:1'), url);
  });

  it('shortens URLs on other origins', () => {
    assert.equal(
      redactForeignUrl('http://127.0.0.1:2/download/secret-token/x', 'http://127.0.0.1:1'),
      'http://127.0.0.1:2/download/<redacted>',
    );
    assert.equal(
      redactForeignUrl('https://files.invalid/', 'http://127.0.0.1:1'),
      'https://files.invalid',
    );
  });
});
