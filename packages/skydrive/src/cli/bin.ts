#!/usr/bin/env node
import { processDeps } from './deps.js';
import { main } from './main.js';

// A reader that closes the pipe early (`skydrive ls | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(0);
  }
  throw error;
});

// Ctrl-C aborts a running transfer, which then ends with "cancelled" and exit code 2.
// Commands that do not watch the signal are stopped after a short grace period.
const CANCEL_GRACE_MS = 1000;
const cancel = new AbortController();
process.once('SIGINT', () => {
  cancel.abort();
  setTimeout(() => {
    process.stderr.write('skydrive: cancelled\n');
    process.exit(2);
  }, CANCEL_GRACE_MS).unref();
  // A second Ctrl-C does not wait.
  process.once('SIGINT', () => process.exit(2));
});

process.exitCode = await main(process.argv, processDeps(cancel.signal));
