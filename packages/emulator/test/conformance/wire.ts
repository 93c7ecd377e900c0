/** Graph and identity platform wire shapes that the conformance tests read. */

export interface IdentitySet {
  user?: { id?: string; displayName?: string };
  application?: { id?: string; displayName?: string };
}

/** The driveItem properties these tests read; every field is checked before use. */
export interface WireItem {
  id: string;
  name: string;
  eTag?: string;
  cTag?: string;
  size?: number;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  description?: string;
  webUrl?: string;
  parentReference?: { driveId?: string; driveType?: string; id?: string; path?: string };
  file?: {
    mimeType?: string;
    hashes?: { quickXorHash?: string; sha1Hash?: string; sha256Hash?: string };
  };
  folder?: { childCount?: number };
  root?: Record<string, unknown>;
  fileSystemInfo?: { createdDateTime?: string; lastModifiedDateTime?: string };
  createdBy?: IdentitySet;
  lastModifiedBy?: IdentitySet;
  '@microsoft.graph.downloadUrl'?: string;
}

export interface WireCollection<T = WireItem> {
  value: T[];
  '@odata.nextLink'?: string;
}

export interface WireQuota {
  total?: number;
  used?: number;
  remaining?: number;
  deleted?: number;
  state?: string;
}

export interface WireDrive {
  id: string;
  driveType?: string;
  owner?: IdentitySet;
  quota?: WireQuota;
}

export interface WireError {
  error?: {
    code?: string;
    message?: string;
    innerError?: { code?: string; date?: string; 'request-id'?: string };
  };
}

export interface TokenResponse {
  token_type?: string;
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  error?: string;
  error_description?: string;
  error_codes?: unknown;
  timestamp?: string;
  trace_id?: string;
  correlation_id?: string;
}

export interface MonitorPoll {
  status: number;
  body: { status?: string; percentageComplete?: number; resourceId?: string; operation?: string };
}
