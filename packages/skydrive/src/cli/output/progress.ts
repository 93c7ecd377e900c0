import cliProgress from 'cli-progress';
import type { CommandContext } from '../context.js';
import { humanSize } from './format.js';

/** A progress display; a no-op when bars are off. */
export interface Progress {
  /** Set the amount done so far (bytes, or files for folder transfers). */
  update(done: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

/**
 * Start a bar on stderr when the context allows one (a terminal, no -q,
 * --no-progress or --json). Bars never go to stdout, which stays parseable.
 */
export function startProgress(
  context: CommandContext,
  label: string,
  total: number,
  unit: 'bytes' | 'files',
): Progress {
  if (!context.showProgress || total <= 0) {
    return NO_PROGRESS;
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: context.deps.stderr as NodeJS.WritableStream,
      format: `{label} [{bar}] {percentage}% {amount}`,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const amount = (done: number) =>
    unit === 'bytes' ? `${humanSize(done)} of ${humanSize(total)}` : `${done} of ${total} files`;
  bar.start(total, 0, { label, amount: amount(0) });
  return {
    update: (done) => bar.update(Math.min(done, total), { amount: amount(done) }),
    stop: () => bar.stop(),
  };
}
