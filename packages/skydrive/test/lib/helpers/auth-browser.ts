// A scripted browser for the emulator's sign-in pages, and its control routes.

/**
 * Fetch the consent page at an authorization URL and submit its form the
 * way a browser would. Returns the redirect target (the Location header).
 */
export async function submitConsent(
  authorizationUrl: string,
  choice: { username?: string; decision: 'approve' | 'deny' },
): Promise<string> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(`consent page answered ${page.status}: ${html.slice(0, 200)}`);
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) {
    throw new Error('the consent page has no form');
  }
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  form.set('username', choice.username ?? 'demo');
  form.set('decision', choice.decision);
  const submitted = await fetch(new URL(unescapeHtml(action), authorizationUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  await submitted.body?.cancel();
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || location === null) {
    throw new Error(`consent form answered ${submitted.status} without a redirect`);
  }
  return location;
}

/** Follow the redirect to the CLI's or library's loopback listener, as the browser would. */
export async function deliverRedirect(location: string): Promise<number> {
  const response = await fetch(location);
  await response.body?.cancel();
  return response.status;
}

/** POST JSON to an emulator control route under `/_emulator/`; returns the status. */
export async function control(baseUrl: string, route: string, body: unknown): Promise<number> {
  const response = await fetch(`${baseUrl}/_emulator/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) {
    throw new Error(`POST /_emulator/${route} answered ${response.status}: ${text}`);
  }
  return response.status;
}

/** Redeem a refresh token directly; returns the status and the OAuth error, if any. */
export async function tryRefresh(
  baseUrl: string,
  refreshToken: string,
  clientId = 'skydrive-local',
): Promise<{ status: number; error?: string }> {
  const response = await fetch(`${baseUrl}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
    }),
  });
  const body = (await response.json()) as { error?: string };
  return body.error === undefined
    ? { status: response.status }
    : { status: response.status, error: body.error };
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
