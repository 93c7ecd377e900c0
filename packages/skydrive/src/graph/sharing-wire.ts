// Graph v1.0 wire shapes of permissions, sharing links, thumbnails and
// versions. As in wire.ts, every field the service may leave out is optional.

import type { IdentitySet, ItemReference } from './wire.js';

export interface SharingLink {
  /** 'view' | 'edit' | 'embed'; newer services add more types. */
  type?: string;
  /** 'anonymous' | 'organization' | 'users' (and 'existingAccess' on some services). */
  scope?: string;
  webUrl?: string;
  /** Only on embed links: an `<iframe>` snippet. */
  webHtml?: string;
  application?: { id?: string; displayName?: string };
  preventsDownload?: boolean;
}

export interface Permission {
  id: string;
  /** 'read' | 'write', plus 'owner' and 'member' on business drives. */
  roles?: string[];
  link?: SharingLink;
  invitation?: { email?: string; signInRequired?: boolean; invitedBy?: IdentitySet };
  grantedTo?: IdentitySet;
  grantedToV2?: IdentitySet;
  grantedToIdentities?: IdentitySet[];
  grantedToIdentitiesV2?: IdentitySet[];
  /** Set when the permission comes from an ancestor; it can only be changed there. */
  inheritedFrom?: ItemReference;
  shareId?: string;
  /** '0001-01-01T00:00:00Z' means the permission does not expire. */
  expirationDateTime?: string;
  hasPassword?: boolean;
  [key: string]: unknown;
}

export interface Thumbnail {
  width?: number;
  height?: number;
  /** Pre-authenticated and cache-safe; it changes when the item changes. */
  url?: string;
  sourceItemId?: string;
}

/** One set of thumbnails: `id` ('0' for the item's own) plus one entry per size name. */
export interface ThumbnailSet {
  id: string;
  [size: string]: Thumbnail | string | undefined;
}

export interface DriveItemVersion {
  /** e.g. '3.0'; the newest version is the current content. */
  id: string;
  lastModifiedDateTime?: string;
  lastModifiedBy?: IdentitySet;
  size?: number;
  [key: string]: unknown;
}
