// Graph v1.0 wire shapes. Every field is optional where Graph (personal or
// business) may leave it out; consumers must not assume a facet is present.

export interface IdentityWire {
  id?: string;
  displayName?: string;
  email?: string;
}

export interface IdentitySet {
  user?: IdentityWire;
  application?: IdentityWire;
  device?: IdentityWire;
  group?: IdentityWire;
}

export interface ItemReference {
  driveId?: string;
  driveType?: string;
  id?: string;
  name?: string;
  /** e.g. '/drive/root:/Documents'; percent-encoded on Graph, plain on some services. */
  path?: string;
  siteId?: string;
  shareId?: string;
}

export interface Hashes {
  /** Base64 of 20 bytes; one old personal-service bug returned 40 hex characters. */
  quickXorHash?: string;
  sha1Hash?: string;
  sha256Hash?: string;
  crc32Hash?: string;
}

export interface FileFacet {
  mimeType?: string;
  hashes?: Hashes;
}

export interface FolderFacet {
  childCount?: number;
}

export interface FileSystemInfo {
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  lastAccessedDateTime?: string;
}

export interface DriveItem {
  id: string;
  name?: string;
  eTag?: string;
  cTag?: string;
  size?: number;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  createdBy?: IdentitySet;
  lastModifiedBy?: IdentitySet;
  parentReference?: ItemReference;
  webUrl?: string;
  description?: string;
  fileSystemInfo?: FileSystemInfo;
  file?: FileFacet;
  folder?: FolderFacet;
  /** Notebooks and similar bundles: neither file nor folder, but they have children. */
  package?: { type?: string };
  remoteItem?: Record<string, unknown>;
  root?: Record<string, never>;
  deleted?: { state?: string };
  specialFolder?: { name?: string };
  shared?: Record<string, unknown>;
  image?: { width?: number; height?: number };
  photo?: Record<string, unknown>;
  video?: Record<string, unknown>;
  audio?: Record<string, unknown>;
  '@microsoft.graph.downloadUrl'?: string;
  [key: string]: unknown;
}

export interface Quota {
  total?: number;
  used?: number;
  remaining?: number;
  /** Bytes held in the recycle bin. */
  deleted?: number;
  /** 'normal' | 'nearing' | 'critical' | 'exceeded'. */
  state?: string;
  fileCount?: number;
  storagePlanInformation?: { upgradeAvailable?: boolean };
}

export interface DriveResource {
  id: string;
  driveType?: string;
  name?: string;
  description?: string;
  owner?: IdentitySet;
  quota?: Quota;
  webUrl?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  [key: string]: unknown;
}

export interface User {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  [key: string]: unknown;
}

export interface Collection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** An inner error; Graph spells the key `innerError` or `innererror` depending on the service. */
export interface InnerErrorWire {
  code?: string;
  message?: string;
  'request-id'?: string;
  date?: string;
  innerError?: InnerErrorWire;
  innererror?: InnerErrorWire;
}

export interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    innerError?: InnerErrorWire;
    innererror?: InnerErrorWire;
  };
}

/** Body of a copy monitor. */
export interface AsyncJobStatus {
  operation?: string;
  percentageComplete?: number;
  resourceId?: string;
  /** notStarted | inProgress | completed | failed | cancelled | waiting | cancelPending */
  status?: string;
  statusDescription?: string;
  errorCode?: string;
  error?: { code?: string; message?: string };
}
