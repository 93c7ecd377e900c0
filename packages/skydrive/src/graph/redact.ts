/**
 * Return a URL that is safe to show: no user info, and no query string on hosts other than
 * the Graph origin, because pre-authenticated download, upload and monitor
 * URLs carry their credentials there.
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
  if (parsed.origin !== graphOrigin && parsed.search !== '') {
    parsed.search = '?<redacted>';
  }
  // Show the path as sent: URL serialisation would keep our encoding anyway.
  return parsed.toString().replace('?%3Credacted%3E', '?<redacted>');
}

/** Remove bearer tokens from free text such as an error message. */
export function redactText(text: string): string {
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer <redacted>');
}
