/**
 * Return a URL that is safe to show. User info is removed everywhere. On hosts other than
 * the Graph origin only the origin and the first path segment remain. Pre-authenticated
 * download, upload and monitor URLs carry their credential there: in the query (as
 * SharePoint's `tempauth`) or in the path (as OneDrive personal upload URLs and the
 * emulator's `/upload/{token}`).
 */
export function redactUrl(url: string, graphOrigin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable url>';
  }
  parsed.username = '';
  parsed.password = '';
  if (parsed.origin === graphOrigin) {
    // Show the path as sent: URL serialisation keeps our encoding.
    return parsed.toString();
  }
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  const hidden = segments.length > 1 || parsed.search !== '';
  const first = segments[0] === undefined ? '' : `/${segments[0]}`;
  return `${parsed.origin}${first}${hidden ? '/<redacted>' : ''}`;
}

/** Remove bearer tokens from free text such as an error message. */
export function redactText(text: string): string {
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer <redacted>');
}
