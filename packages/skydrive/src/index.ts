export {
  type AuthCodeSignInOptions,
  DEFAULT_SIGN_IN_TIMEOUT_MS,
  signInWithAuthCode,
} from './auth/auth-code.js';
export {
  type DeviceCodePrompt,
  type DeviceCodeSignInOptions,
  signInWithDeviceCode,
} from './auth/device-code.js';
export { type OAuthTransport, SignInError } from './auth/oauth-client.js';
export {
  type AuthSettings,
  type AuthSettingsInput,
  checkServiceUrl,
  DEFAULT_AUTH_ENDPOINT,
  DEFAULT_SCOPES,
  DEFAULT_TENANT,
  isLoopbackHost,
  resolveAuthSettings,
} from './auth/settings.js';
export { StoredTokenProvider } from './auth/stored-provider.js';
export { withTokenLock } from './auth/token-lock.js';
export type { GetAccessTokenOptions, TokenProvider } from './auth/token-provider.js';
export type { SavedToken } from './auth/token-store.js';
export { deleteToken, loadToken, saveToken, tokenFilePath } from './auth/token-store.js';
export {
  joinRemotePath,
  looksLikeItemId,
  normalisePath,
  type ParsedItemRef,
  parseItemRef,
  validateName,
} from './drive/addressing.js';
export { ChangeFeed, type ChangesOptions, type ResyncEvent } from './drive/delta.js';
export { DEFAULT_ENDPOINT, Drive } from './drive/drive.js';
export type { RecentItem, RecentOptions, RecentResult, RecentSource } from './drive/recent.js';
export type { RestoreOptions } from './drive/recycle.js';
export type { SearchOptions } from './drive/search.js';
export {
  INVITE_ROLES,
  type InviteOptions,
  type InviteRole,
  LINK_SCOPES,
  LINK_TYPES,
  type LinkOptions,
  type LinkResult,
  type LinkScope,
  type LinkType,
  type RevokeOptions,
} from './drive/sharing.js';
export { SPECIAL_FOLDER_NAMES, type SpecialFolderName } from './drive/special.js';
export {
  checkThumbnailSize,
  type ThumbnailDownload,
  type ThumbnailOptions,
} from './drive/thumbnails.js';
export type {
  Addressing,
  ConflictBehavior,
  CopyOptions,
  DownloadOptions,
  DownloadResult,
  DriveItem,
  DriveOptions,
  DriveResource,
  FileTransferResult,
  FolderTransferOptions,
  FolderTransferResult,
  ItemRef,
  ListEntry,
  ListOptions,
  MkdirOptions,
  MoveTarget,
  Quota,
  RemoveOptions,
  RequestEvent,
  TransferReport,
  UploadOptions,
  User,
} from './drive/types.js';
export { type ItemUpdate, isIsoTime, type UpdateOptions } from './drive/update.js';
export {
  GraphError,
  type GraphErrorDetails,
  isSkydriveError,
  SkydriveError,
  type SkydriveErrorCode,
} from './errors.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './graph/retry.js';
export type {
  DriveItemVersion,
  Permission,
  SharingLink,
  Thumbnail,
  ThumbnailSet,
} from './graph/sharing-wire.js';
export {
  checkFragmentSize,
  DEFAULT_FRAGMENT_BYTES,
  parseByteSize,
} from './transfer/fragments.js';
export { defaultStateDir } from './transfer/resume-state.js';
export { SESSION_THRESHOLD_BYTES } from './transfer/upload.js';
