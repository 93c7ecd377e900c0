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
export { DEFAULT_ENDPOINT, Drive } from './drive/drive.js';
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
  UploadOptions,
  User,
} from './drive/types.js';
export {
  GraphError,
  type GraphErrorDetails,
  isSkydriveError,
  SkydriveError,
  type SkydriveErrorCode,
} from './errors.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './graph/retry.js';
