import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, USAGE, UsageError } from '../src/cli-args.ts';
import { startDrive } from './drive-helpers.ts';

describe('--delta-token-lifetime', () => {
  it('sets deltaTokenLifetimeSeconds', () => {
    const command = parseCommandLine(['--delta-token-lifetime', '600']);
    assert.ok(command.kind === 'start');
    assert.equal(command.options.deltaTokenLifetimeSeconds, 600);
  });

  it('is absent by default, so tokens never expire', () => {
    const command = parseCommandLine([]);
    assert.ok(command.kind === 'start');
    assert.equal(command.options.deltaTokenLifetimeSeconds, undefined);
  });

  it('rejects zero and words', () => {
    assert.throws(() => parseCommandLine(['--delta-token-lifetime', '0']), UsageError);
    assert.throws(() => parseCommandLine(['--delta-token-lifetime', 'soon']), UsageError);
  });

  it('is listed in the help text', () => {
    assert.match(USAGE, /--delta-token-lifetime SECS/);
  });

  it('a negative option value is refused at start', async () => {
    await assert.rejects(
      () => startDrive({ deltaTokenLifetimeSeconds: -1 }),
      (error: unknown) => (error as { code?: string }).code === 'EMULATOR_INVALID_OPTION',
    );
  });
});
