import { SkydriveError } from '../errors.js';
import type { GraphClient } from './client.js';
import type { Collection } from './wire.js';

/**
 * Pages of a Graph collection. Next pages come only from `@odata.nextLink`,
 * followed verbatim: the link is opaque, and rebuilding it by hand has been
 * seen to return the first page again. A link that repeats ends with an error
 * instead of looping forever.
 */
export async function* pages<T>(
  client: GraphClient,
  firstUrl: string,
  signal?: AbortSignal,
): AsyncGenerator<T[], void, undefined> {
  const seen = new Set<string>([client.absolute(firstUrl)]);
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const page: Collection<T> = await client.json<Collection<T>>({ method: 'GET', url, signal });
    yield page.value ?? [];

    const next: string | undefined = page['@odata.nextLink'];
    if (next !== undefined && seen.has(next)) {
      throw new SkydriveError(
        'PROTOCOL_ERROR',
        `paging ${client.redact(client.absolute(firstUrl))}: the server sent the same @odata.nextLink twice; stopped to avoid an endless loop`,
      );
    }
    if (next !== undefined) {
      seen.add(next);
    }
    url = next;
  }
}

/** Items of a Graph collection, across all pages. */
export async function* items<T>(
  client: GraphClient,
  firstUrl: string,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(client, firstUrl, signal)) {
    yield* page;
  }
}
