import { SkydriveError } from '../errors.js';
import { items } from '../graph/paging.js';
import type { DriveItemVersion } from '../graph/sharing-wire.js';
import { encodeSegment, itemUrlPath } from '../graph/url.js';
import { type DriveContext, locate } from './context.js';
import type { ItemRef } from './types.js';

/** Versions of a file, newest first as the service returns them; the first is the current content. */
export async function listVersions(
  context: DriveContext,
  item: ItemRef,
): Promise<DriveItemVersion[]> {
  const versions: DriveItemVersion[] = [];
  for await (const version of items<DriveItemVersion>(
    context.graph,
    itemUrlPath(locate(context, item), 'versions'),
  )) {
    versions.push(version);
  }
  return versions;
}

/** Make an earlier version the current content. The service keeps every version, this one included. */
export async function restoreVersion(
  context: DriveContext,
  item: ItemRef,
  versionId: string,
): Promise<void> {
  if (versionId === '' || versionId.includes('/')) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `invalid version id ${JSON.stringify(versionId)}: use an id from the version list, such as 2.0`,
    );
  }
  const response = await context.graph.request({
    method: 'POST',
    url: itemUrlPath(locate(context, item), `versions/${encodeSegment(versionId)}/restoreVersion`),
  });
  await response.body.dump();
}
