import cliProgress from 'cli-progress';
import { GraphError, SESSION_THRESHOLD_BYTES, SkydriveError } from '../index.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import { humanSize } from './output/format.js';

/** Minimum time between two JSON progress events of one file, in ms. The first and last events are always sent. */
const JSON_EVENT_INTERVAL_MS = 200;

/** Progress of one file in a transfer. */
export interface FileProgress {
  /** Set the bytes of the file done so far, counting a resumed start. */
  update(done: number): void;
  /** The file finished or failed; its bar goes away. */
  end(): void;
}

/** Progress display of a put or get run: terminal bars, JSON events on stderr, or nothing. */
export interface TransferProgress {
  /** Start showing a file, e.g. when a pool worker picks it up. */
  file(path: string, label: string, size: number): FileProgress;
  stop(): void;
}

const SILENT_FILE: FileProgress = { update: () => undefined, end: () => undefined };
const SILENT: TransferProgress = { file: () => SILENT_FILE, stop: () => undefined };

/**
 * Choose the display. With `progressJson` it is throttled NDJSON events on
 * stderr (`{"event":"progress","path","bytes","size"}`). Otherwise, on a
 * terminal, it is one bar per active file, plus a total bar when `totalBytes`
 * is given. Otherwise it shows nothing.
 */
export function startTransferProgress(
  context: CommandContext,
  options: { progressJson: boolean; totalBytes?: number; now?: () => number },
): TransferProgress {
  const now = options.now ?? Date.now;
  if (options.progressJson) {
    return jsonProgress(context, now);
  }
  if (!context.showProgress) {
    return SILENT;
  }
  if (options.totalBytes === undefined) {
    return singleBarProgress(context, now);
  }
  return barProgress(context, options.totalBytes, now);
}

const BAR_OPTIONS = {
  format: '{label} [{bar}] {percentage}% {amount}{rate}',
  hideCursor: true,
  clearOnComplete: true,
  barsize: 24,
};

/** One bar at a time, drawn as soon as it changes: for a single file, where a total bar would repeat it. */
function singleBarProgress(context: CommandContext, now: () => number): TransferProgress {
  return {
    file(_path, label, size) {
      if (size <= 0) {
        return SILENT_FILE;
      }
      const bar = new cliProgress.SingleBar(
        { ...BAR_OPTIONS, stream: context.deps.stderr as NodeJS.WritableStream },
        cliProgress.Presets.shades_classic,
      );
      const started = now();
      let first: number | undefined;
      bar.start(size, 0, { label, amount: `0 B of ${humanSize(size)}`, rate: '' });
      return {
        update(value) {
          first ??= value;
          bar.update(Math.min(value, size), {
            amount: `${humanSize(value)} of ${humanSize(size)}`,
            rate: rateText(value - first, now() - started, size - value),
          });
        },
        end: () => bar.stop(),
      };
    },
    stop: () => undefined,
  };
}

function jsonProgress(context: CommandContext, now: () => number): TransferProgress {
  const write = (path: string, bytes: number, size: number) =>
    context.deps.stderr.write(`${JSON.stringify({ event: 'progress', path, bytes, size })}\n`);
  return {
    file(path, _label, size) {
      let last = Number.NEGATIVE_INFINITY;
      let latest = -1;
      return {
        update(done) {
          latest = done;
          const at = now();
          if (at - last >= JSON_EVENT_INTERVAL_MS || done >= size) {
            last = at;
            write(path, done, size);
          }
        },
        end() {
          if (latest >= 0 && latest < size) {
            write(path, latest, size);
          }
        },
      };
    },
    stop: () => undefined,
  };
}

/** Rate and time left from the bytes moved since the bar started. */
function rateText(moved: number, elapsedMs: number, left: number): string {
  if (elapsedMs < 500 || moved <= 0) {
    return '';
  }
  const perSecond = (moved * 1000) / elapsedMs;
  const seconds = Math.ceil(left / perSecond);
  const eta =
    seconds >= 3600
      ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
      : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return ` ${humanSize(perSecond)}/s ETA ${eta}`;
}

/** A bar per active file plus a total bar, redrawn on a timer. */
function barProgress(
  context: CommandContext,
  totalBytes: number,
  now: () => number,
): TransferProgress {
  const bars = new cliProgress.MultiBar(
    { ...BAR_OPTIONS, stream: context.deps.stderr as NodeJS.WritableStream },
    cliProgress.Presets.shades_classic,
  );
  const started = now();
  let totalDone = 0;
  const total =
    totalBytes <= 0
      ? undefined
      : bars.create(totalBytes, 0, { label: 'total', amount: '', rate: '' });
  const refreshTotal = () => {
    if (total === undefined) {
      return;
    }
    total.update(Math.min(totalDone, totalBytes), {
      amount: `${humanSize(totalDone)} of ${humanSize(totalBytes)}`,
      rate: rateText(totalDone, now() - started, totalBytes - totalDone),
    });
  };
  refreshTotal();

  return {
    file(_path, label, size) {
      const fileStarted = now();
      let first: number | undefined;
      let done = 0;
      const bar = size > 0 ? bars.create(size, 0, { label, amount: '', rate: '' }) : undefined;
      return {
        update(value) {
          first ??= value;
          totalDone += Math.max(0, value - done);
          done = Math.max(done, value);
          bar?.update(Math.min(value, size), {
            amount: `${humanSize(value)} of ${humanSize(size)}`,
            rate: rateText(value - first, now() - fileStarted, size - value),
          });
          refreshTotal();
        },
        end() {
          if (bar !== undefined) {
            bars.remove(bar);
          }
        },
      };
    },
    stop: () => bars.stop(),
  };
}

/**
 * Add "run the same command again" to a failed transfer that a later run can
 * continue: a file over 4 MiB, with resume on, stopped by an interruption
 * (cancel, network, timeout, 5xx or 429) rather than by a rejection.
 */
export function withResumeHint(
  failure: CliError,
  cause: unknown,
  size: number,
  resume: boolean,
  command: 'put' | 'get',
): CliError {
  const interrupted =
    cause instanceof GraphError
      ? cause.status >= 500 || cause.status === 429
      : cause instanceof SkydriveError &&
        ['ABORTED', 'NETWORK_ERROR', 'TIMEOUT'].includes(cause.code);
  if (!interrupted || !resume || size <= SESSION_THRESHOLD_BYTES) {
    return failure;
  }
  return new CliError(
    `${failure.message}; the same ${command} continues where this one stopped`,
    failure.exitCode,
    { cause },
  );
}
