import { debuglog } from 'node:util';
import { SkydriveError } from '../errors.js';
import { originOf } from '../graph/client.js';
import { graphErrorFrom } from '../graph/error-body.js';
import { itemUrlPath, queryString } from '../graph/url.js';
import type { Collection, DriveItem } from '../graph/wire.js';
import { headerValue } from '../http/send.js';
import { type DriveContext, locate } from './context.js';
import { MAX_PAGE_SIZE } from './items.js';
import { parseJson } from './json-body.js';
import type { ItemRef } from './types.js';

const log = debuglog('skydrive');

export interface ChangesOptions {
  /**
   * Start of the round: a token from an earlier round (`ChangeFeed.nextToken`),
   * a whole `@odata.deltaLink` URL, or 'latest' for no changes and a token for
   * the current state. Default: every item, as a full enumeration.
   */
  since?: string;
  /** Folder whose subtree is tracked. @default the root */
  folder?: ItemRef;
  /** Page size, 1 to 1000. */
  top?: number;
  /** Called when the service rejects the token (410) and the round restarts as a full enumeration. */
  onResync?: (event: ResyncEvent) => void;
  signal?: AbortSignal;
}

export interface ResyncEvent {
  /** Graph error code of the 410, e.g. 'resyncRequired'. */
  graphCode: string;
  /** Inner codes such as 'resyncChangesApplyDifferences'. */
  innerCodes: string[];
  /** URL the enumeration restarts from (credentials redacted). */
  restartUrl: string;
}

/**
 * Restarts allowed in one round. A rejected token is replaced by the 410's
 * Location, then by a fresh delta without a token. A service that rejects
 * those too would otherwise loop forever.
 */
const MAX_RESYNCS = 2;

/**
 * One round of delta: an async iterable of changed items that follows
 * `@odata.nextLink` and, once it is exhausted, contains the token of the
 * `@odata.deltaLink` for the next round. Deleted items carry a `deleted`
 * facet and may lack name and size. An item may appear more than once in a
 * round, and its last occurrence is its current state. Items carry no
 * parentReference.path, so callers track them by id.
 */
export class ChangeFeed implements AsyncIterable<DriveItem> {
  /** Token for the next round; set when the round has ended. */
  nextToken: string | undefined;
  /** The `@odata.deltaLink` the token came from. */
  deltaLink: string | undefined;
  /** True when the token was rejected and this round is a full enumeration. */
  resynced = false;
  private readonly context: DriveContext;
  private readonly options: ChangesOptions;
  private started = false;

  constructor(context: DriveContext, options: ChangesOptions = {}) {
    this.context = context;
    this.options = options;
    checkTop(options.top);
    if (options.since !== undefined && options.since.trim() === '') {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        "a change token cannot be empty; omit it to list every item, or use 'latest'",
      );
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<DriveItem> {
    if (this.started) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        'a change feed can be read once; start another with drive.changes({ since: feed.nextToken })',
      );
    }
    this.started = true;
    return this.round();
  }

  private async *round(): AsyncGenerator<DriveItem, void, undefined> {
    const graph = this.context.graph;
    const freshUrl = this.deltaUrl(undefined);
    let url = this.firstUrl(freshUrl);
    let seen = new Set<string>([graph.absolute(url)]);
    let resyncs = 0;

    for (;;) {
      const response = await graph.request({
        method: 'GET',
        url,
        accept: [410],
        signal: this.options.signal,
      });
      if (response.status === 410) {
        const redactedUrl = graph.redact(graph.absolute(url));
        const error = graphErrorFrom({
          status: 410,
          method: 'GET',
          url: redactedUrl,
          requestId: headerValue(response.headers, 'request-id'),
          bodyText: await response.body.text(),
        });
        if (resyncs >= MAX_RESYNCS) {
          throw new SkydriveError(
            'PROTOCOL_ERROR',
            `delta ${redactedUrl}: the service answered 410 ${error.graphCode} after ${resyncs} restarts; stopped to avoid an endless loop`,
            { cause: error },
          );
        }
        const location = headerValue(response.headers, 'location');
        url = resyncs === 0 ? this.restartUrl(location, url, freshUrl) : freshUrl;
        resyncs++;
        this.resynced = true;
        seen = new Set([graph.absolute(url)]);
        const restartUrl = graph.redact(graph.absolute(url));
        log(
          'delta %s: 410 %s; restarting the enumeration from %s',
          redactedUrl,
          error.graphCode,
          restartUrl,
        );
        this.options.onResync?.({
          graphCode: error.graphCode,
          innerCodes: error.innerCodes,
          restartUrl,
        });
        continue;
      }

      const page = parseJson<Collection<DriveItem>>(await response.body.text(), () =>
        graph.redact(graph.absolute(url)),
      );
      yield* page.value ?? [];

      const next = page['@odata.nextLink'];
      if (next !== undefined) {
        if (seen.has(next)) {
          throw new SkydriveError(
            'PROTOCOL_ERROR',
            `delta ${graph.redact(graph.absolute(url))}: the server sent the same @odata.nextLink twice; stopped to avoid an endless loop`,
          );
        }
        seen.add(next);
        url = next;
        continue;
      }
      const deltaLink = page['@odata.deltaLink'];
      if (deltaLink === undefined) {
        throw new SkydriveError(
          'PROTOCOL_ERROR',
          `delta ${graph.redact(graph.absolute(url))}: the last page has neither @odata.nextLink nor @odata.deltaLink`,
        );
      }
      this.deltaLink = deltaLink;
      this.nextToken = tokenOfDeltaLink(deltaLink);
      return;
    }
  }

  private deltaUrl(token: string | undefined): string {
    const folder = locate(this.context, this.options.folder ?? '/');
    return `${itemUrlPath(folder, 'delta')}${queryString({ token, $top: this.options.top })}`;
  }

  private firstUrl(freshUrl: string): string {
    const since = this.options.since;
    if (since === undefined) {
      return freshUrl;
    }
    if (/^https?:\/\//i.test(since)) {
      return since;
    }
    return this.deltaUrl(since);
  }

  /**
   * Choose where a rejected round restarts: the 410's Location, but only on the
   * Graph origin because the request carries the bearer token. Otherwise, and
   * without a Location, a delta without a token.
   */
  private restartUrl(location: string | undefined, failedUrl: string, freshUrl: string): string {
    if (location === undefined) {
      return freshUrl;
    }
    const graph = this.context.graph;
    const resolved = new URL(location, graph.absolute(failedUrl)).toString();
    return originOf(resolved) === graph.origin ? resolved : freshUrl;
  }
}

/**
 * Take the token out of a deltaLink: the `token` query parameter, or the
 * argument of `delta(token='…')`. A link in neither form is returned whole,
 * and `since` accepts it as it is.
 */
export function tokenOfDeltaLink(deltaLink: string): string {
  let parsed: URL;
  try {
    parsed = new URL(deltaLink);
  } catch {
    return deltaLink;
  }
  const fromQuery = parsed.searchParams.get('token');
  if (fromQuery !== null && fromQuery !== '') {
    return fromQuery;
  }
  const fromPath = /delta\(token='?([^')]*)'?\)/.exec(parsed.pathname)?.[1];
  if (fromPath !== undefined && fromPath !== '') {
    try {
      return decodeURIComponent(fromPath);
    } catch {
      return fromPath;
    }
  }
  return deltaLink;
}

function checkTop(top: number | undefined): void {
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `page size ${top} must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
}
