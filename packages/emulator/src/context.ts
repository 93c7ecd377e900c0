import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FaultRegistry } from './faults.js';
import type { GrantState } from './identity/grants-state.js';
import type { ResolvedOptions } from './options.js';
import type { PreauthRegistry } from './preauth.js';
import type { BlobStore } from './store/blob-store.js';
import type { DriveRecord, MetadataStore, UserRecord } from './store/types.js';
import type { UploadSessionStore } from './upload/session-store.js';

/** Shared state of one running emulator, handed to every handler. */
export interface Emulator {
  options: ResolvedOptions;
  store: MetadataStore;
  blobs: BlobStore;
  preauth: PreauthRegistry;
  uploads: UploadSessionStore;
  faults: FaultRegistry;
  /** Authorization codes and device codes of sign-ins in progress. */
  grants: GrantState;
  log: Logger;
  /** API origin, e.g. `http://127.0.0.1:PORT`; set once the listener is bound. */
  url: string;
  /** Origin of pre-authenticated URLs; set once the second listener is bound. */
  contentUrl: string;
}

/** One HTTP exchange as it moves through the pipeline. */
export interface RequestContext {
  emulator: Emulator;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  clientRequestId: string | undefined;
  log: Logger;
  /** Path as sent, before percent-decoding. */
  rawPath: string;
  /** `rawPath` safe for logs: the token of a pre-authenticated URL is replaced. */
  logPath: string;
  query: URLSearchParams;
}

/** The signed-in caller of a Graph request. */
export interface Principal {
  user: UserRecord;
  drive: DriveRecord;
}
