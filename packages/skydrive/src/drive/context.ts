import type { GraphClient } from '../graph/client.js';
import type { Clock } from '../graph/clock.js';
import type { ItemLocator } from '../graph/url.js';
import { parseItemRef } from './addressing.js';
import type { Addressing, ItemRef } from './types.js';

/** Shared state of every drive operation. */
export interface DriveContext {
  graph: GraphClient;
  addressing: Addressing;
  clock: Clock;
}

export function locate(context: DriveContext, item: ItemRef): ItemLocator {
  return parseItemRef(item, context.addressing);
}

/** Describe an item for messages: its path, or 'item <id>'. */
export function describe(locator: ItemLocator): string {
  if (locator.kind === 'special') {
    return `special:${locator.name}${locator.path === '/' ? '' : locator.path}`;
  }
  return locator.kind === 'path' ? locator.path : `item ${locator.id}`;
}
